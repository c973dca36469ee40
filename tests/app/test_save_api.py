"""The set save API: each edit checked on its own, refusals listed with reasons; a fresh CSRF token."""

from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import User, annotation_of
from annotator.services.annotations import user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import PASSWORD, app_with_schema, login, make_user, statements

TEXT = "Ana Ruiz visited Paris on Monday with Boris Lenk."


def open_set(client: FlaskClient) -> tuple[int, int]:
    doc_id = import_records(get_or_create_dataset("news"), [Record(text=TEXT)]).document_ids[0]
    make_user("ann")
    aset = user_set(doc_id, db.session.scalar(db.select(User)), create=True)
    db.session.commit()
    login(client, "ann")
    return aset.id, client.get(f"/api/sets/{aset.id}").json["version"]


def entity(uid: str, start: int, end: int, label: str = "PERSON") -> dict:
    return {"op": "upsert", "layer": "entities", "item": {"uid": uid, "start": start, "end": end, "label": label}}


def test_one_bad_edit_keeps_the_others_and_says_why(app: Flask, client: FlaskClient) -> None:
    set_id, version = open_set(client)
    ops = [entity("a", 0, 8), entity("b", 0, 3, "NOPE"), entity("c", 9, 16),
           {"op": "upsert", "layer": "quotes", "item": {"uid": "q", "content": {"start": 0, "end": 8},
                                                       "speaker_entity": "ghost"}}]
    response = client.put(f"/api/sets/{set_id}", json={"version": version, "ops": ops})
    assert response.status_code == 200, response.json
    refused = response.json["refused"]
    assert [(r["index"], r["uid"], r["layer"]) for r in refused] == [(1, "b", "entities"), (3, "q", "quotes")]
    assert "unknown label 'NOPE'" in refused[0]["error"] and refused[0]["field"] == "item.label"
    assert "unknown entity 'ghost'" in refused[1]["error"]
    saved = {e.uid for e in annotation_of(set_id).entities}
    assert {"a", "c"} <= saved and "b" not in saved
    assert response.json["version"] > version


def test_a_batch_refused_whole_changes_nothing(app: Flask, client: FlaskClient) -> None:
    set_id, version = open_set(client)
    before = annotation_of(set_id).to_dict()
    response = client.put(f"/api/sets/{set_id}", json={"version": version, "ops": [entity("x", 1, 3)]})
    assert response.status_code == 422
    assert response.json["refused"][0]["uid"] == "x" and "token boundaries" in response.json["error"]
    db.session.expire_all()
    assert annotation_of(set_id).to_dict() == before
    assert client.get(f"/api/sets/{set_id}").json["version"] == version


def test_malformed_edit_is_refused_by_index(app: Flask, client: FlaskClient) -> None:
    set_id, version = open_set(client)
    response = client.put(f"/api/sets/{set_id}", json={"version": version, "ops": [
        "junk", {"op": "zap", "layer": "entities"}, entity("a", 0, 8)]})
    assert response.status_code == 200
    assert [(r["index"], r["field"]) for r in response.json["refused"]] == [(0, "ops[0]"), (1, "ops[1].op")]


def test_fresh_csrf_token_needs_a_session(tmp_path, database_url: str) -> None:
    with app_with_schema(database_url, tmp_path) as app:  # CSRF on
        client = app.test_client()
        assert client.get("/api/csrf").status_code == 401
        make_user("ann")
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        client.post("/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token})
        fresh = client.get("/api/csrf")
        assert fresh.status_code == 200 and fresh.json["csrf_token"]
        response = client.put("/api/sets/999", json={"version": 1, "ops": []},
                              headers={"X-CSRFToken": fresh.json["csrf_token"]})
        assert response.status_code == 404
        stale = client.put("/api/sets/999", json={"version": 1, "ops": []}, headers={"X-CSRFToken": "bad"})
        assert stale.status_code == 400 and "CSRF" in stale.json["error"]


def test_editor_page_data_carries_the_vocabulary_and_key_map(app: Flask, client: FlaskClient) -> None:
    set_id, _ = open_set(client)
    page = client.get(f"/annotate/{set_id}").get_data(as_text=True)
    from test_editor import editor_json
    vocab = editor_json(page)["vocab"]
    assert vocab["labels"][:2] == ["PERSON", "ORG"] and vocab["speakerLabels"][:2] == ["PERSON", "ORG"]
    dataset = get_or_create_dataset("news")
    dataset.speaker_labels = ["ORG", "GPE", "PERSON"]
    db.session.commit()
    page = client.get(f"/annotate/{set_id}").get_data(as_text=True)
    assert editor_json(page)["vocab"]["speakerLabels"] == ["ORG", "GPE", "PERSON"], "the dataset's setting, in order"
    assert [p["name"] for p in vocab["polarities"]] == ["favor", "against", "neutral"]
    assert [p["key"] for p in vocab["polarities"]] == ["f", "a", "n"]
    assert vocab["quoteKinds"] == ["direct", "indirect", "mixed"] and "“" in vocab["quoteMarks"]["opening"]
    for action, key in (("label-1", "1"), ("undo", "Ctrl+z"), ("submit", "Ctrl+Enter"), ("polarity-favor", "f")):
        assert f'data-action="{action}" data-key="{key}"' in page


def test_a_one_edit_save_runs_a_fixed_handful_of_statements(app: Flask, client: FlaskClient) -> None:
    """The user, the set, the owner's active time, its document with its dataset, the item, its
    neighbours, the write, the version, the audit row and the size cap (one statement for every
    layer); nothing read again for the answer (it was 15)."""
    set_id, version = open_set(client)
    response = client.put(f"/api/sets/{set_id}", json={"version": version, "ops": [entity("ana", 0, 8)]})
    assert response.status_code == 200 and not response.json["refused"], response.json
    version = response.json["version"]
    for label in ("ORG", "GPE"):
        with statements() as seen:
            response = client.put(f"/api/sets/{set_id}", json={"version": version, "ops": [entity("ana", 0, 8, label)]})
        assert response.status_code == 200 and not response.json["refused"], response.json
        assert response.json["version"] == version + 1 and response.json["status"] == "in_progress"
        version = response.json["version"]
        assert len(seen) <= 10, "\n".join(s for s, _ in seen)
    assert {e.uid: e.label for e in annotation_of(set_id).entities}["ana"] == "GPE"
