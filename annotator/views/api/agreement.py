"""API routes of agreement figures (a dataset's, a document's) and of a document's review state."""

from __future__ import annotations

from flask import abort, jsonify, request
from werkzeug.wrappers import Response

from ...services import agreement as figures
from ...services import review as adjudication
from ...services.payloads import stored_payload
from ..access import get_dataset, get_document, reviewer_required
from ..review_text import scope_of
from . import bp


@bp.get("/datasets/<int:dataset_id>/agreement")
@reviewer_required
def dataset_agreement_json(dataset_id: int) -> Response:
    """Dataset agreement among annotators, against the model and against gold, as JSON (?scope=changed)."""
    dataset = get_dataset(dataset_id)
    scope = scope_of(request.args, figures.SCOPES)
    shown = figures.report(dataset, scope=scope)
    return jsonify(dataset_id=dataset_id, scope=scope, coverage=vars(shown.coverage),
                   agreement=shown.agreement.to_dict(), annotators=[vars(p) for p in shown.people])


@bp.get("/documents/<int:document_id>/agreement")
@reviewer_required
def document_agreement_json(document_id: int) -> Response:
    """One document's agreement among the annotators who finished it, as JSON."""
    scope = scope_of(request.args, figures.SCOPES)
    return jsonify(document_id=document_id, scope=scope,
                   agreement=figures.document_figures(get_document(document_id), scope=scope).to_dict())


@bp.get("/review/documents/<int:document_id>")
@reviewer_required
def review_json(document_id: int) -> Response:
    """The merged versions and the gold set of a document, as JSON."""
    state = adjudication.review_state(get_document(document_id))
    if not state.sets:
        abort(404, "This document has no annotation sets.")
    gold = state.gold
    return jsonify(merged=state.merged.to_dict(), gold=None if gold is None else stored_payload(gold))
