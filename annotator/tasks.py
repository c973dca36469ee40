"""Tasks that run on the job queue."""

from __future__ import annotations

from typing import Any

from huey import Huey

from . import jobs

import_file: Any = None
export_file: Any = None


def register(huey: Huey) -> None:
    """Declare the tasks on a Huey instance."""
    global import_file, export_file

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

    import_file = _import_file
    export_file = _export_file
