"""The review JSON API (token or session + CSRF) and the `annotator dataset` command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import Dataset
from annotator.services.tokens import issue_token
from annotator.services.annotations import gold_set
from annotator.services.users import find_user
from apptools import PASSWORD, app_with_schema
from test_review import ALICE, BOB, annotate, setup_document


@pytest.fixture
def reviewer_token(app: Flask) -> str:
    doc_world = setup_document()
    app.config["doc_id"] = doc_world.id
    token = issue_token(find_user("rita"), "script")[1]
    db.session.commit()
    return token


def post(client: FlaskClient, doc_id: int, action: str, token: str, **body: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/documents/{doc_id}/review/{action}", json=body,
                       headers={"Authorization": f"Bearer {token}"})


def test_review_by_api_token_answers_with_the_gold_set(app: Flask, client: FlaskClient, reviewer_token: str) -> None:
    doc_id = app.config["doc_id"]
    from annotator.models import Document
    doc = db.session.get(Document, doc_id)
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    client.post("/logout")

    agreed = post(client, doc_id, "agreed", reviewer_token, version=0)
    assert agreed.status_code == 200, agreed.get_json()
    gold = agreed.get_json()
    assert gold["message"] == "Accepted every agreed item (2 added to the gold)."
    shape = client.get(f"/api/sets/{gold['id']}", headers={"Authorization": f"Bearer {reviewer_token}"}).get_json()
    assert set(shape) <= set(gold) and gold["annotation"] == shape["annotation"] and gold["kind"] == "gold"
    assert sorted(e["label"] for e in gold["annotation"]["entities"]) == ["GPE", "PERSON"]
    assert len(gold["review"]["in_gold"]) == 2

    stale = post(client, doc_id, "take", reviewer_token, version=0, source="bob", layer="entities", uid="b4")
    assert stale.status_code == 409 and stale.get_json()["current"]["version"] == gold["version"]
    assert post(client, doc_id, "take", reviewer_token, source="bob", layer="entities", uid="b4").status_code == 400
    taken = post(client, doc_id, "take", reviewer_token, version=gold["version"], source="bob",
                 layer="entities", uid="b4")
    assert taken.status_code == 200 and len(taken.get_json()["annotation"]["entities"]) == 3

    version = taken.get_json()["version"]
    clash = post(client, doc_id, "take", reviewer_token, version=version, source="alice", layer="entities", uid="a2")
    version = clash.get_json()["version"]
    clash = post(client, doc_id, "take", reviewer_token, version=version, source="bob", layer="entities", uid="b2")
    assert clash.status_code == 422 and clash.get_json()["field"] == "replace"
    assert clash.get_json()["collision"][0]["label"] == "PERSON"
    swapped = post(client, doc_id, "take", reviewer_token, version=version, source="bob", layer="entities",
                   uid="b2", replace=True)
    assert swapped.status_code == 200
    labels = {(e["start"], e["label"]) for e in swapped.get_json()["annotation"]["entities"]}
    assert (13, "ORG") in labels and (13, "PERSON") not in labels

    uid = next(e["uid"] for e in swapped.get_json()["annotation"]["entities"] if e["label"] == "DATE")
    removed = post(client, doc_id, "remove", reviewer_token, version=swapped.get_json()["version"],
                   layer="entities", uid=uid)
    assert removed.status_code == 200 and len(removed.get_json()["annotation"]["entities"]) == 3
    undone = post(client, doc_id, "undo", reviewer_token, version=removed.get_json()["version"])
    assert undone.status_code == 200 and len(undone.get_json()["annotation"]["entities"]) == 4

    done = post(client, doc_id, "done", reviewer_token, version=undone.get_json()["version"])
    assert done.status_code == 200 and done.get_json()["status"] == "reviewed"
    refused = post(client, doc_id, "take", reviewer_token, version=done.get_json()["version"], source="bob",
                   layer="entities", uid="b4")
    assert refused.status_code == 409 and "reopen" in refused.get_json()["error"]
    reopened = post(client, doc_id, "reopen", reviewer_token, version=done.get_json()["version"])
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "in_progress"
    again = post(client, doc_id, "reopen", reviewer_token, version=reopened.get_json()["version"])
    assert again.status_code == 409 and "nothing to reopen" in again.get_json()["error"]


def test_annotator_tokens_and_missing_tokens_are_refused(app: Flask, client: FlaskClient, reviewer_token: str) -> None:
    doc_id = app.config["doc_id"]
    alice = issue_token(find_user("alice"), "mine")[1]
    db.session.commit()
    assert client.post(f"/api/documents/{doc_id}/review/agreed", json={"version": 0}).status_code == 401
    assert post(client, doc_id, "agreed", alice, version=0).status_code == 403
    nothing = post(client, doc_id, "agreed", reviewer_token, version=0)
    assert nothing.status_code == 409 and "Nothing is agreed yet: 0 of the 2" in nothing.get_json()["error"]
    assert gold_set(doc_id) is None


@pytest.fixture
def csrf_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    with app_with_schema(database_url, tmp_path) as app:
        yield app


def test_cookie_sessions_need_the_csrf_header(csrf_app: Flask) -> None:
    doc = setup_document()
    doc.dataset.annotators_per_doc = 1
    db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token})
    url = f"/api/documents/{doc.id}/review/agreed"
    assert client.post(url, json={"version": 0}).status_code == 400
    review = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    header = review.split('<meta name="csrf-token" content="')[1].split('"')[0]
    answer = client.post(url, json={"version": 0}, headers={"X-CSRFToken": header})
    assert answer.status_code == 409 and "Nothing is agreed yet: 0 of the 1" in answer.get_json()["error"]


def test_dataset_command_creates_and_updates(app: Flask) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(args=["dataset", "Wire", "--annotators-per-doc", "2", "--labels", "PERSON ORG GPE"])
    assert made.exit_code == 0, made.output
    assert "Created dataset 'Wire': 2 annotator(s) per document, labels PERSON ORG GPE." in made.output
    changed = runner.invoke(args=["dataset", "Wire", "--labels", "PERSON ORG GPE DATE"])
    assert changed.exit_code == 0 and "Updated dataset 'Wire': 2 annotator(s)" in changed.output
    dataset = db.session.scalar(db.select(Dataset).where(Dataset.name == "Wire"))
    assert dataset.entity_labels == ["PERSON", "ORG", "GPE", "DATE"] and dataset.annotators_per_doc == 2


def test_dataset_command_sets_speaker_labels(app: Flask) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(args=["dataset", "Wire", "--labels", "PERSON ORG GPE"])
    assert "Speaker labels, most likely first: PERSON ORG GPE." in made.output, made.output
    changed = runner.invoke(args=["dataset", "Wire", "--speaker-labels", "ORG,PERSON"])
    assert changed.exit_code == 0 and "Speaker labels, most likely first: ORG PERSON." in changed.output
    dataset = db.session.scalar(db.select(Dataset).where(Dataset.name == "Wire"))
    assert dataset.speaker_labels == ["ORG", "PERSON"]
    refused = runner.invoke(args=["dataset", "Wire", "--speaker-labels", "PERSON,NORP"])
    assert refused.exit_code != 0 and "--speaker-labels: NORP is not one of the entity labels" in refused.output
    assert "Nothing was changed." in refused.output
    db.session.expire_all()
    assert db.session.get(Dataset, dataset.id).speaker_labels == ["ORG", "PERSON"]


@pytest.mark.parametrize("args, message", [
    (["--annotators-per-doc", "0"], "--annotators-per-doc: must be at least 1"),
    (["--speaker-labels", "PERSON NOPE"], "--speaker-labels: NOPE is not one of the entity labels"),
    (["--speaker-labels", ""], "--speaker-labels: must name at least one"),
    (["--labels", ""], "--labels: must name at least one"),
    (["--labels", "PERSON PERSON"], "--labels: PERSON given twice"),
    (["--labels", "X" * 65], "must be one word of at most 64 characters"),
])
def test_dataset_command_names_bad_input(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=["dataset", "Wire", *args])
    assert result.exit_code != 0 and message in result.output and "Nothing was changed." in result.output
    assert db.session.scalar(db.select(Dataset).where(Dataset.name == "Wire")) is None


def test_dataset_command_keeps_labels_in_use(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "bob", doc, BOB)
    result = app.test_cli_runner().invoke(args=["dataset", "team", "--labels", "PERSON GPE DATE"])
    assert result.exit_code != 0 and "would drop labels still in use: ORG (1 entities)" in result.output
