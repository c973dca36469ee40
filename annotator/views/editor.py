"""The annotation editor: the queue's "next" link and the editing page of one set."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..services import queue
from ..services.payloads import set_payload
from ..vocab import SetKind, Status
from .access import get_dataset, get_set
from .editor_keys import key_map, vocabulary

if TYPE_CHECKING:  # types only
    from ..models import AnnotationSet

bp = Blueprint("editor", __name__)


@cache
def _markdown() -> Any:
    """The Markdown renderer, built on first use (markdown_it is imported where used: the CLI starts at once)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


def render_guidelines(text: str) -> str:
    """Guidelines Markdown as HTML; raw HTML in the source is escaped, never passed through."""
    return str(_markdown().render(text or ""))


@bp.get("/datasets/<int:dataset_id>/next")
@login_required
def next_document(dataset_id: int) -> str | Response:
    """Go to the viewer's next unfinished document, or show that the queue is done."""
    dataset = get_dataset(dataset_id)
    aset = queue.next_set(dataset, current_user, after_document=request.args.get("after", type=int))
    if aset is not None:
        return redirect(url_for("editor.annotate", set_id=aset.id))
    return render_template("editor/done.html", dataset=dataset, progress=queue.progress(dataset, current_user))


def editor_data(aset: AnnotationSet) -> dict[str, Any]:
    """Everything the editor script needs, passed as one JSON block."""
    doc = aset.document
    dataset = doc.dataset
    gold = aset.kind == SetKind.GOLD
    back = url_for("datasets.document", document_id=doc.id)
    return {
        "set": set_payload(aset), "text": doc.text, "tokens": doc.tokens,
        "vocab": vocabulary(dataset.entity_labels, dataset.stance_polarities, dataset.speaker_labels),
        "api": url_for("api.save_set", set_id=aset.id),
        "csrfApi": url_for("api.fresh_csrf"),
        "loginUrl": url_for("auth.login"),
        "statusApi": url_for("api.change_status", set_id=aset.id),
        "submitStatus": Status.REVIEWED if gold else Status.SUBMITTED,
        "next": back if gold else url_for("editor.next_document", dataset_id=dataset.id),
        "skip": back if gold else url_for("editor.next_document", dataset_id=dataset.id, after=doc.id),
    }


@bp.get("/annotate/<int:set_id>")
@login_required
def annotate(set_id: int) -> str:
    """Edit one annotation set (annotators their own; reviewers the gold)."""
    aset = get_set(set_id, write=True)
    dataset = aset.document.dataset
    mine = aset.kind == SetKind.ANNOTATOR
    return render_template(
        "editor/editor.html", aset=aset, doc=aset.document, dataset=dataset,
        data=editor_data(aset), keys=key_map(dataset.entity_labels, dataset.stance_polarities),
        guidelines=render_guidelines(dataset.guidelines),
        progress=queue.progress(dataset, current_user) if mine else None)
