"""Fixtures (helpers are in apptools.py): an app per test on SQLite (and PostgreSQL when ANNOTATOR_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from apptools import BACKENDS, PG_URL, app_with_schema, login, make_user

if os.environ.get("CI") and not PG_URL:
    raise RuntimeError("CI is set but ANNOTATOR_TEST_DATABASE_URL is not: the PostgreSQL tests cannot be skipped")


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


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app with an empty schema; CSRF off except in tests that turn it on."""
    with app_with_schema(database_url, tmp_path, WTF_CSRF_ENABLED=False) as app:
        yield app


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    """A CLI runner for the app."""
    return app.test_cli_runner()


@pytest.fixture
def admin_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client logged in as an admin."""
    make_user("ada", "admin")
    login(client, "ada")
    return client
