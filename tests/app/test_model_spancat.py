"""Span categorisers for quote contents, cues and speakers, trained beside the NER when asked (real model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import spacy
import sqlalchemy as sa
from flask import Flask

from annotator.db import db
from annotator.models import ModelVersion
from annotator.services.evaluation import reviewed_gold
from annotator.services.training import SPANS_KEY, split
from test_model_training import gold_dataset


def test_train_with_spancat_saves_loads_and_records_held_out_scores(app: Flask, runner: Any,
                                                                     tmp_path: Path) -> None:
    dataset = gold_dataset("spans", tmp_path)
    result = runner.invoke(args=["train", "--dataset", "spans", "-o", str(tmp_path / "v1"), "--max-steps", "2",
                                 "--dev-share", "0.25", "--seed", "3", "--spancat"])
    assert result.exit_code == 0, result.output
    assert "span categoriser on the held-out share: 2 document(s)" in result.output
    version = db.session.scalar(sa.select(ModelVersion))
    assert version is not None
    trained = spacy.load(version.path)
    assert {"ner", "span_finder", "spancat"} <= set(trained.pipe_names)
    assert set(trained.get_pipe("spancat").labels) == {"QUOTE", "CUE", "SPEAKER"}
    assert SPANS_KEY in trained("“We refuse,” the mayor said.").spans
    scores = version.scores["spancat"]
    _, dev_ids = split([g.document_id for g in reviewed_gold(dataset)], 0.25, 3)
    dev = [g.gold for g in reviewed_gold(dataset, document_ids=dev_ids)]
    assert scores["documents"] == 2
    assert scores["gold_spans"] == {"QUOTE": sum(len(a.quotes) for a in dev),
                                    "CUE": sum(q.cue is not None for a in dev for q in a.quotes),
                                    "SPEAKER": sum(q.speaker is not None for a in dev for q in a.quotes)}
    assert scores["gold_spans"]["QUOTE"] > 0
    assert all(0.0 <= scores[k] <= 1.0 for k in ("p", "r", "f"))


def test_train_without_spancat_trains_only_the_recognizer(app: Flask, runner: Any, tmp_path: Path) -> None:
    gold_dataset("plain", tmp_path)
    result = runner.invoke(args=["train", "--dataset", "plain", "-o", str(tmp_path / "v1"), "--max-steps", "1"])
    assert result.exit_code == 0, result.output
    version = db.session.scalar(sa.select(ModelVersion))
    assert version is not None and "spancat" not in version.scores
    assert "spancat" not in spacy.load(version.path).pipe_names


@pytest.mark.parametrize("checked", [True, False])
def test_admin_train_form_passes_the_spancat_choice(app: Flask, admin_client: Any, tmp_path: Path,
                                                    checked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = gold_dataset("form", tmp_path)
    asked: list[Any] = []

    def train_dataset(_dataset: Any, options: Any, _out: Any) -> None:
        asked.append(options)
        raise RuntimeError("stopped by the test")

    monkeypatch.setattr("annotator.services.training.train_dataset", train_dataset)
    data = {"dev_share": "0.25", "max_steps": "1", "seed": "0"} | ({"spancat": "y"} if checked else {})
    admin_client.post(f"/datasets/{dataset.id}/model/train", data=data)
    assert [o.spancat for o in asked] == [checked]
