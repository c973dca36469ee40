"""API tokens, password changes, login throttling, CSRF with it switched on, cookies and headers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AnnotationSet, ApiToken, User, annotation_of, utcnow
from annotator.services.tokens import hash_token
from annotator.services.annotations import user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.throttle import Rule, failures
from annotator.services.users import account_key, address_key, authenticate
from apptools import PASSWORD, app_with_schema, login, make_user

TEXT = "Ana Ruiz visited Paris on Monday."
ENTITY = {"uid": "e-new", "start": 0, "end": 8, "label": "PERSON"}


def own_set(name: str) -> AnnotationSet:
    """A document with a set of the named annotator's own."""
    user = db.session.scalar(sa.select(User).where(User.name == name)) or make_user(name)
    result = import_records(get_or_create_dataset("news"), [Record(text=TEXT)])
    aset = user_set(result.document_ids[0], user, create=True)
    db.session.commit()
    assert aset is not None
    return aset


def create_token(client: FlaskClient, name: str = "script") -> str:
    """Create a token through the profile page and read it off the page."""
    response = client.post("/profile/tokens", data={"name": name})
    assert response.status_code == 201
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert match
    return match.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def csrf_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app with CSRF protection switched on, as in production."""
    with app_with_schema(database_url, tmp_path) as app:
        yield app


def csrf_token_of(client: FlaskClient, path: str = "/profile") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match
    return match.group(1)


def csrf_login(client: FlaskClient, name: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


# --- API tokens ---------------------------------------------------------------------------------

def test_token_is_shown_once_and_only_its_hash_is_stored(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    token = create_token(client, "nightly export")
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.name == "nightly export"
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    again = client.get("/profile").get_data(as_text=True)
    assert "nightly export" in again and token not in again


def test_token_authenticates_api_calls(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    token = create_token(client)
    script = app.test_client()
    response = script.get(f"/api/sets/{aset.id}", headers=bearer(token))
    assert response.status_code == 200 and response.json["owner"] == "alice"
    saved = script.put(f"/api/sets/{aset.id}", headers=bearer(token),
                       json={"version": response.json["version"], "ops": [
                           {"op": "upsert", "layer": "entities", "item": ENTITY}]})
    assert saved.status_code == 200, saved.json


def test_token_does_not_authenticate_pages(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    token = create_token(client)
    script = app.test_client()
    for path in ("/", "/profile"):
        response = script.get(path, headers=bearer(token))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_revoked_or_wrong_token_is_refused(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    token = create_token(client)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    assert db.session.get(ApiToken, token_id).revoked_at is not None
    script = app.test_client()
    for value in (token, token + "x", "ann_guess"):
        response = script.get(f"/api/sets/{aset.id}", headers=bearer(value))
        assert response.status_code == 401
        assert "token" in response.json["error"]
    assert "revoked" in client.get("/profile").get_data(as_text=True)


def test_tokens_of_disabled_users_are_refused(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    token = create_token(client)
    db.session.get(User, aset.user_id).active = False
    db.session.commit()
    assert app.test_client().get(f"/api/sets/{aset.id}", headers=bearer(token)).status_code == 401


def test_nobody_revokes_another_users_token(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    make_user("mallory")
    login(client, "alice")
    create_token(client)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    other = app.test_client()
    login(other, "mallory")
    assert other.post(f"/profile/tokens/{token_id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_token_needs_a_name(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    assert client.post("/profile/tokens", data={"name": ""}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


# --- passwords and logins -----------------------------------------------------------------------

def test_change_password(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    new = "a much better passphrase"
    response = client.post("/profile/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert "password was changed" in client.get("/profile").get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"name": "alice", "password": new}).status_code == 302


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong password", "a much better passphrase", "a much better passphrase", "current password is wrong"),
    (PASSWORD, "short", "short", "at least 8"),
    (PASSWORD, "a much better passphrase", "a much better passphrasf", "two new passwords differ"),
])
def test_change_password_refusals(app: Flask, client: FlaskClient, current: str, new: str, confirm: str,
                                  message: str) -> None:
    user = make_user("alice")
    before = user.password_hash
    login(client, "alice")
    response = client.post("/profile/password", data={"current": current, "new": new, "confirm": confirm})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before


def test_passwords_are_salted_scrypt(app: Flask) -> None:
    first, second = make_user("alice"), make_user("bob")
    assert first.password_hash.startswith("scrypt:") and second.password_hash.startswith("scrypt:")
    assert first.password_hash != second.password_hash
    assert first.check_password(PASSWORD) and not first.check_password(PASSWORD + "!")


def test_throttling_slows_then_lets_in_after_a_short_wait(app: Flask) -> None:
    make_user("alice")
    app.config.update(LOGIN_FIRST_DELAY=1.0, LOGIN_LONGEST_DELAY=1.0)
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert authenticate("alice", "wrong", address="10.0.0.1") is None
    assert authenticate("alice", PASSWORD, address="10.0.0.1") is None  # within the wait: not even checked
    time.sleep(1.05)
    assert authenticate("alice", PASSWORD, address="10.0.0.1") is not None
    assert failures(account_key("alice")) == 0


def test_throttling_counts_only_consecutive_failures(app: Flask) -> None:
    make_user("alice")
    for _ in range(3):
        for _ in range(app.config["LOGIN_FREE_ATTEMPTS"] - 1):
            authenticate("alice", "wrong", address="10.0.0.1")
        assert authenticate("alice", PASSWORD, address="10.0.0.1") is not None


def test_waits_grow_exponentially_up_to_the_longest() -> None:
    rule = Rule(free=5, base=1.0, longest=30.0, window=900)
    assert [rule.delay(n) for n in (1, 5, 6, 7, 8, 9, 10, 11, 50)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]


def test_one_address_is_slowed_across_accounts(app: Flask) -> None:
    app.config.update(LOGIN_ADDRESS_FREE_ATTEMPTS=3, LOGIN_FIRST_DELAY=30.0)
    make_user("alice")
    for name in ("bob", "carol", "dave"):
        assert authenticate(name, "guess", address="10.0.0.9") is None
    assert authenticate("alice", PASSWORD, address="10.0.0.9") is None
    assert authenticate("alice", PASSWORD, address="10.0.0.10") is not None  # others are not locked out
    assert failures(address_key("10.0.0.9")) == 4


def test_password_change_is_throttled(app: Flask, client: FlaskClient) -> None:
    user = make_user("alice")
    before = user.password_hash
    login(client, "alice")
    new = "a much better passphrase"
    for _ in range(12):
        client.post("/profile/password", data={"current": "guess", "new": new, "confirm": new})
    response = client.post("/profile/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 422 and "too many attempts" in response.get_data(as_text=True)
    assert failures(f"password:{user.id}") == 13
    db.session.refresh(user)
    assert user.password_hash == before


# --- CSRF switched on ---------------------------------------------------------------------------

def test_csrf_required_on_api_writes(csrf_app: Flask) -> None:
    aset = own_set("alice")
    client = csrf_app.test_client()
    csrf_login(client, "alice")
    body = {"version": aset.version, "ops": [{"op": "upsert", "layer": "entities", "item": ENTITY}]}
    assert client.put(f"/api/sets/{aset.id}", json=body).status_code == 400
    assert client.post(f"/api/sets/{aset.id}/status", json={"version": 1, "status": "submitted"}).status_code == 400
    assert annotation_of(aset.id).entities == []
    header = {"X-CSRFToken": csrf_token_of(client)}
    saved = client.put(f"/api/sets/{aset.id}", json=body, headers=header)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    status = client.post(f"/api/sets/{aset.id}/status", headers=header,
                         json={"version": saved.json["version"], "status": "submitted"})
    assert status.status_code == 200


def test_csrf_required_on_forms(csrf_app: Flask) -> None:
    make_user("alice")
    client = csrf_app.test_client()
    csrf_login(client, "alice")
    assert client.post("/profile/tokens", data={"name": "x"}).status_code == 400
    assert client.post("/logout").status_code == 400
    new = "a much better passphrase"
    assert client.post("/profile/password",
                       data={"current": PASSWORD, "new": new, "confirm": new}).status_code == 400
    token = csrf_token_of(client)
    assert client.post("/profile/tokens", data={"name": "x", "csrf_token": token}).status_code == 201
    assert client.post("/profile/password",
                       data={"current": PASSWORD, "new": new, "confirm": new, "csrf_token": token}).status_code == 302


def test_token_calls_skip_csrf_but_revoked_tokens_do_not(csrf_app: Flask) -> None:
    aset = own_set("alice")
    client = csrf_app.test_client()
    csrf_login(client, "alice")
    response = client.post("/profile/tokens", data={"name": "s", "csrf_token": csrf_token_of(client)})
    token = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    body = {"version": aset.version, "ops": [{"op": "upsert", "layer": "entities", "item": ENTITY}]}
    script = csrf_app.test_client()
    assert script.put(f"/api/sets/{aset.id}", json=body, headers=bearer(token)).status_code == 200
    db.session.scalar(sa.select(ApiToken)).revoked_at = utcnow()
    db.session.commit()
    refused = script.put(f"/api/sets/{aset.id}", json=body, headers=bearer(token))
    assert refused.status_code == 401 and "revoked" in refused.json["error"]


# --- cookies and headers ------------------------------------------------------------------------

def test_session_cookie_flags(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    response = client.post("/login", data={"name": "alice", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember


def test_secure_cookies_when_configured(database_url: str, tmp_path: Path) -> None:
    with app_with_schema(database_url, tmp_path, WTF_CSRF_ENABLED=False, SESSION_COOKIE_SECURE=True) as app:
        assert app.config["REMEMBER_COOKIE_SECURE"] is True
        make_user("alice")
        response = app.test_client().post("/login", base_url="https://localhost",
                                          data={"name": "alice", "password": PASSWORD})
        session = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
        assert "Secure" in session and "HttpOnly" in session


@pytest.mark.parametrize("path", ["/login", "/", "/api/sets/999", "/no-such-page", "/static/css/app.css"])
def test_every_response_carries_security_headers(app: Flask, client: FlaskClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_anonymous_api_call_gets_json_401(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/sets/1")
    assert response.status_code == 401 and response.is_json
