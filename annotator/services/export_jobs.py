"""Web exports as background jobs: the job writes the file, the download streams it from disk."""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import current_app

from ..db import committing, db
from ..formats.errors import FormatError
from ..formats.registry import writer_of
from ..models import Dataset, Job, User, utcnow
from ..vocab import JobKind, JobStatus
from .exporter import ONLY, ExportReport, export_to_path

KEEP_SECONDS = 24 * 3600
"""Export files older than this are removed when the next export starts."""


def export_folder() -> Path:
    """instance/exports, created on first use."""
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def download_name(dataset_name: str, only: str, fmt: str, *, archive: bool = False) -> str:
    """The file name a download gets: dataset slug, which sets, the format's suffix."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", dataset_name).strip("-").lower() or "dataset"
    return f"{slug}-{only}{'.spacy.tar' if archive else writer_of(fmt).suffix}"


def create_export_job(dataset: Dataset, user: User, *, fmt: str, only: str) -> Job:
    """A queued export Job (the caller commits and enqueues); FormatError for a bad format or choice."""
    name = writer_of(fmt).name
    if only not in ONLY:
        raise FormatError(f"must be one of {', '.join(ONLY)}", field="only")
    payload = {"format": name, "only": only}
    job = Job(kind=JobKind.EXPORT, dataset_id=dataset.id, user_id=user.id, status=JobStatus.QUEUED,
              payload=json.dumps(payload), message=f"{name} export of {only} sets: waiting to start")
    db.session.add(job)
    db.session.flush()
    return job


def run_export_job(job_id: int) -> None:
    """Write a queued export to a file under instance/exports and record the outcome on its Job."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED or job.kind != JobKind.EXPORT:
        return
    _sweep()
    payload = json.loads(job.payload or "{}")
    with committing():
        job.status, job.message = JobStatus.RUNNING, "Exporting…"
    try:
        with committing():  # the export only reads; this ends its transaction (or rolls a failed one back)
            payload, message, ok = _export(job, payload)
    except FormatError as err:
        payload, message, ok = payload, f"{err}", False
    except Exception:  # a job must never stay "running" forever
        logging.getLogger(__name__).exception("export job %s failed", job_id)
        message, ok = "The export failed unexpectedly.", False
    with committing():
        job = db.session.get(Job, job_id)
        assert job is not None
        job.status, job.message, job.finished_at = (JobStatus.DONE if ok else JobStatus.FAILED), message, utcnow()
        job.payload = json.dumps(payload)


def _export(job: Job, payload: dict[str, str]) -> tuple[dict[str, str], str, bool]:
    """Write the file; spaCy exports too large for one .spacy file become a tar of shards."""
    dataset = db.session.get(Dataset, job.dataset_id)
    if dataset is None:
        raise FormatError("the dataset no longer exists")
    fmt, only = payload["format"], payload["only"]
    token = secrets.token_hex(12)
    target = export_folder() / f"{token}{writer_of(fmt).suffix}"
    archive = False
    try:
        report = export_to_path(dataset, target, fmt=fmt, only=only)
    except FormatError as err:
        if fmt != "spacy" or err.field != "format":
            raise
        target.unlink(missing_ok=True)
        report, target = _sharded(dataset, token, only)
        archive = True
    payload = {**payload, "file": target.name, "name": download_name(dataset.name, only, fmt, archive=archive)}
    lines = [report.summary()] + [f"Left out {problem}" for problem in report.skipped[:200]]
    return payload, "\n".join(lines), True


def _sharded(dataset: Dataset, token: str, only: str) -> tuple[ExportReport, Path]:
    """A folder of DocBin shards, packed (uncompressed: shards are compressed) into one tar file."""
    name = download_name(dataset.name, only, "spacy").removesuffix(".spacy")
    folder = export_folder() / token / name  # shards are named after their folder
    report = export_to_path(dataset, folder, fmt="spacy", only=only)
    target = export_folder() / f"{token}.spacy.tar"
    import tarfile  # only an export of several files packs them

    with tarfile.open(target, "w") as tar:
        tar.add(folder, arcname=name)
    shutil.rmtree(folder.parent)
    return report, target


def export_file(job: Job) -> tuple[Path, str] | None:
    """The finished export job's file and download name, or None."""
    payload = json.loads(job.payload or "{}")
    if job.kind != JobKind.EXPORT or job.status != JobStatus.DONE or "file" not in payload:
        return None
    path = export_folder() / Path(payload["file"]).name
    return (path, payload["name"]) if path.exists() else None


def _sweep() -> None:
    """Remove export files older than KEEP_SECONDS."""
    limit = time.time() - KEEP_SECONDS
    for path in export_folder().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
