"""Agreement figures from the database: load finished versions, hand them to the pure module."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..agreement import Agreement, GoldAgreement, dataset_agreement, document_agreement, gold_agreement
from ..db import db
from ..models import ITEM_MODELS, AnnotationSet, Dataset, Document, User
from ..spans import Annotation

FINISHED = ("submitted", "reviewed")


def load_annotations(set_ids: Sequence[int]) -> dict[int, Annotation]:
    """The items of many sets, one query per layer, in text order."""
    found: dict[int, Annotation] = defaultdict(Annotation)
    for layer, model in ITEM_MODELS.items():
        order = model.start if layer == "entities" else (
            model.content_start if layer == "quotes" else model.evidence_start)
        for row in db.session.scalars(sa.select(model).where(model.set_id.in_(set_ids)).order_by(order, model.id)):
            getattr(found[row.set_id], layer).append(row.to_value())
    return {set_id: found.get(set_id, Annotation()) for set_id in set_ids}


def _finished_sets(document_ids: sa.Select[Any] | Sequence[int]) -> list[tuple[AnnotationSet, str]]:
    """Submitted/reviewed annotator sets and reviewed gold sets, with their version names."""
    rows = db.session.execute(
        sa.select(AnnotationSet, User.name).outerjoin(User, User.id == AnnotationSet.user_id)
        .where(AnnotationSet.document_id.in_(document_ids), AnnotationSet.status.in_(FINISHED),
               AnnotationSet.kind.in_(("annotator", "gold")))
        .order_by(AnnotationSet.document_id, AnnotationSet.id)).all()
    return [(aset, name or aset.kind) for aset, name in rows]


def finished_versions(document_ids: sa.Select[Any] | Sequence[int]) -> list[tuple[str, dict[str, Annotation]]]:
    """(text, versions by name) of each document with finished work; gold is named "gold"."""
    sets = _finished_sets(document_ids)
    items = load_annotations([aset.id for aset, _ in sets])
    by_doc: dict[int, dict[str, Annotation]] = defaultdict(dict)
    for aset, name in sets:
        by_doc[aset.document_id][name] = items[aset.id]
    texts = dict(db.session.execute(sa.select(Document.id, Document.text).where(Document.id.in_(list(by_doc)))).all())
    return [(texts[doc_id], versions) for doc_id, versions in by_doc.items()]


def _annotators_only(documents: list[tuple[str, dict[str, Annotation]]]) -> list[tuple[str, dict[str, Annotation]]]:
    return [(text, {n: a for n, a in versions.items() if n != "gold"}) for text, versions in documents]


def document_figures(document: Document) -> Agreement:
    """Agreement among the annotators who finished this document."""
    documents = _annotators_only(finished_versions([document.id]))
    return document_agreement(documents[0][1], document.text) if documents else Agreement()


def _dataset_documents(dataset: Dataset) -> sa.Select[Any]:
    return sa.select(Document.id).where(Document.dataset_id == dataset.id)


def dataset_figures(dataset: Dataset) -> tuple[Agreement, GoldAgreement]:
    """Agreement among annotators over the dataset, and each annotator against reviewed gold."""
    documents = finished_versions(_dataset_documents(dataset))
    return dataset_agreement(_annotators_only(documents)), gold_agreement(documents)


@dataclass(frozen=True)
class AnnotatorFigures:
    """One annotator's work in a dataset: documents done, median seconds per document, gold F1."""

    name: str
    assigned: int
    done: int
    median_seconds: float | None
    gold_f1: float | None


def annotator_figures(dataset: Dataset, gold: GoldAgreement) -> list[AnnotatorFigures]:
    """Per-annotator progress, speed and agreement with gold (entities, exact match)."""
    rows = db.session.execute(
        sa.select(User.name, AnnotationSet).join(User, User.id == AnnotationSet.user_id)
        .where(AnnotationSet.document_id.in_(_dataset_documents(dataset)), AnnotationSet.kind == "annotator")
        .order_by(User.name)).all()
    by_user: dict[str, list[AnnotationSet]] = defaultdict(list)
    for name, aset in rows:
        by_user[name].append(aset)
    result = []
    for name, sets in by_user.items():
        done = [s for s in sets if s.status in FINISHED]
        seconds = [(s.submitted_at - s.started_at).total_seconds() for s in done
                   if s.submitted_at is not None and s.started_at is not None]
        scores = gold.scores.get(name)
        result.append(AnnotatorFigures(name, len(sets), len(done),
                                       statistics.median(seconds) if seconds else None,
                                       scores.entities_exact.f1 if scores else None))
    return result
