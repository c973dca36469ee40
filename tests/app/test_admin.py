"""Admin pages: users and roles, dataset settings, assignment; refused to everyone else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, Dataset
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from apptools import login, make_user


def dataset_with(n_docs: int) -> Dataset:
    dataset = get_or_create_dataset("team")
    import_records(dataset, [Record(text=f"Article {i} about Paris.") for i in range(n_docs)], preannotate=False)
    db.session.commit()
    return dataset


def admin_urls(dataset_id: int, user_id: int) -> list[tuple[str, str]]:
    return [("get", "/admin/users"), ("post", "/admin/users"), ("post", f"/admin/users/{user_id}/role"),
            ("post", f"/admin/users/{user_id}/active"), ("get", f"/admin/datasets/{dataset_id}"),
            ("get", f"/admin/datasets/{dataset_id}/assign"), ("post", f"/admin/datasets/{dataset_id}/assign/auto"),
            ("post", f"/admin/datasets/{dataset_id}/assign/manual"), ("post", f"/admin/datasets/{dataset_id}/assign/move")]


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_admin_pages_are_for_admins_only(app: Flask, client: FlaskClient, role: str) -> None:
    dataset = dataset_with(1)
    other = make_user("other")
    make_user("someone", role)
    login(client, "someone")
    for method, url in admin_urls(dataset.id, other.id):
        assert getattr(client, method)(url).status_code == 403, url
    assert ">Admin</a>" not in client.get("/").get_data(as_text=True)


def test_create_user_change_role_and_deactivate(app: Flask, admin_client: FlaskClient) -> None:
    assert ">Admin</a>" in admin_client.get("/").get_data(as_text=True)
    created = admin_client.post("/admin/users", data={"name": "rita", "password": "long enough", "role": "reviewer"})
    assert created.status_code == 302
    rita = find_user("rita")
    assert rita.role == "reviewer" and rita.check_password("long enough")
    duplicate = admin_client.post("/admin/users", data={"name": "rita", "password": "long enough", "role": "admin"})
    assert "already exists" in duplicate.get_data(as_text=True)
    admin_client.post(f"/admin/users/{rita.id}/role", data={"role": "annotator"})
    admin_client.post(f"/admin/users/{rita.id}/active")
    db.session.refresh(rita)
    assert (rita.role, rita.active) == ("annotator", False)
    admin_client.post(f"/admin/users/{rita.id}/active")
    db.session.refresh(rita)
    assert rita.active
    assert admin_client.post(f"/admin/users/{find_user('ada').id}/active").status_code == 400


def test_dataset_settings_form(app: Flask, admin_client: FlaskClient) -> None:
    dataset = dataset_with(1)
    page = admin_client.get(f"/admin/datasets/{dataset.id}").get_data(as_text=True)
    assert "Annotators per document" in page
    saved = admin_client.post(f"/admin/datasets/{dataset.id}", data={
        "entity_labels": "PERSON, ORG GPE", "stance_polarities": "favor against", "annotators_per_doc": "3",
        "guidelines": "# Mark people"})
    assert saved.status_code == 302
    db.session.refresh(dataset)
    assert (dataset.entity_labels, dataset.stance_polarities, dataset.annotators_per_doc, dataset.guidelines) == (
        ["PERSON", "ORG", "GPE"], ["favor", "against"], 3, "# Mark people")
    bad = admin_client.post(f"/admin/datasets/{dataset.id}", data={"stance_polarities": "x", "annotators_per_doc": "0"})
    assert bad.status_code == 200 and "Number must be" in bad.get_data(as_text=True)


def test_dataset_speaker_labels_setting(app: Flask, admin_client: FlaskClient) -> None:
    dataset = dataset_with(1)
    assert dataset.speaker_labels == ["PERSON", "ORG", "NORP", "GPE"]
    page = admin_client.get(f"/admin/datasets/{dataset.id}").get_data(as_text=True)
    assert 'name="speaker_labels"' in page and 'value="PERSON ORG NORP GPE"' in page
    form = {"entity_labels": "PERSON ORG GPE DATE", "stance_polarities": "favor against", "annotators_per_doc": "1"}
    assert admin_client.post(f"/admin/datasets/{dataset.id}", data={**form, "speaker_labels": "ORG, PERSON"}).status_code == 302
    db.session.refresh(dataset)
    assert dataset.speaker_labels == ["ORG", "PERSON"]
    refused = admin_client.post(f"/admin/datasets/{dataset.id}", data={**form, "speaker_labels": "PERSON PERSNO"})
    assert refused.status_code == 200
    assert "PERSNO is not one of the entity labels (PERSON, ORG, GPE, DATE)" in refused.get_data(as_text=True)
    db.session.refresh(dataset)
    assert dataset.speaker_labels == ["ORG", "PERSON"] and dataset.entity_labels == ["PERSON", "ORG", "GPE", "DATE"]
    # Dropping an entity label drops it from the speaker labels shown in the same form.
    dropped = {**form, "entity_labels": "PERSON GPE DATE", "speaker_labels": "ORG PERSON"}
    assert admin_client.post(f"/admin/datasets/{dataset.id}", data=dropped).status_code == 302
    db.session.refresh(dataset)
    assert dataset.speaker_labels == ["PERSON"]


def test_assignment_page_auto_manual_and_move(app: Flask, admin_client: FlaskClient) -> None:
    dataset = dataset_with(2)
    ann, ben = make_user("ann"), make_user("ben")
    admin_client.post(f"/admin/datasets/{dataset.id}/assign/auto")
    sets = list(db.session.scalars(sa.select(AnnotationSet).where(AnnotationSet.kind == "annotator")))
    assert sorted(s.user_id for s in sets) == sorted([ann.id, ben.id])
    doc_of_ann = next(s.document_id for s in sets if s.user_id == ann.id)
    admin_client.post(f"/admin/datasets/{dataset.id}/assign/manual",
                      data={"assign-document": doc_of_ann, "assign-user": ben.id})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnotationSet)
                             .where(AnnotationSet.user_id == ben.id)) == 2
    bens = next(s for s in sets if s.user_id == ben.id)
    moved = admin_client.post(f"/admin/datasets/{dataset.id}/assign/move",
                              data={"move-aset": bens.id, "move-user": ann.id}, follow_redirects=True)
    assert "Moved to ann" in moved.get_data(as_text=True)
    page = admin_client.get(f"/admin/datasets/{dataset.id}/assign").get_data(as_text=True)
    assert "Assign automatically" in page and "document" in page
