"""Adjudication end to end: two annotators disagree, the reviewer settles it, gold is exported."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, Document, annotation_of
from annotator.services.annotations import gold_set, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from apptools import login, make_user

TEXT = "Ana Ruiz met Tom Lee in Paris on Monday."
#       0   4   8   13  17 20 24   29 33    39


def entity(uid: str, start: int, end: int, label: str) -> dict:
    return {"op": "upsert", "layer": "entities", "item": {"uid": uid, "start": start, "end": end, "label": label}}


ALICE = [entity("a1", 0, 8, "PERSON"), entity("a2", 13, 20, "PERSON"), entity("a3", 24, 29, "GPE")]
BOB = [entity("b1", 0, 8, "PERSON"), entity("b2", 13, 20, "ORG"), entity("b3", 24, 29, "GPE"),
       entity("b4", 33, 39, "DATE")]


def setup_document() -> Document:
    """An article without model items, assigned to alice and bob (two annotators per document)."""
    dataset = get_or_create_dataset("team")
    dataset.annotators_per_doc = 2
    result = import_records(dataset, [Record(text=TEXT)], preannotate=False)
    db.session.commit()
    for name in ("alice", "bob"):
        make_user(name)
    make_user("rita", "reviewer")
    doc = db.session.get(Document, result.document_ids[0])
    for name in ("alice", "bob"):
        user_set(doc.id, find_user(name), create=True)
    db.session.commit()
    return doc


def annotate(client: FlaskClient, name: str, doc: Document, ops: list[dict]) -> None:
    """Log in as an annotator, save edits through the API and submit."""
    client.post("/logout")
    login(client, name)
    aset = user_set(doc.id, find_user(name))
    saved = client.put(f"/api/sets/{aset.id}", json={"version": aset.version, "ops": ops})
    assert saved.status_code == 200, saved.get_json()
    submitted = client.post(f"/api/sets/{aset.id}/status",
                            json={"version": saved.get_json()["version"], "status": "submitted"})
    assert submitted.status_code == 200, submitted.get_json()


def gold_version(doc: Document) -> int:
    gold = gold_set(doc.id)
    return gold.version if gold else 0


def test_reviewer_adjudicates_and_gold_is_exported(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    client.post("/logout")
    login(client, "rita")

    page = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    assert page.count('class="row agreed') == 2  # Ana Ruiz and Paris
    assert page.count('class="row disagree') == 2  # Tom Lee (PERSON or ORG, one row) and Monday
    assert page.count('class="alt') == 5
    assert ">ORG</span>" in page and ">DATE</span>" in page and "Monday" in page

    agreed = client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 0})
    assert agreed.status_code == 302
    gold = gold_set(doc.id)
    assert {(e.start, e.end, e.label) for e in annotation_of(gold.id).entities} == {(0, 8, "PERSON"), (24, 29, "GPE")}

    for source, uid in (("alice", "a2"), ("bob", "b4")):
        taken = client.post(f"/documents/{doc.id}/review/take",
                            data={"gold_version": gold_version(doc), "source": source, "layer": "entities", "uid": uid})
        assert taken.status_code == 302
    stale = client.post(f"/documents/{doc.id}/review/take",
                        data={"gold_version": 1, "source": "bob", "layer": "entities", "uid": "b2"})
    assert "changed elsewhere" in client.get(stale.location).get_data(as_text=True)

    done = client.post(f"/documents/{doc.id}/review/done", data={"gold_version": gold_version(doc)})
    assert done.status_code == 302
    statuses = dict(db.session.execute(sa.select(AnnotationSet.kind, AnnotationSet.status)
                                       .where(AnnotationSet.document_id == doc.id)).all())
    assert statuses == {"annotator": "reviewed", "gold": "reviewed"}

    out = tmp_path / "gold.jsonl"
    result = app.test_cli_runner().invoke(args=["export", "--dataset", "team", "--only", "gold", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (task,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((s["start"], s["end"], s["label"]) for s in task["spans"]) == [
        (0, 8, "PERSON"), (13, 20, "PERSON"), (24, 29, "GPE"), (33, 39, "DATE")]


def test_remove_from_gold_and_restore_earlier_version(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    client.post("/logout")
    login(client, "rita")
    client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 0})
    gold = gold_set(doc.id)
    before = gold.version
    uid = next(e.uid for e in annotation_of(gold.id).entities if e.label == "GPE")
    client.post(f"/documents/{doc.id}/review/remove", data={"gold_version": before, "layer": "entities", "uid": uid})
    assert [e.label for e in annotation_of(gold.id).entities] == ["PERSON"]

    history = client.get(f"/documents/{doc.id}/history").get_data(as_text=True)
    assert "rita" in history and "delete entities" in history and f"Restore v{before}" in history
    db.session.refresh(gold)
    client.post(f"/sets/{gold.id}/restore", data={"version": before, "set_version": gold.version})
    assert sorted(e.label for e in annotation_of(gold.id).entities) == ["GPE", "PERSON"]


def test_annotator_is_refused_review_pages_and_others_sets(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    login(client, "alice")
    bobs = user_set(doc.id, find_user("bob"))
    for url in (f"/documents/{doc.id}/review", f"/documents/{doc.id}/history",
                f"/datasets/{doc.dataset_id}/dashboard", f"/api/documents/{doc.id}/agreement",
                f"/api/datasets/{doc.dataset_id}/agreement", f"/api/review/documents/{doc.id}",
                f"/api/sets/{bobs.id}"):
        assert client.get(url).status_code == 403, url
    for url in (f"/documents/{doc.id}/review/agreed", f"/sets/{bobs.id}/restore"):
        assert client.post(url, data={"gold_version": 0, "version": 1}).status_code == 403, url
    assert client.put(f"/api/sets/{bobs.id}", json={"version": 1, "ops": []}).status_code == 403


def test_review_page_escapes_article_text(app: Flask, client: FlaskClient) -> None:
    dataset = get_or_create_dataset("hostile")
    text = 'Mayor <script>alert(1)</script> spoke in Paris.'
    doc_id = import_records(dataset, [Record(text=text)], preannotate=False).document_ids[0]
    make_user("ann")
    user_set(doc_id, find_user("ann"), create=True)
    make_user("rita", "reviewer")
    aset = user_set(doc_id, find_user("ann"))
    login(client, "ann")
    client.put(f"/api/sets/{aset.id}", json={"version": aset.version, "ops": [entity("x", 0, 31, "PERSON")]})
    client.post("/logout")
    login(client, "rita")
    page = client.get(f"/documents/{doc_id}/review").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
