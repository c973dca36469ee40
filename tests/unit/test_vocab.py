"""The vocabulary: one definition of each word, which every other module and the page data use."""

from __future__ import annotations

import json

import pytest

from annotator.nlp import marks
from annotator.vocab import (
    CLOSING_MARKS, DOUBLE_QUOTE_PAIRS, OPENING_MARKS, QuoteKind, QuoteMark, Status, guess_quote_kind,
    vocabulary_for_page,
)


def test_members_are_their_strings() -> None:
    assert Status.IN_PROGRESS == "in_progress" and json.dumps([QuoteKind.MIXED]) == '["mixed"]'


def test_quote_finding_uses_the_double_marks() -> None:
    found = set(marks.OPENING | marks.CLOSING | {marks.STRAIGHT})
    assert found == {m for pair in DOUBLE_QUOTE_PAIRS for m in pair}
    assert all(m in QuoteMark.__members__.values() for m in found)


@pytest.mark.parametrize("text, kind", [
    ("He said \u201cno\u201d today", QuoteKind.DIRECT), ("She said \u201eja\u201c", QuoteKind.DIRECT),
    ("He said \u2018no\u2019", QuoteKind.DIRECT), ("He said no today", QuoteKind.INDIRECT),
    ("He said \u201cno today", QuoteKind.INDIRECT),
])
def test_guess_quote_kind_needs_a_mark_on_both_sides(text: str, kind: QuoteKind) -> None:
    start = text.index("said ") + 5 + (text[text.index("said ") + 5] in OPENING_MARKS)
    end = start + 2 if text[start:start + 2] in ("no", "ja") else start
    assert guess_quote_kind(text, start, end) == kind


def test_page_vocabulary_is_json_with_the_datasets_words() -> None:
    words = json.loads(json.dumps(vocabulary_for_page(["ORG", "PERSON", "DATE"], ["pro", "contra"])))
    assert words["labels"] == ["ORG", "PERSON", "DATE"] and words["polarities"] == ["pro", "contra"]
    assert words["speakerLabels"] == ["PERSON", "ORG"]
    assert words["quoteMarks"] == {"opening": OPENING_MARKS, "closing": CLOSING_MARKS}
    assert words["statuses"] == ["new", "in_progress", "submitted", "reviewed"]
