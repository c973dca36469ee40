"""Migrations build the schema the models describe, from an empty database."""

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from annotator.db import db
from annotator.extensions import init_migrate


def test_upgrade_from_empty_matches_the_models(app: Flask) -> None:
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    init_migrate(app)
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {"users", "datasets", "documents", "annotation_sets", "entity_spans", "quotes", "stances",
            "audit_log"} <= tables
    flask_migrate.downgrade(revision="base")
    assert "users" not in sa.inspect(db.engine).get_table_names()
