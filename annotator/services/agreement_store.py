"""Per-document agreement, computed when finished work changes and stored for the dashboard to sum.

Which work counts (one home for the rule): an annotator's set once it is submitted or reviewed,
the gold set once it is reviewed, and the model's set as the baseline. A document that a finished
annotator or the reviewed gold rejected (answer "reject") is left out. Whenever a flush touches
an annotator's or the gold set that is or was finished, or a model set, the document is marked
and its figures are recomputed just before the transaction commits, in the same transaction.
A change to a set's items alone (an editor save) moves a document's rows only when agreement
compares its items (finished annotator work or a rejection); elsewhere the recompute is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..agreement import Agreement, PairScores, Tokens, document_agreement
from ..db import committing, db
from ..models import (
    AgreementDocument, AgreementLabel, AgreementPair, AgreementValue, AnnotationSet, Document, EntitySpan,
    QuoteItem, StanceItem, utcnow,
)
from ..models_agreement import SCOPES, TOTALS, AgreementSet
from ..spans import Annotation, Entity, Quote, Span, Stance
from ..vocab import FINISHED, Answer, SetKind, Status

BATCH = 250
_PENDING = "agreement_pending"
_ITEMS = "agreement_items_changed"  # documents whose sets changed only in their items
STORED = (AgreementPair, AgreementLabel, AgreementValue, AgreementSet, AgreementDocument)


@dataclass
class Versions:
    """The versions of one document that agreement looks at."""

    document_id: int
    dataset_id: int
    text: str
    tokens: list[list[int]] | None
    annotators: dict[str, Annotation] = field(default_factory=dict)
    model: Annotation | None = None
    gold: Annotation | None = None
    rejected: bool = False


def items_of(set_ids: Sequence[int], session: Any) -> dict[int, Annotation]:
    """The items of many sets as pure values, read as plain columns (no ORM objects), in text order."""
    found: dict[int, Annotation] = {set_id: Annotation() for set_id in set_ids}
    e, q, s = EntitySpan, QuoteItem, StanceItem
    for row in session.execute(sa.select(e.set_id, e.uid, e.start, e.end, e.label, e.origin)
                                  .where(e.set_id.in_(set_ids)).order_by(e.start, e.id)):
        found[row[0]].entities.append(Entity(row[1], row[2], row[3], row[4], row[5]))
    for row in session.execute(sa.select(
            q.set_id, q.uid, q.content_start, q.content_end, q.kind, q.cue_start, q.cue_end, q.speaker_start,
            q.speaker_end, q.speaker_entity_uid).where(q.set_id.in_(set_ids)).order_by(q.content_start, q.id)):
        found[row[0]].quotes.append(Quote(row[1], Span(row[2], row[3]), row[4], _span(row[5], row[6]),
                                          _span(row[7], row[8]), row[9]))
    for row in session.execute(sa.select(
            s.set_id, s.uid, s.polarity, s.evidence_start, s.evidence_end, s.holder_text, s.holder_entity_uid,
            s.target_text, s.target_entity_uid).where(s.set_id.in_(set_ids)).order_by(s.evidence_start, s.id)):
        found[row[0]].stances.append(Stance(row[1], row[2], Span(row[3], row[4]), row[5], row[6], row[7], row[8]))
    return found


def _span(start: int | None, end: int | None) -> Span | None:
    return None if start is None or end is None else Span(start, end)


def _counted_sets(document_ids: Sequence[int], session: Any) -> list[Any]:
    """Finished annotator sets, reviewed gold and the model set of the given documents (id, document, kind, ...)."""
    a = AnnotationSet
    return list(session.execute(sa.select(a.id, a.document_id, a.kind, a.user_id, a.status, a.answer).where(
        a.document_id.in_(document_ids),
        sa.or_(a.kind == SetKind.MODEL, sa.and_(a.kind == SetKind.ANNOTATOR, a.status.in_(FINISHED)),
               sa.and_(a.kind == SetKind.GOLD, a.status == Status.REVIEWED)))).all())


def _compared(sets: Iterable[Any]) -> set[int]:
    """The documents whose items agreement compares: those with finished annotator work or a rejection.

    Only their figures depend on items; the others' stored rows (progress, gold, time) do not.
    """
    return {row.document_id for row in sets if row.kind == SetKind.ANNOTATOR or row.answer == Answer.REJECT}


def load_versions(document_ids: Sequence[int], session: Any) -> list[Versions]:
    """Finished annotator sets, reviewed gold and the model set of the given documents."""
    sets = _counted_sets(document_ids, session)
    # Only documents with finished annotator work (or a rejection) are compared: skip the rest unread.
    wanted = _compared(sets)
    sets = [row for row in sets if row.document_id in wanted]
    if not sets:
        return []
    items = items_of([row.id for row in sets], session)
    docs = {row.id: Versions(row.id, row.dataset_id, row.text, row.tokens) for row in session.execute(
        sa.select(Document.id, Document.dataset_id, Document.text, Document.tokens)
        .where(Document.id.in_(wanted)))}
    for row in sets:
        versions = docs[row.document_id]
        if row.kind == SetKind.MODEL:
            versions.model = items[row.id]
        elif row.kind == SetKind.GOLD:
            versions.gold = items[row.id]
        else:
            versions.annotators[str(row.user_id)] = items[row.id]
        versions.rejected |= row.kind != SetKind.MODEL and row.answer == Answer.REJECT
    return list(docs.values())


def figures_of(versions: Versions, scope: str) -> Agreement:
    """One document's agreement in one scope ("all" items or only "changed" ones)."""
    return document_agreement(versions.annotators, versions.text, tokens=Tokens.of(versions.text, versions.tokens),
                              model=versions.model, gold=versions.gold, changed_only=scope == "changed")


def _pair_row(scores: PairScores) -> dict[str, int]:
    exact, overlap = scores.entities_exact, scores.entities_overlap
    return {"ent_tp": exact.tp, "ent_fp": exact.fp, "ent_fn": exact.fn,
            "ovl_tp": overlap.tp, "ovl_fp": overlap.fp, "ovl_fn": overlap.fn,
            "quo_tp": scores.quotes.tp, "quo_fp": scores.quotes.fp, "quo_fn": scores.quotes.fn,
            "spk_agree": scores.speakers.agree, "spk_total": scores.speakers.total,
            "kind_agree": scores.kinds.agree, "kind_total": scores.kinds.total,
            "cue_agree": scores.cues.agree, "cue_total": scores.cues.total,
            "sta_tp": scores.stances.tp, "sta_fp": scores.stances.fp, "sta_fn": scores.stances.fn}


def _value_rows(key: dict[str, Any], kind: str, a: str, b: str, cells: Any) -> Iterator[dict[str, Any]]:
    for (value_a, value_b), weight in cells.items():
        yield {**key, "kind": kind, "a": a, "b": b, "value_a": value_a, "value_b": value_b, "weight": weight}


def rows_of(versions: Versions, scope: str, agreement: Agreement, out: dict[type, list[dict[str, Any]]]) -> None:
    """Append the stored rows of one document's agreement in one scope to `out` (per table)."""
    key = {"document_id": versions.document_id, "dataset_id": versions.dataset_id, "scope": scope}
    kinds: list[tuple[str, Iterable[tuple[tuple[str, str], PairScores]]]] = [
        ("pair", agreement.pairs.items()),
        ("model", [((a, "model"), s) for a, s in agreement.baseline.items()]),
        ("gold", [((a, "gold"), s) for a, s in agreement.gold.items()])]
    for kind, pairs in kinds:
        for (a, b), scores in pairs:
            out[AgreementPair].append({**key, "kind": kind, "a": a, "b": b, **_pair_row(scores)})
            out[AgreementValue].extend(_value_rows(key, kind, a, b, scores.polarities))
            if kind == "pair":
                out[AgreementLabel].extend(
                    {**key, "a": a, "b": b, "label": label, "ex_tp": ex.tp, "ex_fp": ex.fp, "ex_fn": ex.fn,
                     "ov_tp": scores.labels_overlap[label].tp, "ov_fp": scores.labels_overlap[label].fp,
                     "ov_fn": scores.labels_overlap[label].fn}
                    for label, ex in scores.labels_exact.items())
    out[AgreementValue].extend(_value_rows(key, "alpha", "*", "*", agreement.coincidences))


def store(document_ids: Sequence[int], session: Any = None) -> None:
    """Recompute and store the figures of these documents (old rows replaced), in the open transaction.

    The dataset totals move by the difference between the documents' old and new rows.
    """
    session = session if session is not None else db.session
    old = {table: _stored_sums(session, table, keys, columns, document_ids) for table, _, keys, columns in TOTALS}
    for model in STORED:
        session.execute(sa.delete(model).where(model.document_id.in_(document_ids)))
    out: dict[type, list[dict[str, Any]]] = defaultdict(list)
    units: dict[int, dict[str, int]] = {}
    for versions in load_versions(document_ids, session):
        units[versions.document_id] = {}
        for scope in SCOPES:
            agreement = Agreement() if versions.rejected else figures_of(versions, scope)
            units[versions.document_id][scope] = agreement.units
            if not versions.rejected:
                rows_of(versions, scope, agreement, out)
    _document_rows(session, document_ids, units, out)
    for model in STORED:
        if out[model]:
            session.execute(sa.insert(model), out[model])
    for table, total, keys, columns in TOTALS:
        _add_to_totals(session, total, keys, columns, _difference(_sums(out[table], keys, columns), old[table]))


def _document_rows(session: Any, document_ids: Sequence[int], units: dict[int, dict[str, int]],
                   out: dict[type, list[dict[str, Any]]]) -> None:
    """Rows for each annotator set (progress and active time) and each document with sets or reviewed gold."""
    a = AnnotationSet
    docs: dict[int, dict[str, Any]] = {}
    for doc_id, dataset_id, kind, user_id, status, answer, active_ms in session.execute(
            sa.select(a.document_id, Document.dataset_id, a.kind, a.user_id, a.status, a.answer, a.active_ms)
            .join(Document, Document.id == a.document_id)
            .where(a.document_id.in_(document_ids), a.kind.in_((SetKind.ANNOTATOR, SetKind.GOLD)))):
        finished = status in FINISHED if kind == SetKind.ANNOTATOR else status == Status.REVIEWED
        doc = docs.setdefault(doc_id, {"document_id": doc_id, "dataset_id": dataset_id, "annotators": 0,
                                       "rejected": False, "has_gold": False, "computed_at": utcnow()})
        doc["rejected"] |= finished and answer == Answer.REJECT
        if kind == SetKind.GOLD:
            doc["has_gold"] |= finished
            continue
        doc["annotators"] += finished
        out[AgreementSet].append({"document_id": doc_id, "dataset_id": dataset_id, "user_id": user_id or 0,
                                  "finished": int(finished), "seconds": (active_ms or 0) // 1000, "n": 1})
    for doc_id, doc in docs.items():
        counted = units.get(doc_id, {})
        out[AgreementDocument].append({**doc, "units_all": counted.get("all", 0),
                                       "units_changed": counted.get("changed", 0)})


Sums = dict[tuple[Any, ...], list[float]]


def _stored_sums(session: Any, table: Any, keys: Sequence[str], columns: Sequence[str],
                 document_ids: Sequence[int]) -> Sums:
    """The documents' stored rows summed per key, in SQL."""
    key_columns = [getattr(table, k) for k in keys]
    rows = session.execute(sa.select(*key_columns, *[sa.func.sum(getattr(table, c)) for c in columns])
                           .where(table.document_id.in_(document_ids)).group_by(*key_columns))
    return {tuple(row[:len(keys)]): [float(v or 0) for v in row[len(keys):]] for row in rows}


def _sums(rows: Iterable[dict[str, Any]], keys: Sequence[str], columns: Sequence[str]) -> Sums:
    """New rows summed per key."""
    found: Sums = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        total = found.setdefault(key, [0.0] * len(columns))
        for i, column in enumerate(columns):
            total[i] += row[column]
    return found


def _difference(new: Sums, old: Sums) -> Sums:
    """new - old per key, leaving out keys that did not move."""
    zero = [0.0] * len(next(iter((new or old).values()), []))
    moved = {key: [a - b for a, b in zip(new.get(key, zero), old.get(key, zero))] for key in new.keys() | old.keys()}
    return {key: delta for key, delta in moved.items() if any(delta)}


def _add_to_totals(session: Any, total: Any, keys: Sequence[str], columns: Sequence[str], delta: Sums) -> None:
    """Add the differences to the dataset totals with one upsert (rows in key order: no deadlocks)."""
    if not delta:
        return
    table = total.__table__
    insert: Any = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + insert.excluded[c] for c in columns})
    integer = [not isinstance(table.c[c].type, sa.Float) for c in columns]
    session.execute(statement, [
        {**dict(zip(keys, key)), **{c: round(v) if whole else v for c, v, whole in zip(columns, values, integer)}}
        for key, values in sorted(delta.items(), key=lambda item: tuple(map(str, item[0])))])


def reset(dataset_id: int) -> None:
    """Forget a dataset's stored figures and totals (before recomputing them all)."""
    tables: list[Any] = [*STORED, *(total for _, total, _, _ in TOTALS)]
    for table in tables:
        db.session.execute(sa.delete(table).where(table.dataset_id == dataset_id))


def recompute(document_ids: Iterable[int], *, batch: int = BATCH,
              progress: Callable[[int], None] | None = None) -> int:
    """Recompute many documents in batches, committing each: memory stays flat whatever the size."""
    done = 0
    chunk: list[int] = []
    for document_id in document_ids:
        chunk.append(document_id)
        if len(chunk) == batch:
            done += _commit_batch(chunk, progress)
            chunk = []
    if chunk:
        done += _commit_batch(chunk, progress)
    return done


def _commit_batch(chunk: list[int], progress: Callable[[int], None] | None) -> int:
    with committing():
        store(chunk)
    db.session.expunge_all()
    if progress:
        progress(len(chunk))
    return len(chunk)


def dataset_document_ids(dataset_id: int) -> Iterator[int]:
    """A dataset's document ids in order, read in pages by id (keyset), never all at once."""
    last = 0
    while True:
        ids = list(db.session.scalars(sa.select(Document.id).where(
            Document.dataset_id == dataset_id, Document.id > last).order_by(Document.id).limit(5000)))
        if not ids:
            return
        yield from ids
        last = ids[-1]


# What a set's row says beyond its items: a change to any of these can move a document's stored rows.
STATE = ("document_id", "kind", "user_id", "status", "answer", "active_ms")


def _items_only(aset: AnnotationSet) -> bool:
    """Whether a flushed change to an existing set touched only its items (version and times move too)."""
    attrs: Any = sa.inspect(aset).attrs
    return not any(getattr(attrs, name).history.deleted for name in STATE)


def _affects(aset: AnnotationSet) -> bool:
    """Whether a change to this (existing) set can change its document's figures or progress."""
    if aset.kind == SetKind.MODEL:
        return True
    history: Any = sa.inspect(aset).attrs.status.history
    if history.deleted:
        return True  # a status change: submitted, reviewed, reopened, started
    return aset.status in FINISHED if aset.kind == SetKind.ANNOTATOR else aset.status == Status.REVIEWED


@sa.event.listens_for(Session, "after_flush")
def _mark(session: Session, _context: Any) -> None:
    """Remember the documents whose sets appeared, went away, changed status or changed while finished."""
    pending: set[int] = session.info.setdefault(_PENDING, set())
    items: set[int] = session.info.setdefault(_ITEMS, set())
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, AnnotationSet) and obj.document_id is not None:
            pending.add(obj.document_id)
    for obj in session.dirty:
        if isinstance(obj, AnnotationSet) and obj.document_id is not None and _affects(obj):
            (items if _items_only(obj) else pending).add(obj.document_id)


@sa.event.listens_for(Session, "do_orm_execute")
def _mark_bulk(state: Any) -> None:
    """Bulk inserts of sets (imports) mark their documents too."""
    table = getattr(state.statement, "table", None)  # sa.insert(AnnotationSet) holds an annotated copy
    if not state.is_insert or getattr(table, "name", None) != AnnotationSet.__tablename__:
        return
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    pending: set[int] = state.session.info.setdefault(_PENDING, set())
    pending.update(row["document_id"] for row in rows if isinstance(row, dict) and "document_id" in row)


@sa.event.listens_for(Session, "before_commit")
def _refresh(session: Session) -> None:
    """Recompute the marked documents' figures in the committing transaction, a batch at a time."""
    session.flush()
    marked: set[int] = session.info.pop(_PENDING, set())
    items = sorted(session.info.pop(_ITEMS, set()) - marked)
    if items:  # an edit's items change stored rows only where agreement compares them (one query to see)
        marked |= _compared(_counted_sets(items, session))
    pending = sorted(marked)
    for start in range(0, len(pending), BATCH):
        store(pending[start:start + BATCH], session)


@sa.event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """A rolled-back change leaves nothing to recompute."""
    session.info.pop(_PENDING, None)
    session.info.pop(_ITEMS, None)
