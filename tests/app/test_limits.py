"""Caps with clear errors: ops per save, items per set, field lengths, body size, JSON depth, ids; origin;
annotators see only their datasets; files are the owner's only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator import create_app
from annotator.db import db
from annotator.models import EntitySpan, QuoteItem, StanceItem
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.throttle import failures
from annotator.services.users import address_key
from annotator.spans import MAX_LENGTHS
from apptools import app_with_schema, login, make_user
from test_security import ENTITY, own_set


def stance(i: int, **extra: object) -> dict[str, object]:
    item = {"uid": f"s{i}", "polarity": "favor", "holder": "the council", "target": "the tram",
            "evidence": {"start": 0, "end": 8}, **extra}
    return {"op": "upsert", "layer": "stances", "item": item}


def save(client: FlaskClient, set_id: int, ops: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    version = client.get(f"/api/sets/{set_id}").json["version"]
    return client.put(f"/api/sets/{set_id}", json={"version": version, "ops": ops})


def test_too_many_ops_in_one_save_is_413_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    app.config["MAX_OPS_PER_SAVE"] = 20
    refused = save(client, aset.id, [stance(i) for i in range(21)])
    assert refused.status_code == 413 and refused.json["field"] == "ops" and "at most 20" in refused.json["error"]
    assert client.get(f"/api/sets/{aset.id}").json["annotation"]["stances"] == []
    assert save(client, aset.id, [stance(i) for i in range(20)]).status_code == 200


def test_a_set_cannot_grow_past_its_cap(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    app.config["MAX_ITEMS_PER_SET"] = 5
    assert save(client, aset.id, [stance(i) for i in range(5)]).status_code == 200
    refused = save(client, aset.id, [stance(5)])
    assert refused.status_code == 422 and "at most 5" in refused.json["error"]
    assert db.session.scalar(sa.select(sa.func.count(StanceItem.id))) == 5


def test_big_bodies_are_413_before_they_are_read(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    app.config["API_MAX_BODY_BYTES"] = 10_000
    refused = save(client, aset.id, [stance(i, holder="x" * 200) for i in range(100)])
    assert refused.status_code == 413 and refused.is_json and "smaller batches" in refused.json["error"]


@pytest.mark.parametrize("field, value", [
    ("uid", "u" * 100_000), ("holder", "h" * 1_000_000), ("target", "t" * 301), ("polarity", "p" * 33),
])
def test_fields_longer_than_their_columns_are_422(app: Flask, client: FlaskClient, field: str,
                                                   value: str) -> None:
    aset = own_set("alice")
    login(client, "alice")
    response = save(client, aset.id, [stance(0, **{field: value})])
    assert response.status_code == 422
    refused = response.json["refused"][0]
    assert refused["field"] == f"ops[0].item.{field}" and "longer than" in refused["error"]


def test_length_limits_match_the_columns() -> None:
    columns = {"uid": EntitySpan.uid, "label": EntitySpan.label, "polarity": StanceItem.polarity,
               "holder": StanceItem.holder_text, "target": StanceItem.target_text,
               "speaker_entity": QuoteItem.speaker_entity_uid, "holder_entity": StanceItem.holder_entity_uid,
               "target_entity": StanceItem.target_entity_uid}
    assert {key: col.type.length for key, col in columns.items()} == MAX_LENGTHS


def test_deep_json_is_a_400_not_a_500(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    for depth in (40, 50_000):
        body = '{"version": 1, "ops": ' + "[" * depth + "]" * depth + "}"
        response = client.put(f"/api/sets/{aset.id}", data=body, content_type="application/json")
        assert response.status_code == 400 and "nested" in response.json["error"], depth


@pytest.mark.parametrize("path", ["/api/sets/{big}", "/datasets/{big}", "/documents/{big}", "/annotate/{big}",
                                  "/api/sets/{missing}", "/api/sets/{int32}", "/api/jobs/{big}"])
def test_unknown_or_oversized_ids_are_404(app: Flask, client: FlaskClient, path: str) -> None:
    make_user("ada", "admin")
    login(client, "ada")
    url = path.format(big=2**63, int32=2**31, missing=2**31 - 1)
    assert client.get(url).status_code == 404
    assert client.put(url, json={"version": 1, "ops": []}).status_code in (404, 405)


def test_the_server_decides_origin(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    entity = {**ENTITY, "origin": "model"}
    assert save(client, aset.id, [{"op": "upsert", "layer": "entities", "item": entity},
                                  stance(1, origin="model")]).status_code == 200
    assert db.session.scalar(sa.select(EntitySpan.origin).where(EntitySpan.uid == ENTITY["uid"])) == "human"
    assert db.session.scalar(sa.select(StanceItem.origin).where(StanceItem.uid == "s1")) == "human"


def test_annotators_see_only_datasets_they_hold_work_in(app: Flask, client: FlaskClient) -> None:
    own_set("alice")  # a set in "news"
    secret = get_or_create_dataset("secret merger coverage")
    import_records(secret, [Record(text="Nobody assigned this one.")])
    db.session.commit()
    login(client, "alice")
    page = client.get("/").get_data(as_text=True)
    assert "news" in page and "secret merger coverage" not in page
    assert client.get(f"/datasets/{secret.id}").status_code == 404
    reviewer = app.test_client()
    make_user("rita", "reviewer")
    login(reviewer, "rita")
    assert "secret merger coverage" in reviewer.get("/").get_data(as_text=True)


def test_instance_files_are_the_owners_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "instance"
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{instance / 'a.sqlite'}",
                      "HUEY_URL": f"sqlite:///{instance / 'jobs.sqlite'}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    folder = Path(app.instance_path)
    files = [folder / "secret_key", folder / "a.sqlite"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(database_url: str, tmp_path: Path) -> None:
    with app_with_schema(database_url, tmp_path, WTF_CSRF_ENABLED=False, TRUSTED_PROXIES=1) as app:
        make_user("alice")
        app.test_client().post("/login", data={"name": "alice", "password": "nope"},
                               headers={"X-Forwarded-For": "203.0.113.7"})
        assert failures(address_key("203.0.113.7")) == 1


def test_import_refuses_meta_nested_too_deep_naming_the_line() -> None:
    from annotator.formats.errors import FormatError
    from annotator.formats.task_fields import MAX_META_DEPTH, Where, nesting_depth, read_meta

    deep: dict[str, object] = {}
    inner = deep
    for _ in range(300):
        inner["x"] = {}
        inner = inner["x"]  # type: ignore[assignment]
    assert nesting_depth(deep) == 301 and nesting_depth({"a": [1, {"b": 2}]}) == 3 and nesting_depth(5) == 0
    with pytest.raises(FormatError) as err:
        read_meta({"text": "x", "meta": deep}, Where("news.jsonl", 7))
    assert "news.jsonl" in str(err.value) and "7" in str(err.value) and "meta" in str(err.value)
    assert read_meta({"meta": {"a": {"b": 1}}}, Where("news.jsonl", 1)) == {"a": {"b": 1}}
    assert MAX_META_DEPTH >= 8
