"""An annotator's queue in a dataset: their sets in document order, the next unfinished one, progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..db import db
from ..models import AnnotationSet, Dataset, Document, User
from ..vocab import UNFINISHED, QueueOrder, SetKind



@dataclass(frozen=True)
class Progress:
    """How many of a person's assigned documents are finished."""

    done: int
    assigned: int

    @property
    def remaining(self) -> int:
        """Assigned documents not yet submitted."""
        return self.assigned - self.done


# How unsure the model was about a document; documents never scored come last.
UNSURE = sa.func.coalesce(Document.uncertainty, -1.0)


def _own_sets(dataset: Dataset, user: User) -> sa.Select[Any]:
    """The user's annotator sets of the dataset, in the dataset's queue order."""
    query = (sa.select(AnnotationSet).join(Document, Document.id == AnnotationSet.document_id)
             .where(Document.dataset_id == dataset.id, AnnotationSet.kind == SetKind.ANNOTATOR,
                    AnnotationSet.user_id == user.id))
    if dataset.queue_order == QueueOrder.UNCERTAINTY:
        return query.order_by(UNSURE.desc(), AnnotationSet.document_id)
    return query.order_by(AnnotationSet.document_id)


def _after(dataset: Dataset, document_id: int) -> Any:
    """The condition "comes after this document in the queue"."""
    if dataset.queue_order != QueueOrder.UNCERTAINTY:
        return AnnotationSet.document_id > document_id
    here = db.session.scalar(sa.select(UNSURE).where(Document.id == document_id))
    if here is None:
        return AnnotationSet.document_id > document_id
    return sa.or_(UNSURE < here, sa.and_(UNSURE == here, AnnotationSet.document_id > document_id))


def next_set(dataset: Dataset, user: User, *, after_document: int | None = None) -> AnnotationSet | None:
    """The user's first unfinished set, or the first after a document (wrapping round) when skipping."""
    query = _own_sets(dataset, user).where(AnnotationSet.status.in_(UNFINISHED))
    if after_document is None:
        return db.session.scalar(query.limit(1))
    later = db.session.scalar(query.where(_after(dataset, after_document)).limit(1))
    return later or db.session.scalar(query.limit(1))


def progress(dataset: Dataset, user: User) -> Progress:
    """Finished (submitted or reviewed) of assigned sets for the user in the dataset."""
    rows = db.session.execute(
        sa.select(AnnotationSet.status, sa.func.count()).join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, AnnotationSet.kind == SetKind.ANNOTATOR,
               AnnotationSet.user_id == user.id)
        .group_by(AnnotationSet.status)).all()
    counts = {status: n for status, n in rows}
    assigned = sum(counts.values())
    return Progress(done=assigned - sum(counts.get(s, 0) for s in UNFINISHED), assigned=assigned)
