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
