"""Dataset, document and list pages read only what they show: paging and counts in SQL, flat query counts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet
from annotator.services.annotations import set_status, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import login, make_user, statements


def grow(name: str, total: int) -> int:
    """A dataset of `total` documents, each with a model set and alice's submitted set."""
    dataset = get_or_create_dataset(name)
    have = db.session.scalar(sa.text("SELECT count(*) FROM documents WHERE dataset_id = :d"), {"d": dataset.id})
    ids = import_records(dataset, [Record(text=f"Article {i} of {name}.") for i in range(have, total)],
                         preannotate=False).document_ids
    alice = make_user("alice") if have == 0 else None
    for doc_id in ids:
        aset = user_set(doc_id, alice or _alice(), create=True)
        db.session.flush()
        set_status(aset, status="submitted", user=None, expected_version=aset.version)
    db.session.commit()
    return dataset.id


def _alice():  # type: ignore[no-untyped-def]
    from annotator.services.users import find_user

    return find_user("alice")


def test_dataset_page_pages_in_sql_and_stays_flat(app: Flask, admin_client: FlaskClient) -> None:
    dataset_id = grow("paged", 130)
    with statements() as small:
        page = admin_client.get(f"/datasets/{dataset_id}").get_data(as_text=True)
    assert "Page 1 of 2 · 130 document(s)" in page and "Article 99 of paged" in page
    assert "Article 100 of paged" not in page
    second = admin_client.get(f"/datasets/{dataset_id}?page=2").get_data(as_text=True)
    assert "Article 129 of paged" in second and "Article 5 of paged" not in second
    grow("paged", 260)
    with statements() as large:
        admin_client.get(f"/datasets/{dataset_id}")
    # Flat: twice the documents, the same handful of queries. A request may refresh one stale row (it did once
    # in CI, on SQLite), so the counts may differ by one; reading per document would add a hundred or more.
    assert abs(len(large) - len(small)) <= 1
    sets = [params for sql, params in large if "FROM annotation_sets" in sql and "IN" in sql]
    assert sets and all(len(params) <= 101 for params in sets)  # only the shown page's documents
    assert admin_client.get(f"/datasets/{dataset_id}?page=99").status_code == 200  # clamps to the last page


def test_document_page_loads_only_its_own_sets(app: Flask, admin_client: FlaskClient) -> None:
    dataset_id = grow("doc", 40)
    doc_id = db.session.scalar(sa.select(AnnotationSet.document_id).order_by(AnnotationSet.id.desc()).limit(1))
    with statements() as seen:
        page = admin_client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "alice" in page
    set_rows = [sql for sql, _ in seen if "FROM annotation_sets" in sql]
    assert not [sql for sql in set_rows if "JOIN documents" in sql]  # never the whole dataset's sets
    assert dataset_id


def test_dataset_list_counts_done_documents_in_sql(app: Flask, admin_client: FlaskClient) -> None:
    grow("listed", 12)
    page = admin_client.get("/").get_data(as_text=True)
    assert "listed" in page and ">12<" in page and "100%" in page  # one annotator per document, all submitted


def test_annotators_list_only_their_documents(app: Flask, client: FlaskClient) -> None:
    dataset_id = grow("mine", 3)
    import_records(get_or_create_dataset("mine"), [Record(text="Nobody's article.")], preannotate=False)
    db.session.commit()
    login(client, "alice")
    page = client.get(f"/datasets/{dataset_id}").get_data(as_text=True)
    assert "Article 2 of mine" in page and "Nobody&#39;s article" not in page and "Nobody's article" not in page
