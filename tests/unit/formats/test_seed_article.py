"""The hand-annotated seed article survives every format's round trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from annotator.formats.docbin import annotation_from_doc, doc_from_annotation
from annotator.formats.doccano import annotation_from_doccano, doccano_from_annotation
from annotator.formats.jsonl import annotation_from_task, dumps_task, task_from_annotation
from annotator.formats.tokens import DocTokens
from annotator.checks import validate
from annotator.spans import Annotation, Entity, Quote, Span, Stance

GOLD = Path(__file__).resolve().parents[2] / "data" / "seed-article.gold.json"
Tokenize = Callable[[str], list[tuple[int, int]]]


def span(data: dict[str, Any]) -> Span:
    """A Span from a gold ``{start, end, text}`` object."""
    return Span(data["start"], data["end"])


def gold_annotation(gold: dict[str, Any]) -> Annotation:
    """The gold file as an Annotation, linking names to the first entity with that text."""
    entities = [Entity(f"e{i}", e["start"], e["end"], e["label"])
                for i, e in enumerate(gold["entities"])]
    by_name = {}
    for ent, raw in zip(reversed(entities), reversed(gold["entities"])):
        by_name[raw["text"]] = ent.uid
    quotes = [Quote(f"q{i}", span(q["content"]), q["kind"], span(q["cue"]), span(q["speaker"]),
                    by_name.get(q["speaker_entity"]))
              for i, q in enumerate(gold["quotes"])]
    stances = [Stance(f"s{i}", s["polarity"], span(s["evidence"]), s["holder"],
                      by_name.get(s["holder"]), s["target"], by_name.get(s["target"]))
               for i, s in enumerate(gold["stances"])]
    return Annotation(entities=entities, quotes=quotes, stances=stances)


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    """The parsed gold file."""
    return dict(json.loads(GOLD.read_text(encoding="utf-8")))


def test_seed_article_round_trips(gold: dict[str, Any], nlp: Language,
                                  tokenize: Tokenize) -> None:
    text, annotation = gold["text"], gold_annotation(gold)
    tokens = DocTokens(text, tokenize(text))
    validate(annotation, text, bounds=tokens)
    assert sum(q.speaker_entity is not None for q in annotation.quotes) >= 10
    line = dumps_task(task_from_annotation(text, {}, tokens, annotation, timestamp=1))
    imported = annotation_from_task(json.loads(line), source="seed.jsonl", line=1)
    assert imported.annotation == annotation
    record = json.loads(json.dumps(doccano_from_annotation(text, annotation)))
    assert annotation_from_doccano(record, source="seed.jsonl", line=1).annotation == annotation
    doc = doc_from_annotation(nlp.vocab, text, tokens, annotation)
    assert annotation_from_doc(doc) == annotation
