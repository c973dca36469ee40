"""The one token class and its one token-range rule: every path gives a span off token boundaries the same answer."""

from __future__ import annotations

import itertools

import pytest
import spacy

from annotator.checks import check_aligned, validate
from annotator.formats.docbin import doc_from_annotation
from annotator.formats.errors import FormatError
from annotator.formats.jsonl import annotation_from_task, task_from_annotation
from annotator.spans import Annotation, Entity, Quote, Span, SpanError
from annotator.tokens import DocTokens

TEXT = "Ana Ruiz said the tram will run.\n\nIt will."
NLP = spacy.blank("en")
PAIRS = [(t.idx, t.idx + len(t)) for t in NLP.make_doc(TEXT)]
TOKENS = DocTokens(TEXT, PAIRS)
OFF = Span(5, 12)  # "uiz sai": starts inside "Ruiz", ends inside "said"
TOUCHED = (1, 2)  # "Ruiz", "said"


def touched(start: int, end: int) -> list[int]:
    """The definition: indices of the tokens sharing at least one character with [start, end)."""
    return [i for i, (s, e) in enumerate(PAIRS) if s < end and start < e]


def test_token_range_is_the_tokens_a_range_touches() -> None:
    for start, end in itertools.combinations(range(len(TEXT) + 1), 2):
        first, last = TOKENS.token_range(start, end)
        assert list(range(first, last + 1)) == touched(start, end), (start, end)
        aligned = bool(touched(start, end)) and PAIRS[first][0] == start and PAIRS[last][1] == end
        assert TOKENS.is_aligned(start, end) == aligned == TOKENS.all_aligned([start], [end]), (start, end)
        snapped = TOKENS.snap(Span(start, end))
        assert snapped == (Span(PAIRS[first][0], PAIRS[last][1]) if touched(start, end) else None)


def test_token_ranges_in_bulk_match_one_by_one() -> None:
    spans = list(itertools.combinations(range(0, len(TEXT) + 1, 3), 2))
    firsts, lasts = TOKENS.token_ranges([s for s, _ in spans], [e for _, e in spans])
    assert list(zip(firsts, lasts)) == [TOKENS.token_range(s, e) for s, e in spans]


def test_a_span_off_token_boundaries_gets_one_answer_on_every_path() -> None:
    assert TOKENS.token_range(OFF.start, OFF.end) == TOUCHED
    assert not TOKENS.is_aligned(OFF.start, OFF.end)
    widened = TOKENS.snap(OFF)
    assert widened is not None and TEXT[widened.start:widened.end] == "Ruiz said"
    entity = Annotation(entities=[Entity("e1", OFF.start, OFF.end, "PERSON")])
    # Validation (editor saves, review, import of files with tokens) and the import of files without them.
    with pytest.raises(SpanError, match=r"entities\[0\]: \[5, 12\) 'uiz sai' is not on token boundaries"):
        validate(entity, TEXT, bounds=TOKENS)
    with pytest.raises(SpanError, match=r"entities\[0\]: \[5, 12\) 'uiz sai' is not on token boundaries"):
        check_aligned(entity, TEXT, TOKENS)
    # Export: a quote off token boundaries carries the tokens it touches (token_end inclusive).
    quote = Annotation(quotes=[Quote("q1", OFF, "indirect")])
    task = task_from_annotation(TEXT, {}, PAIRS, quote)
    content = task["quotes"][0]["content"]
    assert (content["token_start"], content["token_end"]) == TOUCHED
    # Import: reading that task back accepts those indices; an entity off boundaries is refused.
    read = annotation_from_task(task, source="t.jsonl", line=1).annotation
    assert read is not None and read.quotes[0].content == OFF
    bad = {**task, "spans": [{"start": OFF.start, "end": OFF.end, "label": "PERSON"}]}
    with pytest.raises(FormatError, match=r"t.jsonl, line 1, field spans\[0\].*not on token boundaries"):
        annotation_from_task(bad, source="t.jsonl", line=1)
    wrong = {**task, "quotes": [{**task["quotes"][0], "content": {**content, "token_start": 2}}]}
    with pytest.raises(FormatError, match="expected 1; token_end is inclusive"):
        annotation_from_task(wrong, source="t.jsonl", line=1)
    # DocBin: the quote widens to the same tokens; the entity is refused with the same words.
    doc = doc_from_annotation(NLP.vocab, TEXT, PAIRS, quote)
    assert doc.spans["quotes"][0].text == "Ruiz said"
    with pytest.raises(FormatError, match="not on token boundaries"):
        doc_from_annotation(NLP.vocab, TEXT, PAIRS, entity)


def test_a_range_touching_only_a_trailing_space_has_no_tokens() -> None:
    space = TEXT.index(" ")
    first, last = TOKENS.token_range(space, space + 1)
    assert last < first and TOKENS.snap(Span(space, space + 1)) is None and not TOKENS.is_aligned(space, space + 1)
