"""Adjudication: a document's versions merged, taking items into gold, sign-off, reopen, undo, restore.

Only finished work votes: the merge, the agreed items and "accept all agreed" use the model,
the gold and the annotator sets that were submitted or reviewed. Unfinished sets are listed
with their status and never counted. Every action names the gold version it was made from
(0 while there is no gold) and is refused with VersionConflict when the gold moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa

from ..agreement import Merged, agreed_annotation, merge, take, take_many
from ..agreement.signatures import LAYERS
from ..db import db
from ..models import AnnotationSet, AuditEvent, Document, User, annotation_of
from ..spans import Annotation, Entity, Quote, SpanError, Stance
from ..vocab import FINISHED, SetKind, Status
from .annotations import VersionConflict, annotation_at, gold_set, replace_annotation, set_status


class ReviewRefused(Exception):
    """A review action that cannot be done now; the message says why."""


@dataclass(frozen=True)
class ReviewState:
    """Everything the review page shows: the sets, the counted versions, the merge and the gold."""

    document: Document
    sets: dict[str, AnnotationSet]
    versions: dict[str, Annotation]
    merged: Merged
    gold: AnnotationSet | None
    unfinished: dict[str, AnnotationSet] = field(default_factory=dict)
    disputed: frozenset[str] = frozenset()

    @property
    def annotators(self) -> tuple[str, ...]:
        """The finished annotators' version names (not model, not gold, not unfinished)."""
        return self.merged.annotators

    @property
    def accept_refusal(self) -> str | None:
        """Why "accept all agreed" would do nothing yet, or None when it can run."""
        return _quorum_refusal(self.document, self.annotators, self.unfinished)


def document_sets(document: Document) -> dict[str, AnnotationSet]:
    """The document's sets by version name: model, each annotator by name, gold."""
    sets = db.session.scalars(sa.select(AnnotationSet).where(AnnotationSet.document_id == document.id)
                              .order_by(AnnotationSet.kind != SetKind.MODEL, AnnotationSet.kind == SetKind.GOLD,
                                        AnnotationSet.id))
    return {aset.owner_name: aset for aset in sets}


def counts(aset: AnnotationSet) -> bool:
    """Whether a set is shown as a voting version: model, gold, or finished annotator work."""
    return aset.kind != SetKind.ANNOTATOR or aset.status in FINISHED


def quorum(document: Document) -> int:
    """Finished annotator sets needed before items count as agreed (1 when one per document)."""
    return 1 if document.dataset.annotators_per_doc == 1 else 2


def _quorum_refusal(document: Document, finished: tuple[str, ...],
                    unfinished: dict[str, AnnotationSet]) -> str | None:
    needed = quorum(document)
    if len(finished) >= needed:
        return None
    waiting = ", ".join(f"{name} ({aset.status.replace('_', ' ')})" for name, aset in unfinished.items())
    return (f"Nothing is agreed yet: {len(finished)} of the {needed} finished annotations needed"
            + (f"; still open: {waiting}" if waiting else "") + ".")


def review_state(document: Document) -> ReviewState:
    """Load the counted versions of a document and merge them for review."""
    sets = document_sets(document)
    counted = {name: aset for name, aset in sets.items() if counts(aset)}
    versions = {name: annotation_of(aset.id) for name, aset in counted.items()}
    merged = merge(versions, document.text, quorum=quorum(document))
    unfinished = {name: aset for name, aset in sets.items() if not counts(aset)}
    gold = sets.get("gold")
    return ReviewState(document, sets, versions, merged, gold, unfinished,
                       _disputed(merged, counted, gold))


def _disputed(merged: Merged, sets: dict[str, AnnotationSet], gold: AnnotationSet | None) -> frozenset[str]:
    """Keys of gold items that an annotator left out in a submission made after they were taken."""
    if gold is None:
        return frozenset()
    taken = dict(db.session.execute(
        sa.select(AuditEvent.item_uid, sa.func.max(AuditEvent.at)).where(
            AuditEvent.set_id == gold.id, AuditEvent.action.in_(("create", "update")))
        .group_by(AuditEvent.item_uid)).all())
    voters = [(name, aset.submitted_at) for name, aset in sets.items()
              if aset.kind == SetKind.ANNOTATOR and aset.submitted_at is not None]
    found = set()
    for item in merged.items:
        at = taken.get(item.uids.get("gold"))
        if at is not None and any(name not in item.sources and _after(when, at) for name, when in voters):
            found.add(item.key)
    return frozenset(found)


def _after(late: object, early: object) -> bool:
    """Compare stored times whether or not the database kept their time zone (SQLite drops it)."""
    assert isinstance(late, datetime) and isinstance(early, datetime)
    return late.replace(tzinfo=None) > early.replace(tzinfo=None)


def _gold(document: Document, expected_version: int) -> AnnotationSet:
    """The gold set at the version the reviewer saw (0: none yet), created on first use."""
    gold = gold_set(document.id)
    current = gold.version if gold is not None else 0
    if expected_version != current:
        raise VersionConflict(current)
    if gold is not None and gold.status == Status.REVIEWED:
        raise ReviewRefused("The gold is signed off (reviewed); reopen the document to change it.")
    gold = gold or gold_set(document.id, create=True)
    assert gold is not None
    return gold


def take_item(document: Document, *, source: str, layer: str, uid: str, user: User,
              expected_version: int, replace: bool = False) -> AnnotationSet:
    """Copy one item of a counted version (with its linked entities) into the gold set.

    An item that would overlap gold items is refused (Collision) unless ``replace`` swaps them.
    """
    sets = document_sets(document)
    if source not in sets or source == SetKind.GOLD or not counts(sets[source]):
        raise SpanError(f"no finished version named {source!r}", field="source")
    if layer not in LAYERS:
        raise SpanError("must be entities, quotes or stances", field="layer")
    version = annotation_of(sets[source].id)
    item = next((i for i in getattr(version, layer) if i.uid == uid), None)
    if item is None:
        raise SpanError(f"{source} has no {layer} item {uid!r}", field="uid")
    gold = _gold(document, expected_version)
    current = annotation_of(gold.id)
    target = take(item, current, version, document.text, replace_colliding=replace)
    replace_annotation(gold, target, user=user, expected_version=gold.version, current=current)
    return gold


def remove_item(document: Document, *, layer: str, uid: str, user: User, expected_version: int) -> AnnotationSet:
    """Drop one item from the gold set (links to a dropped entity are cleared)."""
    gold = _gold(document, expected_version)
    current = annotation_of(gold.id)
    if not any(i.uid == uid for i in getattr(current, layer, [])):
        raise SpanError(f"the gold has no {layer} item {uid!r}", field="uid")
    kept = {name: [i for i in getattr(current, name) if not (name == layer and i.uid == uid)] for name in LAYERS}
    dropped = [e for e in current.entities if layer == "entities" and e.uid == uid]
    replace_annotation(gold, _unlinked(Annotation(**kept), dropped, document.text), user=user,
                       expected_version=gold.version, current=current)
    return gold


def _unlinked(annotation: Annotation, dropped: list[Entity], text: str) -> Annotation:
    """Clear links to dropped entities; a stance keeps a dropped entity's text as its holder or target."""
    names = {e.uid: text[e.start:e.end] for e in dropped}
    quotes = [replace(q, speaker_entity=None) if q.speaker_entity in names else q for q in annotation.quotes]
    stances = []
    for s in annotation.stances:
        if s.holder_entity in names:
            s = replace(s, holder_entity=None, holder=s.holder or names[s.holder_entity])
        if s.target_entity in names:
            s = replace(s, target_entity=None, target=s.target or names[s.target_entity])
        stances.append(s)
    return Annotation(annotation.entities, quotes, stances)


def accept_agreed(document: Document, *, user: User, expected_version: int) -> tuple[AnnotationSet | None, int]:
    """Add to gold every item all finished annotators agree on; return the gold and how many were added.

    Raises ReviewRefused, saying why, when too few annotators have finished.
    """
    state = review_state(document)
    refusal = state.accept_refusal
    if refusal is not None:
        raise ReviewRefused(refusal)
    agreed = agreed_annotation(state.versions, state.annotators, document.text)
    gold = _gold(document, expected_version)
    current = annotation_of(gold.id)
    items: list[Entity | Quote | Stance] = [*agreed.entities, *agreed.quotes, *agreed.stances]
    target = take_many(items, current, agreed, document.text, replace_colliding=False)
    added = sum(len(getattr(target, layer)) - len(getattr(current, layer)) for layer in LAYERS)
    if added:
        replace_annotation(gold, target, user=user, expected_version=gold.version, current=current)
    return gold, added


def mark_reviewed(document: Document, *, user: User, expected_version: int) -> AnnotationSet:
    """Sign off the gold set; the annotators' submitted sets become reviewed (read-only) too."""
    gold = _gold(document, expected_version)
    set_status(gold, status=Status.REVIEWED, user=user, expected_version=gold.version)
    for aset in document_sets(document).values():
        if aset.kind == SetKind.ANNOTATOR and aset.status == Status.SUBMITTED:
            set_status(aset, status=Status.REVIEWED, user=user, expected_version=aset.version)
    return gold


def reopen(document: Document, *, user: User, expected_version: int) -> AnnotationSet:
    """Undo a sign-off: the gold goes back in progress, reviewed annotator sets back to submitted."""
    gold = gold_set(document.id)
    if gold is None or gold.status != Status.REVIEWED:
        raise ReviewRefused("This document is not signed off; there is nothing to reopen.")
    if gold.version != expected_version:
        raise VersionConflict(gold.version)
    set_status(gold, status=Status.IN_PROGRESS, user=user, expected_version=gold.version)
    for aset in document_sets(document).values():
        if aset.kind == SetKind.ANNOTATOR and aset.status == Status.REVIEWED:
            set_status(aset, status=Status.SUBMITTED, user=user, expected_version=aset.version)
    return gold


def _undo_target(gold: AnnotationSet) -> int | None:
    """The newest gold version whose change is not itself an undo and was not undone yet."""
    events = db.session.execute(sa.select(AuditEvent.version, AuditEvent.action, AuditEvent.before).where(
        AuditEvent.set_id == gold.id).order_by(AuditEvent.version.desc())).all()
    undos = {v for v, action, _ in events if action == "undo"}
    undone = {before["version"] for _, action, before in events if action == "undo" and before}
    changed = [v for v, action, _ in events if action in ("create", "update", "delete")]
    return next((v for v in changed if v not in undos and v not in undone), None)


def undo(document: Document, *, user: User, expected_version: int) -> AnnotationSet:
    """Take back the newest change to the gold (a take, remove, accept or restore), audited."""
    gold = _gold(document, expected_version)
    version = _undo_target(gold)
    if version is None:
        raise ReviewRefused("There is no change to the gold to undo.")
    replace_annotation(gold, annotation_at(gold, version - 1), user=user, expected_version=gold.version)
    db.session.add(AuditEvent(set_id=gold.id, document_id=gold.document_id, user_id=user.id,
                              version=gold.version, action="undo", before={"version": version},
                              after={"version": gold.version}))
    return gold


def restore(aset: AnnotationSet, version: int, *, user: User, expected_version: int) -> None:
    """Make a set hold what it held at an earlier version again, as audited (and checked) edits."""
    if not 1 <= version <= aset.version:
        raise SpanError("no such version of this set", field="version")
    replace_annotation(aset, annotation_at(aset, version), user=user, expected_version=expected_version)
