"""Exporting annotation sets in any registered format, streamed CHUNK sets at a time.

One call, export_stream, gives the bytes of an export in any format; export_to_path writes one
to a file (or, for spaCy, a folder of shards). A set a format cannot write is skipped and
named in the ExportReport; it never fails the whole export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
import shutil
from pathlib import Path
from typing import IO, Any

import orjson
import sqlalchemy as sa

from ..db import db, forget_inherited_connections, release_for_fork
from ..formats.errors import FormatError
from ..formats.jsonl import EntityRow
from ..formats.registry import Format, writer_of
from ..formats.rows import ExportRow
from ..formats.tokens import DocTokens
from ..models import AgreementDocument, AnnotationSet, Dataset, Document, EntitySpan, QuoteItem, StanceItem, User
from ..spans import Annotation, Quote, Span, Stance
from ..vocab import FINISHED, Answer, ExportScope, SetKind, Status
from .export_workers import Built, built_in_order

ONLY: tuple[str, ...] = tuple(scope.value for scope in ExportScope)
ONLY_HELP = {
    ExportScope.GOLD.value: "reviewed gold only (signed off by a reviewer)",
    ExportScope.GOLD_DRAFTS.value: "gold in any state, drafts included",
    ExportScope.SUBMITTED.value: "reviewed gold and submitted or reviewed annotator sets",
    ExportScope.ALL.value: "every set, the model's and unfinished ones included",
}
CHUNK = 500
WORKER_CHUNK = 100
"""Sets per chunk when several processes build an export: small enough to share the work evenly."""
MAX_WORKERS = 4
"""Processes building an export by default (the command line's --workers): one per core, at most this."""


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


def _checked_scope(only: str) -> str:
    """``only``, or FormatError naming the scopes there are."""
    if only not in ONLY:
        raise FormatError(f"must be one of {', '.join(ONLY)}", field="only")
    return only


def _set_ids(dataset: Dataset, only: str, annotator: User | None) -> list[int]:
    """The ids of the sets an export of ``only`` writes, in document order."""
    return list(db.session.scalars(_sets_query(dataset, _checked_scope(only), annotator)))


def _chunk_rows(chunk: Sequence[int]) -> Iterator[ExportRow]:
    """The rows of some sets (ids in document order), read with one query per table."""
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
                  report: ExportReport | None = None, workers: int = 1) -> Iterator[bytes]:
    """The export in format ``fmt`` as a stream of bytes; skipped sets go to ``report``.

    With ``workers`` > 1, a long export in a line format is built by that many processes (see
    export_workers) when this process may fork (db.release_for_fork: nothing unsaved is lost).
    """
    writer = writer_of(fmt)
    return _stream(dataset, writer, _checked_scope(only), annotator, report if report is not None else ExportReport(),
                   workers)


def _stream(dataset: Dataset, writer: Format, only: str, annotator: User | None, report: ExportReport,
            workers: int) -> Iterator[bytes]:
    """export_stream's bytes: in this process, or in several for a long export in a line format."""
    ids = _set_ids(dataset, only, annotator)
    assert writer.write is not None
    if workers > 1 and writer.lines and len(ids) > WORKER_CHUNK and release_for_fork():
        yield from _in_processes(writer, ids, report, workers)
        return
    rows = _counted(_chunks_rows(ids), report)
    yield from _less_skipped(writer.write(rows, report.skip), report)


def _chunks_rows(ids: Sequence[int]) -> Iterator[ExportRow]:
    """The rows of the sets, CHUNK at a time."""
    for offset in range(0, len(ids), CHUNK):
        yield from _chunk_rows(ids[offset:offset + CHUNK])


def _in_processes(writer: Format, ids: Sequence[int], report: ExportReport, workers: int) -> Iterator[bytes]:
    """The export built WORKER_CHUNK sets at a time by ``workers`` processes, in order."""
    yield from _parts_in_processes(ids, WORKER_CHUNK, partial(_build, writer), report, workers)


def _parts_in_processes(ids: Sequence[int], size: int, build: Callable[[Sequence[int]], Built],
                        report: ExportReport, workers: int) -> Iterator[bytes]:
    """The parts ``build`` makes of each chunk of ``size`` sets, in order, from ``workers`` processes;
    each chunk's sets counted in the report."""
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
    for built in built_in_order(chunks, build, workers, start=forget_inherited_connections):
        report.count += built.written
        report.skipped.extend(built.skipped)
        yield from built.parts


def _build(writer: Format, chunk: Sequence[int]) -> Built:
    """One chunk's bytes in a line format, with what it left out."""
    read, left_out = ExportReport(), ExportReport()
    assert writer.write is not None
    data = b"".join(writer.write(_counted(_chunk_rows(chunk), read), left_out.skip))
    return Built([data], read.count - len(left_out.skipped), left_out.skipped)


def _less_skipped(chunks: Iterator[bytes], report: ExportReport) -> Iterator[bytes]:
    """Pass chunks on; at the end, count only the sets actually written."""
    yield from chunks
    report.count -= len(report.skipped)


def export_to_path(dataset: Dataset, path: Path, *, fmt: str, only: str = ExportScope.GOLD,
                   annotator: User | None = None, workers: int = 1) -> ExportReport:
    """Write an export to a file (whole or not at all; ``workers`` as in export_stream); spaCy to
    a folder of shards when the path has no .spacy suffix (see _export_shards)."""
    if writer_of(fmt).name == "spacy" and (path.is_dir() or path.suffix != ".spacy"):
        return _export_shards(dataset, path, only, annotator, workers)
    report = ExportReport()
    chunks = export_stream(dataset, fmt=fmt, only=only, annotator=annotator, report=report, workers=workers)
    if path.exists() and not path.is_file():  # a device or a pipe: written as it comes
        with open(path, "wb") as stream:
            write_stream(chunks, stream)
        return report
    part = path.with_name(f".{path.name}.part")
    try:
        with open(part, "wb") as stream:
            write_stream(chunks, stream)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return report


def _export_shards(dataset: Dataset, folder: Path, only: str, annotator: User | None, workers: int) -> ExportReport:
    """spaCy shards of SHARD_DOCS sets (by ``workers`` processes when there are many), built beside
    the folder and then put in place of the shards a previous export left there (nothing else in
    the folder is touched): never a mix of two exports, nothing changed if this one fails."""
    from ..formats.docbin import SHARD_DOCS, DocBinWriter, export_docs, shard_file

    ids = _set_ids(dataset, only, annotator)
    report, building = ExportReport(), folder.with_name(f".{folder.name}.part")
    shutil.rmtree(building, ignore_errors=True)
    try:
        if workers > 1 and len(ids) > SHARD_DOCS and release_for_fork():
            building.mkdir(parents=True)
            shards = _parts_in_processes(ids, SHARD_DOCS, _build_shards, report, workers)
            for number, shard in enumerate(shards):
                shard_file(building, folder.name, number).write_bytes(shard)
        else:
            with DocBinWriter(building, stem=folder.name) as writer:
                for doc in export_docs(_chunks_rows(ids), report.skip):
                    writer.add(doc)
            report.count = writer.count
        _replace_shards(building, folder)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return report


def _build_shards(chunk: Sequence[int]) -> Built:
    """One chunk's spaCy shards, with what it left out."""
    from ..formats.docbin import shard_bytes

    left_out = ExportReport()
    parts, written = shard_bytes(_chunk_rows(chunk), left_out.skip)
    return Built(parts, written, left_out.skipped)


def _replace_shards(building: Path, folder: Path) -> None:
    """Put the shards built in ``building`` into ``folder`` instead of the ones already there."""
    from ..formats.docbin import is_shard

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if is_shard(old, folder.name):
            old.unlink()
    for new in sorted(building.iterdir()):
        new.replace(folder / new.name)


def write_stream(chunks: Iterator[bytes], stream: IO[bytes]) -> None:
    """Write a stream of chunks to a binary file."""
    for chunk in chunks:
        stream.write(chunk)
