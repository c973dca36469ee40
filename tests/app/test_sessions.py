"""Sessions die with logout and password changes; tokens expire; parallel guesses are all counted."""

from __future__ import annotations

import re
import statistics
import threading
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import ApiToken, User, utcnow
from annotator.services.annotations import user_set
from annotator.services.throttle import failures
from annotator.services.users import account_key
from apptools import PASSWORD, login, make_user
from test_security import ENTITY, bearer, create_token, own_set

NEW = "a much better passphrase"


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def with_cookie(app: Flask, name: str, value: str) -> FlaskClient:
    """A fresh browser holding a copy of one cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def logged_in(client: FlaskClient) -> bool:
    return client.get("/profile").status_code == 200


def test_copied_session_cookie_is_refused_after_logout(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    copied = cookie(client, "session")
    assert logged_in(with_cookie(app, "session", copied))
    assert client.post("/logout").status_code == 302
    assert not logged_in(with_cookie(app, "session", copied))


def test_remember_cookie_dies_with_logout_and_password_change(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    client.post("/login", data={"name": "alice", "password": PASSWORD, "remember": "y"})
    remembered = cookie(client, "remember_token")
    assert logged_in(with_cookie(app, "remember_token", remembered))
    client.post("/logout")
    assert not logged_in(with_cookie(app, "remember_token", remembered))
    client.post("/login", data={"name": "alice", "password": PASSWORD, "remember": "y"})
    remembered = cookie(client, "remember_token")
    response = client.post("/profile/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert logged_in(client), "the browser that changed the password stays logged in"
    assert not logged_in(with_cookie(app, "remember_token", remembered))


def test_log_out_everywhere_else_keeps_this_browser(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    elsewhere = app.test_client()
    login(elsewhere, "alice")
    login(client, "alice")
    assert logged_in(elsewhere)
    assert client.post("/profile/sessions/end").status_code == 302
    assert logged_in(client)
    assert not logged_in(elsewhere)
    assert db.session.scalar(sa.select(User.session_version)) > 1


def test_password_change_revokes_tokens_unless_kept(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    token = create_token(client)
    script = app.test_client()
    client.post("/profile/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW, "keep_tokens": "y"})
    assert script.get(f"/api/sets/{aset.id}", headers=bearer(token)).status_code == 200
    client.post("/profile/password", data={"current": NEW, "new": PASSWORD, "confirm": PASSWORD})
    assert script.get(f"/api/sets/{aset.id}", headers=bearer(token)).status_code == 401
    assert "revoked" in client.get("/profile").get_data(as_text=True)


def test_tokens_expire(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    response = client.post("/profile/tokens", data={"name": "short", "expires": "30"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.expires_at is not None
    script = app.test_client()
    assert script.get(f"/api/sets/{aset.id}", headers=bearer(token)).status_code == 200
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    refused = script.get(f"/api/sets/{aset.id}", headers=bearer(token))
    assert refused.status_code == 401 and "expired" in refused.json["error"]
    assert "expired" in client.get("/profile").get_data(as_text=True)


def test_token_use_is_recorded_on_reads(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    login(client, "alice")
    token = create_token(client)
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is None
    assert app.test_client().get(f"/api/sets/{aset.id}", headers=bearer(token)).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_the_bearer_token_alone_decides_who_acts(app: Flask, client: FlaskClient) -> None:
    alices = own_set("alice")
    bobs = user_set(alices.document_id, make_user("bob"), create=True)
    db.session.commit()
    login(client, "bob")
    bob_token = create_token(client)
    client.post("/logout")
    login(client, "alice")  # the same browser now holds alice's session cookie
    assert client.get(f"/api/sets/{alices.id}").status_code == 200
    assert client.get(f"/api/sets/{alices.id}", headers=bearer(bob_token)).status_code == 403
    saved = client.put(f"/api/sets/{bobs.id}", headers=bearer(bob_token), json={
        "version": bobs.version, "ops": [{"op": "upsert", "layer": "entities", "item": ENTITY}]})
    assert saved.status_code == 200
    assert client.get(f"/api/sets/{alices.id}", headers=bearer("ann_wrong")).status_code == 401


def test_authenticated_responses_are_not_stored(app: Flask, client: FlaskClient) -> None:
    aset = own_set("alice")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, "alice")
    for path in ("/", "/profile", f"/api/sets/{aset.id}"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    created = client.post("/profile/tokens", data={"name": "x"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"


def test_unknown_and_existing_users_look_the_same(app: Flask) -> None:
    make_user("alice")
    app.config.update(LOGIN_FREE_ATTEMPTS=1000, LOGIN_ADDRESS_FREE_ATTEMPTS=1000)
    times: dict[str, list[float]] = {"alice": [], "nobody": []}
    messages: dict[str, set[str]] = {"alice": set(), "nobody": set()}
    client = app.test_client()
    for _ in range(8):
        for name in times:
            started = time.perf_counter()
            response = client.post("/login", data={"name": name, "password": "wrong password"})
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 401
            messages[name].add(re.search(r'class="flash[^"]*"[^>]*>([^<]+)<',
                                         response.get_data(as_text=True)).group(1).strip())
    assert messages["alice"] == messages["nobody"] and len(messages["alice"]) == 1
    known, unknown = statistics.median(times["alice"]), statistics.median(times["nobody"])
    assert max(known, unknown) < 2 * min(known, unknown), (known, unknown)


def test_parallel_wrong_logins_are_all_counted_and_stop_the_right_one(app: Flask) -> None:
    make_user("alice")
    statuses: list[int] = []

    def guess(i: int) -> None:
        response = app.test_client().post("/login", data={"name": "alice", "password": f"guess {i}"},
                                          environ_base={"REMOTE_ADDR": f"10.1.{i // 250}.{i % 250}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [401] * 50
    assert failures(account_key("alice")) == 50
    right = app.test_client().post("/login", data={"name": "alice", "password": PASSWORD})
    assert right.status_code == 401
