"""Evaluation of pre-annotation on a dataset's reviewed gold (real model)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from flask import Flask

from annotator.db import db
from annotator.nlp import annotate_doc, load_pipeline
from annotator.nlp.evaluation import ALL, Evaluation
from annotator.services.evaluation import builtin_model, latest, run_evaluations
from annotator.services.exporter import export_to_path
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.sources import read_path
from annotator.spans import Annotation, Entity, Quote, Span, Stance
from annotator.vocab import DEFAULT_LABELS

DATA = Path(__file__).resolve().parents[1] / "data"
GOLD = DATA / "seed-article.gold.json"
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "annotator" / "demo" / "articles"


def seed_annotation(gold: dict[str, Any]) -> Annotation:
    """The seed gold file as an Annotation, names linked to the first entity with that text."""
    def span(d: dict[str, Any]) -> Span:
        return Span(d["start"], d["end"])

    entities = [Entity(f"e{i}", e["start"], e["end"], e["label"]) for i, e in enumerate(gold["entities"])]
    by_name: dict[str, str] = {}
    for ent, raw in zip(reversed(entities), reversed(gold["entities"])):
        by_name[raw["text"]] = ent.uid
    quotes = [Quote(f"q{i}", span(q["content"]), q["kind"], span(q["cue"]), span(q["speaker"]),
                    by_name.get(q["speaker_entity"])) for i, q in enumerate(gold["quotes"])]
    stances = [Stance(f"s{i}", s["polarity"], span(s["evidence"]), s["holder"], by_name.get(s["holder"]),
                      s["target"], by_name.get(s["target"])) for i, s in enumerate(gold["stances"])]
    return Annotation(entities=entities, quotes=quotes, stances=stances)


def bench_module() -> Any:
    """benchmarks/bench_preannotate.py, our benchmark scorer."""
    spec = importlib.util.spec_from_file_location("bench_preannotate", ROOT / "benchmarks" / "bench_preannotate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_preannotate"] = module
    spec.loader.exec_module(module)
    return module


def test_builtin_on_seed_gold_equals_benchmark_scorer(app: Flask) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    dataset = get_or_create_dataset("seed", labels=DEFAULT_LABELS)
    import_records(dataset, [Record(gold["text"], annotation=seed_annotation(gold), annotator_id="gold")],
                   target="gold")
    db.session.commit()
    [row] = run_evaluations(dataset, [(builtin_model(), None)])
    db.session.commit()
    ours = Evaluation.from_dict(row.scores)
    bench = bench_module()
    report = bench.score_file(load_pipeline(builtin_model()), GOLD)
    ents = ours.entities_exact[ALL]
    assert (ents.tp, ents.pred, ents.gold) == (report.layers["entities"].tp, report.layers["entities"].n_pred,
                                              report.layers["entities"].n_gold)
    for key in ("quotes", "direct+mixed", "indirect", "stances"):
        theirs = report.layers[key]
        mine = ours.stances if key == "stances" else ours.quotes["all" if key == "quotes" else key]
        assert (mine.tp, mine.pred, mine.gold) == (theirs.tp, theirs.n_pred, theirs.n_gold), key
    assert (ours.speakers.ok, ours.speakers.total) == (report.speakers_ok, report.matched_quotes)
    assert (ours.kinds.ok, ours.kinds.total) == (report.kinds_ok, report.matched_quotes)
    assert ents.gold == len({(e["start"], e["end"], e["label"]) for e in gold["entities"]})
    table = bench.measure(gold["text"], bench.from_gold_json(gold), annotate_doc(
        load_pipeline(builtin_model())(gold["text"]), labels=DEFAULT_LABELS)).table()
    assert ours.quote_measures.table() == table and table[0][3] == 7
    assert [r.id for r in latest(dataset)] == [row.id]


def _as_gold(line: bytes) -> bytes:
    task = orjson.loads(line)
    task["_annotator_id"], task["_status"] = "gold", "reviewed"
    return orjson.dumps(task)


def test_gold_made_from_the_models_own_output_scores_exactly_one(app: Flask, tmp_path: Path) -> None:
    source = get_or_create_dataset("source")
    import_records(source, read_path(DEMO))
    db.session.commit()
    export_to_path(source, tmp_path / "all.jsonl", fmt="jsonl", only="all")
    lines = [_as_gold(line) for line in (tmp_path / "all.jsonl").read_bytes().splitlines()
             if orjson.loads(line)["_annotator_id"] == "model"]
    path = tmp_path / "gold.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    target = get_or_create_dataset("own output")
    import_records(target, read_path(path), target="gold")
    db.session.commit()
    [row] = run_evaluations(target, [(builtin_model(), None)])
    result = Evaluation.from_dict(row.scores)
    assert result.documents == len(lines) == 8
    counts = [*result.entities_exact.values(), *result.entities_overlap.values(), result.stances,
              *result.quotes.values()]
    assert result.entities_exact[ALL].gold > 20 and result.quotes["all"].gold > 5
    assert all(c.precision == c.recall == c.f1 == 1.0 for c in counts if c.gold), result.to_dict()
    for ratio in (result.boundaries, result.speakers, result.cues, result.kinds, result.polarity):
        assert ratio.total == 0 or ratio.value == 1.0


def test_evaluate_command_prints_and_keeps_scores(app: Flask, runner: Any) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    dataset = get_or_create_dataset("seed", labels=DEFAULT_LABELS)
    import_records(dataset, [Record(gold["text"], annotation=seed_annotation(gold), annotator_id="gold")],
                   target="gold")
    db.session.commit()
    result = runner.invoke(args=["evaluate", "--dataset", "seed"])
    assert result.exit_code == 0, result.output
    assert "speaker accuracy" in result.output and "PERSON" in result.output
    assert len(latest(dataset)) == 1
    missing = runner.invoke(args=["evaluate", "--dataset", "nope"])
    assert missing.exit_code != 0 and "no dataset named 'nope'" in missing.output


def test_evaluate_without_reviewed_gold_says_so(app: Flask, runner: Any) -> None:
    get_or_create_dataset("empty")
    db.session.commit()
    result = runner.invoke(args=["evaluate", "--dataset", "empty"])
    assert result.exit_code != 0 and "no reviewed gold" in result.output
