"""Read any supported file (our JSONL, Prodigy, doccano, plain JSONL or .txt) as ImportedTasks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from annotator.formats.detect import detect_format
from annotator.formats.doccano import annotation_from_doccano
from annotator.formats.jsonl import annotation_from_task
from annotator.formats.lines import DEFAULT_MAX_LINE_BYTES, SourceRecord, read_path
from annotator.formats.prodigy import annotation_from_prodigy
from annotator.formats.task_fields import ImportedTask, Where, read_meta, read_text


def imported_task(record: SourceRecord, *, labels: Sequence[str] | None = None,
                  polarities: Sequence[str] | None = None) -> ImportedTask:
    """Validate one record in whatever format it is in; raise FormatError if it is bad."""
    data, source, line = record.data, record.source, record.line
    kind = detect_format(data)
    if kind == "annotator":
        return annotation_from_task(data, source=source, line=line, labels=labels,
                                    polarities=polarities)
    if kind == "prodigy":
        return annotation_from_prodigy(data, source=source, line=line, labels=labels)
    if kind == "doccano":
        return annotation_from_doccano(data, source=source, line=line, labels=labels,
                                       polarities=polarities)
    return plain_task(data, Where(source, line))


def plain_task(data: Mapping[str, Any], where: Where) -> ImportedTask:
    """A record with only ``text`` and ``meta``: a document to annotate."""
    return ImportedTask(text=read_text(data, where), meta=read_meta(data, where), tokens=None,
                        annotation=None)


def read_tasks(path: str | Path, *, labels: Sequence[str] | None = None,
               polarities: Sequence[str] | None = None,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
               ) -> Iterator[tuple[SourceRecord, ImportedTask]]:
    """Yield every record below ``path`` with its validated task, in constant memory."""
    for record in read_path(path, max_line_bytes=max_line_bytes):
        yield record, imported_task(record, labels=labels, polarities=polarities)
