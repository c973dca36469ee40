"""The dataset list, a dataset's documents, and the read-only document view."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..render import segments
from ..services import datasets as listing
from ..services.lookup import items_of
from ..services.annotations import model_set, user_set
from .access import get_document, get_visible_dataset

bp = Blueprint("datasets", __name__)


@bp.route("/")
@login_required
def index() -> str:
    """The datasets the viewer may see, with their size and progress."""
    return render_template("datasets/index.html", summaries=listing.summaries(current_user))


@bp.route("/datasets/<int:dataset_id>")
@login_required
def show(dataset_id: int) -> str:
    """One page of a dataset's documents with the status of each set the viewer may see."""
    dataset = get_visible_dataset(dataset_id)
    page = listing.page_of(listing.documents(dataset, current_user), request.args.get("page", 1, type=int))
    return render_template("datasets/show.html", dataset=dataset, page=page,
                           sets=listing.visible_sets(current_user, [doc.id for doc in page.items]))


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int) -> str | Response:
    """The article with one of its annotation sets highlighted, read-only."""
    doc = get_document(document_id)
    own = user_set(doc.id, current_user)
    if not current_user.can_review and own is None:
        abort(403, "This document is not assigned to you.")
    visible = listing.visible_sets(current_user, [doc.id]).get(doc.id, [])
    chosen = request.args.get("set", type=int)
    aset = next((s for s in visible if s.id == chosen), None) if chosen else (own or model_set(doc.id))
    if chosen and aset is None:
        return redirect(url_for("datasets.document", document_id=doc.id))
    annotation = items_of(aset) if aset is not None else None
    entities = annotation.entity_by_uid() if annotation else {}
    return render_template(
        "datasets/document.html", doc=doc, dataset=doc.dataset, aset=aset, sets=visible,
        segments=segments(doc.text, annotation) if annotation else None, annotation=annotation,
        entities=entities, own=own)
