"""Tasks that run on the job queue, declared on one app's Huey and run inside that app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from huey import Huey

CHUNK_RETRIES = 2


@dataclass(frozen=True)
class Tasks:
    """An app's task handles: call one to enqueue it (kept in app.extensions["annotator.tasks"])."""

    import_file: Any
    export_file: Any
    model_job: Any
    preannotate_chunk: Any


def register(app: Flask, huey: Huey) -> Tasks:
    """Declare the tasks on a Huey instance; each job runs in an app context of `app`."""

    @huey.task(name="import_file")
    def import_file(job_id: int) -> None:
        from .services.job_runs import take_job
        from .services.uploads import run_import_job

        with app.app_context():
            take_job(job_id)
            run_import_job(job_id)

    @huey.task(name="export_file")
    def export_file(job_id: int) -> None:
        from .services.export_jobs import run_export_job
        from .services.job_runs import take_job

        with app.app_context():
            take_job(job_id)
            run_export_job(job_id)

    @huey.task(name="model_job")
    def model_job(job_id: int) -> None:
        from .services.job_runs import take_job
        from .services.model_jobs import run_model_job

        with app.app_context():
            take_job(job_id)
            run_model_job(job_id)

    @huey.task(name="preannotate_chunk", retries=CHUNK_RETRIES, retry_delay=1, context=True)
    def preannotate_chunk(key: str, n: int, settings: Any, texts: list[str], task: Any = None) -> None:
        from .services.preannotation import run_chunk

        run_chunk(huey, key, n, settings, texts, last_try=task is None or task.retries == 0)

    return Tasks(import_file=import_file, export_file=export_file, model_job=model_job,
                 preannotate_chunk=preannotate_chunk)
