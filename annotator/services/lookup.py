"""Rows fetched by id for the entry points: None when missing (the view decides 404 or 403)."""

from __future__ import annotations

from ..db import db
from ..models import AnnotationSet, Dataset, Document, Job, User, annotation_of
from ..spans import Annotation

__all__ = ["annotation_of", "annotation_set", "dataset", "document", "fresh_job", "job", "user"]


def dataset(dataset_id: int) -> Dataset | None:
    """The dataset with this id."""
    return db.session.get(Dataset, dataset_id)


def document(document_id: int) -> Document | None:
    """The document with this id."""
    return db.session.get(Document, document_id)


def annotation_set(set_id: int) -> AnnotationSet | None:
    """The annotation set with this id."""
    return db.session.get(AnnotationSet, set_id)


def user(user_id: int) -> User | None:
    """The account with this id."""
    return db.session.get(User, user_id)


def job(job_id: int) -> Job | None:
    """The background job with this id."""
    return db.session.get(Job, job_id)


def fresh_job(found: Job) -> Job:
    """The job re-read from the database (a worker thread or process updates it meanwhile)."""
    db.session.refresh(found)
    return found


def items_of(aset: AnnotationSet) -> Annotation:
    """A set's three layers as pure values."""
    return annotation_of(aset.id)
