"""Test helpers shared by every folder (import them from here: `from apptools import login, make_user`).

A plain module with a name of its own: several folders have a conftest.py, and `from conftest import`
would get whichever pytest imported last.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from annotator import create_app
from annotator.db import db
from annotator.models import User
from annotator.services.users import create_user

PG_URL = os.environ.get("ANNOTATOR_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


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


def make_user(name: str, role: str = "annotator") -> User:
    """Create and commit a user with the test password."""
    user = create_user(name, PASSWORD, role=role)
    db.session.commit()
    return user


def login(client: FlaskClient, name: str) -> None:
    """Log a user in through the login form."""
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@contextmanager
def statements() -> Iterator[list[tuple[str, object]]]:
    """Collect the SQL statements (and parameters) run inside the block."""
    seen: list[tuple[str, object]] = []

    def collect(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", collect)
