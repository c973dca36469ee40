"""A NUL character typed or pasted into any form is refused with the field named, on every database
(PostgreSQL keeps none in text; the request would fail with a server error)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import Dataset, User
from annotator.services.importer import get_or_create_dataset


def test_dataset_settings_with_a_nul_are_refused_and_nothing_changes(app: Flask, admin_client: FlaskClient) -> None:
    dataset = get_or_create_dataset("news")
    db.session.commit()
    form = {"entity_labels": "PERSON ORG", "stance_polarities": "favor against", "annotators_per_doc": "1"}
    refused = admin_client.post(f"/admin/datasets/{dataset.id}", data={**form, "guidelines": "Mark\x00 people"})
    assert refused.status_code == 200 and "contains a NUL character" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Dataset.guidelines)) in ("", None)
    saved = admin_client.post(f"/admin/datasets/{dataset.id}", data={**form, "guidelines": "Mark people"})
    assert saved.status_code == 302


def test_a_user_name_with_a_nul_is_refused(app: Flask, admin_client: FlaskClient) -> None:
    refused = admin_client.post("/admin/users", data={"name": "ri\x00ta", "password": "long enough", "role": "annotator"})
    assert "contains a NUL character" in refused.get_data(as_text=True)
    assert refused.status_code == 200 and db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.name.like("ri%"))) == 0
