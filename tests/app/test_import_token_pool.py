"""`annotator import` tokenising in a helper process (TokenPool): same tokens, same checks, all or nothing."""

import dataclasses
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from annotator import token_pool
from annotator.db import db
from annotator.formats.doccano import doccano_from_annotation
from annotator.models import Dataset, Document
from annotator.spans import Annotation, Entity

TEXTS = ["Ana Ruiz met officials in Berlin on Monday, the council said.",
         "Prices rose in Nairobi (again), Valdoria's minister warned.",
         "The union's strike in Santa Lucia ended; talks resume."]


def _line(text: str, entities: list[tuple[str, str]], n: int) -> str:
    """A doccano line (no tokens) with the named words as entities."""
    spans = [Entity(f"e{i}", text.index(word), text.index(word) + len(word), label)
             for i, (word, label) in enumerate(entities)]
    return json.dumps(doccano_from_annotation(text, Annotation(entities=spans), record_id=n))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good(tmp_path: Path) -> Path:
    return _write(tmp_path / "good.jsonl", [
        _line(TEXTS[0], [("Ana Ruiz", "PERSON"), ("Berlin", "GPE")], 0),
        _line(TEXTS[1], [("Nairobi", "GPE"), ("Valdoria", "GPE")], 1),
        _line(TEXTS[2], [("Santa Lucia", "GPE")], 2)])


def _stored_tokens(dataset: str) -> dict[str, list[list[int]]]:
    rows = db.session.execute(sa.select(Document.text, Document.tokens).join(Dataset)
                              .where(Dataset.name == dataset)).all()
    return {text: [list(pair) for pair in tokens] for text, tokens in rows}


@pytest.fixture
def pooled(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Imports of any size use the helper process; the texts it was given are listed."""
    app.config["IMPORT_TOKEN_PROCESS_MIN"] = 1
    given: list[str] = []
    submit = token_pool.TokenPool.submit

    def spy(self: token_pool.TokenPool, text: str):  # type: ignore[no-untyped-def]
        given.append(text)
        return submit(self, text)

    monkeypatch.setattr(token_pool.TokenPool, "submit", spy)
    return given


def test_helper_process_gives_the_tokens_of_an_import_in_process(  # type: ignore[no-untyped-def]
        app: Flask, runner, pooled: list[str], tmp_path: Path) -> None:
    path = _good(tmp_path)
    result = runner.invoke(args=["import", str(path), "--dataset", "pooled", "--as", "gold"])
    assert result.exit_code == 0, result.output
    assert pooled == TEXTS
    app.config["IMPORT_TOKEN_PROCESS_MIN"] = 0
    result = runner.invoke(args=["import", str(path), "--dataset", "here", "--as", "gold"])
    assert result.exit_code == 0, result.output
    assert len(pooled) == 3  # the second import tokenised in this process
    here, there = _stored_tokens("here"), _stored_tokens("pooled")
    assert here == there and set(here) == set(TEXTS) and all(here.values())
    exports = [runner.invoke(args=["export", "--dataset", name, "-o", str(tmp_path / f"{name}.jsonl")])
               for name in ("here", "pooled")]
    assert all(e.exit_code == 0 for e in exports)
    assert _lines(tmp_path / "here.jsonl") == _lines(tmp_path / "pooled.jsonl")


def _lines(path: Path) -> list[dict[str, object]]:
    """Exported tasks without their time stamps."""
    tasks = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in task.items() if k != "_timestamp"} for task in tasks]


def test_span_off_token_boundaries_names_its_line_and_nothing_is_written(  # type: ignore[no-untyped-def]
        runner, pooled: list[str], tmp_path: Path) -> None:
    path = _write(tmp_path / "off.jsonl", [
        _line(TEXTS[0], [("Ana Ruiz", "PERSON")], 0),
        _line(TEXTS[1], [("Nairob", "GPE")], 1),  # ends inside a token
        _line(TEXTS[2], [("Santa Lucia", "GPE")], 2)])
    result = runner.invoke(args=["import", str(path), "--dataset", "x", "--as", "gold"])
    assert result.exit_code != 0
    assert "off.jsonl, line 2, field entities[0]" in result.output and "Nothing was imported" in result.output
    assert len(pooled) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_the_first_bad_line_is_named_whichever_check_finds_it(  # type: ignore[no-untyped-def]
        runner, pooled: list[str], tmp_path: Path) -> None:
    path = _write(tmp_path / "two.jsonl", [
        _line(TEXTS[0], [("Ana Rui", "PERSON")], 0),  # off token boundaries: found when the tokens come
        _line(TEXTS[1], [("Nairobi", "NOPE")], 1)])  # unknown label: found while reading
    result = runner.invoke(args=["import", str(path), "--dataset", "x", "--as", "gold"])
    assert result.exit_code != 0
    assert "two.jsonl, line 1, field entities[0]" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_missing_pipeline_is_named(  # type: ignore[no-untyped-def]
        app: Flask, runner, pooled: list[str], tmp_path: Path) -> None:
    key = "annotator.preannotator"
    app.extensions[key] = dataclasses.replace(app.extensions[key], model="no_such_pipeline_xx")
    result = runner.invoke(args=["import", str(_good(tmp_path)), "--dataset", "x", "--as", "gold"])
    assert result.exit_code != 0 and "no_such_pipeline_xx" in result.output and "not installed" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_file_too_big_to_keep_is_read_twice_and_tokenised_alike(  # type: ignore[no-untyped-def]
        runner, pooled: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.services import importer

    monkeypatch.setattr(importer, "KEEP_BYTES", 1)  # nothing kept: the write pass reads the file again
    result = runner.invoke(args=["import", str(_good(tmp_path)), "--dataset", "big", "--as", "gold"])
    assert result.exit_code == 0, result.output
    assert pooled == TEXTS * 2  # checked, then written
    tokens = _stored_tokens("big")
    assert set(tokens) == set(TEXTS) and all(tokens.values())
    assert tokens[TEXTS[0]][:3] == [[0, 3], [4, 8], [9, 12]]


def test_the_console_script_starts_the_helper_before_the_app(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from annotator import create_app

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    env = {**os.environ, "ANNOTATOR_DATABASE_URL": url, "ANNOTATOR_INSTANCE_PATH": str(tmp_path),
           "ANNOTATOR_IMPORT_TOKEN_PROCESS_MIN": "1", "ANNOTATOR_SECRET_KEY": "test"}
    probe = ("import sys\nfrom annotator.cli import main\n"
             "assert 'flask' not in sys.modules and 'spacy' not in sys.modules\n"
             "import annotator.token_pool as tp\nstarted = []\ninit = tp.TokenPool.__init__\n"
             "tp.TokenPool.__init__ = lambda self, *a, **k: (started.append(sys.modules.get('flask')), init(self, *a, **k))[1]\n"
             "try:\n    main()\nfinally:\n    assert started == [None], started\n")
    done = subprocess.run([sys.executable, "-c", probe, "import", str(_good(tmp_path)), "--dataset", "x",
                           "--as", "gold"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Imported 3 document(s)" in done.stdout
    with app.app_context():
        tokens = _stored_tokens("x")
        db.engine.dispose()
    assert set(tokens) == set(TEXTS) and tokens[TEXTS[0]][:3] == [[0, 3], [4, 8], [9, 12]]
