"""Reading import files (.txt, JSONL in any supported format, or folders of them) into records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ..formats import FormatError
from ..formats.lines import DEFAULT_MAX_LINE_BYTES, JSONL_SUFFIXES, TEXT_SUFFIXES
from ..formats.reader import read_tasks
from .import_check import ImportFailed, Record


def read_path(path: Path, *, labels: Sequence[str] | None = None,
              polarities: Sequence[str] | None = None,
              max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Record]:
    """Yield one checked record per text file or JSONL line; ImportFailed names file, line, field."""
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    try:
        for source, task in read_tasks(path, labels=labels, polarities=polarities,
                                       max_line_bytes=max_line_bytes):
            yield Record(text=task.text, meta=task.meta, tokens=task.tokens, annotation=task.annotation,
                         annotator_id=task.annotator_id, answer=task.answer, status=task.status,
                         source=source.source, line=source.line, checked=labels is not None
                         and task.annotation is not None and task.tokens is not None,
                         validated=labels is not None and task.annotation is not None,
                         warnings=task.warnings)
    except FormatError as err:
        raise ImportFailed(str(err)) from None


def _files(path: Path) -> list[Path]:
    suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    return [path] if path.suffix.lower() in suffixes else []


def count_records(path: Path) -> int:
    """How many records read_path will yield (text files plus non-blank JSONL lines), for progress."""
    total = 0
    for file in _files(Path(path)):
        if file.suffix.lower() in TEXT_SUFFIXES:
            total += 1
            continue
        with file.open("rb") as fh:
            total += sum(1 for raw in fh if raw.strip())
    return total
