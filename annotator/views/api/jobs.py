"""API route of background jobs: status and progress (the job pages poll it)."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ...services.export_jobs import export_file
from ...services.lookup import fresh_job
from ...services.uploads import live_progress
from ..access import get_job
from . import bp


@bp.get("/jobs/<int:job_id>")
@login_required
def job_status(job_id: int) -> Response:
    """A job's status and progress as JSON."""
    found = fresh_job(get_job(job_id))
    data = {**found.to_dict(), **live_progress(found)}
    if export_file(found) is not None:
        data["download"] = url_for("transfer.download", job_id=found.id)
    return jsonify(data)
