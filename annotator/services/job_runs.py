"""Which process runs a background job, and failing the jobs whose process died."""

from __future__ import annotations

import json
import os
import socket

import sqlalchemy as sa

from ..db import committing, db
from ..models import Job, utcnow
from ..vocab import UNFINISHED_JOBS, JobKind, JobStatus
from .uploads import _progress_file, upload_folder

ABANDONED: dict[str, str] = {
    JobKind.IMPORT: ("The server stopped while this import was running (process {pid}); nothing was imported. "
               "Upload the file again."),
    JobKind.EXPORT: "The server stopped while this export was running (process {pid}). Start the export again.",
}


def this_worker() -> str:
    """This process as "<host>:<pid>"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def take_job(job_id: int) -> None:
    """Record that this process runs the job (so a restart can tell when it died)."""
    with committing():
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(worker=this_worker()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _dead_here(worker: str) -> int | None:
    """The pid of a worker on this host that no longer runs, else None."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    return None if _alive(int(pid)) else int(pid)


def fail_abandoned_jobs() -> int:
    """Mark unfinished jobs of dead processes on this host failed and delete their files; returns how many."""
    with committing():
        return _mark_abandoned()


def _mark_abandoned() -> int:
    """Mark the jobs failed (the caller commits)."""
    failed = 0
    unfinished = db.session.scalars(sa.select(Job).where(Job.status.in_(UNFINISHED_JOBS),
                                                         Job.worker.is_not(None)))
    for job in unfinished:
        pid = _dead_here(job.worker or "")
        if pid is None:
            continue
        message = ABANDONED.get(job.kind, "The server stopped while this job was running (process {pid}).")
        job.status, job.message, job.finished_at = JobStatus.FAILED, message.format(pid=pid), utcnow()
        stored = json.loads(job.payload or "{}").get("path") if job.kind == JobKind.IMPORT else None
        if stored:
            (upload_folder() / os.path.basename(stored)).unlink(missing_ok=True)
            _progress_file(job.id).unlink(missing_ok=True)
        failed += 1
    return failed
