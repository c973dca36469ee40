"""Dataset and document listings with progress figures."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..db import db
from ..models import AnnotationSet, Dataset, Document, User


@dataclass(frozen=True)
class DatasetSummary:
    """A dataset row of the dataset list."""

    dataset: Dataset
    documents: int
    done: int

    @property
    def share_done(self) -> float:
        """Done documents as a fraction of all."""
        return self.done / self.documents if self.documents else 0.0


def _done_documents(dataset: Dataset) -> int:
    """Documents with a reviewed gold set or enough submitted annotator sets."""
    submitted = (sa.select(AnnotationSet.document_id)
                 .where(AnnotationSet.kind == "annotator", AnnotationSet.status.in_(("submitted", "reviewed")))
                 .group_by(AnnotationSet.document_id)
                 .having(sa.func.count() >= dataset.annotators_per_doc))
    reviewed = sa.select(AnnotationSet.document_id).where(AnnotationSet.kind == "gold",
                                                          AnnotationSet.status == "reviewed")
    return db.session.scalar(
        sa.select(sa.func.count(Document.id)).where(
            Document.dataset_id == dataset.id,
            sa.or_(Document.id.in_(submitted), Document.id.in_(reviewed)))) or 0


def summaries() -> list[DatasetSummary]:
    """Every dataset with its document count and how many are done."""
    counts = dict(db.session.execute(
        sa.select(Document.dataset_id, sa.func.count()).group_by(Document.dataset_id)).all())
    return [DatasetSummary(ds, counts.get(ds.id, 0), _done_documents(ds))
            for ds in db.session.scalars(sa.select(Dataset).order_by(Dataset.name))]


def document_sets(dataset: Dataset, viewer: User) -> dict[int, list[AnnotationSet]]:
    """The sets of each document that the viewer may see, keyed by document id."""
    query = (sa.select(AnnotationSet).join(Document, Document.id == AnnotationSet.document_id)
             .where(Document.dataset_id == dataset.id).order_by(AnnotationSet.id))
    if not viewer.can_review:
        query = query.where(sa.or_(AnnotationSet.user_id == viewer.id, AnnotationSet.kind == "model"))
    found: dict[int, list[AnnotationSet]] = {}
    for aset in db.session.scalars(query):
        found.setdefault(aset.document_id, []).append(aset)
    return found


def documents(dataset: Dataset) -> sa.Select[tuple[Document]]:
    """The dataset's documents in import order."""
    return sa.select(Document).where(Document.dataset_id == dataset.id).order_by(Document.id)
