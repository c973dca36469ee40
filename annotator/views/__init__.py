"""Blueprints, one per concern, and the error pages."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..db import roll_back
from ..errors import Conflict, InvalidInput
from ..security import api_request
from ..vocab import JobKind, JobStatus, SetKind, Status


def _error(err: HTTPException):  # type: ignore[no-untyped-def]
    """JSON errors for the API, a page for people."""
    if err.code and err.code >= 500:
        roll_back()
    if api_request():
        return jsonify(error=err.description, status=err.code), err.code
    return render_template("error.html", error=err), err.code


def _wants_json() -> bool:
    """API calls and JSON requests get JSON errors; pages get a flashed message."""
    return api_request() or request.is_json


def _back() -> str:
    """Where a page goes back to after a refused change: the page it came from on this site."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else url_for("datasets.index")


def _refused(err: InvalidInput | Conflict) -> tuple[Response, int] | Response:
    """The one mapping of the error family: roll back, then 422/409 JSON or a flashed message."""
    roll_back()
    if _wants_json():
        return jsonify(error=str(err), field=getattr(err, "field", ""), status=err.status), err.status
    flash(f"Not saved: {err}", "error")
    return redirect(_back())


def init_app(app: Flask) -> None:
    """Register every blueprint and the error handlers."""
    from . import api, auth, datasets, profile, editor, review, admin, transfer, models

    for module in (auth, datasets, api, profile, editor, review, admin, transfer, models):
        app.register_blueprint(module.bp)
    # templates name words, never spell them
    app.jinja_env.globals.update(Status=Status, SetKind=SetKind, JobStatus=JobStatus, JobKind=JobKind)
    models.init_app(app)
    app.register_error_handler(HTTPException, _error)
    app.register_error_handler(InvalidInput, _refused)
    app.register_error_handler(Conflict, _refused)
