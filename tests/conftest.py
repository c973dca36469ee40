"""Fixtures: an app per test on SQLite (and PostgreSQL when ANNOTATOR_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from annotator import create_app
from annotator.db import db
from annotator.models import User
from annotator.services.users import create_user

PG_URL = os.environ.get("ANNOTATOR_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"

if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI is set but ANNOTATOR_TEST_DATABASE_URL is not: the PostgreSQL tests cannot be skipped")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    """A PostgreSQL database of this test worker's own, so parallel workers never collide."""
    name = f"annotator_test_{os.getpid()}_{worker_id}".replace("-", "_")
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database URL of one backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("pg_database")


@contextmanager
def app_with_schema(database_url: str, tmp_path: Path, **config: object) -> Iterator[Flask]:
    """An app on a fresh schema, inside its app context, dropped afterwards."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "HUEY_IMMEDIATE": True, "HUEY_URL": f"sqlite:///{tmp_path / 'jobs.sqlite'}", **config})

    @app.before_request
    def _forget_cached_user() -> None:
        # The app context stays open for the test, so `g` would carry the last request's user along.
        g.pop("_login_user", None)

    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app with an empty schema; CSRF off except in tests that turn it on."""
    with app_with_schema(database_url, tmp_path, WTF_CSRF_ENABLED=False) as app:
        yield app


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    """A CLI runner for the app."""
    return app.test_cli_runner()


def make_user(name: str, role: str = "annotator") -> User:
    """Create and commit a user with the test password."""
    user = create_user(name, PASSWORD, role=role)
    db.session.commit()
    return user


def login(client: FlaskClient, name: str) -> None:
    """Log a user in through the login form."""
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def admin_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client logged in as an admin."""
    make_user("ada", "admin")
    login(client, "ada")
    return client
