"""Name and span matching rules used by the quality benchmark."""

from __future__ import annotations

import pytest

from annotator.nlp.scoring import head_word, iou, names_match


@pytest.mark.parametrize("a, b, same", [
    ("Hossein Akbari", "Hossein Akbari", True),
    ("the United States", "United States", True),
    ("coup rumours", "rumours of a military coup", True),
    ("Hayat Tahrir al-Sham", "Tahrir al-Sham", True),
    ("Iranian officials", "Iran", False),
    ("Syrian government", "Syrian Army General Command", False),
    ("", "Iran", False),
])
def test_names_match(a: str, b: str, same: bool) -> None:
    assert names_match(a, b) is same
    assert names_match(b, a) is same


def test_head_word_stops_at_the_first_preposition() -> None:
    assert head_word("the rumours of a coup") == "rumour"
    assert head_word("Iran’s chief diplomat") == "diplomat"


def test_iou() -> None:
    assert iou((0, 10), (0, 10)) == 1.0
    assert iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert iou((0, 5), (5, 9)) == 0.0
