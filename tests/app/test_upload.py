"""The web side of data in and out: downloads by role, uploads as background jobs, job progress."""

from __future__ import annotations

import io
import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from spacy.tokens import DocBin

from annotator.db import db
from annotator.models import AnnotationSet, Dataset, Document, Job
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import login, make_user
from test_import_export import NLP, OTHER, TEXT, counts, layers, tokens, write_ours


def gold_dataset() -> Dataset:
    """A dataset with one document and its gold set."""
    dataset = get_or_create_dataset("news")
    import_records(dataset, [Record(text=TEXT, tokens=tokens(TEXT), annotation=layers("gold"))], target="gold")
    db.session.commit()
    return dataset


def upload(client: FlaskClient, dataset: Dataset, body: bytes, name: str, **form: str):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(body), name), **form}
    return client.post(f"/datasets/{dataset.id}/upload", data=data, content_type="multipart/form-data")


def test_reviewer_downloads_jsonl_and_annotator_gets_403(app: Flask, client: FlaskClient) -> None:
    dataset = gold_dataset()
    make_user("rev", "reviewer")
    make_user("ann")
    login(client, "ann")
    assert client.get(f"/datasets/{dataset.id}/export").status_code == 403
    client.post("/logout")
    login(client, "rev")
    page = client.get(f"/datasets/{dataset.id}").get_data(as_text=True)
    assert f"/datasets/{dataset.id}/export" in page and "/upload" not in page
    response = client.get(f"/datasets/{dataset.id}/export?format=jsonl&only=gold")
    assert response.status_code == 200 and response.is_streamed
    assert 'filename="news-gold.jsonl"' in response.headers["Content-Disposition"]
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [(t["text"], t["_annotator_id"]) for t in lines] == [(TEXT, "gold")]
    assert [s["label"] for s in lines[0]["spans"]] == ["PERSON", "DATE", "DATE", "GPE"]


def test_download_as_docbin_and_doccano(app: Flask, admin_client: FlaskClient) -> None:
    dataset = gold_dataset()
    docbin = admin_client.get(f"/datasets/{dataset.id}/export?format=spacy")
    docs = list(DocBin().from_bytes(docbin.get_data()).get_docs(NLP.vocab))
    assert [d.text for d in docs] == [TEXT] and len(docs[0].ents) == 4
    doccano = admin_client.get(f"/datasets/{dataset.id}/export?format=doccano").get_data(as_text=True)
    assert json.loads(doccano)["text"] == TEXT
    assert admin_client.get(f"/datasets/{dataset.id}/export?format=xml").status_code == 400


def test_upload_runs_as_a_job_and_reports_progress(app: Flask, admin_client: FlaskClient, tmp_path: Path) -> None:
    dataset = get_or_create_dataset("news")
    db.session.commit()
    make_user("ann")
    body = write_ours(tmp_path / "in.jsonl", ["model", "ann", "gold"]).read_bytes()
    assert admin_client.get(f"/datasets/{dataset.id}/upload").status_code == 200
    response = upload(admin_client, dataset, body, "ours.jsonl", target="file")
    assert response.status_code == 302
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    status = admin_client.get(f"/api/jobs/{job.id}").get_json()
    assert status["status"] == "done" and status["total"] == 3 and status["done"] == 3, status
    assert "Imported 1 document(s)" in status["message"]
    assert {s.kind for s in db.session.scalars(sa.select(AnnotationSet))} == {"model", "annotator", "gold"}
    page = admin_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "js/upload.js" in page and f"/api/jobs/{job.id}" in page
    assert not list((Path(app.instance_path) / "uploads").glob("*"))


def test_bad_upload_fails_the_job_and_writes_nothing(app: Flask, admin_client: FlaskClient) -> None:
    dataset = gold_dataset()
    before = counts()
    body = (json.dumps({"text": OTHER}) + "\n" + '{"text": "broken\n').encode()
    upload(admin_client, dataset, body, "mine.jsonl", target="gold")
    job = db.session.scalar(sa.select(Job))
    status = admin_client.get(f"/api/jobs/{job.id}").get_json()
    assert status["status"] == "failed"
    assert "mine.jsonl, line 2" in status["message"] and "Nothing was imported" in status["message"]
    assert counts() == before


def test_upload_as_a_named_annotator(app: Flask, admin_client: FlaskClient, tmp_path: Path) -> None:
    dataset = get_or_create_dataset("news")
    db.session.commit()
    make_user("bea")
    body = write_ours(tmp_path / "in.jsonl", ["someone"]).read_bytes()
    upload(admin_client, dataset, body, "in.jsonl", target="annotator", annotator="bea")
    assert [s.owner_name for s in db.session.scalars(sa.select(AnnotationSet))] == ["bea"]


def test_upload_rules(app: Flask, client: FlaskClient) -> None:
    dataset = get_or_create_dataset("news")
    db.session.commit()
    make_user("rev", "reviewer")
    login(client, "rev")
    assert upload(client, dataset, b"Some text.", "a.txt").status_code == 403
    make_user("ada", "admin")
    client.post("/logout")
    login(client, "ada")
    wrong = upload(client, dataset, b"%PDF", "a.pdf")
    assert wrong.status_code == 400 and "expected a" in wrong.get_data(as_text=True)
    nobody = upload(client, dataset, b"Some text.", "a.txt", target="annotator")
    assert nobody.status_code == 400 and "choose the annotator" in nobody.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = upload(client, dataset, b"x" * 4096, "big.txt")
    assert big.status_code == 413 and "larger than the upload limit" in big.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_someone_elses_job_is_403(app: Flask, client: FlaskClient) -> None:
    dataset = get_or_create_dataset("news")
    owner = make_user("ada", "admin")
    db.session.add(Job(kind="import", dataset_id=dataset.id, user_id=owner.id))
    db.session.commit()
    make_user("ann")
    login(client, "ann")
    assert client.get("/api/jobs/1").status_code == 403
