"""Imports keep what they are given (issue 10.3): sets on existing documents, replace, warnings."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, Dataset, Document, annotation_of
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import make_user
from test_import_export import OTHER, TEXT, at, counts, export, layers, tokens, write_ours
from test_upload import upload


def owners(dataset: str) -> list[tuple[str, str, str]]:
    return sorted((s.document.text[:5], s.kind, s.owner_name) for s in db.session.scalars(
        sa.select(AnnotationSet).join(Document).join(Dataset).where(Dataset.name == dataset)))


def test_reimporting_annotators_sets_adds_them_to_the_existing_documents(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("ann")
    make_user("bea")
    source = write_ours(tmp_path / "in.jsonl", ["ann", "bea"])
    assert runner.invoke(args=["import", str(source), "--dataset", "first"]).exit_code == 0
    exported = tmp_path / "sets.jsonl"
    export(runner, "first", exported, "--only", "submitted")
    # A second dataset already holds the text (pre-annotated by the model, as after an upload).
    second = get_or_create_dataset("second")
    import_records(second, [Record(text=TEXT, tokens=tokens(TEXT), annotation=layers("model"), annotator_id="model")])
    db.session.commit()
    result = runner.invoke(args=["import", str(exported), "--dataset", "second"])
    assert result.exit_code == 0, result.output
    assert "Imported 0 document(s)" in result.output and "added 2 set(s) to documents already there" in result.output
    assert owners("second") == [("Mayor", "annotator", "ann"), ("Mayor", "annotator", "bea"),
                                ("Mayor", "model", "model")]
    ann = db.session.scalar(sa.select(AnnotationSet).join(Document).join(Dataset)
                            .where(Dataset.name == "second", AnnotationSet.kind == "annotator").limit(1))
    assert ann is not None and annotation_of(ann.id) == layers("ann")
    before = counts()
    again = runner.invoke(args=["import", str(exported), "--dataset", "second"])
    assert again.exit_code == 0 and "skipped 1 already there" in again.output and counts() == before


def changed_file(tmp_path: Path) -> Path:
    """ann's set of TEXT with one more entity."""
    path = write_ours(tmp_path / "changed.jsonl", ["ann"])
    task = json.loads(path.read_text())
    may = at(TEXT, "May", last=True)
    task["spans"].append({"start": may.start, "end": may.end, "label": "DATE", "uid": "e9"})
    path.write_text(json.dumps(task) + "\n")
    return path


def test_a_different_set_for_the_same_annotator_is_refused_unless_replacing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("ann")
    assert runner.invoke(args=["import", str(write_ours(tmp_path / "in.jsonl", ["ann"])),
                               "--dataset", "d"]).exit_code == 0
    before = counts()
    refused = runner.invoke(args=["import", str(changed_file(tmp_path)), "--dataset", "d"])
    assert refused.exit_code != 0 and counts() == before
    assert "changed.jsonl, line 1: document" in refused.output and "a set by 'ann'" in refused.output
    assert "--replace-sets" in refused.output and "Nothing was imported" in refused.output
    replaced = runner.invoke(args=["import", str(changed_file(tmp_path)), "--dataset", "d", "--replace-sets"])
    assert replaced.exit_code == 0 and "replaced 1 set(s)" in replaced.output, replaced.output
    aset = db.session.scalar(sa.select(AnnotationSet).where(AnnotationSet.kind == "annotator"))
    assert aset is not None and aset.version == 2
    assert sorted(e.uid for e in annotation_of(aset.id).entities) == ["e1", "e2", "e3", "e9"]


def doccano_with_warnings(path: Path) -> Path:
    ana, said = at(TEXT, "Ana Ruiz"), at(TEXT, "said")
    path.write_text(json.dumps({"text": OTHER, "entities": []}) + "\n" + json.dumps(
        {"text": TEXT, "entities": [
            {"id": 1, "label": "PERSON", "start_offset": ana.start, "end_offset": ana.end},
            {"id": 2, "label": "CUE", "start_offset": said.start, "end_offset": said.end}],
         "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "knows"}]}) + "\n")
    return path


def test_warnings_are_printed_with_their_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["import", str(doccano_with_warnings(tmp_path / "dc.jsonl")), "--dataset", "d",
                                 "--as", "gold"])
    assert result.exit_code == 0, result.output
    assert "warning: dc.jsonl, line 2: relations[0]: relation type 'knows' is not supported, skipped" in result.output
    assert "warning: dc.jsonl, line 2: entities[1]: CUE is linked to no QUOTE, skipped" in result.output


def test_the_upload_job_page_shows_the_warnings(app: Flask, admin_client: FlaskClient, tmp_path: Path) -> None:
    dataset = get_or_create_dataset("news")
    db.session.commit()
    body = doccano_with_warnings(tmp_path / "dc.jsonl").read_bytes()
    response = upload(admin_client, dataset, body, "mine.jsonl", target="gold")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Warning: mine.jsonl, line 2: relations[0]: relation type &#39;knows&#39; is not supported" in page
    job = admin_client.get(response.headers["Location"].replace("/jobs/", "/api/jobs/")).get_json()
    assert job["status"] == "done" and "CUE is linked to no QUOTE" in job["message"]
