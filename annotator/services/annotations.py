"""Annotation sets: finding and seeding them, applying edits with version checks, audit, restore."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ..db import db
from ..models import (
    ITEM_MODELS, AnnotationSet, AuditEvent, Document, EntitySpan, QuoteItem,
    StanceItem, User, annotation_of, utcnow,
)
from ..checks import Rules, check_item, validate
from ..spans import Annotation, Entity, Quote, SpanError, Stance
from ..tokens import DocTokens
from ..errors import Conflict
from ..vocab import Origin, SetKind, Status

VALUE_TYPES: dict[str, Any] = {"entities": Entity, "quotes": Quote, "stances": Stance}


class VersionConflict(Conflict):
    """The set changed since the client loaded it."""

    def __init__(self, current: int) -> None:
        super().__init__(f"this annotation was changed elsewhere (now at version {current}); "
                         "reload to see the other changes, yours were not saved")
        self.current = current


@dataclass(frozen=True)
class Op:
    """One edit: upsert an item (a pure value) or delete one by uid."""

    op: str
    layer: str
    uid: str
    value: Entity | Quote | Stance | None = None


def parse_op(item: Any, field: str) -> Op:
    """Turn one JSON edit into an Op; raise SpanError naming the bad field."""
    if not isinstance(item, Mapping):
        raise SpanError("must be an object", field=field)
    layer, kind = item.get("layer"), item.get("op")
    if not isinstance(layer, str) or layer not in VALUE_TYPES:
        raise SpanError("must be entities, quotes or stances", field=f"{field}.layer")
    if kind == "delete":
        uid = item.get("uid")
        if not isinstance(uid, str) or not uid:
            raise SpanError("is required", field=f"{field}.uid")
        return Op("delete", layer, uid)
    if kind == "upsert":
        value = VALUE_TYPES[layer].from_dict(item.get("item"), field=f"{field}.item", origin=Origin.HUMAN)
        value = replace(value, origin=Origin.HUMAN)  # the server decides: what a person saves is human
        return Op("upsert", layer, value.uid, value)
    raise SpanError("must be upsert or delete", field=f"{field}.op")


def parse_ops(raw: Any) -> list[Op]:
    """Turn the API's JSON list of edits into Ops; raise SpanError naming the bad field."""
    if not isinstance(raw, list):
        raise SpanError("must be a list", field="ops")
    return [parse_op(item, f"ops[{i}]") for i, item in enumerate(raw)]


@dataclass(frozen=True)
class Refusal:
    """An edit of a batch that was not applied, and why."""

    index: int
    layer: str | None
    uid: str | None
    field: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form for the API."""
        return {"index": self.index, "layer": self.layer, "uid": self.uid, "field": self.field,
                "error": self.error}


def _refusal(index: int, raw: Any, err: SpanError) -> Refusal:
    item: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    inner = item.get("item")
    value: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
    uid = item.get("uid") or value.get("uid")
    layer = item.get("layer")
    return Refusal(index, layer if isinstance(layer, str) else None, uid if isinstance(uid, str) else None,
                   err.field, str(err))


def apply_each(aset: AnnotationSet, raw_ops: Any, *, user: User | None,
               expected_version: int) -> list[Refusal]:
    """Check and apply each edit on its own; keep the good ones, return the refused ones and why."""
    if not isinstance(raw_ops, list):
        raise SpanError("must be a list", field="ops")
    if aset.version != expected_version:
        raise VersionConflict(aset.version)
    ctx = _Context(aset)
    refused: list[Refusal] = []
    events: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_ops):
        try:
            op = parse_op(raw, f"ops[{i}]")
            _apply_one(ctx, op, events, check=True)
        except SpanError as err:
            refused.append(_refusal(i, raw, err))
    _touch(aset, user, events)
    return refused


def model_set(document_id: int) -> AnnotationSet | None:
    """The model's pre-annotation set of a document."""
    return db.session.scalar(sa.select(AnnotationSet).where(
        AnnotationSet.document_id == document_id, AnnotationSet.kind == SetKind.MODEL))


def gold_set(document_id: int, *, create: bool = False) -> AnnotationSet | None:
    """The adjudicated gold set of a document, created empty on request."""
    aset = db.session.scalar(sa.select(AnnotationSet).where(
        AnnotationSet.document_id == document_id, AnnotationSet.kind == SetKind.GOLD))
    if aset is None and create:
        aset = AnnotationSet(document_id=document_id, kind=SetKind.GOLD, status=Status.IN_PROGRESS, seeded=True)
        db.session.add(aset)
        db.session.flush()
    return aset


def user_set(document_id: int, user: User, *, create: bool = False) -> AnnotationSet | None:
    """An annotator's set of a document, created (unseeded) on request."""
    aset = db.session.scalar(sa.select(AnnotationSet).where(
        AnnotationSet.document_id == document_id, AnnotationSet.user_id == user.id))
    if aset is None and create:
        aset = AnnotationSet(document_id=document_id, kind=SetKind.ANNOTATOR, user_id=user.id)
        db.session.add(aset)
        db.session.flush()
    return aset


def insert_annotation(set_id: int, annotation: Annotation) -> None:
    """Bulk-insert the items of an annotation into an (empty) set."""
    for layer, model in ITEM_MODELS.items():
        values = getattr(annotation, layer)
        if values:
            db.session.execute(sa.insert(model), [{"set_id": set_id, **model.columns(v)} for v in values])


def current_annotation(aset: AnnotationSet) -> Annotation:
    """What a set holds; a set not yet seeded shows the model's items it gets on its first save."""
    source = None if aset.seeded else model_set(aset.document_id)
    return annotation_of(aset.id if source is None else source.id)


def ensure_seeded(aset: AnnotationSet) -> None:
    """Copy the model's items into an annotator's set the first time it is opened."""
    if aset.seeded:
        return
    source = model_set(aset.document_id)
    if source is not None:
        insert_annotation(aset.id, annotation_of(source.id))
    aset.seeded = True


def _item_row(set_id: int, layer: str, uid: str) -> Any:
    model = ITEM_MODELS[layer]
    return db.session.scalar(sa.select(model).where(model.set_id == set_id, model.uid == uid))


@lru_cache(maxsize=64)
def _token_lists(document_id: int, content_hash: str) -> tuple[list[int], list[int]] | None:
    """A document's token starts and ends, cached by id and text hash: a document's text never changes."""
    tokens = db.session.scalar(sa.select(Document.tokens).where(Document.id == document_id))
    return (list(map(itemgetter(0), tokens)), list(map(itemgetter(1), tokens))) if tokens else None


def _token_bounds(document: Document) -> DocTokens | None:
    """A document's tokens (annotator.tokens, the one token rule)."""
    lists = _token_lists(document.id, document.content_hash)
    return None if lists is None else DocTokens.from_lists(document.text, *lists)


def rules_for(document: Document, *, tokens: bool = True) -> Rules:
    """The rules a document's sets must fit: its text and tokens, its dataset's vocabulary."""
    dataset = document.dataset
    bounds = _token_bounds(document) if tokens else None
    return Rules(document.text, bounds, tuple(dataset.entity_labels or ()) or None,
                 tuple(dataset.stance_polarities or ()) or None)


def _neighbours(set_id: int, value: Entity | Quote | Stance) -> list[Entity]:
    """The set's stored entities that an entity may overlap (only entities have an overlap rule)."""
    if isinstance(value, Entity):  # plain columns: no ORM object per neighbour
        e = EntitySpan
        return [Entity(uid, start, end, label, Origin(origin)) for uid, start, end, label, origin in db.session.execute(
            sa.select(e.uid, e.start, e.end, e.label, e.origin).where(
                e.set_id == set_id, e.start < value.end, e.end > value.start))]
    return []


def _linked_uids(set_id: int, value: Entity | Quote | Stance) -> set[str]:
    """Which of the entity uids the value links to exist in the set."""
    if isinstance(value, Quote):
        wanted = {value.speaker_entity}
    elif isinstance(value, Stance):
        wanted = {value.holder_entity, value.target_entity}
    else:
        return set()
    uids = [uid for uid in wanted if uid is not None]
    return set(db.session.scalars(sa.select(EntitySpan.uid).where(
        EntitySpan.set_id == set_id, EntitySpan.uid.in_(uids)))) if uids else set()


def check_op(aset: AnnotationSet, op: Op, rules: Rules) -> None:
    """Run the one item check (annotator.checks) on an upsert, with what the database knows."""
    assert op.value is not None
    check_item(op.value, rules, entity_uids=_linked_uids(aset.id, op.value),
               overlapping=_neighbours(aset.id, op.value))


def _unlink_entity(set_id: int, uid: str, name: str, events: list[dict[str, Any]]) -> None:
    """Clear links to a deleted entity (a stance keeps its text as holder or target), recording each change."""
    links: list[tuple[Any, str, tuple[str, ...]]] = [
             (QuoteItem, "quotes", ("speaker_entity_uid",)),
             (StanceItem, "stances", ("holder_entity_uid", "target_entity_uid"))]
    for model, layer, columns in links:
        for column in columns:
            rows = db.session.scalars(sa.select(model).where(
                model.set_id == set_id, getattr(model, column) == uid))
            for row in rows:
                before = row.to_value().to_dict()
                setattr(row, column, None)
                text_column = column.replace("_entity_uid", "_text")
                if layer == "stances" and not getattr(row, text_column):
                    setattr(row, text_column, name)
                events.append({"action": "update", "layer": layer, "item_uid": row.uid,
                               "before": before, "after": row.to_value().to_dict()})


class _Context:
    """What checking an edit of one set needs: the set, its document and the rules it must fit."""

    def __init__(self, aset: AnnotationSet) -> None:
        self.aset = aset
        # the document and its dataset (the labels) in one query, unless already loaded
        document = db.session.get(Document, aset.document_id, options=[sa.orm.joinedload(Document.dataset)])
        assert document is not None
        self.document = document
        self._rules: Rules | None = None

    @property
    def rules(self) -> Rules:
        """The document's rules, token bounds included (loaded on first use)."""
        if self._rules is None:
            self._rules = rules_for(self.document)
        return self._rules


def _apply_one(ctx: _Context, op: Op, events: list[dict[str, Any]], *, check: bool) -> None:
    """Apply one edit (checked first when asked), recording its audit event."""
    aset = ctx.aset
    row = _item_row(aset.id, op.layer, op.uid)
    before = row.to_value().to_dict() if row is not None else None
    if op.op == "delete":
        if row is None or before is None:
            return
        db.session.delete(row)
        db.session.flush()
        if op.layer == "entities":
            _unlink_entity(aset.id, op.uid, ctx.document.text[before["start"]:before["end"]], events)
        events.append({"action": "delete", "layer": op.layer, "item_uid": op.uid,
                       "before": before, "after": None})
        return
    assert op.value is not None
    if check:
        check_op(aset, op, ctx.rules)
    columns = ITEM_MODELS[op.layer].columns(op.value)
    if row is None:
        row = ITEM_MODELS[op.layer](set_id=aset.id, **columns)
        db.session.add(row)
    else:
        for key, val in columns.items():
            setattr(row, key, val)
    db.session.flush()
    events.append({"action": "create" if before is None else "update", "layer": op.layer,
                   "item_uid": op.uid, "before": before, "after": op.value.to_dict()})


def apply_ops(aset: AnnotationSet, ops: Sequence[Op], *, user: User | None, expected_version: int,
              check: bool = True) -> None:
    """Apply edits to a set if it is still at the client's version; record each in the audit log."""
    if aset.version != expected_version:
        raise VersionConflict(aset.version)
    ctx = _Context(aset)
    events: list[dict[str, Any]] = []
    for op in ops:
        _apply_one(ctx, op, events, check=check)
    _touch(aset, user, events)


def _touch(aset: AnnotationSet, user: User | None, events: Iterable[dict[str, Any]]) -> None:
    """Bump the set's version (refused if someone else bumped it first) and log the events."""
    aset.updated_at = utcnow()
    if aset.status == Status.NEW and aset.kind == SetKind.ANNOTATOR:
        aset.status = Status.IN_PROGRESS
        aset.started_at = aset.started_at or utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        current = db.session.scalar(sa.select(AnnotationSet.version).where(AnnotationSet.id == aset.id))
        raise VersionConflict(current or 0) from None
    rows = [{"set_id": aset.id, "document_id": aset.document_id, "user_id": user.id if user else None,
             "version": aset.version, "at": utcnow(), **event} for event in events]
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)


def set_status(aset: AnnotationSet, *, status: str, user: User | None, expected_version: int,
               answer: str | None = None) -> None:
    """Move a set along new, in progress, submitted, reviewed (and record the answer)."""
    if status not in tuple(Status):
        raise SpanError(f"must be one of {', '.join(Status)}", field="status")
    if aset.version != expected_version:
        raise VersionConflict(aset.version)
    before = {"status": aset.status, "answer": aset.answer}
    aset.status = status
    if answer is not None:
        aset.answer = answer
    # Signing off the gold must not overwrite when annotators submitted (their time per document).
    if status == Status.SUBMITTED or (status == Status.REVIEWED and aset.submitted_at is None):
        aset.submitted_at = utcnow()
        aset.started_at = aset.started_at or aset.created_at
    _touch(aset, user, [{"action": "status", "layer": None, "item_uid": None, "before": before,
                         "after": {"status": aset.status, "answer": aset.answer}}])


def diff_ops(current: Annotation, target: Annotation) -> list[Op]:
    """The edits that turn one annotation into another (entities first, deletions last)."""
    ops: list[Op] = []
    deletions: list[Op] = []
    for layer in ("entities", "quotes", "stances"):
        now = {v.uid: v for v in getattr(current, layer)}
        want = {v.uid: v for v in getattr(target, layer)}
        ops += [Op("upsert", layer, uid, v) for uid, v in want.items() if now.get(uid) != v]
        deletions += [Op("delete", layer, uid) for uid in now if uid not in want]
    return ops + deletions[::-1]


def check_annotation(document: Document, annotation: Annotation) -> None:
    """Run the one check (annotator.checks) on a whole annotation of a document."""
    dataset = document.dataset
    validate(annotation, document.text, labels=dataset.entity_labels or None,
             polarities=dataset.stance_polarities or None,
             bounds=_token_bounds(document))


def replace_annotation(aset: AnnotationSet, target: Annotation, *, user: User | None,
                       expected_version: int, current: Annotation | None = None) -> None:
    """Make a set hold exactly the target annotation (checked whole first), as audited edits.

    ``current`` is what the set holds now, when the caller has it loaded already.
    """
    check_annotation(aset.document, target)
    if aset.version != expected_version:
        raise VersionConflict(aset.version)
    now = current if current is not None else annotation_of(aset.id)
    ops = diff_ops(now, target)
    before = {(layer, v.uid): v.to_dict() for layer in VALUE_TYPES for v in getattr(now, layer)}
    for layer, model in ITEM_MODELS.items():
        gone = [op.uid for op in ops if op.layer == layer and (layer, op.uid) in before]
        for start in range(0, len(gone), 500):  # deleting first frees spans and uids for the new items
            db.session.execute(sa.delete(model).where(model.set_id == aset.id, model.uid.in_(gone[start:start + 500])))
    for layer, model in ITEM_MODELS.items():
        rows = [{"set_id": aset.id, **model.columns(op.value)} for op in ops if op.layer == layer and op.value]
        if rows:
            db.session.execute(sa.insert(model), rows)
    _touch(aset, user, [{"action": "delete" if op.value is None else "update" if (op.layer, op.uid) in before
                         else "create", "layer": op.layer, "item_uid": op.uid,
                         "before": before.get((op.layer, op.uid)),
                         "after": op.value.to_dict() if op.value else None} for op in ops])


def annotation_at(aset: AnnotationSet, version: int) -> Annotation:
    """Rebuild a set's annotation as it was at an earlier version, from the audit log."""
    state = {layer: {v.uid: v for v in getattr(annotation_of(aset.id), layer)} for layer in VALUE_TYPES}
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.set_id == aset.id, AuditEvent.version > version, AuditEvent.layer.is_not(None)
    ).order_by(AuditEvent.id.desc()))
    for event in events:
        assert event.layer is not None and event.item_uid is not None  # item events only (query above)
        items = state[event.layer]
        if event.before is None:
            items.pop(event.item_uid, None)
        else:
            items[event.item_uid] = VALUE_TYPES[event.layer].from_dict(event.before, origin=Origin.HUMAN)
    return Annotation(**{layer: list(items.values()) for layer, items in state.items()})


def history(document_id: int) -> list[AuditEvent]:
    """A document's audit log, newest first."""
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.document_id == document_id)
                                   .order_by(AuditEvent.id.desc())))
