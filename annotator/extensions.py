"""Flask extension objects, bound to the app in create_app; Flask-Migrate only when first used."""

from pathlib import Path

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
csrf = CSRFProtect()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def init_migrate(app: Flask) -> None:
    """Bind Flask-Migrate to the app, once: it imports Alembic, which no other command needs.

    `annotator db ...` calls this (see cli.MigrationsGroup); so does code that runs migrations itself.
    """
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from .db import db

    Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)
