"""Tasks that run on the job queue."""

from __future__ import annotations

from typing import Any

from huey import Huey

from . import jobs

import_file: Any = None
export_file: Any = None
model_job: Any = None
preannotate_chunk: Any = None
CHUNK_RETRIES = 2


def register(huey: Huey) -> None:
    """Declare the tasks on a Huey instance."""
    global import_file, export_file, model_job, preannotate_chunk

    @huey.task()
    def _import_file(job_id: int) -> None:
        from .services.uploads import run_import_job

        with jobs.app_for_task().app_context():
            run_import_job(job_id)

    @huey.task()
    def _export_file(job_id: int) -> None:
        from .services.export_jobs import run_export_job

        with jobs.app_for_task().app_context():
            run_export_job(job_id)

    @huey.task()
    def _model_job(job_id: int) -> None:
        from .services.model_jobs import run_model_job

        with jobs.app_for_task().app_context():
            run_model_job(job_id)

    @huey.task(retries=CHUNK_RETRIES, retry_delay=1, context=True)
    def _preannotate_chunk(key: str, n: int, settings: Any, texts: list[str], task: Any = None) -> None:
        from .services.preannotation import run_chunk

        run_chunk(huey, key, n, settings, texts, last_try=task is None or task.retries == 0)

    import_file, export_file = _import_file, _export_file
    model_job, preannotate_chunk = _model_job, _preannotate_chunk
