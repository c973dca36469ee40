"""Read any supported file (our JSONL, Prodigy, doccano, plain JSONL or .txt) as ImportedTasks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator.formats.detect import detect_format
from annotator.formats.lines import DEFAULT_MAX_LINE_BYTES, SourceRecord, read_path
from annotator.formats.registry import FORMATS
from annotator.formats.task_fields import ImportedTask


def imported_task(record: SourceRecord, *, labels: Sequence[str] | None = None,
                  polarities: Sequence[str] | None = None) -> ImportedTask:
    """Validate one record in whatever format it is in; raise FormatError if it is bad."""
    read = FORMATS[detect_format(record.data)].read
    assert read is not None
    return read(record.data, source=record.source, line=record.line, labels=labels,
                polarities=polarities)


def read_tasks(path: str | Path, *, labels: Sequence[str] | None = None,
               polarities: Sequence[str] | None = None,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
               ) -> Iterator[tuple[SourceRecord, ImportedTask]]:
    """Yield every record below ``path`` with its validated task, in constant memory."""
    for record in read_path(path, max_line_bytes=max_line_bytes):
        yield record, imported_task(record, labels=labels, polarities=polarities)
