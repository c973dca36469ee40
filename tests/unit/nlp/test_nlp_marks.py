"""Quoted passages between double quotation marks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.nlp.marks import find_quoted, straight_role


def _contents(text: str) -> list[str]:
    return [text[q.start:q.end] for q in find_quoted(text)]


@pytest.mark.parametrize("text, expected", [
    ("He said “we will win.” Then he left.", ["we will win."]),
    ('He said "we will win." Then he left.', ["we will win."]),
    ("“One. Two. Three,” she said.", ["One. Two. Three,"]),
    ("a “first” and a “second” fragment", ["first", "second"]),
    ("«Bonjour,» he said.", ["Bonjour,"]),
    ("Er sagte „Ja“ und „Nein“.", ["Ja", "Nein"]),
    ('He is 6\'2" tall and said "I won 3-2" today.', ["I won 3-2"]),
])
def test_balanced_marks(text: str, expected: list[str]) -> None:
    assert _contents(text) == expected


def test_multi_paragraph_quote_runs_to_the_final_close() -> None:
    text = "“We came early.\n“We stayed late,” he said.\nNext paragraph."
    found = find_quoted(text)
    assert [text[q.start:q.end] for q in found] == ["We came early.\n“We stayed late,"]
    assert found[0].paragraphs == 2 and found[0].closed


def test_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "She called it “a disgrace.\nThe vote is in March."
    found = find_quoted(text)
    assert [text[q.start:q.end] for q in found] == ["a disgrace."]
    assert not found[0].closed


def test_stray_closing_mark_is_ignored() -> None:
    assert _contents("The bill” passed. He said “yes.”") == ["yes."]


def test_second_opening_drops_the_unclosed_first() -> None:
    assert _contents("He said “no and she said “yes.”") == ["yes."]


def test_offsets_point_into_the_original_text() -> None:
    text = "  x “  padded  ” y"
    (quoted,) = find_quoted(text)
    assert text[quoted.start:quoted.end] == "padded"


@given(st.text(alphabet="ab “”\"\n.,", max_size=60))
def test_never_fails_and_stays_inside_the_text(text: str) -> None:
    for quoted in find_quoted(text):
        assert 0 <= quoted.start < quoted.end <= len(text)
        assert not text[quoted.start].isspace() and not text[quoted.end - 1].isspace()


@pytest.mark.parametrize("text, pos, role", [
    ('said. "In fact', 6, "open"),
    ('done," she said', 5, "close"),
    ('"Start', 0, "open"),
    ('end."', 4, "close"),
    ('a " b', 2, "either"),
    ('x"y', 1, "either"),
])
def test_straight_role_from_the_spaces_around_the_mark(text: str, pos: int, role: str) -> None:
    assert straight_role(text, pos) == role


def test_paragraphs_joined_into_one_line_split_at_each_opening_mark() -> None:
    text = ('"The roads are closed," he said. "Stay at home tonight. '
            '"We will open them in the morning." Then he left.')
    assert _contents(text) == ["The roads are closed,", "Stay at home tonight.",
                               "We will open them in the morning."]
    assert [q.closed for q in find_quoted(text)] == [True, False, True]


def test_a_closing_mark_with_nothing_open_opens_nothing() -> None:
    assert _contents('He measured 5 feet." Then "it is done," he said.') == ["it is done,"]
