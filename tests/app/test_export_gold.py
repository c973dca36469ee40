"""What "gold" means in an export (issue 10.4), and exports that never fail as a whole."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from spacy.tokens import DocBin

from annotator.db import db
from annotator.models import AnnotationSet, Document
from annotator.services.importer import Record, get_or_create_dataset, import_records
from test_import_export import NLP, OTHER, TEXT, export, layers, tokens

THIRD = "Lima officials said on Tuesday the port reopens."


def two_gold_documents() -> None:
    """TEXT with reviewed gold, OTHER with draft gold (a take, never signed off), THIRD plain."""
    dataset = get_or_create_dataset("news")
    import_records(dataset, [Record(text=TEXT, tokens=tokens(TEXT), annotation=layers("gold"), status="reviewed"),
                             Record(text=OTHER, tokens=tokens(OTHER), annotation=layers("gold").__class__(),
                                    status="in_progress")], target="gold")
    db.session.commit()


def test_only_gold_leaves_out_draft_gold(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    two_gold_documents()
    gold = export(runner, "news", tmp_path / "g.jsonl")
    assert [(t["text"], t["_status"]) for t in gold] == [(TEXT, "reviewed")]
    drafts = export(runner, "news", tmp_path / "d.jsonl", "--only", "gold-drafts")
    assert [(t["text"], t["_status"]) for t in drafts] == [(TEXT, "reviewed"), (OTHER, "in_progress")]
    doccano = export(runner, "news", tmp_path / "c.jsonl", "--only", "gold-drafts", "--format", "doccano")
    assert [t["_status"] for t in doccano] == ["reviewed", "in_progress"]
    export(runner, "news", tmp_path / "g.spacy", "--format", "spacy")
    assert [d.text for d in DocBin().from_disk(tmp_path / "g.spacy").get_docs(NLP.vocab)] == [TEXT]


def test_web_download_defaults_to_reviewed_gold_and_page_shows_counts(app: Flask,
                                                                      admin_client: FlaskClient) -> None:
    two_gold_documents()
    dataset_id = db.session.scalar(sa.select(Document.dataset_id))
    page = admin_client.get(f"/datasets/{dataset_id}").get_data(as_text=True)
    assert "gold: 1 reviewed · 1 draft" in page and 'value="gold-drafts"' in page
    body = admin_client.get(f"/datasets/{dataset_id}/export").get_data(as_text=True)
    assert [json.loads(line)["_status"] for line in body.splitlines()] == ["reviewed"]
    body = admin_client.get(f"/datasets/{dataset_id}/export?only=gold-drafts&format=jsonl").get_data(as_text=True)
    assert len(body.splitlines()) == 2


def test_one_bad_document_is_named_and_the_rest_exported(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    two_gold_documents()
    db.session.execute(sa.update(AnnotationSet).values(status="reviewed"))
    bad = db.session.scalar(sa.select(Document).where(Document.text == TEXT))
    assert bad is not None
    bad.tokens = [[0, 5], [6, 9]]  # stored tokens that leave words out: no Doc can rebuild the text
    db.session.commit()
    result = runner.invoke(args=["export", "--dataset", "news", "--format", "spacy", "-o", str(tmp_path / "x.spacy")])
    assert result.exit_code == 0, result.output
    assert f"document {bad.id} (gold)" in result.output and "tokens leave out" in result.output
    assert "Exported 1 annotation set(s); left out 1" in result.output
    assert [d.text for d in DocBin().from_disk(tmp_path / "x.spacy").get_docs(NLP.vocab)] == [OTHER]


def test_page_export_runs_as_a_job_and_the_file_streams_from_disk(app: Flask, admin_client: FlaskClient,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    two_gold_documents()
    dataset_id = db.session.scalar(sa.select(Document.dataset_id))
    response = admin_client.post(f"/datasets/{dataset_id}/export", data={"format": "jsonl", "only": "gold-drafts"})
    assert response.status_code == 302
    job_page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Exporting from news" in job_page and "Exported 2 annotation set(s)." in job_page
    status = admin_client.get(response.headers["Location"].replace("/jobs/", "/api/jobs/")).get_json()
    download = admin_client.get(status["download"])
    assert download.status_code == 200 and download.is_streamed  # send_file: read from the file as it goes
    assert 'filename=news-gold-drafts.jsonl' in download.headers["Content-Disposition"]
    assert [json.loads(line)["text"] for line in download.get_data(as_text=True).splitlines()] == [TEXT, OTHER]
    download.close()


def test_a_spacy_export_too_large_for_one_file_becomes_a_tar_of_shards(app: Flask, admin_client: FlaskClient,
                                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io
    import tarfile

    from annotator.formats import docbin

    two_gold_documents()
    monkeypatch.setattr(docbin, "FILE_BYTES", 10)
    monkeypatch.setattr(docbin, "SHARD_DOCS", 1)
    dataset_id = db.session.scalar(sa.select(Document.dataset_id))
    assert admin_client.get(f"/datasets/{dataset_id}/export?format=spacy").status_code == 422
    response = admin_client.post(f"/datasets/{dataset_id}/export", data={"format": "spacy", "only": "gold-drafts"})
    status = admin_client.get(response.headers["Location"].replace("/jobs/", "/api/jobs/")).get_json()
    assert status["status"] == "done", status
    download = admin_client.get(status["download"])
    assert 'filename=news-gold-drafts.spacy.tar' in download.headers["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(download.get_data())) as tar:
        names = sorted(m.name for m in tar.getmembers() if m.isfile())
        texts = [d.text for name in names
                 for d in DocBin().from_bytes(tar.extractfile(name).read()).get_docs(NLP.vocab)]  # type: ignore[union-attr]
    download.close()
    assert names == ["news-gold-drafts/news-gold-drafts-000.spacy", "news-gold-drafts/news-gold-drafts-001.spacy"]
    assert texts == [TEXT, OTHER]


def test_gold_counts_follow_sign_off_and_reopen_and_stay_in_their_dataset(app: Flask) -> None:
    """The counts come from stored state and the kind/status index: check them against the sets themselves."""
    from annotator.services.exporter import gold_counts
    from annotator.services.importer import get_or_create_dataset

    two_gold_documents()
    other = get_or_create_dataset("elsewhere")
    import_records(other, [Record(text=THIRD, tokens=tokens(THIRD), annotation=layers("gold").__class__(),
                                  status="in_progress")], target="gold")
    db.session.commit()
    news = get_or_create_dataset("news")
    assert gold_counts(news) == {"reviewed": 1, "drafts": 1}
    assert gold_counts(other) == {"reviewed": 0, "drafts": 1}
    reviewed = db.session.scalar(sa.select(AnnotationSet).where(AnnotationSet.kind == "gold",
                                                                AnnotationSet.status == "reviewed"))
    reviewed.status = "in_progress"  # reopened
    db.session.commit()
    assert gold_counts(news) == {"reviewed": 0, "drafts": 2}
    for aset in db.session.scalars(sa.select(AnnotationSet).where(AnnotationSet.kind == "gold")):
        aset.status = "reviewed"  # every draft signed off
    db.session.commit()
    assert gold_counts(news) == {"reviewed": 2, "drafts": 0}
    assert gold_counts(other) == {"reviewed": 1, "drafts": 0}
