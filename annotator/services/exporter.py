"""Exporting annotation sets, streamed in chunks so memory stays flat at any size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..db import db
from ..models import ITEM_MODELS, AnnotationSet, Dataset, Document, User
from ..spans import Annotation

ONLY = ("gold", "submitted", "all")
CHUNK = 500


@dataclass(frozen=True)
class ExportRow:
    """One annotation set with its document, ready for a format writer."""

    text: str
    meta: dict[str, Any]
    tokens: list[tuple[int, int]]
    annotation: Annotation
    answer: str
    annotator_id: str
    timestamp: int
    status: str


def _sets_query(dataset: Dataset, only: str, annotator: User | None) -> sa.Select[Any]:
    query = (sa.select(AnnotationSet.id).join(Document, Document.id == AnnotationSet.document_id)
             .where(Document.dataset_id == dataset.id))
    if only == "gold":
        query = query.where(AnnotationSet.kind == "gold")
    elif only == "submitted":
        query = query.where(AnnotationSet.kind.in_(("gold", "annotator")),
                            AnnotationSet.status.in_(("submitted", "reviewed")))
    if annotator is not None:
        query = query.where(AnnotationSet.user_id == annotator.id)
    return query.order_by(AnnotationSet.document_id, AnnotationSet.id)


def _items(set_ids: Sequence[int]) -> dict[int, Annotation]:
    """Load the items of many sets with one query per layer."""
    found: dict[int, Annotation] = defaultdict(Annotation)
    for layer, model in ITEM_MODELS.items():
        order = model.start if layer == "entities" else model.id
        for row in db.session.scalars(sa.select(model).where(model.set_id.in_(set_ids)).order_by(order)):
            getattr(found[row.set_id], layer).append(row.to_value())
    return found


def export_rows(dataset: Dataset, *, only: str = "gold", annotator: User | None = None) -> Iterator[ExportRow]:
    """Yield the dataset's sets in document order, CHUNK sets at a time."""
    if only not in ONLY:
        raise ValueError(f"--only must be one of {', '.join(ONLY)}")
    ids = list(db.session.scalars(_sets_query(dataset, only, annotator)))
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset:offset + CHUNK]
        sets = db.session.execute(
            sa.select(AnnotationSet, Document, User.name)
            .join(Document, Document.id == AnnotationSet.document_id)
            .outerjoin(User, User.id == AnnotationSet.user_id)
            .where(AnnotationSet.id.in_(chunk)).order_by(AnnotationSet.document_id, AnnotationSet.id)
        ).all()
        items = _items(chunk)
        for aset, doc, user_name in sets:
            yield ExportRow(
                text=doc.text, meta=doc.meta or {}, tokens=[(s, e) for s, e in doc.tokens],
                annotation=items.get(aset.id, Annotation()), answer=aset.answer or "accept",
                annotator_id=user_name or aset.kind, timestamp=int(aset.updated_at.timestamp()),
                status=aset.status,
            )
