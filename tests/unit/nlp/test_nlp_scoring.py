"""Name and span matching rules used by the quality benchmark."""

from __future__ import annotations

import pytest

from annotator.nlp.scoring import (QuoteMeasures, ScoredQuote, core_span, found_by, head_word, iou, measure_quotes,
                                     names_match, scored_quotes)
from annotator.spans import Annotation, Entity, Quote, Span


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


TEXT = 'The mayor said that the bridge will open in May. "It is safe," she said. "Come and see."'


def _at(snippet: str) -> tuple[int, int]:
    start = TEXT.index(snippet)
    return start, start + len(snippet)


def test_core_span_drops_marks_end_punctuation_and_a_leading_that() -> None:
    assert core_span(TEXT, _at("that the bridge will open in May.")) == _at("the bridge will open in May")
    assert core_span(TEXT, _at('"It is safe,"')) == _at("It is safe")
    assert core_span(TEXT, _at("It is safe")) == _at("It is safe")


def test_found_by_needs_more_than_thirty_percent_of_the_gold() -> None:
    gold = (0, 100)
    assert found_by(gold, (69, 200))
    assert not found_by(gold, (70, 200))


def test_measure_quotes_counts_each_row_of_the_table() -> None:
    gold = [ScoredQuote(_at("the bridge will open in May"), "indirect", "Mayor Ann Lee"),
            ScoredQuote(_at("It is safe,"), "direct", "Ann Lee"),
            ScoredQuote(_at("Come and see."), "direct", "Ann Lee")]
    pred = [ScoredQuote(_at("that the bridge will open in May."), "indirect", "Ann Lee"),
            ScoredQuote(_at("It is safe"), "direct", "she"),
            ScoredQuote(_at("The mayor"), "direct", "Ann Lee")]
    m = measure_quotes(TEXT, gold, pred)
    rows = {name: (value, num, den) for name, value, num, den in m.table()}
    assert rows["direct and mixed quotes found"] == (0.5, 1, 2)
    assert rows["predicted quotes matching gold"][1:] == (2, 3)
    assert rows["speaker right (found direct/mixed)"] == (0.0, 0, 1)
    assert rows["every attribution found"][1:] == (2, 3)
    assert rows["indirect attributions found"] == (1.0, 1, 1)
    assert rows["content boundaries exact (F1)"][1:] == (2, 3)
    assert rows["content boundaries exact (F1)"][0] == pytest.approx(2 / 3)


def test_measures_add_up() -> None:
    one = QuoteMeasures(direct_gold=2, direct_found=1)
    one.add(QuoteMeasures(direct_gold=3, direct_found=3))
    assert (one.direct_gold, one.direct_found) == (5, 4)


def test_scored_quotes_name_the_speaker_by_entity_else_mention() -> None:
    text = "Ann Lee said it works. He said no."
    annotation = Annotation(
        entities=[Entity("e1", 0, 7, "PERSON")],
        quotes=[Quote("q1", Span(13, 21), "indirect", Span(8, 12), Span(0, 7), "e1"),
                Quote("q2", Span(31, 33), "indirect", Span(26, 30), Span(23, 25))])
    assert scored_quotes(text, annotation) == [ScoredQuote((13, 21), "indirect", "Ann Lee"),
                                               ScoredQuote((31, 33), "indirect", "He")]
