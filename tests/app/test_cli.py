"""The annotator command line: users, import, export, demo."""

import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from annotator.db import db
from annotator.models import AnnotationSet, Dataset, Document, EntitySpan, User

SEED = Path(__file__).resolve().parents[1] / "data" / "seed-article.txt"


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_user_add_reads_password_from_stdin(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["user", "add", "rita", "--role", "reviewer", "--password-stdin"],
                           input="a long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.name == "rita"))
    assert user is not None and user.role == "reviewer" and user.check_password("a long password")


def test_user_add_prompts_and_refuses_duplicates(runner) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["user", "add", "rita"], input="a long password\na long password\n").exit_code == 0
    again = runner.invoke(args=["user", "add", "rita", "--password-stdin"], input="another password\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_is_idempotent(runner) -> None:  # type: ignore[no-untyped-def]
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo login: name 'demo'" in first.output
    documents = count(Document)
    assert 6 <= documents <= 10
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "0 new article(s)" in second.output
    assert count(Document) == documents and count(User) == 1 and count(Dataset) == 1
    assert count(EntitySpan) > 50


def test_import_seed_article_and_export_its_entities(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["import", str(SEED), "--dataset", "news"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 document(s)" in result.output
    doc = db.session.scalar(sa.select(Document))
    assert doc.text == SEED.read_text(encoding="utf-8")
    out = tmp_path / "out.jsonl"
    exported = runner.invoke(args=["export", "--dataset", "news", "--only", "all", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    task = json.loads(out.read_text().splitlines()[0])
    assert task["text"] == doc.text and task["_annotator_id"] == "model"
    names = {(s["start"], s["end"]): doc.text[s["start"]:s["end"]] for s in task["spans"]}
    assert "Hossein Akbari" in names.values() and "Damascus" in names.values()
    for span in task["spans"]:
        assert task["tokens"][span["token_start"]]["start"] == span["start"]
        assert task["tokens"][span["token_end"]]["end"] == span["end"]
    again = runner.invoke(args=["import", str(SEED), "--dataset", "news"])
    assert "skipped 1 already there" in again.output and count(Document) == 1


def test_import_jsonl_and_folder(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Mayor Ana Ruiz said the tram will run in May.", encoding="utf-8")
    (folder / "b.jsonl").write_text(
        json.dumps({"text": "Berlin welcomed the plan.", "meta": {"id": 7}}) + "\n"
        + json.dumps({"text": "Paris rejected it.", "meta": {}}) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(folder), "--dataset", "mixed"])
    assert result.exit_code == 0, result.output
    assert count(Document) == 3
    metas = [d.meta for d in db.session.scalars(sa.select(Document).order_by(Document.id))]
    assert metas[0] == {"source": "a.txt"} and {"id": 7} in metas
    assert count(AnnotationSet) == 3


def test_bad_line_names_file_and_line_and_writes_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "Fine."}) + "\n{not json\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--dataset", "x"])
    assert result.exit_code != 0
    assert "bad.jsonl" in result.output and "line 2" in result.output
    assert count(Document) == 0 and count(Dataset) == 0


def test_missing_text_is_an_error(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notext.jsonl"
    path.write_text(json.dumps({"meta": {}}) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--dataset", "x"])
    assert result.exit_code != 0 and "line 1" in result.output and "text" in result.output
    assert count(Document) == 0


def test_export_unknown_dataset_fails(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["export", "--dataset", "nope"])
    assert result.exit_code != 0 and "no dataset named 'nope'" in result.output
