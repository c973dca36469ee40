"""The Flask app factory (annotator.create_app calls it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from . import config, db
from .extensions import csrf, login_manager
from .preannotator import Preannotator

PACKAGE_DIR = Path(__file__).resolve().parent


def _asset_dir(name: str) -> str:
    """Top-level templates/ or static/ in a checkout; the copy inside the package in a wheel."""
    inside = PACKAGE_DIR / name
    return str(inside if inside.is_dir() else PACKAGE_DIR.parent / name)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, ANNOTATOR_* variables, then test_config."""
    instance_path = os.environ.get("ANNOTATOR_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder=_asset_dir("templates"), static_folder=_asset_dir("static"))
    os.umask(0o077)  # the database, uploads, exports and the secret key: readable by the owner only
    config.private_folder(app.instance_path)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]

    app.extensions["annotator.preannotator"] = Preannotator.from_settings(app.config, app.instance_path)
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import jobs, limits, security, views
    from .cli.group import register_commands

    jobs.init_app(app)
    limits.init_app(app)
    security.init_app(app)
    views.init_app(app)
    register_commands(app)
    return app
