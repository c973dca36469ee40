"""Adjudication: a document's versions side by side or merged, taking items into gold, sign-off, restore."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..agreement import Merged, agreed_annotation, merge, take
from ..db import db
from ..models import AnnotationSet, Document, User, annotation_of
from ..spans import Annotation, SpanError
from .annotations import VersionConflict, annotation_at, gold_set, replace_annotation, set_status

LAYERS = ("entities", "quotes", "stances")


@dataclass(frozen=True)
class ReviewState:
    """Everything the review page shows: the sets, their annotations, the merge and the gold."""

    document: Document
    sets: dict[str, AnnotationSet]
    versions: dict[str, Annotation]
    merged: Merged
    gold: AnnotationSet | None

    @property
    def annotators(self) -> tuple[str, ...]:
        """The annotators' version names (not model, not gold)."""
        return self.merged.annotators


def document_sets(document: Document) -> dict[str, AnnotationSet]:
    """The document's sets by version name: model, each annotator by name, gold."""
    sets = db.session.scalars(sa.select(AnnotationSet).where(AnnotationSet.document_id == document.id)
                              .order_by(AnnotationSet.kind != "model", AnnotationSet.kind == "gold",
                                        AnnotationSet.id))
    return {aset.owner_name: aset for aset in sets}


def review_state(document: Document) -> ReviewState:
    """Load every version of a document and merge them for review."""
    sets = document_sets(document)
    versions = {name: annotation_of(aset.id) for name, aset in sets.items()}
    return ReviewState(document, sets, versions, merge(versions, document.text), sets.get("gold"))


def _gold(document: Document, expected_version: int | None) -> AnnotationSet:
    gold = gold_set(document.id, create=True)
    assert gold is not None
    if expected_version is not None and gold.version != expected_version:
        raise VersionConflict(gold.version)
    return gold


def take_item(document: Document, *, source: str, layer: str, uid: str, user: User,
              expected_version: int | None) -> AnnotationSet:
    """Copy one item of a version (with its linked entities) into the gold set."""
    sets = document_sets(document)
    if source not in sets or source == "gold" or layer not in LAYERS:
        raise SpanError(f"no version named {source!r}", field="source")
    version = annotation_of(sets[source].id)
    item = next((i for i in getattr(version, layer) if i.uid == uid), None)
    if item is None:
        raise SpanError(f"{source} has no {layer} item {uid!r}", field="uid")
    gold = _gold(document, expected_version)
    target = take(item, annotation_of(gold.id), version, document.text)
    replace_annotation(gold, target, user=user, expected_version=gold.version)
    return gold


def remove_item(document: Document, *, layer: str, uid: str, user: User, expected_version: int) -> AnnotationSet:
    """Drop one item from the gold set (links to a dropped entity are cleared)."""
    gold = _gold(document, expected_version)
    current = annotation_of(gold.id)
    kept = {name: [i for i in getattr(current, name) if not (name == layer and i.uid == uid)] for name in LAYERS}
    replace_annotation(gold, Annotation(**kept), user=user, expected_version=gold.version)
    return gold


def accept_agreed(document: Document, *, user: User, expected_version: int | None) -> AnnotationSet:
    """Add to gold every item all annotators agree on (items already in gold stay)."""
    state = review_state(document)
    agreed = agreed_annotation(state.versions, state.annotators, document.text)
    gold = _gold(document, expected_version)
    target = annotation_of(gold.id)
    for layer in LAYERS:
        for item in getattr(agreed, layer):
            target = take(item, target, agreed, document.text)
    replace_annotation(gold, target, user=user, expected_version=gold.version)
    return gold


def mark_reviewed(document: Document, *, user: User, expected_version: int | None) -> AnnotationSet:
    """Sign off the gold set; the annotators' submitted sets become reviewed too."""
    gold = _gold(document, expected_version)
    set_status(gold, status="reviewed", user=user, expected_version=gold.version)
    for aset in document_sets(document).values():
        if aset.kind == "annotator" and aset.status == "submitted":
            set_status(aset, status="reviewed", user=user, expected_version=aset.version)
    return gold


def restore(aset: AnnotationSet, version: int, *, user: User, expected_version: int) -> None:
    """Make a set hold what it held at an earlier version again, as audited edits."""
    if not 1 <= version <= aset.version:
        raise SpanError("no such version of this set", field="version")
    replace_annotation(aset, annotation_at(aset, version), user=user, expected_version=expected_version)
