"""Reviewing: the adjudication page, its POST actions, the history with restore, and agreement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..agreement.signatures import LAYERS, Layer
from ..agreement import Collision
from ..db import committing
from ..services import agreement as figures
from ..services import review as adjudication
from ..services.annotations import VersionConflict, history
from ..spans import SpanError
from ..vocab import SetKind, words_for_page
from .access import get_dataset, get_document, get_set, reviewer_required
from .review_rows import Alternative, gold_html, render_rows
from .review_text import accepted_message, describe, scope_of

bp = Blueprint("review", __name__)
VIEWS = ("merged", "side")


def _version_field() -> int:
    """The gold version the form was made from (0: no gold yet); 400 when it is missing."""
    raw = request.form.get("gold_version", "")
    if not raw.isdigit():
        abort(400, "gold_version: the gold version this page shows is required.")
    return int(raw)


def _act(document_id: int, action: Callable[..., Any], message: str | Callable[[Any], str],
         **kwargs: Any) -> Response:
    """Run one adjudication action, commit, and go back to the review page."""
    doc = get_document(document_id)
    try:
        with committing():
            result = action(doc, user=current_user, **kwargs)
    except Collision as err:
        flash(f"Not saved: {err}; on the merged view, r takes it in their place.", "error")
    except (VersionConflict, SpanError, ValueError, adjudication.ReviewRefused) as err:
        flash(f"Not saved: {err}", "error")
    else:
        flash(message(result) if callable(message) else message, "success")
    view = request.form.get("view", "merged")
    anchor = request.form.get("focus", "")
    return redirect(url_for("review.page", document_id=doc.id, view=view if view in VIEWS else "merged")
                    + (f"#{anchor}" if anchor.replace("-", "").isalnum() else ""))


def _rows(state: adjudication.ReviewState, doc_text: str, layer: Layer) -> list[list[Alternative]]:
    """A layer's merged items grouped into rows of alternatives for one span, passage or stance."""
    entities = {i.item["uid"]: i.item for i in state.merged.layer("entities")}
    rows: dict[str, list[Alternative]] = {}
    for index, item in enumerate(state.merged.items):
        if item.layer != layer:
            continue
        voters = [s for s in item.sources if s != SetKind.GOLD]
        source = next((s for s in voters if s != SetKind.MODEL), voters[0] if voters else None)
        rows.setdefault(item.group, []).append(
            Alternative(index, item, describe(layer, item.item, entities, doc_text), source))
    return list(rows.values())


def page_data(state: adjudication.ReviewState) -> dict[str, Any]:
    """What review.js needs: the API base, the gold version and status, and each merged item's key."""
    doc = state.document
    return {"api": url_for("api.review_take", document_id=doc.id).removesuffix("/take"), "vocab": words_for_page(),
            "gold": {"version": state.gold.version if state.gold else 0,
                     "status": state.gold.status if state.gold else None},
            "keys": [item.key for item in state.merged.items]}


@bp.route("/documents/<int:document_id>/review")
@reviewer_required
def page(document_id: int) -> str:
    """The document's versions merged (or side by side) and the gold set; figures load from the JSON route."""
    doc = get_document(document_id)
    state = adjudication.review_state(doc)
    gold = state.versions.get("gold")
    view = request.args.get("view", "merged")
    view = view if view in VIEWS else "merged"
    colours = {name: i % 6 for i, name in enumerate(state.annotators)}
    grouped = {layer: _rows(state, doc.text, layer) for layer in LAYERS} if view == "merged" else {}
    rows = {layer: (render_rows(layer, found, colours, state.disputed), len(found)) for layer, found in grouped.items()}
    version_entities = ({name: {e.uid: e.to_dict() for e in a.entities} for name, a in state.versions.items()}
                        if view == "side" else {})
    return render_template(
        "review/page.html", doc=doc, dataset=doc.dataset, state=state, view=view,
        colours=colours,
        rows=rows, gold_html=gold_html(doc.text, gold) if gold else None,
        describe=lambda layer, item, entities: describe(layer, item, entities, doc.text),
        version_entities=version_entities, data=page_data(state))


@bp.post("/documents/<int:document_id>/review/take")
@reviewer_required
def take(document_id: int) -> Response:
    """Copy one item of a version into gold."""
    return _act(document_id, adjudication.take_item, "Taken into gold.", source=request.form.get("source", ""),
                layer=request.form.get("layer", ""), uid=request.form.get("uid", ""),
                replace=request.form.get("replace") == "1", expected_version=_version_field())


@bp.post("/documents/<int:document_id>/review/remove")
@reviewer_required
def remove(document_id: int) -> Response:
    """Drop one item from gold."""
    return _act(document_id, adjudication.remove_item, "Removed from gold.", layer=request.form.get("layer", ""),
                uid=request.form.get("uid", ""), expected_version=_version_field())


@bp.post("/documents/<int:document_id>/review/agreed")
@reviewer_required
def accept_agreed(document_id: int) -> Response:
    """Add everything all annotators agree on to gold."""
    return _act(document_id, adjudication.accept_agreed, accepted_message, expected_version=_version_field())


@bp.post("/documents/<int:document_id>/review/undo")
@reviewer_required
def undo(document_id: int) -> Response:
    """Take back the newest change to the gold."""
    return _act(document_id, adjudication.undo, "Undone: the gold is back as it was before that change.",
                expected_version=_version_field())


@bp.post("/documents/<int:document_id>/review/reopen")
@reviewer_required
def reopen(document_id: int) -> Response:
    """Reopen a signed-off document: gold in progress, annotators' sets editable again."""
    return _act(document_id, adjudication.reopen, "Reopened: the gold and the annotators' sets can change again.",
                expected_version=_version_field())


@bp.post("/documents/<int:document_id>/review/done")
@reviewer_required
def mark_reviewed(document_id: int) -> Response:
    """Save the gold as reviewed; submitted annotator sets become reviewed."""
    return _act(document_id, adjudication.mark_reviewed, "Gold saved and marked reviewed.",
                expected_version=_version_field())


@bp.route("/documents/<int:document_id>/history")
@reviewer_required
def document_history(document_id: int) -> str:
    """Who changed what and when, newest first, with restore buttons."""
    doc = get_document(document_id)
    sets = adjudication.document_sets(doc)
    events = history(doc.id)
    newest = {(e.set_id, e.version): e.id for e in reversed(events)}  # one restore button per version
    return render_template("review/history.html", doc=doc, dataset=doc.dataset, events=events, sets=sets,
                           names={aset.id: name for name, aset in sets.items()},
                           restorable=set(newest.values()))


@bp.post("/sets/<int:set_id>/restore")
@reviewer_required
def restore(set_id: int) -> Response:
    """Bring a set back to an earlier version (audited as the reviewer's edits)."""
    aset = get_set(set_id, write=True)
    version = request.form.get("version", type=int) or 0
    expected = request.form.get("set_version", type=int) or 0
    try:
        with committing():
            adjudication.restore(aset, version, user=current_user, expected_version=expected)
    except (VersionConflict, SpanError, ValueError) as err:
        flash(f"Not restored: {err}", "error")
    else:
        flash(f"{aset.owner_name}'s set restored to version {version}.", "success")
    return redirect(url_for("review.document_history", document_id=aset.document_id))


@bp.route("/datasets/<int:dataset_id>/dashboard")
@reviewer_required
def dashboard(dataset_id: int) -> str:
    """Agreement figures with their sizes and model baseline, pairs, labels and per-annotator work."""
    dataset = get_dataset(dataset_id)
    scope = scope_of(request.args, figures.SCOPES)
    shown = figures.report(dataset, scope=scope)
    agreement = shown.agreement
    return render_template("review/dashboard.html", dataset=dataset, agreement=agreement, scope=scope,
                           overall=agreement.overall(), sizes=agreement.overall_sizes(),
                           baseline=agreement.baseline_overall(), coverage=shown.coverage, people=shown.people)
