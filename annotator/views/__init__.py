"""Blueprints, one per concern, and the error pages."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..db import db


def _error(err: HTTPException):  # type: ignore[no-untyped-def]
    """JSON errors for the API, a page for people."""
    if err.code and err.code >= 500:
        db.session.rollback()
    if request.path.startswith("/api/"):
        return jsonify(error=err.description, status=err.code), err.code
    return render_template("error.html", error=err), err.code


def init_app(app: Flask) -> None:
    """Register every blueprint and the error handlers."""
    from . import api, auth, datasets, profile, editor, review, admin, transfer, models
    from . import review_api  # noqa: F401  (adds the review routes to the API blueprint)

    for module in (auth, datasets, api, profile, editor, review, admin, transfer, models):
        app.register_blueprint(module.bp)
    models.init_app(app)
    app.register_error_handler(HTTPException, _error)
