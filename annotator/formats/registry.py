"""The format registry: each format's name, reader, writer, media type and file suffix.

Every path that reads or writes a format (the importer, the export service, the CLI, the
download view) looks it up here. Our own format is "annotator" ("jsonl" is accepted as another
name for it). Readers turn one decoded JSONL record into an ImportedTask; writers turn export
rows into a stream of bytes, handing each row they cannot write to ``skip`` instead of failing
the whole export. spaCy is imported only when its writer runs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.formats.doccano import annotation_from_doccano, doccano_from_annotation
from annotator.formats.errors import FormatError
from annotator.formats.jsonl import annotation_from_task, dumps_task, export_line
from annotator.formats.prodigy import annotation_from_prodigy
from annotator.formats.rows import ExportRow
from annotator.formats.task_fields import ImportedTask, Where, read_meta, read_text

Skip = Callable[[ExportRow, FormatError], None]
Reader = Callable[..., ImportedTask]
Writer = Callable[[Iterable[ExportRow], Skip], Iterator[bytes]]


@dataclass(frozen=True)
class Format:
    """One data format: how it is read and written, and how its files are named and served."""

    name: str
    title: str
    media_type: str = "application/x-ndjson"
    suffix: str = ".jsonl"
    read: Reader | None = None
    write: Writer | None = None
    aliases: tuple[str, ...] = ()
    lines: bool = False
    """Each set is written on its own (a line): parts of an export can be built apart and joined."""


def _guarded(write_one: Callable[[ExportRow], bytes]) -> Writer:
    """A line writer that hands a row it cannot write to ``skip`` and goes on."""
    def write(rows: Iterable[ExportRow], skip: Skip) -> Iterator[bytes]:
        for row in rows:
            try:
                yield _acyclic(write_one, row)
            except FormatError as err:
                skip(row, err)
    return write


def _acyclic(write_one: Callable[[ExportRow], bytes], row: ExportRow) -> bytes:
    """``write_one(row)`` with the cycle collector paused: a line's thousands of small dicts (a token
    dict each) hold no cycles and are freed as usual, yet every few hundred of them would start a
    collection walking every object the process holds (the bigger the process, the slower the export)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        return write_one(row)
    finally:
        if was_on:
            gc.enable()


def _annotator_line(row: ExportRow) -> bytes:
    """Our JSONL line of one set (token JSON shared per document)."""
    return export_line(row.text, row.meta, row.tokens, row.layers, answer=row.answer,
                       annotator_id=row.annotator_id, timestamp=row.timestamp, status=row.status,
                       entity_rows=row.entity_rows)


def _doccano_line(row: ExportRow) -> bytes:
    """doccano's JSONL line of one set."""
    return dumps_task(doccano_from_annotation(row.text, row.annotation, record_id=row.document_id,
                                              meta=row.meta, annotator_id=row.annotator_id,
                                              status=row.status))


def _spacy_file(rows: Iterable[ExportRow], skip: Skip) -> Iterator[bytes]:
    """One .spacy file (imports spaCy on first use)."""
    from annotator.formats.docbin import docbin_file

    return docbin_file(rows, skip)


def _read_plain(data: Mapping[str, Any], *, source: str, line: int, **_: Any) -> ImportedTask:
    """A record with only ``text`` and ``meta``: a document to annotate."""
    where = Where(source, line)
    return ImportedTask(text=read_text(data, where), meta=read_meta(data, where), tokens=None,
                        annotation=None)


def _read_prodigy(data: Mapping[str, Any], *, source: str, line: int,
                  labels: Sequence[str] | None = None, **_: Any) -> ImportedTask:
    """A Prodigy task (Prodigy has no stances, so no polarities)."""
    return annotation_from_prodigy(data, source=source, line=line, labels=labels)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("annotator", "JSONL (ours, a Prodigy superset)", read=annotation_from_task,
           write=_guarded(_annotator_line), aliases=("jsonl",), lines=True),
    Format("spacy", "spaCy DocBin", "application/octet-stream", ".spacy", write=_spacy_file),
    Format("doccano", "doccano JSONL", suffix=".doccano.jsonl", read=annotation_from_doccano,
           write=_guarded(_doccano_line), lines=True),
    Format("prodigy", "Prodigy JSONL", read=_read_prodigy),
    Format("plain", "plain JSONL (text and meta)", read=_read_plain),
)}
ALIASES = {alias: f.name for f in FORMATS.values() for alias in f.aliases}


def get_format(name: str) -> Format:
    """The format of a name or alias; FormatError listing the known names otherwise."""
    found = FORMATS.get(ALIASES.get(name, name))
    if found is None:
        raise FormatError(f"unknown format {name!r}; choose one of {', '.join(format_names())}",
                          field="format")
    return found


def format_names(*, writable: bool = True) -> list[str]:
    """Names (and aliases) of the formats that can be written (or read)."""
    names = [f.name for f in FORMATS.values() if (f.write if writable else f.read) is not None]
    return names + [a for a, n in ALIASES.items() if n in names]


def writer_of(name: str) -> Format:
    """A format that can be written, by name or alias."""
    fmt = get_format(name)
    if fmt.write is None:
        raise FormatError(f"{fmt.name!r} can be read but not written; choose one of "
                          f"{', '.join(format_names())}", field="format")
    return fmt
