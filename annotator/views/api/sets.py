"""API routes of annotation sets: read, save a batch of edits, change the status (session + CSRF header, or a token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from ...db import committing
from ...services import lookup
from ...services.agreement import record_activity
from ...services.annotations import Refusal, VersionConflict, apply_each, ensure_seeded, set_status
from ...services.caps import TooManyOps, check_op_count, check_set_size
from ...services.payloads import set_payload
from ...spans import SpanError
from ...vocab import Answer, SetKind, Status
from ..access import get_set
from . import bp


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "The request body must be a JSON object.")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        abort(400, "version: an integer is required (the version you loaded).")
    return body


def _conflict(aset_id: int, err: VersionConflict) -> tuple[Response, int]:
    """409 with the set as it is stored now (the change was rolled back)."""
    aset = lookup.annotation_set(aset_id)
    return jsonify(error=str(err), status=409, current=set_payload(aset) if aset else None), 409


def _commit(set_id: int, change: Callable[[], None]) -> tuple[Response, int] | None:
    """Run a change and commit it; on a conflict or a bad item roll back and return the error."""
    try:
        with committing():
            change()
    except VersionConflict as err:
        return _conflict(set_id, err)
    except SpanError as err:
        return jsonify(error=str(err), field=err.field, status=422), 422
    return None


@bp.get("/sets/<int:set_id>")
@login_required
def read_set(set_id: int) -> Response:
    """One set with its items."""
    return jsonify(set_payload(get_set(set_id)))


@bp.put("/sets/<int:set_id>")
@login_required
def save_set(set_id: int) -> tuple[Response, int] | Response:
    """Apply a batch of edits made at `version`, each checked on its own; 409 if the set moved on.

    The answer lists the refused edits with their reasons; the others are kept. When every edit
    is refused nothing changes and the answer is 422.
    """
    aset = get_set(set_id, write=True)
    body = _body()
    ops = body.get("ops", [])
    try:  # caps first: nothing is parsed or written for an oversized batch
        check_op_count(ops, int(current_app.config["MAX_OPS_PER_SAVE"]))
    except TooManyOps as err:
        return jsonify(error=str(err), field="ops", status=413), 413
    refused: list[Refusal] = []
    saved: dict[str, Any] = {}

    def change() -> None:
        record_activity(aset, current_user)
        ensure_seeded(aset)
        refused.extend(apply_each(aset, ops, user=current_user, expected_version=body["version"]))
        if refused and len(refused) == len(ops):
            raise SpanError(refused[0].error)
        check_set_size(aset.id, int(current_app.config["MAX_ITEMS_PER_SET"]))
        saved.update(id=aset.id, version=aset.version, status=aset.status)  # the commit expires them

    failed = _commit(set_id, change)
    listed = [r.to_dict() for r in refused]
    if failed is not None:
        response, code = failed
        if code == 422 and listed:
            return jsonify(error=f"every edit was refused: {listed[0]['error']}", status=422,
                           refused=listed, version=aset.version), 422
        return failed
    return jsonify(**saved, refused=listed)


@bp.get("/csrf")
@login_required
def fresh_csrf() -> Response:
    """A fresh CSRF token for this session (the editor asks when its token has expired)."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/sets/<int:set_id>/status")
@login_required
def change_status(set_id: int) -> tuple[Response, int] | Response:
    """Submit, accept, reject or skip: sets status and answer at `version`."""
    aset = get_set(set_id, write=True)
    body = _body()
    status, answer = body.get("status"), body.get("answer")
    if answer is not None and answer not in tuple(Answer):
        return jsonify(error=f"answer: must be one of {', '.join(Answer)}", status=422), 422
    if aset.kind == SetKind.ANNOTATOR and status == Status.REVIEWED:
        abort(403, "Only reviewers mark a document reviewed.")
    record_activity(aset, current_user)
    return _commit(set_id, lambda: set_status(
        aset, status=str(status), answer=answer, user=current_user, expected_version=body["version"],
    )) or jsonify(id=aset.id, version=aset.version, status=aset.status, answer=aset.answer)
