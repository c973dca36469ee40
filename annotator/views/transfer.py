"""Data in and out on the web: export downloads, uploads that import as background jobs, job progress."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template,
                   request, stream_with_context, url_for)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from .. import tasks
from ..db import db
from ..formats import FormatError
from ..formats.registry import FORMATS, Format, writer_of
from ..models import Dataset, Job, User
from ..services.exporter import ONLY, ONLY_HELP, export_stream, gold_counts
from ..services.importer import ImportFailed
from ..services.uploads import save_upload
from .access import admin_required, get_dataset, reviewer_required

bp = Blueprint("transfer", __name__)


@bp.app_context_processor
def _export_choices() -> dict[str, object]:
    """What the dataset page's download form offers, and the gold counts beside it."""
    def export_counts(dataset: Dataset) -> dict[str, int]:
        return gold_counts(dataset)

    writable = [f for f in FORMATS.values() if f.write is not None]
    return {"export_formats": writable, "export_only": ONLY_HELP, "export_counts": export_counts}


def _filename(name: str, only: str, fmt: Format) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "dataset"
    return f"{slug}-{only}{fmt.suffix}"


@bp.route("/datasets/<int:dataset_id>/export")
@reviewer_required
def export(dataset_id: int) -> BaseResponse:
    """Download a dataset's annotation sets in any registered format, streamed."""
    dataset = get_dataset(dataset_id)
    only = request.args.get("only", "gold")
    try:
        fmt = writer_of(request.args.get("format", "annotator"))
    except FormatError as err:
        abort(400, str(err))
    if only not in ONLY:
        abort(400, f"only must be one of {', '.join(ONLY)}.")
    headers = {"Content-Disposition": f'attachment; filename="{_filename(dataset.name, only, fmt)}"'}
    chunks = export_stream(dataset, fmt=fmt.name, only=only)
    if fmt.name == "spacy":  # one binary blob, refused past its size limit before anything is sent
        try:
            chunks = iter([b"".join(chunks)])
        except FormatError as err:
            abort(422, str(err))
    return Response(stream_with_context(chunks), mimetype=fmt.media_type, headers=headers)


def _upload_page(dataset_id: int, status: int = 200) -> tuple[str, int]:
    dataset = get_dataset(dataset_id)
    annotators = db.session.scalars(sa.select(User.name).where(User.active.is_(True)).order_by(User.name))
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
    return render_template("transfer/upload.html", dataset=dataset, annotators=list(annotators),
                           limit_mb=limit_mb), status


@bp.route("/datasets/<int:dataset_id>/upload", methods=["GET", "POST"])
@admin_required
def upload(dataset_id: int) -> tuple[str, int] | BaseResponse:
    """Upload a file to import into the dataset as a background job."""
    if request.method == "GET":
        return _upload_page(dataset_id)
    dataset = get_dataset(dataset_id)
    try:
        storage = request.files.get("file")
    except RequestEntityTooLarge:
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
        abort(413, f"The file is larger than the upload limit of {limit:g} MB. "
                   "Split it, or import it with `annotator import` on the server.")
    if storage is None or not storage.filename:
        flash("Choose a file to upload.", "error")
        return _upload_page(dataset_id, 400)
    target = request.form.get("target", "file")
    try:
        job = save_upload(storage, dataset=dataset, user=current_user, target=target,
                          annotator=request.form.get("annotator") or None,
                          replace_sets=request.form.get("replace_sets") == "on")
    except ImportFailed as err:
        flash(str(err), "error")
        return _upload_page(dataset_id, 400)
    db.session.commit()
    tasks.import_file(job.id)
    return redirect(url_for("transfer.job", job_id=job.id))


def _get_job(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if job.user_id != current_user.id and not current_user.is_admin:
        abort(403, "This job belongs to someone else.")
    return job


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int) -> str:
    """A job's progress page; upload.js polls the JSON endpoint."""
    found = _get_job(job_id)
    return render_template("transfer/job.html", job=found, dataset=get_dataset(found.dataset_id or 0))


@bp.route("/api/jobs/<int:job_id>")
@login_required
def job_status(job_id: int) -> BaseResponse:
    """A job's status and progress as JSON."""
    found = _get_job(job_id)
    db.session.refresh(found)
    return jsonify(found.to_dict())

