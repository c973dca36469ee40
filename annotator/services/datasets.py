"""Dataset and document listings with progress figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..db import db
from ..models import AgreementDocument, AnnotationSet, Dataset, Document, User
from ..vocab import SetKind


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


def _done_counts() -> dict[int, int]:
    """Per dataset, documents with reviewed gold or enough finished annotator sets, from the stored
    per-document state (one narrow indexed table, kept by services.agreement_store)."""
    d = AgreementDocument
    rows = db.session.execute(
        sa.select(d.dataset_id, sa.func.count()).join(Dataset, Dataset.id == d.dataset_id)
        .where(sa.or_(d.has_gold, d.annotators >= Dataset.annotators_per_doc)).group_by(d.dataset_id))
    return {dataset_id: count for dataset_id, count in rows}


def _with_work_of(user: User) -> sa.Select[Any]:
    """Ids of the datasets in which the user holds an annotation set."""
    return (sa.select(Document.dataset_id).join(AnnotationSet, AnnotationSet.document_id == Document.id)
            .where(AnnotationSet.user_id == user.id).distinct())


def holds_work_in(user: User, dataset_id: int) -> bool:
    """Whether the user holds an annotation set in the dataset."""
    return db.session.scalar(_with_work_of(user).where(Document.dataset_id == dataset_id).limit(1)) is not None


def by_name(name: str) -> Dataset | None:
    """The dataset of that name."""
    return db.session.scalar(sa.select(Dataset).where(Dataset.name == name))


def named(name: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of every dataset in creation order, or of the one called `name` (none if missing)."""
    query = sa.select(Dataset.id, Dataset.name).order_by(Dataset.id)
    if name:
        query = query.where(Dataset.name == name)
    return [(dataset_id, found) for dataset_id, found in db.session.execute(query)]


def document_count(dataset_id: int) -> int:
    """How many documents the dataset holds."""
    return db.session.scalar(sa.select(sa.func.count()).where(Document.dataset_id == dataset_id)) or 0


def summaries(viewer: User | None = None) -> list[DatasetSummary]:
    """Every dataset (for annotators: those they hold work in) with its size and how many are done, in SQL."""
    counts = dict(db.session.execute(
        sa.select(Document.dataset_id, sa.func.count()).group_by(Document.dataset_id)).all())
    done = _done_counts()
    query = sa.select(Dataset).order_by(Dataset.name)
    if viewer is not None and not viewer.can_review:
        query = query.where(Dataset.id.in_(_with_work_of(viewer)))
    return [DatasetSummary(ds, counts.get(ds.id, 0), done.get(ds.id, 0)) for ds in db.session.scalars(query)]


def visible_sets(viewer: User, document_ids: Sequence[int]) -> dict[int, list[AnnotationSet]]:
    """The sets of the given documents (a page's) that the viewer may see, keyed by document id."""
    if not document_ids:
        return {}
    query = (sa.select(AnnotationSet).where(AnnotationSet.document_id.in_(document_ids))
             .options(joinedload(AnnotationSet.user)).order_by(AnnotationSet.id))
    if not viewer.can_review:
        query = query.where(sa.or_(AnnotationSet.user_id == viewer.id, AnnotationSet.kind == SetKind.MODEL))
    found: dict[int, list[AnnotationSet]] = {}
    for aset in db.session.scalars(query):
        found.setdefault(aset.document_id, []).append(aset)
    return found


def documents(dataset: Dataset, viewer: User) -> sa.Select[Any]:
    """The dataset's documents the viewer may list, in import order (annotators: their own)."""
    query = sa.select(Document).where(Document.dataset_id == dataset.id).order_by(Document.id)
    if not viewer.can_review:
        mine = sa.select(AnnotationSet.document_id).where(AnnotationSet.user_id == viewer.id)
        query = query.where(Document.id.in_(mine))
    return query


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, and the numbers the pager shows (counted in SQL)."""

    items: list[Document]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page's number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page's number."""
        return self.page + 1


def page_of(query: sa.Select[Any], page: int, per_page: int = 100) -> Page:
    """One page of documents with LIMIT/OFFSET and a COUNT, both in SQL (tokens stay unloaded)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.with_only_columns(Document.id).order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return Page(list(rows), page, per_page, total)
