"""Two saves from the same version: one wins, the other gets 409; nothing is silently overwritten."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator import create_app
from annotator.db import db
from annotator.models import ITEM_MODELS, AnnotationSet, AuditEvent, EntitySpan, User, annotation_of
from annotator.services.annotations import VersionConflict, apply_ops, ensure_seeded, parse_ops, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import login, make_user

TEXT = "Ana Ruiz visited Paris on Monday with Omar Diaz."


def own_set(name: str) -> AnnotationSet:
    """An annotator with a seeded set on a fresh document, emptied so test spans never overlap."""
    user = make_user(name)
    result = import_records(get_or_create_dataset("news"), [Record(text=TEXT)])
    aset = user_set(result.document_ids[0], user, create=True)
    assert aset is not None
    ensure_seeded(aset)
    for model in ITEM_MODELS.values():
        db.session.execute(sa.delete(model).where(model.set_id == aset.id))
    db.session.commit()
    return aset


def upsert(uid: str, start: int, end: int, label: str = "PERSON") -> dict[str, Any]:
    return {"op": "upsert", "layer": "entities", "item": {"uid": uid, "start": start, "end": end, "label": label}}


def entity_uids(set_id: int) -> set[str]:
    db.session.expire_all()
    return {e.uid for e in annotation_of(set_id).entities}


def test_second_save_from_the_same_version_gets_409(app: Flask) -> None:
    aset = own_set("anna")
    tab1, tab2 = app.test_client(), app.test_client()
    login(tab1, "anna")
    login(tab2, "anna")
    version = tab1.get(f"/api/sets/{aset.id}").json["version"]
    assert tab2.get(f"/api/sets/{aset.id}").json["version"] == version
    first = tab1.put(f"/api/sets/{aset.id}", json={"version": version, "ops": [upsert("mine", 38, 42, "PERSON")]})
    assert first.status_code == 200 and first.json["version"] == version + 1
    second = tab2.put(f"/api/sets/{aset.id}", json={"version": version, "ops": [upsert("theirs", 17, 22, "LOC")]})
    assert second.status_code == 409
    assert "changed elsewhere" in second.json["error"] and "not saved" in second.json["error"]
    current = second.json["current"]
    assert current["version"] == version + 1
    assert "mine" in {e["uid"] for e in current["annotation"]["entities"]}
    uids = entity_uids(aset.id)
    assert "mine" in uids and "theirs" not in uids
    retried = tab2.put(f"/api/sets/{aset.id}",
                       json={"version": current["version"], "ops": [upsert("theirs", 17, 22, "LOC")]})
    assert retried.status_code == 200
    assert {"mine", "theirs"} <= entity_uids(aset.id)


def test_status_change_from_a_stale_version_gets_409(app: Flask, client: FlaskClient) -> None:
    aset = own_set("anna")
    login(client, "anna")
    version = aset.version
    assert client.put(f"/api/sets/{aset.id}", json={"version": version, "ops": []}).status_code == 200
    stale = client.post(f"/api/sets/{aset.id}/status", json={"version": version, "status": "submitted"})
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(AnnotationSet, aset.id).status != "submitted"


def test_two_connections_race_one_wins(app: Flask) -> None:
    """Two threads, each with its own connection, edit the same set from the same version at once."""
    aset = own_set("anna")
    set_id, version, user_id = aset.id, aset.version, aset.user_id
    db.session.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def save(uid: str, start: int, end: int) -> None:
        with app.app_context():
            try:
                target = db.session.get(AnnotationSet, set_id)
                user = db.session.get(User, user_id)
                assert target is not None and target.version == version
                ops = parse_ops([upsert(uid, start, end)])
                barrier.wait()
                apply_ops(target, ops, user=user, expected_version=version)
                db.session.commit()
                outcomes[uid] = "saved"
            except VersionConflict:
                db.session.rollback()
                outcomes[uid] = "conflict"
            except Exception as err:  # noqa: BLE001 - recorded and asserted on below
                db.session.rollback()
                outcomes[uid] = f"error: {type(err).__name__}: {err}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=args) for args in (("first", 0, 8), ("second", 38, 48))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    winner = next(uid for uid, outcome in outcomes.items() if outcome == "saved")
    loser = next(uid for uid, outcome in outcomes.items() if outcome == "conflict")
    db.session.expire_all()
    assert db.session.get(AnnotationSet, set_id).version == version + 1
    uids = entity_uids(set_id)
    assert winner in uids and loser not in uids
    logged = db.session.scalars(sa.select(AuditEvent.item_uid).where(AuditEvent.set_id == set_id,
                                                                     AuditEvent.version == version + 1))
    assert loser not in set(logged)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntitySpan)
                             .where(EntitySpan.set_id == set_id, EntitySpan.uid == loser)) == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    wal_app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite'}",
                          "SECRET_KEY": "t", "HUEY_URL": f"sqlite:///{tmp_path / 'jobs.sqlite'}"})
    with wal_app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == wal_app.config["SQLITE_BUSY_TIMEOUT_MS"]
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
