"""The item check refuses a NUL character in any free text of an item (PostgreSQL keeps none)."""

from __future__ import annotations

import pytest

from annotator.checks import Rules, check_item
from annotator.spans import Entity, Span, SpanError, Stance

RULES = Rules("Paris said no to the plan.")


@pytest.mark.parametrize(("item", "field"), [
    (Stance("s1", "against", Span(0, 13), "Paris", None, target="the\x00plan"), "item.target"),
    (Stance("s1", "against", Span(0, 13), "Pa\x00ris", None, target="the plan"), "item.holder"),
    (Entity("e\x001", 0, 5, "GPE"), "item.uid"),
])
def test_nul_in_free_text_is_refused_naming_the_field(item: Entity | Stance, field: str) -> None:
    with pytest.raises(SpanError, match="NUL") as err:
        check_item(item, RULES, entity_uids=set(), field="item")
    assert err.value.field == field
