"""Read JSONL and plain-text files, and folders of them, one record at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from annotator.formats.errors import FormatError

DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")


class SourceRecord(NamedTuple):
    """One record with the file name and 1-based line it came from."""

    source: str
    line: int
    data: dict[str, Any]


def read_jsonl(stream: IO[bytes] | str | Path, *, source: str | None = None,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_no, object)`` for each non-blank line; raise FormatError on a bad line."""
    if isinstance(stream, (str, Path)):
        with open(stream, "rb") as handle:
            yield from read_jsonl(handle, source=source or Path(stream).name,
                                  max_line_bytes=max_line_bytes)
        return
    name = source or str(getattr(stream, "name", "<stream>"))
    line_no = 0
    while True:
        raw = stream.readline(max_line_bytes + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > max_line_bytes:
            raise FormatError(f"line is longer than the limit of {max_line_bytes} bytes",
                              source=name, line=line_no)
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip():
            yield line_no, parse_line(raw, source=name, line=line_no)


def parse_line(raw: bytes, *, source: str, line: int) -> dict[str, Any]:
    """Decode one JSONL line into a dict; raise FormatError naming what is wrong."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as err:
        raise FormatError(f"invalid UTF-8 at byte {err.start}", source=source, line=line) from None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as err:
        raise FormatError(f"invalid JSON: {err.msg} (column {err.pos + 1})",
                          source=source, line=line) from None
    if not isinstance(data, dict):
        raise FormatError(f"expected a JSON object, got {type(data).__name__}",
                          source=source, line=line)
    return data


def read_text_file(path: str | Path, *, source: str | None = None,
                   max_bytes: int = DEFAULT_MAX_LINE_BYTES) -> dict[str, Any]:
    """Read a whole .txt file as one record ``{"text", "meta": {"source"}}``."""
    path = Path(path)
    name = source or path.name
    if path.stat().st_size > max_bytes:
        raise FormatError(f"file is larger than the limit of {max_bytes} bytes",
                          source=name, line=1)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FormatError(f"invalid UTF-8 at byte {err.start}", source=name, line=1) from None
    return {"text": text, "meta": {"source": name}}


def read_path(path: str | Path, *,
              max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[SourceRecord]:
    """Yield records from a .jsonl or .txt file, or from every such file below a folder, sorted."""
    path = Path(path)
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file() and _readable(p)):
            yield from _read_file(file, file.relative_to(path).as_posix(), max_line_bytes)
    elif _readable(path):
        yield from _read_file(path, path.name, max_line_bytes)
    else:
        raise FormatError("unsupported file type (expected .jsonl or .txt)", source=path.name)


def _readable(path: Path) -> bool:
    """Whether a file is .txt or .jsonl."""
    return path.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES


def _read_file(path: Path, name: str, max_line_bytes: int) -> Iterator[SourceRecord]:
    """Records of one file."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        yield SourceRecord(name, 1, read_text_file(path, source=name, max_bytes=max_line_bytes))
        return
    for line_no, data in read_jsonl(path, source=name, max_line_bytes=max_line_bytes):
        yield SourceRecord(name, line_no, data)
