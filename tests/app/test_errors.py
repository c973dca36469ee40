"""One error family mapped in one place; one commit helper; nothing written on GET."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from annotator.db import committing, db
from annotator.errors import Conflict, InvalidInput
from annotator.models import AnnotationSet, Dataset, annotation_of
from annotator.services.annotations import user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import login, make_user


def _refusing_routes(app: Flask) -> None:
    """Routes that change the database, then raise one of the family."""
    bp = Blueprint("refusing", __name__)

    def change_then(error: Exception) -> str:
        with committing():
            db.session.add(Dataset(name="half-written"))
            db.session.flush()
            raise error

    # JSON answers are decided by blueprint: these two are endpoints of the API blueprint ("api.*")
    app.add_url_rule("/api/refuse-invalid", "api.refuse_invalid",
                     lambda: change_then(InvalidInput("too long", field="name")), methods=["POST"])
    app.add_url_rule("/api/refuse-conflict", "api.refuse_conflict", lambda: change_then(Conflict("moved on")),
                     methods=["POST"])
    bp.add_url_rule("/refuse-invalid", "page_invalid", lambda: change_then(InvalidInput("too long", field="name")),
                    methods=["POST"])
    app.register_blueprint(bp)


@pytest.mark.parametrize("path, code, field", [("/api/refuse-invalid", 422, "name"),
                                               ("/api/refuse-conflict", 409, "")])
def test_api_errors_are_json_with_their_code_and_nothing_is_kept(app: Flask, client: FlaskClient, path: str,
                                                                 code: int, field: str) -> None:
    _refusing_routes(app)
    response = client.post(path)
    assert response.status_code == code and response.json["status"] == code
    assert response.json["field"] == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dataset)) == 0


def test_page_errors_are_flashed_and_go_back(app: Flask, client: FlaskClient) -> None:
    _refusing_routes(app)
    make_user("ann")
    login(client, "ann")
    response = client.post("/refuse-invalid", headers={"Referer": "http://localhost/datasets/"})
    assert response.status_code == 302 and response.location.endswith("/datasets/")
    with client.session_transaction() as session:
        assert ("error", "Not saved: name: too long") in session["_flashes"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dataset)) == 0


def test_opening_the_editor_writes_nothing_and_the_first_save_seeds(app: Flask, client: FlaskClient) -> None:
    dataset = get_or_create_dataset("news")
    doc_id = import_records(dataset, [Record(text="Ana Ruiz visited Paris on Monday.")]).document_ids[0]
    ann = make_user("ann")
    aset = user_set(doc_id, ann, create=True)
    db.session.commit()
    login(client, "ann")
    version = aset.version
    read = client.get(f"/api/sets/{aset.id}").json
    assert client.get(f"/annotate/{aset.id}").status_code == 200
    db.session.expire_all()
    assert not db.session.get(AnnotationSet, aset.id).seeded and read["annotation"]["entities"]
    saved = client.put(f"/api/sets/{aset.id}", json={"version": version, "ops": []})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    db.session.expire_all()
    entities = [e.to_dict() for e in annotation_of(aset.id).entities]
    assert db.session.get(AnnotationSet, aset.id).seeded and entities == read["annotation"]["entities"]
