"""Format detection, the combined reader, and the format layer's import rules."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import annotator.formats
from annotator.formats.detect import detect_format
from annotator.formats.errors import FormatError
from annotator.formats.reader import read_tasks

FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_migrate",
             "sqlalchemy", "annotator.models", "annotator.db", "annotator.services",
             "annotator.views")


@pytest.mark.parametrize(("record", "expected"), [
    ({"text": "a", "spans": [], "quotes": [], "_format_version": 1}, "annotator"),
    ({"text": "a", "_view_id": "annotator"}, "annotator"),
    ({"text": "a", "spans": [], "stances": []}, "annotator"),  # stances without quotes are not dropped as Prodigy
    ({"text": "a", "spans": [{"start": 0, "end": 1, "label": "X"}], "answer": "accept"},
     "prodigy"),
    ({"text": "a", "tokens": []}, "prodigy"),
    ({"text": "a", "relations": [], "_input_hash": 1}, "prodigy"),
    ({"id": 1, "text": "a", "entities": [], "relations": []}, "doccano"),
    ({"text": "a", "label": [[0, 1, "X"]]}, "doccano"),
    ({"text": "a", "label": "positive"}, "plain"),
    ({"text": "a", "meta": {"source": "x"}}, "plain"),
])
def test_detect_format(record: dict[str, Any], expected: str) -> None:
    assert detect_format(record) == expected


def test_read_tasks_handles_mixed_formats_in_a_folder(tmp_path: Path) -> None:
    rows = [
        {"text": "Apple rose.", "spans": [{"start": 0, "end": 5, "label": "ORG"}],
         "answer": "reject"},
        {"text": "Paris is big.", "entities": [
            {"id": 1, "label": "GPE", "start_offset": 0, "end_offset": 5}], "relations": []},
        {"text": "Nothing here yet.", "meta": {"id": 7}},
    ]
    (tmp_path / "mixed.jsonl").write_text("\n".join(json.dumps(r) for r in rows),
                                          encoding="utf-8")
    (tmp_path / "z.txt").write_text("A plain article.", encoding="utf-8")
    tasks = [(record.source, record.line, task) for record, task in read_tasks(tmp_path)]
    assert [(s, n) for s, n, _ in tasks] == [("mixed.jsonl", 1), ("mixed.jsonl", 2),
                                              ("mixed.jsonl", 3), ("z.txt", 1)]
    assert tasks[0][2].answer == "reject"
    assert tasks[1][2].annotation is not None and tasks[1][2].annotation.entities[0].label == "GPE"
    assert tasks[2][2].annotation is None and tasks[2][2].meta == {"id": 7}
    assert tasks[3][2].text == "A plain article." and tasks[3][2].meta == {"source": "z.txt"}


def test_read_tasks_reports_a_record_without_text(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "ok"}\n{"meta": {}}\n', encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        list(read_tasks(tmp_path / "a.jsonl"))
    assert str(caught.value) == ("a.jsonl, line 2, field text: is required and must be a "
                                 "non-empty string")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(Path(annotator.formats.__file__).parent.glob("*.py")),
                         ids=lambda p: p.name)
def test_format_modules_import_no_web_or_database_code(path: Path) -> None:
    bad = {name for name in imported_modules(path)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)}
    assert bad == set()
