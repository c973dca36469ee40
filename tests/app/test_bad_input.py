"""Malformed input never causes a 500 or a partial write: random edits, broken files, oversized bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.db import db
from annotator.models import AnnotationSet, AuditEvent, Document, annotation_of
from annotator.services.annotations import user_set
from annotator.services.importer import ImportFailed, Record, get_or_create_dataset, import_records
from annotator.services.sources import read_path
from annotator.checks import validate
from annotator.tokens import DocTokens
from apptools import login, make_user

TEXT = "Ana Ruiz visited Paris on Monday. \"We will build it,\" she said."
FAST = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

offsets = st.one_of(st.integers(-5, len(TEXT) + 5), st.integers(), st.none(), st.text(max_size=3),
                    st.floats(allow_nan=False), st.booleans())
uids = st.one_of(st.sampled_from(["e1", "e2", "q1", "s1"]), st.text(max_size=50), st.integers(), st.none())
labels = st.one_of(st.sampled_from(["PERSON", "GPE", "DATE", "ORG"]), st.text(max_size=8), st.none())
span = st.fixed_dictionaries({"start": offsets, "end": offsets})
json_junk = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3),
                         max_leaves=8)
entity = st.fixed_dictionaries({"uid": uids, "start": offsets, "end": offsets, "label": labels})
quote = st.fixed_dictionaries({"uid": uids, "content": span | json_junk},
                              optional={"cue": span | st.none(), "speaker": span | st.none(),
                                        "speaker_entity": uids, "kind": st.sampled_from(["direct", "indirect",
                                                                                          "mixed", "shouted"])})
stance = st.fixed_dictionaries({"uid": uids, "polarity": st.sampled_from(["favor", "against", "neutral", "meh"]),
                                "evidence": span | json_junk},
                               optional={"holder": st.text(max_size=20), "target": st.text(max_size=20),
                                         "holder_entity": uids, "target_entity": uids})
layer_item = st.one_of(st.tuples(st.just("entities"), entity), st.tuples(st.just("quotes"), quote),
                       st.tuples(st.just("stances"), stance))
op = st.one_of(
    layer_item.map(lambda li: {"op": "upsert", "layer": li[0], "item": li[1]}),
    st.fixed_dictionaries({"op": st.just("delete"), "layer": st.sampled_from(["entities", "quotes", "stances"]),
                           "uid": uids}),
    st.dictionaries(st.sampled_from(["op", "layer", "item", "uid"]), json_junk, max_size=4),
    json_junk,
)


@pytest.fixture
def set_client(app: Flask, client: FlaskClient) -> tuple[FlaskClient, int]:
    """A logged-in annotator and the id of their seeded set."""
    user = make_user("anna")
    doc_id = import_records(get_or_create_dataset("news"), [Record(text=TEXT)]).document_ids[0]
    aset = user_set(doc_id, user, create=True)
    db.session.commit()
    login(client, "anna")
    return client, aset.id


def snapshot(set_id: int) -> tuple[int, dict[str, Any], int]:
    db.session.expire_all()
    aset = db.session.get(AnnotationSet, set_id)
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.set_id == set_id))
    return aset.version, annotation_of(set_id).to_dict(), events


@FAST
@given(ops=st.lists(op, max_size=5), stale=st.booleans())
def test_random_edits_are_applied_whole_or_refused(set_client: tuple[FlaskClient, int], ops: list[Any],
                                                  stale: bool) -> None:
    client, set_id = set_client
    version = client.get(f"/api/sets/{set_id}").json["version"]
    before = snapshot(set_id)
    response = client.put(f"/api/sets/{set_id}", json={"version": version - 1 if stale else version, "ops": ops})
    assert response.status_code in (200, 400, 409, 422), response.get_data(as_text=True)
    assert response.is_json and (response.status_code == 200 or response.json["error"])
    if response.status_code != 200:
        assert snapshot(set_id) == before
        return
    aset = db.session.get(AnnotationSet, set_id)
    doc = aset.document
    validate(annotation_of(set_id), doc.text, labels=doc.dataset.entity_labels,
             polarities=doc.dataset.stance_polarities, bounds=DocTokens(doc.text, doc.tokens))


@FAST
@given(body=json_junk)
def test_random_bodies_get_a_clear_error(set_client: tuple[FlaskClient, int], body: Any) -> None:
    client, set_id = set_client
    before = snapshot(set_id)
    for response in (client.put(f"/api/sets/{set_id}", json=body),
                     client.post(f"/api/sets/{set_id}/status", json=body)):
        assert response.status_code in (200, 400, 409, 422), response.get_data(as_text=True)
        if response.status_code != 200:
            assert response.is_json and response.json["error"]
    if not (isinstance(body, dict) and "version" in body):
        assert snapshot(set_id) == before


def test_non_json_bodies_get_a_clear_error(set_client: tuple[FlaskClient, int]) -> None:
    client, set_id = set_client
    for data, kind in ((b"\xff\xfe{", "application/json"), (b"version=1", "application/x-www-form-urlencoded"),
                       (b"", "application/json")):
        response = client.put(f"/api/sets/{set_id}", data=data, content_type=kind)
        assert response.status_code == 400 and response.is_json and response.json["error"]


# --- import files -------------------------------------------------------------------------------

def documents() -> int:
    return db.session.scalar(sa.select(sa.func.count(Document.id)))


def import_file(path: Path, **read: Any) -> str:
    """Import a file the way the CLI does; return "ok" or the ImportFailed message."""
    dataset = get_or_create_dataset("news")
    db.session.commit()
    try:
        import_records(dataset, list(read_path(path, labels=dataset.entity_labels,
                                               polarities=dataset.stance_polarities, **read)))
    except ImportFailed as err:
        db.session.rollback()
        return str(err)
    db.session.commit()
    return "ok"


task = st.fixed_dictionaries(
    {"text": st.one_of(st.text(min_size=1, max_size=80), json_junk)},
    optional={"meta": json_junk, "spans": st.lists(st.fixed_dictionaries({"start": offsets, "end": offsets,
                                                                         "label": labels}), max_size=3),
              "answer": st.sampled_from(["accept", "reject", "ignore", "maybe"]), "_annotator_id": uids})
line = st.one_of(task.map(lambda t: json.dumps(t).encode()), json_junk.map(lambda j: json.dumps(j).encode()),
                 st.binary(max_size=40), st.just(b'{"text": "unterminated'), st.just(b"\xff\xfe\x00bad utf-8"))


@FAST
@given(lines=st.lists(line, min_size=1, max_size=6))
def test_random_jsonl_imports_all_or_nothing(app: Flask, tmp_path: Path, lines: list[bytes]) -> None:
    before = documents()
    path = tmp_path / "input.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    outcome = import_file(path)
    if outcome != "ok":
        assert "input.jsonl" in outcome  # names the file (and line) at fault
        assert documents() == before


@FAST
@given(data=st.binary(max_size=200))
def test_random_text_files_import_or_fail_cleanly(app: Flask, tmp_path: Path, data: bytes) -> None:
    before = documents()
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    outcome = import_file(path)
    if outcome != "ok":
        assert documents() == before and "article.txt" in outcome


def test_a_nul_character_is_named_on_every_database(app: Flask, tmp_path: Path) -> None:
    """PostgreSQL keeps no NUL in text (SQLite would): refused, named, on both, before anything is written."""
    text = tmp_path / "article.txt"
    text.write_bytes(b"Paris officials said\x00 on Monday.")
    assert "article.txt, line 1, field text" in import_file(text) and "NUL" in import_file(text)
    stance = {"uid": "s1", "polarity": "against", "evidence": {"start": 0, "end": 5}, "holder": {"text": "Paris"},
              "target": {"text": "the\u0000plan"}}
    lines = tmp_path / "tasks.jsonl"
    lines.write_text(json.dumps({"text": "Good story."}) + "\n"
                     + json.dumps({"text": "Paris said no.", "spans": [], "stances": [stance], "_annotator_id": "gold"}) + "\n")
    outcome = import_file(lines)
    assert "tasks.jsonl, line 2" in outcome and "target" in outcome and "NUL" in outcome, outcome
    assert documents() == 0


def test_a_bad_line_late_in_a_file_imports_nothing(app: Flask, tmp_path: Path) -> None:
    good = [json.dumps({"text": f"Story number {i} from Paris."}).encode() for i in range(20)]
    path = tmp_path / "late.jsonl"
    path.write_bytes(b"\n".join(good + [b"\xc3\x28 invalid utf-8"]) + b"\n")
    outcome = import_file(path)
    assert "line 21" in outcome and "UTF-8" in outcome
    assert documents() == 0


def test_huge_lines_are_refused(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    path.write_bytes(json.dumps({"text": "x" * 5000}).encode() + b"\n")
    outcome = import_file(path, max_line_bytes=1000)
    assert "longer than the limit" in outcome and documents() == 0


# --- oversized requests -------------------------------------------------------------------------

def test_oversized_api_body_gets_json_413(set_client: tuple[FlaskClient, int], app: Flask) -> None:
    client, set_id = set_client
    app.config["MAX_CONTENT_LENGTH"] = 4096
    before = snapshot(set_id)
    ops = [{"op": "delete", "layer": "entities", "uid": "x" * 30} for _ in range(500)]
    response = client.put(f"/api/sets/{set_id}", json={"version": before[0], "ops": ops})
    assert response.status_code == 413 and response.is_json
    assert "limit" in response.json["error"]
    assert snapshot(set_id) == before


def test_oversized_form_gets_a_413_page(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = client.post("/login", data={"name": "anna", "password": "p" * 10_000})
    assert response.status_code == 413
    assert "413" in response.get_data(as_text=True)
