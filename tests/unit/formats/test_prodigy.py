"""Prodigy tasks in the shapes Prodigy's documentation gives import as annotation sets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from annotator.formats.errors import FormatError
from annotator.formats.prodigy import annotation_from_prodigy
from annotator.spans import Entity, Quote, Span

Tokenize = Callable[[str], list[tuple[int, int]]]

NER_MANUAL: dict[str, Any] = {
    "text": "First look at the new MacBook Pro",
    "spans": [{"start": 22, "end": 33, "label": "PRODUCT", "token_start": 5, "token_end": 6}],
    "tokens": [
        {"text": "First", "start": 0, "end": 5, "id": 0},
        {"text": "look", "start": 6, "end": 10, "id": 1},
        {"text": "at", "start": 11, "end": 13, "id": 2},
        {"text": "the", "start": 14, "end": 17, "id": 3},
        {"text": "new", "start": 18, "end": 21, "id": 4},
        {"text": "MacBook", "start": 22, "end": 29, "id": 5},
        {"text": "Pro", "start": 30, "end": 33, "id": 6},
    ],
    "answer": "accept",
}

REL_TEXT = "My mother\u2019s name is Sasha Smith. She likes dogs and pedigree cats."
REL_WORDS = ["My", "mother", "\u2019s", "name", "is", "Sasha", "Smith", ".", "She", "likes",
             "dogs", "and", "pedigree", "cats", "."]


def rel_tokens() -> list[dict[str, Any]]:
    tokens, pos = [], 0
    for i, word in enumerate(REL_WORDS):
        start = REL_TEXT.index(word, pos)
        pos = start + len(word)
        tokens.append({"text": word, "start": start, "end": pos, "id": i,
                       "ws": REL_TEXT[pos:pos + 1] == " "})
    return tokens


RELATIONS: dict[str, Any] = {
    "text": REL_TEXT,
    "tokens": rel_tokens(),
    "spans": [{"start": 20, "end": 31, "token_start": 5, "token_end": 6, "label": "PERSON"}],
    "relations": [
        {"head": 0, "child": 1, "label": "POSS",
         "head_span": {"start": 0, "end": 2, "token_start": 0, "token_end": 0, "label": None},
         "child_span": {"start": 3, "end": 9, "token_start": 1, "token_end": 1, "label": None}},
        {"head": 1, "child": 8, "label": "COREF",
         "head_span": {"start": 3, "end": 9, "token_start": 1, "token_end": 1, "label": None},
         "child_span": {"start": 33, "end": 36, "token_start": 8, "token_end": 8, "label": None}},
        {"head": 6, "child": 1, "label": "COREF",
         "head_span": {"start": 20, "end": 31, "token_start": 5, "token_end": 6,
                       "label": "PERSON"},
         "child_span": {"start": 3, "end": 9, "token_start": 1, "token_end": 1, "label": None}},
    ],
    "answer": "accept",
}


def test_ner_manual_task_imports_its_spans_and_tokens() -> None:
    imported = annotation_from_prodigy(NER_MANUAL, source="ner.jsonl", line=1)
    assert imported.annotation is not None
    assert imported.annotation.entities == [Entity("e1", 22, 33, "PRODUCT")]
    assert imported.tokens is not None and imported.tokens[5] == (22, 29)
    assert imported.answer == "accept"


@pytest.mark.parametrize("answer", ["reject", "ignore"])
def test_binary_ner_task_keeps_its_answer(answer: str) -> None:
    task = {"text": "Apple updates its analytics service with new metrics",
            "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": answer}
    imported = annotation_from_prodigy(task, source="ner.jsonl", line=1)
    assert imported.answer == answer
    assert imported.annotation is not None
    assert imported.annotation.entities == [Entity("e1", 0, 5, "ORG")]


def test_other_relation_labels_are_kept_in_meta() -> None:
    imported = annotation_from_prodigy(RELATIONS, source="rel.jsonl", line=1)
    assert imported.annotation is not None
    assert imported.annotation.entities == [Entity("e1", 20, 31, "PERSON")]
    assert imported.annotation.quotes == []
    assert imported.meta["prodigy_relations"] == RELATIONS["relations"]
    assert imported.warnings == ["3 relation(s) with other labels kept in meta.prodigy_relations"]


def quote_task(tokenize: Tokenize, relations: list[dict[str, Any]],
               spans: list[dict[str, Any]]) -> dict[str, Any]:
    text = "Akbari said that \u201cthe army knows.\u201d"
    tokens = [{"text": text[s:e], "start": s, "end": e, "id": i}
              for i, (s, e) in enumerate(tokenize(text))]
    return {"text": text, "tokens": tokens, "spans": spans, "relations": relations,
            "answer": "accept"}


def test_speaker_and_cue_relations_rebuild_a_quote(tokenize: Tokenize) -> None:
    content = {"start": 18, "end": 33, "token_start": 4, "token_end": 7, "label": "QUOTE"}
    relations = [
        {"head": 0, "child": 7, "label": "speaker", "child_span": content,
         "head_span": {"start": 0, "end": 6, "token_start": 0, "token_end": 0,
                       "label": "PERSON"}},
        {"head": 1, "child": 7, "label": "CUE", "child_span": content,
         "head_span": {"start": 7, "end": 11, "token_start": 1, "token_end": 1, "label": "CUE"}},
    ]
    spans = [{"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "PERSON"}]
    imported = annotation_from_prodigy(quote_task(tokenize, relations, spans),
                                       source="rel.jsonl", line=2)
    assert imported.annotation is not None
    assert imported.annotation.quotes == [
        Quote("q1", Span(18, 33), "direct", Span(7, 11), Span(0, 6), "e1")]
    assert imported.warnings == []


def test_relations_given_by_token_index_find_their_spans(tokenize: Tokenize) -> None:
    spans = [{"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "PERSON"},
             {"start": 18, "end": 33, "token_start": 4, "token_end": 7, "label": "QUOTE"}]
    relations = [{"head": 0, "child": 7, "label": "SPEAKER"}]
    imported = annotation_from_prodigy(quote_task(tokenize, relations, spans),
                                       source="rel.jsonl", line=1)
    assert imported.annotation is not None
    assert imported.annotation.entities == [Entity("e1", 0, 6, "PERSON")]
    assert imported.annotation.quotes == [
        Quote("q1", Span(18, 33), "direct", None, Span(0, 6), "e1")]


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t["spans"][0].update(token_start=4),
     "ner.jsonl, line 7, field spans[0].token_start: 4 does not match the tokens of [22, 33) "
     "(expected 5; token_end is inclusive)"),
    (lambda t: t["spans"][0].update(start=23),
     "ner.jsonl, line 7, field spans[0]: span [23, 33) 'acBook Pro' is not on token boundaries"),
    (lambda t: t["tokens"].__setitem__(6, {"text": "Pro", "start": 30, "end": 34, "id": 6}),
     "ner.jsonl, line 7, field tokens[6]: token [30, 34) is out of order or out of range "
     "for a text of 33 characters"),
])
def test_bad_prodigy_tasks_name_the_field(change: Callable[[dict[str, Any]], Any],
                                          message: str) -> None:
    task = {**NER_MANUAL, "spans": [dict(NER_MANUAL["spans"][0])],
            "tokens": list(NER_MANUAL["tokens"])}
    change(task)
    with pytest.raises(FormatError) as caught:
        annotation_from_prodigy(task, source="ner.jsonl", line=7)
    assert str(caught.value) == message


def test_unknown_label_is_rejected_when_a_label_set_is_given() -> None:
    with pytest.raises(FormatError, match=r"field spans\[0\].label: unknown label 'PRODUCT'"):
        annotation_from_prodigy(NER_MANUAL, source="ner.jsonl", line=1, labels=["ORG"])
