"""Reading JSONL, text files and folders line by line, with errors naming file and line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from annotator.formats.errors import FormatError
from annotator.formats.lines import read_jsonl, read_path
from annotator.spans import SpanError


def test_format_error_names_file_line_and_field() -> None:
    err = FormatError("span [10, 99) is out of range for a text of 40 characters",
                      source="data.jsonl", line=12, field="spans[3].end")
    assert str(err) == ("data.jsonl, line 12, field spans[3].end: "
                        "span [10, 99) is out of range for a text of 40 characters")
    assert (err.source, err.line, err.field) == ("data.jsonl", 12, "spans[3].end")


def test_format_error_from_span_error_renames_the_field() -> None:
    err = FormatError.from_span_error(SpanError("unknown label 'X'", field="entities[2].label"),
                                      source="a.jsonl", line=3, rename={"entities": "spans"})
    assert str(err) == "a.jsonl, line 3, field spans[2].label: unknown label 'X'"


def test_reads_objects_with_line_numbers_skipping_blank_lines() -> None:
    data = b'\xef\xbb\xbf{"text": "a"}\n\n  \n{"text": "b"}\n{"text": "c"}'
    rows = list(read_jsonl(io.BytesIO(data), source="x.jsonl"))
    assert rows == [(1, {"text": "a"}), (4, {"text": "b"}), (5, {"text": "c"})]


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"text": "ok"}\n{"text": \n',
     "x.jsonl, line 2: invalid JSON: unexpected end of data (column 10)"),
    (b'{"text": "ok"}\n{"text": "\xff\xfe"}\n', "x.jsonl, line 2: invalid UTF-8 at byte 10"),
    (b'{"text": "ok"}\n["text"]\n', "x.jsonl, line 2: expected a JSON object, got list"),
    (b'{"text": "ok"}\n{"text": "' + b"a" * 100 + b'"}\n',
     "x.jsonl, line 2: line is longer than the limit of 64 bytes"),
])
def test_bad_lines_raise_with_file_and_line(raw: bytes, message: str) -> None:
    rows = read_jsonl(io.BytesIO(raw), source="x.jsonl", max_line_bytes=64)
    assert next(rows) == (1, {"text": "ok"})
    with pytest.raises(FormatError) as caught:
        next(rows)
    assert str(caught.value) == message
    assert caught.value.line == 2


def test_huge_line_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    path.write_bytes(b'{"text": "' + b"a" * 5_000_000 + b'"}\n')
    with pytest.raises(FormatError, match="huge.jsonl, line 1: line is longer than the limit"):
        list(read_jsonl(path, max_line_bytes=1000))


def test_reads_a_folder_of_text_and_jsonl_files_sorted_and_recursively(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Second article.", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"text": "First."}\n{"text": "Also first."}\n',
                                      encoding="utf-8")
    (tmp_path / "notes.csv").write_text("ignored", encoding="utf-8")
    records = [(r.source, r.line, r.data["text"]) for r in read_path(tmp_path)]
    assert records == [("a.jsonl", 1, "First."), ("a.jsonl", 2, "Also first."),
                       ("b/two.txt", 1, "Second article.")]
    txt = [r.data for r in read_path(tmp_path / "b" / "two.txt")]
    assert txt == [{"text": "Second article.", "meta": {"source": "two.txt"}}]


def test_text_file_with_bad_utf8_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9")
    with pytest.raises(FormatError, match=r"^bad.txt, line 1: invalid UTF-8 at byte 3$"):
        list(read_path(tmp_path))
