"""Web uploads: keep the file under the instance folder, track a Job, import it in the background."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from ..db import committing, db
from ..formats.lines import JSONL_SUFFIXES, TEXT_SUFFIXES
from ..models import Dataset, Job, User, utcnow
from ..vocab import JobKind, JobStatus, SetKind
from .importer import ImportFailed, Record, import_records
from .sources import count_records, read_path

log = logging.getLogger(__name__)
SUFFIXES = JSONL_SUFFIXES + TEXT_SUFFIXES
TARGETS = ("file", SetKind.GOLD.value, SetKind.ANNOTATOR.value)


def upload_folder() -> Path:
    """instance/uploads, created on first use."""
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(storage: FileStorage, *, dataset: Dataset, user: User, target: str = "file",
                annotator: str | None = None, replace_sets: bool = False) -> Job:
    """Save an uploaded file and queue-ready Job row for it (the caller commits and enqueues)."""
    name = Path(storage.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFailed(f"{name or 'the file'}: expected a {', '.join(SUFFIXES)} file")
    if target not in TARGETS:
        raise ImportFailed(f"unknown target {target!r}")
    if target == SetKind.ANNOTATOR and not annotator:
        raise ImportFailed("choose the annotator whom the file's annotations belong to")
    path = upload_folder() / f"{secrets.token_hex(12)}{suffix}"
    storage.save(path)
    payload = {"path": path.name, "name": name, "target": target, "annotator": annotator,
               "replace_sets": replace_sets}
    job = Job(kind=JobKind.IMPORT, dataset_id=dataset.id, user_id=user.id, status=JobStatus.QUEUED,
              payload=json.dumps(payload), message=f"{name}: waiting to start")
    db.session.add(job)
    db.session.flush()
    return job


def _progress_file(job_id: int) -> Path:
    """Where a running import notes its progress once its own rows are pending (no commits then)."""
    return upload_folder() / f"job-{job_id}.progress.json"


def live_progress(job: Job) -> dict[str, Any]:
    """A running import's latest progress from its progress file; nothing when there is none."""
    path = _progress_file(job.id)
    if job.status != JobStatus.RUNNING or not path.exists():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


class _Reporter:
    """Notes a job's progress at most twice a second: on the Job row while nothing is pending, then
    (while the import's own rows are pending and a commit would write them) in a progress file."""

    def __init__(self, job_id: int, total: int) -> None:
        self.job_id, self.total = job_id, total
        self.stage = ""
        self.last = 0.0
        self.pending = False

    def phase(self, name: str, total: int) -> None:
        self.stage, self.total = name, total or self.total
        self.pending = self.pending or "writing" in name
        self._save(0)

    def progress(self, done: int) -> None:
        if time.monotonic() - self.last > 0.5:
            self._save(done)

    def _save(self, done: int) -> None:
        values: dict[str, Any] = {"done": done, "total": self.total, "message": f"{self.stage}…"}
        if self.pending:
            path = _progress_file(self.job_id)
            path.with_suffix(".tmp").write_text(json.dumps(values), encoding="utf-8")
            path.with_suffix(".tmp").replace(path)
        else:
            with committing():
                db.session.execute(sa.update(Job).where(Job.id == self.job_id).values(**values))
        self.last = time.monotonic()


def run_import_job(job_id: int) -> None:
    """Import a queued upload all-or-nothing, recording progress and the outcome on its Job."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return
    payload = json.loads(job.payload or "{}")
    path = upload_folder() / payload["path"]
    with committing():
        job.status, job.total = JobStatus.RUNNING, count_records(path) if path.exists() else 0
    try:
        with committing():  # the documents and the job's "done" in one transaction
            _finish(job_id, _import(job, path, payload), ok=True)
    except ImportFailed as err:
        with committing():
            _finish(job_id, f"{err}".replace(path.name, payload["name"]) + " Nothing was imported.", ok=False)
    except Exception:  # a job must never stay "running" forever
        log.exception("import job %s failed", job_id)
        with committing():
            _finish(job_id, "The import failed unexpectedly; nothing was imported.", ok=False)
    path.unlink(missing_ok=True)
    _progress_file(job_id).unlink(missing_ok=True)


def _finish(job_id: int, message: str, *, ok: bool) -> None:
    """Record an import job's outcome on its row (the caller commits)."""
    job = db.session.get(Job, job_id)
    assert job is not None
    job.status, job.message, job.finished_at = (JobStatus.DONE if ok else JobStatus.FAILED), message, utcnow()
    if ok:
        job.done = job.total


def _import(job: Job, path: Path, payload: dict[str, Any]) -> str:
    """Run the import itself; the caller commits or rolls back."""
    dataset = db.session.get(Dataset, job.dataset_id)
    if dataset is None:
        raise ImportFailed("the dataset no longer exists")
    annotator = None
    if payload.get("target") == SetKind.ANNOTATOR:
        annotator = db.session.scalar(sa.select(User).where(User.name == payload.get("annotator")))
        if annotator is None:
            raise ImportFailed(f"no user named {payload.get('annotator')!r}")
    reporter = _Reporter(job.id, job.total)

    def records() -> Iterator[Record]:
        return read_path(path, labels=dataset.entity_labels or None, polarities=dataset.stance_polarities or None,
                         max_line_bytes=int(current_app.config["MAX_LINE_BYTES"]))

    result = import_records(dataset, records, target=SetKind.GOLD if payload.get("target") == SetKind.GOLD else SetKind.ANNOTATOR,
                            annotator=annotator, replace_sets=bool(payload.get("replace_sets")),
                            progress=reporter.progress, phase=reporter.phase)
    return "\n".join([result.summary(), *_listed(result.warnings, payload["name"], path.name)])


def _listed(warnings: list[str], name: str, stored: str, limit: int = 200) -> list[str]:
    """Warnings for the job page, under the uploaded file's own name; at most ``limit`` of them."""
    lines = [f"Warning: {w}".replace(stored, name) for w in warnings[:limit]]
    if len(warnings) > limit:
        lines.append(f"… and {len(warnings) - limit} more warning(s).")
    return lines
