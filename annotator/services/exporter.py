"""Exporting annotation sets in any registered format, streamed CHUNK sets at a time.

One call, export_stream, gives the bytes of an export in any format; export_to_path writes one
to a file (or, for spaCy, a folder of shards). A set a format cannot write is skipped and
named in the ExportReport; it never fails the whole export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
import sqlalchemy as sa

from ..db import db
from ..formats.errors import FormatError
from ..formats.jsonl import EntityRow
from ..formats.registry import writer_of
from ..formats.rows import ExportRow
from ..formats.tokens import DocTokens
from ..models import AgreementDocument, AnnotationSet, Dataset, Document, EntitySpan, QuoteItem, StanceItem, User
from ..spans import Annotation, Quote, Span, Stance
from ..vocab import FINISHED, Answer, ExportScope, SetKind, Status

ONLY: tuple[str, ...] = tuple(scope.value for scope in ExportScope)
ONLY_HELP = {
    ExportScope.GOLD.value: "reviewed gold only (signed off by a reviewer)",
    ExportScope.GOLD_DRAFTS.value: "gold in any state, drafts included",
    ExportScope.SUBMITTED.value: "reviewed gold and submitted or reviewed annotator sets",
    ExportScope.ALL.value: "every set, the model's and unfinished ones included",
}
CHUNK = 500


@dataclass
class ExportReport:
    """What an export wrote, and every set it had to leave out (document, owner, item, why)."""

    count: int = 0
    skipped: list[str] = field(default_factory=list)

    def skip(self, row: ExportRow, error: FormatError) -> None:
        """Record a set the format could not write."""
        self.skipped.append(f"{row.name}: {error}")

    def summary(self) -> str:
        """One line for the user."""
        left = f"; left out {len(self.skipped)} that the format cannot hold" if self.skipped else ""
        return f"Exported {self.count} annotation set(s){left}."


def _sets_query(dataset: Dataset, only: str, annotator: User | None) -> sa.Select[Any]:
    query = (sa.select(AnnotationSet.id).join(Document, Document.id == AnnotationSet.document_id)
             .where(Document.dataset_id == dataset.id))
    if only == ExportScope.GOLD:
        query = query.where(AnnotationSet.kind == SetKind.GOLD, AnnotationSet.status == Status.REVIEWED)
    elif only == ExportScope.GOLD_DRAFTS:
        query = query.where(AnnotationSet.kind == SetKind.GOLD)
    elif only == ExportScope.SUBMITTED:
        query = query.where(sa.or_(
            sa.and_(AnnotationSet.kind == SetKind.GOLD, AnnotationSet.status == Status.REVIEWED),
            sa.and_(AnnotationSet.kind == SetKind.ANNOTATOR, AnnotationSet.status.in_(FINISHED))))
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


def export_rows(dataset: Dataset, *, only: str = ExportScope.GOLD, annotator: User | None = None) -> Iterator[ExportRow]:
    """Yield the dataset's sets in document order, CHUNK sets at a time."""
    if only not in ONLY:
        raise FormatError(f"must be one of {', '.join(ONLY)}", field="only")
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
                answer=s.answer or Answer.ACCEPT, annotator_id=s.name or s.kind,
                timestamp=int(s.updated_at.timestamp()), status=s.status, document_id=s.document_id,
                entity_rows=entities.get(s.id, []), layers=layers.get(s.id, Annotation()))


_DRAFT = [status for status in Status if status != Status.REVIEWED]
"""Statuses of a gold set that is not (or no longer) signed off."""


def gold_counts(dataset: Dataset) -> dict[str, int]:
    """How many gold sets are reviewed (what `--only gold` exports) and how many are drafts.

    Neither count reads the dataset's sets: reviewed gold is counted in the stored per-document state
    (one narrow indexed table), drafts from the few unreviewed gold sets there are (kind/status index).
    """
    d = AgreementDocument
    reviewed = db.session.scalar(sa.select(sa.func.count()).select_from(d).where(
        d.dataset_id == dataset.id, d.has_gold)) or 0
    drafts = db.session.scalars(sa.select(AnnotationSet.document_id).where(
        AnnotationSet.kind == SetKind.GOLD, AnnotationSet.status.in_(_DRAFT))).all()
    in_dataset = 0
    for start in range(0, len(drafts), 500):
        in_dataset += db.session.scalar(sa.select(sa.func.count()).select_from(Document).where(
            Document.id.in_(drafts[start:start + 500]), Document.dataset_id == dataset.id)) or 0
    return {"reviewed": reviewed, "drafts": in_dataset}


def _counted(rows: Iterator[ExportRow], report: ExportReport) -> Iterator[ExportRow]:
    for row in rows:
        report.count += 1
        yield row


def export_stream(dataset: Dataset, *, fmt: str, only: str = ExportScope.GOLD, annotator: User | None = None,
                  report: ExportReport | None = None) -> Iterator[bytes]:
    """The export in format ``fmt`` as a stream of bytes; skipped sets go to ``report``."""
    writer = writer_of(fmt)
    report = report if report is not None else ExportReport()
    rows = _counted(export_rows(dataset, only=only, annotator=annotator), report)
    assert writer.write is not None
    return _less_skipped(writer.write(rows, report.skip), report)


def _less_skipped(chunks: Iterator[bytes], report: ExportReport) -> Iterator[bytes]:
    """Pass chunks on; at the end, count only the sets actually written."""
    yield from chunks
    report.count -= len(report.skipped)


def export_to_path(dataset: Dataset, path: Path, *, fmt: str, only: str = ExportScope.GOLD,
                   annotator: User | None = None) -> ExportReport:
    """Write an export to a file; spaCy to a folder of shards when the path has no .spacy suffix."""
    report = ExportReport()
    if writer_of(fmt).name == "spacy" and (path.is_dir() or path.suffix != ".spacy"):
        from ..formats.docbin import write_docbin

        rows = export_rows(dataset, only=only, annotator=annotator)
        report.count, _ = write_docbin(rows, report.skip, path)
        return report
    with open(path, "wb") as stream:
        write_stream(export_stream(dataset, fmt=fmt, only=only, annotator=annotator, report=report), stream)
    return report


def write_stream(chunks: Iterator[bytes], stream: IO[bytes]) -> None:
    """Write a stream of chunks to a binary file."""
    for chunk in chunks:
        stream.write(chunk)
