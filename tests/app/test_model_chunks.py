"""Pre-annotation in chunks on the job queue: same result as one process, failures all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from annotator.db import db
from annotator.models import Dataset, Document, annotation_of
from annotator.services import preannotation
from annotator.services.annotations import model_set
from annotator.services.importer import ImportFailed, get_or_create_dataset, import_records
from annotator.services.sources import read_path
from apptools import app_with_schema

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "annotator" / "demo" / "articles"


def snapshot(dataset: Dataset) -> list[tuple[str, Any, Any]]:
    """Every document's text, tokens and model annotation, in text order."""
    docs = db.session.scalars(sa.select(Document).where(Document.dataset_id == dataset.id))
    return sorted((d.text, d.tokens, annotation_of(model_set(d.id).id)) for d in docs)


def _import(name: str, chunk_size: int, app: Flask) -> Dataset:
    app.extensions[preannotation.KEY] = replace(preannotation.current(), chunk_size=chunk_size)
    dataset = get_or_create_dataset(name)
    import_records(dataset, read_path(DEMO))
    db.session.commit()
    return dataset


def _workers(tmp_path: Path, huey_url: str) -> subprocess.Popen[bytes]:
    """`annotator worker --workers 2` in its own instance folder, sharing the job queue."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANNOTATOR_INSTANCE_PATH": str(tmp_path / "worker"),
           "ANNOTATOR_HUEY_URL": huey_url, "ANNOTATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite'}"}
    return subprocess.Popen([sys.executable, "-c", "from annotator.cli import main; main()", "worker",
                             "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_chunks_on_two_worker_processes_equal_one_process(database_url: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    huey_url = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    workers = _workers(tmp_path, huey_url)
    here: list[int] = []
    real_store = preannotation.store
    monkeypatch.setattr(preannotation, "store", lambda *a, **k: here.append(a[2]) or real_store(*a, **k))
    try:
        with app_with_schema(database_url, tmp_path, HUEY_IMMEDIATE=False, HUEY_URL=huey_url,
                             PREANNOTATE_LOCAL_WORK=False, PREANNOTATE_CHUNK_TIMEOUT=300) as app:
            chunked = snapshot(_import("chunked", 2, app))
            assert here == []  # every chunk ran in the worker processes
            single = snapshot(_import("single", 0, app))
            assert chunked == single and len(single) == 8
    finally:
        workers.send_signal(signal.SIGINT)
        try:
            workers.wait(timeout=30)
        except subprocess.TimeoutExpired:
            workers.kill()
            workers.wait()


def _failing(texts: set[str], times: list[int]) -> Any:
    """preannotation.run that fails on chosen texts, counting calls."""
    real = preannotation.run

    def run(settings: Any, items: Any) -> Any:
        if any(text.split("\n", 1)[0] in texts for text, _ in items):
            times.append(1)
            if len(times) <= (1 if "flaky" in texts else 99):
                raise RuntimeError("worker lost its model")
        return real(settings, items)
    return run


def test_a_chunk_that_keeps_failing_fails_the_whole_file(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    first_lines = {p.read_text(encoding="utf-8").split("\n", 1)[0] for p in sorted(DEMO.glob("*.txt"))[3:4]}
    times: list[int] = []
    monkeypatch.setattr(preannotation, "run", _failing(first_lines, times))
    app.extensions[preannotation.KEY] = replace(preannotation.current(), chunk_size=2)
    dataset = get_or_create_dataset("failing")
    with pytest.raises(ImportFailed, match=r"pre-annotating texts 3 to 4 failed: RuntimeError"):
        import_records(dataset, read_path(DEMO))
    db.session.rollback()
    assert len(times) == 2  # the queued try, then the importing process's
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_chunk_that_fails_once_is_retried(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    first_lines = {p.read_text(encoding="utf-8").split("\n", 1)[0] for p in sorted(DEMO.glob("*.txt"))[:1]}
    times: list[int] = []
    monkeypatch.setattr(preannotation, "run", _failing(first_lines | {"flaky"}, times))
    app.extensions[preannotation.KEY] = replace(preannotation.current(), chunk_size=3)
    dataset = get_or_create_dataset("flaky")
    import_records(dataset, read_path(DEMO))
    db.session.commit()
    assert len(times) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 8


@pytest.mark.parametrize(("count", "size", "lengths"), [
    (160, 50, [40, 40, 40, 40]), (10, 3, [3, 3, 2, 2]), (7, 7, [7]), (8, 10, [8]), (1, 1, [1])])
def test_chunks_are_equal_so_no_worker_waits_on_a_short_last_one(count: int, size: int, lengths: list[int]) -> None:
    chunks = preannotation.equal_chunks(list(range(count)), size)
    assert [len(c) for c in chunks] == lengths
    assert [x for c in chunks for x in c] == list(range(count))


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_shares_the_cores_between_its_processes_math_threads(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                                     workers: int) -> None:
    """Each worker process gets cores // workers math threads (unless the variable is set already)."""
    from annotator.cli.model import MATH_THREADS
    from annotator.jobs import queue

    for variable in MATH_THREADS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")  # an admin's own choice stays
    started: list[dict[str, object]] = []

    class Consumer:  # what the command starts, without running it
        def __init__(self, **options: object) -> None:
            started.append(options)

        def run(self) -> None:
            """Return at once."""

    with app.app_context():
        huey = queue()
        monkeypatch.setattr(huey, "create_consumer", Consumer)
        result = app.test_cli_runner().invoke(args=["worker", "--workers", str(workers), "--no-preload"])
    assert result.exit_code == 0, result.output
    assert started and started[0]["workers"] == workers
    expected = str(max(1, (os.cpu_count() or 1) // workers))
    assert os.environ["OMP_NUM_THREADS"] == expected and os.environ["MKL_NUM_THREADS"] == expected
    assert os.environ["OPENBLAS_NUM_THREADS"] == "3"
