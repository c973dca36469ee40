"""The SQLAlchemy extension object and SQLite connection settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names that migrations can refer to."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


@contextmanager
def committing() -> Iterator[None]:
    """Commit what the block changed; if it raises, roll everything back and let the error through."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def roll_back() -> None:
    """Drop what a failed request changed (the error handlers call this; everything else uses committing)."""
    db.session.rollback()


def release_for_fork() -> bool:
    """Prepare to fork processes that read the database: hand this session's connection back and
    close the pool, so that no connection is shared with them (SQLAlchemy's advice). Refused (False,
    nothing done) when that would lose something: changes not yet committed, flushed or not, or a
    SQLite database in memory, which no other process can open."""
    session = db.session()
    url = db.engine.url
    if (session.new or session.dirty or session.deleted or session.info.get(_WROTE)
            or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))):
        return False
    session.rollback()  # nothing written: this only ends the read transaction
    db.engine.dispose()
    return True


def forget_inherited_connections() -> None:
    """In a forked process: a connection pool of its own, never touching the parent's connections."""
    db.engine.dispose(close=False)


_WROTE = "annotator.wrote"
"""Session.info key: this transaction has flushed changes (release_for_fork must not roll them back)."""


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def init_app(app: Flask) -> None:
    """Bind the extension and tune SQLite connections (WAL, busy timeout, foreign keys)."""
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if app.config["DATABASE_URL"].startswith("sqlite"):
        busy = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {"timeout": busy / 1000})
    db.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work during a write; foreign keys are off by default in SQLite."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
