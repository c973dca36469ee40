"""Pre-annotating again, with the dataset's current pipeline, the documents nobody has started.

A document is untouched when it has no gold set and each annotator set is still "new" and
holds nothing but its copy of the model's items (assignment copies them; the first edit moves a
set to "in progress"). Its model set and those copies get the new pre-annotation; any other
document is left exactly as it is. The new pre-annotation passes the one item check
(annotator.checks) against the new tokens and the dataset's vocabulary before it is written; a
document whose output fails keeps what it had, and the result names it and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..db import db
from ..models import ITEM_MODELS, AnnotationSet, Dataset, Document, annotation_of, utcnow
from ..nlp.evaluation import disagreement
from ..spans import Annotation, SpanError
from ..vocab import SetKind, Status
from .annotations import insert_annotation
from .preannotation import check_output, preannotate

if TYPE_CHECKING:
    from ..nlp import PreAnnotated
    from ..preannotator import Preannotator

Progress = Callable[[int], None]


@dataclass
class Result:
    """Documents that got the new pre-annotation, those left alone (human work), and those whose new
    pre-annotation failed the item check (each named with why; they keep what they had)."""

    updated: int = 0
    kept: int = 0
    refused: list[str] = field(default_factory=list)


def _started() -> sa.Select[Any]:
    """Documents with a gold set, or an annotator set past "new"."""
    return sa.select(AnnotationSet.document_id).where(sa.or_(
        AnnotationSet.kind == SetKind.GOLD, sa.and_(AnnotationSet.kind == SetKind.ANNOTATOR, AnnotationSet.status != Status.NEW)))


def untouched(dataset: Dataset) -> dict[int, list[int]]:
    """Untouched documents: document id -> [model set id, ids of the annotator sets holding its copy]."""
    rows = db.session.execute(
        sa.select(AnnotationSet.document_id, AnnotationSet.id, AnnotationSet.kind, AnnotationSet.seeded)
        .join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, Document.id.not_in(_started()))
        .order_by(AnnotationSet.document_id, AnnotationSet.kind != SetKind.MODEL, AnnotationSet.id))
    sets: dict[int, list[int]] = defaultdict(list)
    for doc_id, set_id, kind, seeded in rows:
        if kind == SetKind.MODEL or (seeded and sets.get(doc_id)):
            sets[doc_id].append(set_id)
    return {doc_id: ids for doc_id, ids in sets.items() if _pristine(ids)}


def _pristine(set_ids: list[int]) -> bool:
    """Whether every copy holds exactly the model set's items."""
    model = annotation_of(set_ids[0])
    return all(annotation_of(copy) == model for copy in set_ids[1:])


def repreannotate(dataset: Dataset, *, progress: Progress | None = None,
                  preannotator: Preannotator | None = None) -> Result:
    """Give every untouched document the current pipeline's pre-annotation (the caller commits).

    Each document's uncertainty becomes how much the old and new pre-annotations disagree.
    Documents someone starts while the pipeline runs are checked again and left alone, and so
    are documents whose new pre-annotation fails the item check (named in ``Result.refused``).
    """
    todo = untouched(dataset)
    texts = {doc_id: text for doc_id, text in db.session.execute(
        sa.select(Document.id, Document.text).where(Document.id.in_(list(todo))))}
    results = list(preannotate(dataset, [(texts[doc_id], doc_id) for doc_id in todo], progress=progress,
                               preannotator=preannotator))
    still = untouched(dataset)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Document)
                              .where(Document.dataset_id == dataset.id)) or 0
    result = Result()
    for pre, doc_id in results:
        if still.get(doc_id) != todo[doc_id]:
            continue
        problem = _refusal(dataset, texts[doc_id], pre)
        if problem:
            result.refused.append(f"document {doc_id}: {problem}")
            continue
        _replace(doc_id, still[doc_id], pre.tokens, pre.annotation)
        result.updated += 1
    result.kept = total - result.updated - len(result.refused)
    return result


def _refusal(dataset: Dataset, text: str, pre: PreAnnotated) -> str | None:
    """Why a new pre-annotation fails the one item check (its tokens, the dataset's vocabulary), or None."""
    try:
        check_output(dataset, text, pre.tokens, pre.annotation)
    except SpanError as err:
        return str(err)
    return None


def _replace(doc_id: int, set_ids: list[int], tokens: list[tuple[int, int]], annotation: Annotation) -> None:
    """Swap the items of the model set and its copies, the document's tokens and its uncertainty."""
    old = annotation_of(set_ids[0])
    for model in ITEM_MODELS.values():
        db.session.execute(sa.delete(model).where(model.set_id.in_(set_ids)))
    for set_id in set_ids:
        insert_annotation(set_id, annotation)
    db.session.execute(sa.update(AnnotationSet).where(AnnotationSet.id.in_(set_ids)).values(
        version=AnnotationSet.version + 1, updated_at=utcnow()))
    db.session.execute(sa.update(Document).where(Document.id == doc_id).values(
        tokens=[list(t) for t in tokens], uncertainty=disagreement(old, annotation)))


def summary(result: Result) -> str:
    """What a re-pre-annotation did, for the command line and the job log."""
    text = (f"Re-pre-annotated {result.updated} document(s) nobody had started; "
            f"left {result.kept} with human work untouched.")
    if result.refused:
        text += (f" Kept the old pre-annotation of {len(result.refused)} document(s) whose new one failed "
                 "the item check:\n" + "\n".join(result.refused))
    return text
