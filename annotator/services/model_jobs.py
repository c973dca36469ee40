"""Evaluation, training and re-pre-annotation as background jobs with progress and a log."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..db import db
from ..formats import FormatError
from ..models import Dataset, Job, User, utcnow
from ..vocab import MODEL_JOBS, JobKind, JobStatus
from .preannotation import current

log = logging.getLogger(__name__)
KINDS = MODEL_JOBS
LOG_CHARS = 6000
STEP_ROW = re.compile(r"^\s*\d+\s+(\d+)\s")


def start_job(kind: str, dataset: Dataset, user: User, **payload: Any) -> Job:
    """A queued Job row of one of KINDS (the caller commits, then enqueues tasks.model_job)."""
    if kind not in KINDS:
        raise ValueError(f"unknown model job {kind!r}")
    job = Job(kind=kind, dataset_id=dataset.id, user_id=user.id, status=JobStatus.QUEUED,
              payload=json.dumps(payload), message="waiting to start")
    db.session.add(job)
    db.session.flush()
    return job


def recent_jobs(dataset: Dataset, limit: int = 10) -> list[Job]:
    """The dataset's newest model jobs."""
    return list(db.session.scalars(sa.select(Job).where(Job.dataset_id == dataset.id, Job.kind.in_(KINDS))
                                   .order_by(Job.id.desc()).limit(limit)))


class JobLog(io.TextIOBase):
    """A text stream that keeps a job's log: the tail lives in Job.message, saved at most twice a second."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.text, self.last, self.done, self.total = job_id, "", 0.0, 0, 0

    def write(self, s: str) -> int:
        """Append text; spaCy's table rows move the step counter."""
        self.text = (self.text + s)[-LOG_CHARS:]
        for line in s.splitlines():
            match = STEP_ROW.match(line)
            if match:
                self.done = int(match.group(1))
        if time.monotonic() - self.last > 0.5:
            self.save()
        return len(s)

    def progress(self, done: int, total: int | None = None) -> None:
        """Record how far the job is."""
        self.done, self.total = done, total or self.total
        if time.monotonic() - self.last > 0.5:
            self.save()

    def save(self) -> None:
        """Write progress and log now (commits: only between the job's own writes)."""
        db.session.execute(sa.update(Job).where(Job.id == self.job_id).values(
            done=self.done, total=self.total, message=self.text.strip() or "running…"))
        db.session.commit()
        self.last = time.monotonic()


def _evaluate(dataset: Dataset, payload: dict[str, Any], out: JobLog) -> str:
    from ..nlp.evaluation import Evaluation
    from .evaluation import candidates, reviewed_gold, run_evaluations, version_for

    model = payload.get("model")
    version = version_for(dataset, model) if model else None
    models = [(version.path if version else model, version)] if model else candidates(dataset)
    out.progress(0, len(reviewed_gold(dataset)) * len(models))
    out.write(f"Evaluating {len(models)} pipeline(s) on the reviewed gold…\n")
    rows = run_evaluations(dataset, models, progress=out.progress)
    return "\n".join(f"{r.version.label if r.version else r.model}: entity F1 "
                     f"{Evaluation.from_dict(r.scores).entity_f1:.3f} on {r.documents} document(s)"
                     for r in rows)


def _train(dataset: Dataset, payload: dict[str, Any], out: JobLog) -> str:
    from ..nlp.evaluation import Evaluation
    from .training import Options, train_dataset

    folder = Path(current().models_folder)
    output = folder / f"dataset-{dataset.id}-{utcnow().strftime('%Y%m%d-%H%M%S-%f')}"
    options = Options(output=output, base=payload.get("base") or None,
                      dev_share=float(payload.get("dev_share", 0.2)), seed=int(payload.get("seed", 0)),
                      max_steps=int(payload.get("max_steps", 1000)), spancat=bool(payload.get("spancat")))
    out.progress(0, options.max_steps)
    version = train_dataset(dataset, options, out)
    dev = Evaluation.from_dict(version.scores["dev"])
    spans = version.scores.get("spancat")
    quote_parts = f"; quote parts F1 {spans['f']:.3f}" if spans else ""
    return (f"Registered {version.label}: {version.train_docs} training, {version.dev_docs} held-out "
            f"document(s); entity F1 on the held-out share {dev.entity_f1:.3f}{quote_parts}.")


def _preannotate(dataset: Dataset, payload: dict[str, Any], out: JobLog) -> str:
    from .repreannotate import repreannotate, summary

    return summary(repreannotate(dataset, progress=out.progress))


RUNNERS: dict[str, Callable[[Dataset, dict[str, Any], JobLog], str]] = {
    JobKind.EVALUATE: _evaluate, JobKind.TRAIN: _train, JobKind.PREANNOTATE: _preannotate}


def run_model_job(job_id: int) -> None:
    """Run a queued model job, recording progress, log and outcome on its Job."""
    from ..nlp import ModelNotInstalled

    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED or job.kind not in RUNNERS:
        return
    job.status = JobStatus.RUNNING
    db.session.commit()
    out = JobLog(job_id)
    try:
        dataset = db.session.get(Dataset, job.dataset_id)
        if dataset is None:
            raise ValueError("the dataset no longer exists")
        summary, ok = RUNNERS[job.kind](dataset, json.loads(job.payload or "{}"), out), True
    except (ValueError, ModelNotInstalled, FormatError) as err:  # our errors say what to do
        summary, ok = f"Failed: {err}", False
    except Exception:  # a job must never stay "running" forever
        log.exception("model job %s failed", job_id)
        summary, ok = "Failed unexpectedly; see the server log.", False
    _finish(job_id, out, summary, ok)


def _finish(job_id: int, out: JobLog, summary: str, ok: bool) -> None:
    """Commit the job's work (or roll it back) and record the outcome."""
    if ok:
        db.session.commit()
    else:
        db.session.rollback()
    job = db.session.get(Job, job_id)
    assert job is not None
    tail = out.text.strip()
    job.status, job.finished_at = (JobStatus.DONE if ok else JobStatus.FAILED), utcnow()
    job.message = (f"{tail}\n\n{summary}" if tail else summary)[-LOG_CHARS:]
    if ok:
        job.done = job.total
    db.session.commit()
