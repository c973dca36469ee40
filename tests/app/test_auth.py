"""Login, logout, CSRF on login, throttling."""

import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from apptools import PASSWORD, app_with_schema, login, make_user


def test_pages_need_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    page = client.get("/").get_data(as_text=True)
    assert "alice" in page and "Datasets" in page
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    response = client.post("/login", data={"name": "alice", "password": "nope"})
    assert response.status_code == 401
    assert "wrong password" in response.get_data(as_text=True)


def test_logout_is_not_a_get(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    login(client, "alice")
    assert client.get("/logout").status_code == 405


def test_repeated_failures_slow_the_account_down_without_locking_it(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    app.config.update(LOGIN_FIRST_DELAY=1.0, LOGIN_LONGEST_DELAY=1.0)
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        client.post("/login", data={"name": "alice", "password": "wrong"})
    response = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert response.status_code == 401
    assert "too many attempts" in response.get_data(as_text=True)
    time.sleep(1.05)  # a short wait, not a lock
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 302


def test_inactive_user_cannot_log_in(app: Flask, client: FlaskClient) -> None:
    user = make_user("alice")
    user.active = False
    db.session.commit()
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 401


def test_next_only_follows_local_paths(app: Flask, client: FlaskClient) -> None:
    make_user("alice")
    for target in ("https://evil.example/x", "//evil.example/x", "/\\evil.example", "/x\r\nSet-Cookie: a=b",
                   "/%0d%0aLocation:%20https://evil.example", "javascript:alert(1)"):
        fresh = app.test_client()
        response = fresh.post("/login", query_string={"next": target}, data={"name": "alice", "password": PASSWORD})
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "\r" not in location and "\n" not in location
        assert location == "/" or (location.startswith("/%") and not location.startswith("//"))
    ok = app.test_client().post("/login?next=/datasets/1", data={"name": "alice", "password": PASSWORD})
    assert ok.headers["Location"] == "/datasets/1"


def test_csrf_is_enforced_on_login_when_enabled(database_url: str, tmp_path: Path) -> None:
    with app_with_schema(database_url, tmp_path) as app:
        make_user("alice")
        client = app.test_client()
        refused = client.post("/login", data={"name": "alice", "password": PASSWORD})
        assert refused.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ok = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
        assert ok.status_code == 302


def test_passwords_are_hashed_with_scrypt(app: Flask) -> None:
    user = make_user("alice")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
