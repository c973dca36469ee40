"""Review as a JSON API: POST /api/documents/<id>/review/<action> (session + CSRF header, or a token).

The body is a JSON object with ``version``, the gold version the client saw (0 while there is
no gold); take and remove add ``layer`` and ``uid``, take also ``source`` and optionally
``replace``. A success answers with the gold set in the shape of ``GET /api/sets/<id>`` plus
``message`` and ``review`` (which merged items are in the gold now). 409: the gold moved on
(``current`` holds it) or the action does not fit the document's state; 422: a bad field, or
a take that collides with gold items (``collision`` lists them; send ``replace: true``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import abort, jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from ...agreement import Collision
from ...db import committing
from ...services import review as adjudication
from ...services.annotations import VersionConflict, gold_set
from ...services.payloads import gold_payload
from ...spans import SpanError
from ..access import get_document, reviewer_required
from ..review_text import accepted_message
from . import bp

if TYPE_CHECKING:  # types only
    from ...models import Document

Reply = Response | tuple[Response, int]


def _body() -> dict[str, Any]:
    """The JSON body with its required integer version (400 when missing)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "The request body must be a JSON object.")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        abort(400, "version: the gold version you saw is required (an integer, 0 while there is no gold).")
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        abort(422, f"{name}: a non-empty string is required.")
    return value


def _run(document_id: int, action: Callable[..., Any], message: Callable[[Any], str], **kwargs: Any) -> Reply:
    """Run one adjudication action at the body's version; commit, or roll back and say why."""
    document = get_document(document_id)
    try:
        with committing():
            result = action(document, user=current_user, **kwargs)
    except VersionConflict as err:
        return _refused(document, 409, str(err))
    except Collision as err:
        return _refused(document, 422, f"Not taken: {err}.", field="replace",
                        hint="Send replace: true to take it in place of the items in collision.",
                        collision=[item.to_dict() for item in err.items])
    except SpanError as err:
        return _refused(document, 422, str(err), field=err.field)
    except adjudication.ReviewRefused as err:
        return _refused(document, 409, str(err))
    gold = gold_set(document.id)
    return jsonify({**(gold_payload(document, gold) or {"annotation": None}), "message": message(result)})


def _refused(document: Document, status: int, error: str, **extra: Any) -> tuple[Response, int]:
    """The error with the gold as it is stored now (the action was rolled back)."""
    return jsonify(error=error, status=status, current=gold_payload(document, gold_set(document.id)),
                   **extra), status


@bp.post("/documents/<int:document_id>/review/take")
@reviewer_required
def review_take(document_id: int) -> Reply:
    """Copy one item of a finished version into the gold."""
    body = _body()
    return _run(document_id, adjudication.take_item, lambda _: "Taken into gold.",
                source=_text(body, "source"), layer=_text(body, "layer"), uid=_text(body, "uid"),
                replace=body.get("replace") is True, expected_version=body["version"])


@bp.post("/documents/<int:document_id>/review/remove")
@reviewer_required
def review_remove(document_id: int) -> Reply:
    """Drop one item from the gold."""
    body = _body()
    return _run(document_id, adjudication.remove_item, lambda _: "Removed from gold.",
                layer=_text(body, "layer"), uid=_text(body, "uid"), expected_version=body["version"])


@bp.post("/documents/<int:document_id>/review/agreed")
@reviewer_required
def review_agreed(document_id: int) -> Reply:
    """Add every item all finished annotators agree on."""
    body = _body()
    return _run(document_id, adjudication.accept_agreed, accepted_message, expected_version=body["version"])


@bp.post("/documents/<int:document_id>/review/done")
@reviewer_required
def review_done(document_id: int) -> Reply:
    """Sign the gold off as reviewed."""
    body = _body()
    return _run(document_id, adjudication.mark_reviewed, lambda _: "Gold saved and marked reviewed.",
                expected_version=body["version"])


@bp.post("/documents/<int:document_id>/review/reopen")
@reviewer_required
def review_reopen(document_id: int) -> Reply:
    """Reopen a signed-off document."""
    body = _body()
    return _run(document_id, adjudication.reopen,
                lambda _: "Reopened: the gold and the annotators' sets can change again.",
                expected_version=body["version"])


@bp.post("/documents/<int:document_id>/review/undo")
@reviewer_required
def review_undo(document_id: int) -> Reply:
    """Take back the newest change to the gold."""
    body = _body()
    return _run(document_id, adjudication.undo, lambda _: "Undone: the gold is back as it was before that change.",
                expected_version=body["version"])
