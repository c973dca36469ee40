"""The editor routes: the queue's next link, the editor page and who may open it."""

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, Document, User, annotation_of
from annotator.services.annotations import ensure_seeded, gold_set, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.queue import next_set, progress
from apptools import login, make_user

TEXTS = ["Ana Ruiz visited Paris on Monday.", "Boris Lenk met officials in Berlin.", "Chen Wei said \"we will win\"."]


def load(texts: list[str] = TEXTS, guidelines: str = "") -> list[Document]:
    dataset = get_or_create_dataset("news")
    dataset.guidelines = guidelines
    result = import_records(dataset, [Record(text=t) for t in texts])
    db.session.commit()
    return [db.session.get(Document, i) for i in result.document_ids]


def assign(user: User, docs: list[Document]) -> list[AnnotationSet]:
    sets = [user_set(d.id, user, create=True) for d in docs]
    for aset in sets:
        ensure_seeded(aset)
    db.session.commit()
    return sets


def editor_json(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="editor-data">(.*?)</script>', page, re.S)
    assert match, "the editor data block is missing"
    return json.loads(match.group(1))


def test_next_goes_to_first_unfinished_in_document_order(app: Flask, client: FlaskClient) -> None:
    docs = load()
    ann = make_user("ann")
    sets = assign(ann, docs)
    sets[0].status = "submitted"
    db.session.commit()
    login(client, "ann")
    response = client.get(f"/datasets/{docs[0].dataset_id}/next")
    assert response.status_code == 302 and response.location.endswith(f"/annotate/{sets[1].id}")


def test_skip_moves_past_the_current_document_and_wraps(app: Flask, client: FlaskClient) -> None:
    docs = load()
    ann = make_user("ann")
    sets = assign(ann, docs)
    login(client, "ann")
    url = f"/datasets/{docs[0].dataset_id}/next"
    assert client.get(f"{url}?after={docs[0].id}").location.endswith(f"/annotate/{sets[1].id}")
    assert client.get(f"{url}?after={docs[2].id}").location.endswith(f"/annotate/{sets[0].id}")


def test_queue_done_page_shows_progress(app: Flask, client: FlaskClient) -> None:
    docs = load()
    ann = make_user("ann")
    for aset in assign(ann, docs[:2]):
        aset.status = "submitted"
    db.session.commit()
    login(client, "ann")
    page = client.get(f"/datasets/{docs[0].dataset_id}/next").get_data(as_text=True)
    assert "Your queue is done" in page and "2 of 2 documents done" in page


def test_queue_with_nothing_assigned(app: Flask, client: FlaskClient) -> None:
    docs = load()
    make_user("ann")
    login(client, "ann")
    page = client.get(f"/datasets/{docs[0].dataset_id}/next").get_data(as_text=True)
    assert "Nothing assigned to you yet" in page


def test_progress_and_next_set_ignore_other_people(app: Flask) -> None:
    docs = load()
    ann, bob = make_user("ann"), make_user("bob")
    assign(bob, docs)
    mine = assign(ann, docs[1:])
    mine[0].status = "submitted"
    db.session.commit()
    dataset = docs[0].dataset
    assert progress(dataset, ann).done == 1 and progress(dataset, ann).assigned == 2
    assert next_set(dataset, ann).id == mine[1].id


def test_editor_page_carries_text_tokens_and_seeded_set(app: Flask, client: FlaskClient) -> None:
    docs = load()
    ann = make_user("ann")
    aset = user_set(docs[0].id, ann, create=True)
    db.session.commit()
    login(client, "ann")
    page = client.get(f"/annotate/{aset.id}").get_data(as_text=True)
    data = editor_json(page)
    assert data["text"] == docs[0].text and data["tokens"] == docs[0].tokens
    entities = data["set"]["annotation"]["entities"]
    assert entities and all(e["origin"] == "model" for e in entities)
    assert data["set"]["version"] == db.session.get(AnnotationSet, aset.id).version
    db.session.expire_all()
    assert not db.session.get(AnnotationSet, aset.id).seeded and not annotation_of(aset.id).entities, \
        "opening the editor writes nothing (no commit on GET): the first save seeds the set"
    assert 'src="/static/js/editor.js"' in page and "0 of 1 done" in page


def test_editor_escapes_article_text(app: Flask, client: FlaskClient) -> None:
    docs = load(['Mayor <script>alert(1)</script> Ana said "</script><b>x".'])
    ann = make_user("ann")
    (aset,) = assign(ann, docs)
    login(client, "ann")
    page = client.get(f"/annotate/{aset.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "</script><b>" not in page
    assert editor_json(page)["text"] == docs[0].text


def test_guidelines_are_markdown_without_raw_html(app: Flask, client: FlaskClient) -> None:
    docs = load(TEXTS[:1], guidelines="# Rules\n\n*Leave out* determiners.\n\n<script>alert(1)</script>")
    ann = make_user("ann")
    (aset,) = assign(ann, docs)
    login(client, "ann")
    page = client.get(f"/annotate/{aset.id}").get_data(as_text=True)
    assert "<h1>Rules</h1>" in page and "<em>Leave out</em>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


@pytest.mark.parametrize("role, status", [("annotator", 403), ("reviewer", 403)])
def test_other_peoples_sets_are_refused(app: Flask, client: FlaskClient, role: str, status: int) -> None:
    docs = load()
    (aset,) = assign(make_user("ann"), docs[:1])
    make_user("eve", role)
    login(client, "eve")
    assert client.get(f"/annotate/{aset.id}").status_code == status


def test_reviewer_opens_the_gold_set(app: Flask, client: FlaskClient) -> None:
    docs = load()
    gold = gold_set(docs[0].id, create=True)
    db.session.commit()
    make_user("rita", "reviewer")
    login(client, "rita")
    response = client.get(f"/annotate/{gold.id}")
    assert response.status_code == 200 and editor_json(response.get_data(as_text=True))["set"]["kind"] == "gold"


def test_model_set_cannot_be_opened_for_editing(app: Flask, client: FlaskClient) -> None:
    docs = load()
    make_user("rita", "reviewer")
    login(client, "rita")
    model = db.session.scalar(db.select(AnnotationSet).where(AnnotationSet.kind == "model"))
    assert model.document_id == docs[0].id
    assert client.get(f"/annotate/{model.id}").status_code == 403


def test_missing_set_and_anonymous_access(app: Flask, client: FlaskClient) -> None:
    docs = load()
    assert client.get(f"/datasets/{docs[0].dataset_id}/next").status_code == 302
    make_user("ann")
    login(client, "ann")
    assert client.get("/annotate/9999").status_code == 404


def test_dataset_and_document_pages_link_to_the_editor(app: Flask, client: FlaskClient) -> None:
    docs = load()
    (aset,) = assign(make_user("ann"), docs[:1])
    login(client, "ann")
    show = client.get(f"/datasets/{docs[0].dataset_id}").get_data(as_text=True)
    assert f"/datasets/{docs[0].dataset_id}/next" in show
    page = client.get(f"/documents/{docs[0].id}").get_data(as_text=True)
    assert f"/annotate/{aset.id}" in page and "Open in editor" in page
