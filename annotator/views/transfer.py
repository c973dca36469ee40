"""Data in and out on the web: export downloads, uploads that import as background jobs, job pages
(their progress as JSON is on the API blueprint: views.api.jobs)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, send_file, stream_with_context, url_for)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..jobs import app_tasks
from ..db import committing
from ..formats import FormatError
from ..formats.registry import FORMATS, writer_of
from ..services.export_jobs import create_export_job, download_name, export_file, export_folder
from ..services.exporter import ONLY, ONLY_HELP, export_stream, export_to_path, gold_counts
from ..services.importer import ImportFailed
from ..services.uploads import save_upload
from ..services.users import active_names
from ..vocab import FINISHED_JOBS, ExportScope, words_for_page
from .access import admin_required, get_dataset, get_job, reviewer_required

if TYPE_CHECKING:  # types only
    from ..models import Dataset

bp = Blueprint("transfer", __name__)


@bp.app_context_processor
def _export_choices() -> dict[str, object]:
    """What the dataset page's download form offers, and the gold counts beside it."""
    def export_counts(dataset: Dataset) -> dict[str, int]:
        return gold_counts(dataset)

    writable = [f for f in FORMATS.values() if f.write is not None]
    return {"export_formats": writable, "export_only": ONLY_HELP, "export_counts": export_counts}




@bp.route("/datasets/<int:dataset_id>/export", methods=["GET", "POST"])
@reviewer_required
def export(dataset_id: int) -> BaseResponse:
    """POST: export in the background to a file (the job page offers it); GET: stream it now (scripts)."""
    dataset = get_dataset(dataset_id)
    values = request.form if request.method == "POST" else request.args
    only = values.get("only", ExportScope.GOLD.value)
    try:
        fmt = writer_of(values.get("format", "annotator"))
        if request.method == "POST":
            with committing():
                job = create_export_job(dataset, current_user, fmt=fmt.name, only=only)
            app_tasks().export_file(job.id)
            return redirect(url_for("transfer.job", job_id=job.id))
        if only not in ONLY:
            raise FormatError(f"must be one of {', '.join(ONLY)}", field="only")
    except FormatError as err:
        abort(400, str(err))
    headers = {"Content-Disposition": f'attachment; filename="{download_name(dataset.name, only, fmt.name)}"'}
    if fmt.name == "spacy":
        return _spacy_now(dataset, only, headers)
    chunks = export_stream(dataset, fmt=fmt.name, only=only)
    return Response(stream_with_context(chunks), mimetype=fmt.media_type, headers=headers)


def _spacy_now(dataset: Dataset, only: str, headers: dict[str, str]) -> BaseResponse:
    """A .spacy file written to disk first (never held in memory), then streamed and removed."""
    path = export_folder() / f"{secrets.token_hex(12)}.spacy"
    try:
        export_to_path(dataset, path, fmt="spacy", only=only)
    except FormatError as err:
        path.unlink(missing_ok=True)
        abort(422, f"{err} On the dataset page, the download of a spaCy export this large is a tar of shards.")

    def chunks() -> Iterator[bytes]:
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    yield chunk
        finally:
            path.unlink(missing_ok=True)

    return Response(chunks(), mimetype="application/octet-stream", headers=headers)


@bp.route("/jobs/<int:job_id>/download")
@login_required
def download(job_id: int) -> BaseResponse:
    """The file a finished export job wrote, streamed from disk."""
    found = export_file(get_job(job_id))
    if found is None:
        abort(404, "This job has no file to download (not an export, not finished, or removed after a day).")
    path, name = found
    return send_file(path, as_attachment=True, download_name=name,
                     mimetype="application/x-tar" if name.endswith(".tar") else None)


def _upload_page(dataset_id: int, status: int = 200) -> tuple[str, int]:
    """The upload form, with the active accounts a file's sets can belong to."""
    dataset = get_dataset(dataset_id)
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
    return render_template("transfer/upload.html", dataset=dataset, annotators=active_names(),
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
        with committing():
            job = save_upload(storage, dataset=dataset, user=current_user, target=target,
                              annotator=request.form.get("annotator") or None,
                              replace_sets=request.form.get("replace_sets") == "on")
    except ImportFailed as err:
        flash(str(err), "error")
        return _upload_page(dataset_id, 400)
    app_tasks().import_file(job.id)
    return redirect(url_for("transfer.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int) -> str:
    """A job's progress page; upload.js polls the JSON endpoint."""
    found = get_job(job_id)
    return render_template("transfer/job.html", job=found, dataset=get_dataset(found.dataset_id or 0),
                           download=export_file(found) is not None, data=job_page_data())


def job_page_data() -> dict[str, object]:
    """What upload.js needs on a job page: the job statuses, and which of them are final."""
    return {"vocab": words_for_page(), "finished": list(FINISHED_JOBS)}
