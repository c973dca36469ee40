"""Who may do what: every rule of the URL map, for anonymous, annotator, reviewer and admin.

Adding a route? Add one row to EXPECTED below. Each case is c("ABCD", **url_values) where the four
letters are the outcome for anonymous, annotator, reviewer, admin:
  L  sent to log in (302 to /login, or 401 on /api/)    F  refused (403)
  O  let through (anything else below 500: 2xx, 3xx elsewhere, 400, 409, 422)    N  not found (404)
URL variables default to DEFAULT_IDS (fixture objects); override one with e.g. set_id="gold_set".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, ApiToken, Job, User
from annotator.services.tokens import issue_token
from annotator.services.annotations import gold_set, model_set, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import make_user

ROLES = ("anonymous", "annotator", "reviewer", "admin")
USERS = {"annotator": "anna", "reviewer": "rita", "admin": "ada"}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Case:
    """Expected outcomes per role for one set of URL values (and, optionally, one method)."""

    expect: str
    method: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


def c(expect: str, method: str | None = None, *, json: dict[str, Any] | None = None,
      data: dict[str, Any] | None = None, **ids: str) -> Case:
    """One row's case: c("LOOO"), c("LFOO", set_id="gold_set"), c("LOFF", "PUT")."""
    assert len(expect) == 4 and set(expect) <= set("LFON"), expect
    return Case(expect, method, ids, json, data)


EXPECTED: dict[str, list[Case]] = {
    "static": [c("OOOO")],
    "auth.login": [c("OOOO")],
    "auth.logout": [c("LLLL")],  # everyone lands on the login page, logged out
    "datasets.index": [c("LOOO")],
    "datasets.show": [c("LOOO")],
    "datasets.document": [c("LOOO"), c("LFOO", document_id="other_document")],
    "api.read_set": [c("LOOO"), c("LFOO", set_id="other_set"), c("LFOO", set_id="gold_set"),
                     c("LFOO", set_id="model_set"), c("LNNN", set_id="missing")],
    "api.save_set": [c("LOFF"), c("LFFF", set_id="other_set"), c("LFOO", set_id="gold_set"),
                     c("LFFF", set_id="model_set")],
    "api.change_status": [c("LOFF"), c("LFFF", set_id="other_set"), c("LFOO", set_id="gold_set"),
                          c("LFFF", set_id="model_set")],
    "api.fresh_csrf": [c("LOOO")],
    "editor.next_document": [c("LOOO")],
    "editor.annotate": [c("LOFF"), c("LFFF", set_id="other_set"), c("LFOO", set_id="gold_set"),
                        c("LFFF", set_id="model_set"), c("LNNN", set_id="missing")],
    "profile.show": [c("LOOO")],
    "profile.change_password": [c("LOOO")],
    "profile.create_token": [c("LOOO")],
    "profile.end_sessions": [c("LOOO")],
    "profile.revoke": [c("LOOO"), c("LNNN", token_id="other_token")],
    "review.page": [c("LFOO")],
    "review.take": [c("LFOO")],
    "review.remove": [c("LFOO")],
    "review.accept_agreed": [c("LFOO")],
    "review.mark_reviewed": [c("LFOO")],
    "review.document_history": [c("LFOO")],
    "review.restore": [c("LFFF"), c("LFFF", set_id="other_set"), c("LFOO", set_id="gold_set"),
                       c("LFFF", set_id="model_set")],
    "review.undo": [c("LFOO")],
    "api.review_take": [c("LFOO")],
    "api.review_remove": [c("LFOO")],
    "api.review_agreed": [c("LFOO")],
    "api.review_done": [c("LFOO")],
    "api.review_reopen": [c("LFOO")],
    "api.review_undo": [c("LFOO")],
    "review.reopen": [c("LFOO")],
    "review.dashboard": [c("LFOO")],
    "api.dataset_agreement_json": [c("LFOO")],
    "api.document_agreement_json": [c("LFOO")],
    "api.review_json": [c("LFOO")],
    "admin.users": [c("LFFO")],
    "admin.change_role": [c("LFFO")],
    "admin.toggle_active": [c("LFFO")],
    "admin.settings": [c("LFFO")],
    "admin.assign_page": [c("LFFO")],
    "admin.auto_assign": [c("LFFO")],
    "admin.assign_manual": [c("LFFO")],
    "admin.move": [c("LFFO")],
    "transfer.export": [c("LFOO")],
    "transfer.upload": [c("LFFO")],
    "transfer.job": [c("LFFO")],
    "transfer.download": [c("LFFN")],  # the fixture job is an import: no file
    "api.job_status": [c("LFFO")],
    "models.page": [c("LFOO")],
    "models.evaluate": [c("LFOO")],
    "models.train": [c("LFFO")],
    "models.preannotate": [c("LFFO")],
    "models.job": [c("LFNN")],  # the fixture job is an import, not a model job
}

DEFAULT_IDS = {
    "dataset_id": "dataset", "document_id": "document", "set_id": "own_set", "job_id": "job",
    "user_id": "other_user", "token_id": "own_token", "filename": "static_file",
}


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Users of every role, a dataset with two documents, sets of every kind, a job and tokens."""
    users = {role: make_user(name, role) for role, name in USERS.items()}
    otto = make_user("otto")
    dataset = get_or_create_dataset("news")
    ids = import_records(dataset, [Record(text="Ana Ruiz visited Paris on Monday."),
                                   Record(text="Omar Diaz left Lima on Tuesday.")]).document_ids
    own = user_set(ids[0], users["annotator"], create=True)
    other = user_set(ids[0], otto, create=True)
    gold = gold_set(ids[0], create=True)
    job = Job(kind="import", dataset_id=dataset.id, user_id=users["admin"].id, status="done")
    db.session.add(job)
    tokens = {role: issue_token(user, "script")[0] for role, user in users.items()}
    other_token = issue_token(otto, "otto's")[0]
    db.session.commit()
    model = model_set(ids[0])
    assert own and other and gold and model
    return {
        "users": users, "tokens": tokens,
        "objects": {"dataset": dataset.id, "document": ids[0], "other_document": ids[1], "own_set": own.id,
                    "other_set": other.id, "gold_set": gold.id, "model_set": model.id, "missing": 999_999,
                    "job": job.id, "other_user": otto.id, "other_token": other_token.id,
                    "static_file": "css/app.css"},
    }


def _url_values(world: dict[str, Any], role: str, rule: Any, case: Case) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        key = case.ids.get(name, DEFAULT_IDS.get(name))
        assert key is not None, f"{rule.endpoint}: no fixture object for <{name}>; add one to DEFAULT_IDS"
        if key == "own_token":
            values[name] = world["tokens"][role].id if role != "anonymous" else world["objects"]["other_token"]
        else:
            values[name] = world["objects"][key]
    return values


def _body(rule: Any, method: str, values: dict[str, Any], case: Case) -> dict[str, Any]:
    """A well-formed body, so the role check (not validation) decides; JSON at the set's version."""
    if method == "GET":
        return {}
    if case.json is not None or case.data is not None:
        return {"json": case.json} if case.json is not None else {"data": case.data}
    if rule.rule.startswith("/api/"):
        aset = db.session.get(AnnotationSet, values.get("set_id", 0))
        version = aset.version if aset is not None else 1
        return {"json": {"version": version, "ops": [], "status": "in_progress"}}
    return {"data": {}}


def _outcome(response: Any) -> str:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    response.close()  # a streamed download (stream_with_context) holds its request context until closed
    if status == 401 or (status in (302, 303) and "/login" in response.headers.get("Location", "")):
        return "L"
    return {403: "F", 404: "N"}.get(status, "O")


def _act_as(client: FlaskClient, user: User | None) -> None:
    """Log the client in by setting its session (cheaper than a scrypt check per request)."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


def test_every_endpoint_has_expectations(app: Flask) -> None:
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(EXPECTED))
    assert not missing, (f"Endpoints without access expectations: {missing}. "
                         "Add a row for each to EXPECTED in tests/app/test_access.py.")
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            assert any(case.method in (None, method) for case in EXPECTED[rule.endpoint]), (
                f"{rule.endpoint} {method}: no case covers this method in EXPECTED")


def test_table_has_no_stale_rows(app: Flask) -> None:
    stale = set(EXPECTED) - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not stale, f"EXPECTED lists endpoints the app no longer has: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_access_rules(app: Flask, client: FlaskClient, world: dict[str, Any], role: str) -> None:
    user = world["users"].get(role)
    wrong: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        for case in EXPECTED.get(rule.endpoint, []):
            methods = sorted((rule.methods or set()) - SKIPPED_METHODS)
            for method in [m for m in methods if case.method in (None, m)]:
                values = _url_values(world, role, rule, case)
                url = app.url_for(rule.endpoint, **values)
                _act_as(client, db.session.get(User, user.id) if user else None)
                response = client.open(url, method=method, **_body(rule, method, values, case))
                db.session.expire_all()
                expected = case.expect[ROLES.index(role)]
                got = _outcome(response)
                if got != expected:
                    wrong.append(f"{method} {url} ({rule.endpoint}): expected {expected}, got {got} "
                                 f"({response.status_code})")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


def test_tokens_in_the_world_are_live(world: dict[str, Any]) -> None:
    """The token rows the table relies on exist and are unrevoked before the walk."""
    count = db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None)))
    assert count == len(USERS) + 1
