"""Handing documents to annotators: automatic (even, deterministic), by hand, and moving work."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa

from ..db import db
from ..errors import InvalidInput
from ..models import AnnotationSet, AuditEvent, Dataset, Document, User, utcnow
from .annotations import ensure_seeded, user_set
from ..vocab import UNFINISHED, Role, SetKind


class AssignmentError(InvalidInput):
    """An assignment that cannot be made as asked."""


def annotators() -> list[User]:
    """Active users with the annotator role, by name."""
    return list(db.session.scalars(sa.select(User).where(
        User.role == Role.ANNOTATOR, User.active.is_(True)).order_by(User.name)))


def assign(document: Document, user: User) -> AnnotationSet:
    """Give a document to a user: create their set, seeded with the model's items."""
    aset = user_set(document.id, user, create=True)
    assert aset is not None
    ensure_seeded(aset)
    return aset


def holders(dataset: Dataset) -> dict[int, set[int]]:
    """The annotators holding each document of the dataset, by document id."""
    rows = db.session.execute(
        sa.select(AnnotationSet.document_id, AnnotationSet.user_id)
        .join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, AnnotationSet.kind == SetKind.ANNOTATOR))
    found: dict[int, set[int]] = {}
    for document_id, user_id in rows:
        if user_id is not None:
            found.setdefault(document_id, set()).add(user_id)
    return found


def unfinished_work(dataset: Dataset) -> list[tuple[int, int, str]]:
    """(set id, document id, annotator name) of every unfinished annotator set, by document then name."""
    rows = db.session.execute(
        sa.select(AnnotationSet.id, AnnotationSet.document_id, User.name)
        .join(User, User.id == AnnotationSet.user_id).join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, AnnotationSet.kind == SetKind.ANNOTATOR,
               AnnotationSet.status.in_(UNFINISHED))
        .order_by(AnnotationSet.document_id, User.name))
    return [(set_id, doc_id, name) for set_id, doc_id, name in rows]


def missing(dataset: Dataset, held: dict[int, set[int]]) -> int:
    """How many more assignments the dataset needs to give each document enough annotators."""
    doc_ids = db.session.scalars(sa.select(Document.id).where(Document.dataset_id == dataset.id))
    return sum(max(0, dataset.annotators_per_doc - len(held.get(doc_id, ()))) for doc_id in doc_ids)


def document_in(dataset: Dataset, document_id: int | None) -> Document | None:
    """The dataset's document with this id (None when it is missing or in another dataset)."""
    document = db.session.get(Document, document_id) if document_id else None
    return document if document is not None and document.dataset_id == dataset.id else None


def auto_assign(dataset: Dataset, users: Sequence[User]) -> int:
    """Give every document `annotators_per_doc` distinct annotators, least-loaded first; return new sets."""
    if not users:
        raise AssignmentError("there is no annotator to assign to")
    held = holders(dataset)
    load = Counter({user.id: 0 for user in users})
    for user_ids in held.values():
        load.update(uid for uid in user_ids if uid in load)
    wanted = min(dataset.annotators_per_doc, len(users))
    made = 0
    for document in db.session.scalars(sa.select(Document).where(
            Document.dataset_id == dataset.id).order_by(Document.id)):
        have = held.get(document.id, set())
        free = [u for u in users if u.id not in have]
        for user in sorted(free, key=lambda u: (load[u.id], u.name))[:max(0, wanted - len(have))]:
            assign(document, user)
            load[user.id] += 1
            made += 1
    return made


def move(aset: AnnotationSet, to: User, *, by: User | None) -> None:
    """Hand an unfinished annotator set, with its edits so far, to another annotator (audited)."""
    if aset.kind != SetKind.ANNOTATOR or aset.status not in UNFINISHED:
        raise AssignmentError("only unfinished annotator work can be moved")
    if user_set(aset.document_id, to) is not None:
        raise AssignmentError(f"{to.name} already has this document")
    before = aset.owner_name
    aset.user_id = to.id
    aset.updated_at = utcnow()
    db.session.flush()
    db.session.add(AuditEvent(set_id=aset.id, document_id=aset.document_id, user_id=by.id if by else None,
                              version=aset.version, action="move", before={"owner": before},
                              after={"owner": to.name}))
    db.session.flush()
    db.session.refresh(aset)
