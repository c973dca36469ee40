"""Dataset list, dataset page and the read-only document view."""

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import Document
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import login, make_user

HOSTILE = 'Mayor <script>alert(1)</script> Ana Ruiz said " onmouseover="alert(2) and javascript:alert(3) in Paris.'


def load(text: str) -> Document:
    dataset = get_or_create_dataset("news")
    result = import_records(dataset, [Record(text=text)])
    db.session.commit()
    return db.session.get(Document, result.document_ids[0])


def test_dataset_list_and_page(app: Flask, admin_client: FlaskClient) -> None:
    doc = load("Ana Ruiz visited Paris on Monday.")
    page = admin_client.get("/").get_data(as_text=True)
    assert "news" in page and ">1<" in page
    listing = admin_client.get(f"/datasets/{doc.dataset_id}").get_data(as_text=True)
    assert "Ana Ruiz visited Paris" in listing and "model" in listing


def test_document_view_highlights_entities(app: Flask, admin_client: FlaskClient) -> None:
    doc = load("Ana Ruiz visited Paris on Monday.")
    page = admin_client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert 'data-label="GPE"' in page and ">Paris</mark>" in page


def test_document_view_escapes_article_text(app: Flask, admin_client: FlaskClient) -> None:
    doc = load(HOSTILE)
    page = admin_client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '" onmouseover="alert(2)' not in page
    assert "&#34; onmouseover=&#34;alert(2)" in page


def test_annotator_cannot_open_unassigned_document(app: Flask, client: FlaskClient) -> None:
    doc = load("Ana Ruiz visited Paris on Monday.")
    make_user("bob")
    login(client, "bob")
    assert client.get(f"/documents/{doc.id}").status_code == 403
    assert "Ana Ruiz" not in client.get(f"/datasets/{doc.dataset_id}").get_data(as_text=True)


def test_security_headers(app: Flask, client: FlaskClient) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
