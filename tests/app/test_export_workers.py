"""An export built by several processes is the export one process builds, or fails whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from spacy.tokens import DocBin

from annotator.db import db
from annotator.formats import docbin, registry, spacy_doc
from annotator.formats.errors import FormatError
from annotator.models import AnnotationSet, Dataset
from annotator.services import export_workers, exporter
from annotator.services.datasets import by_name
from annotator.services.export_workers import ExportWorkerFailed
from annotator.services.importer import Record, get_or_create_dataset, import_records
from test_import_export import NLP, TEXT, layers, tokens

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Chunks of 3 sets; the helper processes started (counted in this process)."""
    monkeypatch.setattr(exporter, "WORKER_CHUNK", 3)
    started: list[int] = []
    fork = export_workers._fork

    def counted(*args: Any) -> Any:
        started.append(1)
        return fork(*args)

    monkeypatch.setattr(export_workers, "_fork", counted)
    return started


def gold_documents(count: int) -> None:
    """``count`` documents with reviewed gold."""
    texts = [f"{TEXT} Report {i}." for i in range(count)]
    import_records(get_or_create_dataset("news"), [
        Record(text=t, tokens=tokens(t), annotation=layers("gold"), status="reviewed") for t in texts], target="gold")
    db.session.commit()


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our JSONL cannot hold reports 4 (in the second chunk: a helper's) and 8 (the third: this process's)."""
    line = registry.export_line

    def refusing(text: str, *args: Any, **kwargs: Any) -> bytes:
        if text.endswith(("Report 4.", "Report 8.")):
            raise FormatError("cannot hold this one", field="spans")
        return line(text, *args, **kwargs)

    monkeypatch.setattr(registry, "export_line", refusing)


def export(path: Path, fmt: str, workers: int, only: str = "gold") -> tuple[bytes, int, list[str]]:
    dataset = by_name("news")
    assert dataset is not None
    report = exporter.export_to_path(dataset, path, fmt=fmt, only=only, workers=workers)
    return path.read_bytes(), report.count, report.skipped


@pytest.mark.parametrize("fmt", ["annotator", "doccano"])
def test_several_processes_write_what_one_writes(tmp_path: Path, forks: list[int], fmt: str) -> None:
    gold_documents(20)
    alone = export(tmp_path / "one.jsonl", fmt, workers=1)
    assert not forks
    together = export(tmp_path / "three.jsonl", fmt, workers=3)
    assert len(forks) == 2  # this process and two helpers, 7 chunks of 3 sets
    assert together == alone and alone[0].count(b"\n") == alone[1]
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.usefixtures("refused")
def test_sets_a_helper_cannot_write_are_named_as_by_one_process(tmp_path: Path, forks: list[int]) -> None:
    gold_documents(20)
    alone = export(tmp_path / "one.jsonl", "annotator", workers=1)
    assert alone[1] == 18 and len(alone[2]) == 2 and "cannot hold this one" in alone[2][0]
    assert export(tmp_path / "two.jsonl", "annotator", workers=2) == alone and len(forks) == 1
    db.session.execute(sa.update(AnnotationSet).values(status="in_progress")
                       .where(AnnotationSet.id == db.session.scalar(sa.select(sa.func.min(AnnotationSet.id)))))
    db.session.commit()
    fewer = export(tmp_path / "three.jsonl", "annotator", workers=2)
    assert fewer[1] == alone[1] - 1 and fewer[2] == alone[2] and len(forks) == 2
    drafts_alone = export(tmp_path / "d1.jsonl", "annotator", workers=1, only="gold-drafts")
    assert export(tmp_path / "d2.jsonl", "annotator", workers=2, only="gold-drafts") == drafts_alone


def test_a_failing_helper_fails_the_export_and_leaves_the_old_file(tmp_path: Path, forks: list[int],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    gold_documents(12)
    ids = list(db.session.scalars(sa.select(AnnotationSet.id).order_by(AnnotationSet.document_id)))
    rows = exporter._chunk_rows

    def broken(chunk: Sequence[int]) -> Any:
        if ids[3] in chunk:  # the second chunk: a helper's
            raise RuntimeError("the disk is gone")
        return rows(chunk)

    monkeypatch.setattr(exporter, "_chunk_rows", broken)
    out = tmp_path / "gold.jsonl"
    out.write_text("the last good export\n")
    with pytest.raises(ExportWorkerFailed, match="RuntimeError: the disk is gone"):
        export(out, "annotator", workers=2)
    assert out.read_text() == "the last good export\n" and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("flushed", [False, True])
def test_unsaved_changes_keep_the_export_in_this_process(tmp_path: Path, forks: list[int], flushed: bool) -> None:
    gold_documents(12)
    alone = export(tmp_path / "one.jsonl", "annotator", workers=1)
    dataset = by_name("news")
    assert dataset is not None
    dataset.guidelines = "unsaved"
    if flushed:
        db.session.flush()
    assert export(tmp_path / "two.jsonl", "annotator", workers=2) == alone and not forks
    db.session.commit()
    assert db.session.scalar(sa.select(Dataset.guidelines)) == "unsaved"
    assert export(tmp_path / "three.jsonl", "annotator", workers=2) == alone and len(forks) == 1


def test_the_command_line_uses_workers(runner, tmp_path: Path, forks: list[int]) -> None:  # type: ignore[no-untyped-def]
    gold_documents(12)
    outputs = []
    for workers in ("1", "2"):
        result = runner.invoke(args=["export", "--dataset", "news", "--workers", workers,
                                     "-o", str(tmp_path / f"{workers}.jsonl")])
        assert result.exit_code == 0, result.output
        assert "Exported 12 annotation set(s)" in result.output
        outputs.append((tmp_path / f"{workers}.jsonl").read_bytes())
    assert outputs[0] == outputs[1] and len(forks) == 1


def test_web_downloads_stay_in_one_process(app: Flask, admin_client, forks: list[int]) -> None:  # type: ignore[no-untyped-def]
    gold_documents(12)
    dataset = by_name("news")
    assert dataset is not None
    body = admin_client.get(f"/datasets/{dataset.id}/export").get_data()
    assert body.count(b"\n") == 12 and not forks


@pytest.mark.parametrize("fmt", ["annotator", "spacy"])
def test_an_output_that_cannot_be_written_is_named(runner, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    gold_documents(2)
    targets = [tmp_path / "missing" / "gold.spacy"] + ([tmp_path] if fmt == "annotator" else [])  # a folder
    for target in targets:
        result = runner.invoke(args=["export", "--dataset", "news", "--format", fmt, "-o", str(target)])
        assert result.exit_code == 1 and f"--output: cannot write {target}:" in result.output
        assert "Traceback" not in result.output
    assert not list(tmp_path.glob("**/.*.part"))


def test_a_reader_that_stops_early_stops_the_export_quietly(database_url: str, tmp_path: Path) -> None:
    """`annotator export ... | head`: no traceback, no "Broken pipe" error, the helpers gone."""
    gold_documents(250)  # more than WORKER_CHUNK: the console script forks a helper
    db.session.remove()
    db.engine.dispose()
    env = {**os.environ, "ANNOTATOR_DATABASE_URL": database_url, "ANNOTATOR_INSTANCE_PATH": str(tmp_path),
           "ANNOTATOR_SECRET_KEY": "test"}
    command = [sys.executable, "-c", "from annotator.cli import main; main()", "export", "--dataset", "news",
               "--workers", "2"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(100).startswith(b'{"text":')
        process.stdout.close()
        errors = process.stderr.read().decode()
        assert process.wait(timeout=60) == 1
    assert errors == ""


def shard_docs(folder: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The texts and entities of every Doc in a folder's shards, in shard order."""
    return [(doc.text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
            for shard in sorted(folder.glob(f"{folder.name}-*.spacy"))
            for doc in DocBin().from_disk(shard).get_docs(NLP.vocab)]


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of 3 Docs."""
    monkeypatch.setattr(docbin, "SHARD_DOCS", 3)


@pytest.mark.usefixtures("small_shards")
def test_spacy_shards_from_several_processes_hold_what_one_process_writes(tmp_path: Path, forks: list[int],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    gold_documents(20)
    failing = spacy_doc.doc_from_rows

    def refusing(vocab: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        if text.endswith(("Report 4.", "Report 8.")):  # a helper's chunk and this process's
            raise FormatError("cannot hold this one", field="tokens")
        return failing(vocab, text, *args, **kwargs)

    monkeypatch.setattr(docbin, "doc_from_rows", refusing)
    dataset = by_name("news")
    assert dataset is not None
    alone = exporter.export_to_path(dataset, tmp_path / "one", fmt="spacy", workers=1)
    assert not forks and alone.count == 18 and len(alone.skipped) == 2
    together = exporter.export_to_path(dataset, tmp_path / "three", fmt="spacy", workers=3)
    assert len(forks) == 2 and (together.count, together.skipped) == (alone.count, alone.skipped)
    assert shard_docs(tmp_path / "three") == shard_docs(tmp_path / "one") and len(shard_docs(tmp_path / "one")) == 18
    assert len(list((tmp_path / "three").iterdir())) == 7  # a shard per chunk of 3 sets
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.usefixtures("small_shards")
@pytest.mark.parametrize("workers", [1, 2])
def test_a_new_spacy_export_replaces_the_old_shards_and_nothing_else(tmp_path: Path, workers: int) -> None:
    gold_documents(20)
    dataset = by_name("news")
    assert dataset is not None
    folder = tmp_path / "gold"
    exporter.export_to_path(dataset, folder, fmt="spacy", workers=workers)
    assert len(list(folder.glob("gold-*.spacy"))) == 7
    (folder / "notes.txt").write_text("mine")
    (folder / "other-000.spacy").write_bytes(b"not ours")
    db.session.execute(sa.update(AnnotationSet).values(status="in_progress").where(
        AnnotationSet.id.in_(sa.select(AnnotationSet.id).order_by(AnnotationSet.id).offset(5))))
    db.session.commit()
    report = exporter.export_to_path(dataset, folder, fmt="spacy", workers=workers)
    assert report.count == 5 and sorted(p.name for p in folder.iterdir()) == [
        "gold-000.spacy", "gold-001.spacy", "notes.txt", "other-000.spacy"]
    assert len(shard_docs(folder)) == 5 and (folder / "notes.txt").read_text() == "mine"


@pytest.mark.usefixtures("small_shards")
def test_a_failed_spacy_export_leaves_the_last_shards(tmp_path: Path, forks: list[int],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    gold_documents(12)
    dataset = by_name("news")
    assert dataset is not None
    folder = tmp_path / "gold"
    exporter.export_to_path(dataset, folder, fmt="spacy", workers=2)
    before = shard_docs(folder)
    ids = list(db.session.scalars(sa.select(AnnotationSet.id).order_by(AnnotationSet.document_id)))
    rows = exporter._chunk_rows
    monkeypatch.setattr(exporter, "_chunk_rows", lambda chunk: (_ for _ in ()).throw(RuntimeError("the disk is gone"))
                        if ids[3] in chunk else rows(chunk))
    with pytest.raises(ExportWorkerFailed, match="the disk is gone"):
        exporter.export_to_path(dataset, folder, fmt="spacy", workers=2)
    assert shard_docs(folder) == before and len(before) == 12 and not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_export_stopped_by_a_signal_leaves_the_last_file_and_no_process(database_url: str, tmp_path: Path,
                                                                           signum: int) -> None:
    """kill or Ctrl+C in the middle of an export: the old file stays, no .part file, no helper left."""
    gold_documents(250)
    db.session.remove()
    db.engine.dispose()
    out = tmp_path / "gold.jsonl"
    out.write_text("the last good export\n")
    env = {**os.environ, "ANNOTATOR_DATABASE_URL": database_url, "ANNOTATOR_INSTANCE_PATH": str(tmp_path),
           "ANNOTATOR_SECRET_KEY": "test"}
    stall = ("import os, signal, sys, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
             "import annotator.services.exporter as ex\nex.WORKER_CHUNK = 10\nrows = ex._chunk_rows\nseen = []\n"
             "def slow(chunk):\n    seen.append(1)\n    if len(seen) > 1:\n"
             "        open(sys.argv[-1] + '.helpers', 'a').write(f'{os.getpid()}\\n')\n        time.sleep(60)\n"
             "    return rows(chunk)\nex._chunk_rows = slow\n"
             "from annotator.cli import main\nsys.argv = sys.argv[:-1]\nmain()\n")
    command = [sys.executable, "-c", stall, "export", "--dataset", "news", "--workers", "2", "-o", str(out), str(out)]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        stalled = Path(f"{out}.helpers")
        for _ in range(600):  # both processes are past their first chunk (60 s at most)
            if stalled.exists() and len(stalled.read_text().split()) >= 2:
                break
            time.sleep(0.1)
        assert len(stalled.read_text().split()) == 2 and (tmp_path / ".gold.jsonl.part").exists()
        process.send_signal(signum)
        assert process.wait(timeout=30) != 0
    assert out.read_text() == "the last good export\n" and not (tmp_path / ".gold.jsonl.part").exists()
    for pid in map(int, stalled.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
