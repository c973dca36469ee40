"""Pre-annotating again, with the dataset's current pipeline, the documents nobody has started.

A document is untouched when it has no gold set and each annotator set is still "new" and
holds nothing but its copy of the model's items (assignment copies them; the first edit moves a
set to "in progress"). Its model set and those copies get the new pre-annotation; any other
document is left exactly as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..db import db
from ..models import ITEM_MODELS, AnnotationSet, Dataset, Document, annotation_of, utcnow
from ..nlp.evaluation import disagreement
from ..spans import Annotation
from .annotations import insert_annotation
from .preannotation import preannotate

Progress = Callable[[int], None]


@dataclass
class Result:
    """How many documents got the new pre-annotation and how many were left alone."""

    updated: int = 0
    kept: int = 0


def _started() -> sa.Select[Any]:
    """Documents with a gold set, or an annotator set past "new"."""
    return sa.select(AnnotationSet.document_id).where(sa.or_(
        AnnotationSet.kind == "gold", sa.and_(AnnotationSet.kind == "annotator", AnnotationSet.status != "new")))


def untouched(dataset: Dataset) -> dict[int, list[int]]:
    """Untouched documents: document id -> [model set id, ids of the annotator sets holding its copy]."""
    rows = db.session.execute(
        sa.select(AnnotationSet.document_id, AnnotationSet.id, AnnotationSet.kind, AnnotationSet.seeded)
        .join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, Document.id.not_in(_started()))
        .order_by(AnnotationSet.document_id, AnnotationSet.kind != "model", AnnotationSet.id))
    sets: dict[int, list[int]] = defaultdict(list)
    for doc_id, set_id, kind, seeded in rows:
        if kind == "model" or (seeded and sets.get(doc_id)):
            sets[doc_id].append(set_id)
    return {doc_id: ids for doc_id, ids in sets.items() if _pristine(ids)}


def _pristine(set_ids: list[int]) -> bool:
    """Whether every copy holds exactly the model set's items."""
    model = annotation_of(set_ids[0])
    return all(annotation_of(copy) == model for copy in set_ids[1:])


def repreannotate(dataset: Dataset, *, progress: Progress | None = None) -> Result:
    """Give every untouched document the current pipeline's pre-annotation (the caller commits).

    Each document's uncertainty becomes how much the old and new pre-annotations disagree.
    Documents someone starts while the pipeline runs are checked again and left alone.
    """
    todo = untouched(dataset)
    texts = {doc_id: text for doc_id, text in db.session.execute(
        sa.select(Document.id, Document.text).where(Document.id.in_(list(todo))))}
    results = list(preannotate(dataset, [(texts[doc_id], doc_id) for doc_id in todo], progress=progress))
    still = untouched(dataset)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Document)
                              .where(Document.dataset_id == dataset.id)) or 0
    result = Result()
    for pre, doc_id in results:
        if still.get(doc_id) == todo[doc_id]:
            _replace(doc_id, still[doc_id], pre.tokens, pre.annotation)
            result.updated += 1
    result.kept = total - result.updated
    return result


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
