"""Exporting annotation sets as JSONL, doccano JSONL or spaCy Docs, streamed CHUNK sets at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
import sqlalchemy as sa
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..db import db
from ..formats.docbin import doc_from_annotation
from ..formats.doccano import doccano_from_annotation
from ..formats.jsonl import EntityRow, dumps_task, export_line
from ..formats.tokens import DocTokens
from ..models import AnnotationSet, Dataset, Document, EntitySpan, QuoteItem, StanceItem, User
from ..spans import Annotation, Entity, Quote, Span, Stance

ONLY = ("gold", "submitted", "all")
FORMATS = ("jsonl", "spacy", "doccano")
CHUNK = 500


@dataclass(frozen=True)
class ExportRow:
    """One annotation set with its document, ready for a format writer."""

    text: str
    meta: dict[str, Any]
    tokens: DocTokens
    answer: str
    annotator_id: str
    timestamp: int
    status: str
    document_id: int = 0
    entity_rows: list[EntityRow] = field(default_factory=list)
    layers: Annotation = field(default_factory=Annotation)  # quotes and stances; no entities

    @cached_property
    def annotation(self) -> Annotation:
        """The whole annotation; Entity objects are built only here, for formats that need them."""
        entities = [Entity(uid, start, end, label, origin)  # type: ignore[arg-type]
                    for uid, start, end, label, origin in self.entity_rows]
        return Annotation(entities, self.layers.quotes,
                          self.layers.stances)


def _sets_query(dataset: Dataset, only: str, annotator: User | None) -> sa.Select[Any]:
    query = (sa.select(AnnotationSet.id).join(Document, Document.id == AnnotationSet.document_id)
             .where(Document.dataset_id == dataset.id))
    if only == "gold":
        query = query.where(AnnotationSet.kind == "gold")
    elif only == "submitted":
        query = query.where(AnnotationSet.kind.in_(("gold", "annotator")),
                            AnnotationSet.status.in_(("submitted", "reviewed")))
    if annotator is not None:
        query = query.where(AnnotationSet.user_id == annotator.id)
    return query.order_by(AnnotationSet.document_id, AnnotationSet.id)


def _span(start: int | None, end: int | None) -> Span | None:
    return None if start is None or end is None else Span(start, end)


def _driver_rows(query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """Plain tuples straight from the DB-API cursor: for many rows of plain columns, much faster.

    Only for queries whose parameters are integers (ids), which are rendered inline.
    """
    connection = db.session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _items(set_ids: Sequence[int]) -> tuple[dict[int, list[EntityRow]], dict[int, Annotation]]:
    """Entity rows and the quotes and stances of many sets, with one plain-row query per layer."""
    entities: dict[int, list[EntityRow]] = defaultdict(list)
    layers: dict[int, Annotation] = defaultdict(Annotation)
    e, q, s = EntitySpan.__table__.c, QuoteItem.__table__.c, StanceItem.__table__.c
    # Rows stay tuples (no Entity objects): JSONL export turns them into span dicts directly.
    for row in _driver_rows(sa.select(e.set_id, e.uid, e.start, e.end, e.label, e.origin)
                            .where(e.set_id.in_(set_ids)).order_by(e.set_id, e.start, e.end)):
        entities[row[0]].append(row[1:])
    for r in db.session.execute(sa.select(q).where(q.set_id.in_(set_ids)).order_by(q.content_start, q.id)):
        layers[r.set_id].quotes.append(Quote(
            uid=r.uid, content=Span(r.content_start, r.content_end), kind=r.kind,
            cue=_span(r.cue_start, r.cue_end), speaker=_span(r.speaker_start, r.speaker_end),
            speaker_entity=r.speaker_entity_uid, confidence=r.confidence, origin=r.origin))
    for r in db.session.execute(sa.select(s).where(s.set_id.in_(set_ids)).order_by(s.evidence_start, s.id)):
        layers[r.set_id].stances.append(Stance(
            uid=r.uid, polarity=r.polarity, evidence=Span(r.evidence_start, r.evidence_end),
            holder=r.holder_text, holder_entity=r.holder_entity_uid, target=r.target_text,
            target_entity=r.target_entity_uid, confidence=r.confidence, origin=r.origin))
    return entities, layers


def _json(raw: Any) -> Any:
    """A JSON column read as text (SQLite) or as decoded values (PostgreSQL's driver decodes it)."""
    return orjson.loads(raw) if isinstance(raw, (str, bytes)) else raw


def _doc_tokens(text: str, raw: Any) -> DocTokens:
    """A document's tokens from its JSON column (text in SQLite, decoded in PostgreSQL)."""
    return DocTokens.from_json(text, raw) if isinstance(raw, (str, bytes)) else DocTokens(text, raw)


def export_rows(dataset: Dataset, *, only: str = "gold", annotator: User | None = None) -> Iterator[ExportRow]:
    """Yield the dataset's sets in document order, CHUNK sets at a time."""
    if only not in ONLY:
        raise ValueError(f"--only must be one of {', '.join(ONLY)}")
    ids = list(db.session.scalars(_sets_query(dataset, only, annotator)))
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset:offset + CHUNK]
        a, d = AnnotationSet.__table__.c, Document.__table__.c
        sets = db.session.execute(
            sa.select(a.id, a.document_id, a.kind, a.status, a.answer, a.updated_at, User.name)
            .outerjoin(User, User.id == a.user_id)
            .where(a.id.in_(chunk)).order_by(a.document_id, a.id)).all()
        docs = {r.id: r for r in db.session.execute(
            sa.select(d.id, d.text, sa.type_coerce(d.meta, sa.Text).label("meta"),
                      sa.type_coerce(d.tokens, sa.Text).label("tokens"))
            .where(d.id.in_({s.document_id for s in sets}))).all()}
        tokens = {i: _doc_tokens(r.text, r.tokens) for i, r in docs.items()}
        entities, layers = _items(chunk)
        for s in sets:
            doc = docs[s.document_id]
            yield ExportRow(
                text=doc.text, meta=_json(doc.meta) or {}, tokens=tokens[s.document_id],
                answer=s.answer or "accept", annotator_id=s.name or s.kind,
                timestamp=int(s.updated_at.timestamp()), status=s.status, document_id=s.document_id,
                entity_rows=entities.get(s.id, []), layers=layers.get(s.id, Annotation()))


def jsonl_lines(rows: Iterator[ExportRow]) -> Iterator[bytes]:
    """Our JSONL: one line per annotation set, the token JSON built once per document and chunk."""
    for row in rows:
        yield export_line(row.text, row.meta, row.tokens, row.layers, answer=row.answer,
                          annotator_id=row.annotator_id, timestamp=row.timestamp, status=row.status,
                          entity_rows=row.entity_rows)


def doccano_lines(rows: Iterator[ExportRow]) -> Iterator[bytes]:
    """doccano sequence-labelling JSONL with relations, one line per annotation set."""
    for row in rows:
        record = doccano_from_annotation(row.text, row.annotation, record_id=row.document_id, meta=row.meta)
        record["_annotator_id"] = row.annotator_id
        yield dumps_task(record)


def export_lines(dataset: Dataset, *, fmt: str, only: str = "gold",
                 annotator: User | None = None) -> Iterator[bytes]:
    """JSONL lines of a text format ("jsonl" or "doccano")."""
    rows = export_rows(dataset, only=only, annotator=annotator)
    return doccano_lines(rows) if fmt == "doccano" else jsonl_lines(rows)


def export_docs(dataset: Dataset, *, only: str = "gold", annotator: User | None = None,
                vocab: Vocab | None = None) -> Iterator[Doc]:
    """spaCy Docs with doc.ents and span groups (see formats.docbin), one per annotation set."""
    vocab = vocab or Vocab()
    for row in export_rows(dataset, only=only, annotator=annotator):
        doc = doc_from_annotation(vocab, row.text, row.tokens, row.annotation,
                                  source=f"document {row.document_id}")
        doc.user_data["annotator_id"] = row.annotator_id
        yield doc
