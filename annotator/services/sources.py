"""Reading import files (.txt, .jsonl, or folders of them) into records to import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from .importer import ImportFailed, Record

SUFFIXES = (".txt", ".jsonl")


def files_of(path: Path) -> list[Path]:
    """The importable files at a path: the file itself or a folder's files, sorted."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    return [path]


def read_path(path: Path) -> Iterator[Record]:
    """Yield records from a .txt file, a JSONL file, or a folder of them."""
    for file in files_of(path):
        if file.suffix == ".txt":
            yield _read_text(file)
        else:
            yield from _read_jsonl(file)


def _read_text(file: Path) -> Record:
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ImportFailed(f"{file}: not valid UTF-8 ({err.reason} at byte {err.start})") from None
    return Record(text=text, meta={"source": file.name}, source=str(file))


def _read_jsonl(file: Path) -> Iterator[Record]:
    with file.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{file}, line {number}"
            try:
                data = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise ImportFailed(f"{where}: not valid UTF-8") from None
            except ValueError as err:
                raise ImportFailed(f"{where}: bad JSON ({err})") from None
            if not isinstance(data, dict):
                raise ImportFailed(f"{where}: each line must be a JSON object")
            meta = data.get("meta") or {}
            if not isinstance(meta, dict):
                raise ImportFailed(f"{where}, field meta: must be an object")
            yield Record(text=data.get("text"), meta=meta, source=str(file), line=number)  # type: ignore[arg-type]
