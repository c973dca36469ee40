"""The model page: pre-annotation quality on the gold, trained versions, and their jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..jobs import app_tasks
from ..db import committing
from ..forms import EmptyForm
from ..forms.models import TrainForm
from ..services import evaluation, lookup
from ..services.model_jobs import KINDS, recent_jobs, start_job
from ..services.preannotation import pipeline_name
from ..vocab import JobKind
from .access import admin_required, get_dataset, reviewer_required
from .transfer import job_page_data

if TYPE_CHECKING:  # types only
    from ..models import Dataset

bp = Blueprint("models", __name__)


@bp.route("/datasets/<int:dataset_id>/model")
@reviewer_required
def page(dataset_id: int) -> str:
    """Every pipeline's figures on the reviewed gold, the trained versions and recent jobs."""
    from ..nlp.evaluation import Evaluation

    dataset = get_dataset(dataset_id)
    rows = [(name, row, Evaluation.from_dict(scores)) for name, row, scores in evaluation.quality(dataset)]
    return render_template("models/page.html", dataset=dataset, rows=rows, versions=evaluation.versions(dataset),
                           jobs=recent_jobs(dataset), gold=len(evaluation.reviewed_gold_ids(dataset)), current=pipeline_name(dataset),
                           empty=EmptyForm(), train_form=TrainForm(), Evaluation=Evaluation)


def _queue(kind: str, dataset: Dataset, **payload: Any) -> Response:
    """Create, commit and enqueue a model job; show its page."""
    with committing():
        job = start_job(kind, dataset, current_user, **payload)
    app_tasks().model_job(job.id)
    return redirect(url_for("models.job", job_id=job.id))


@bp.post("/datasets/<int:dataset_id>/model/evaluate")
@reviewer_required
def evaluate(dataset_id: int) -> Response:
    """Score the built-in pipeline and every version on the reviewed gold, as a job."""
    dataset = get_dataset(dataset_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    return _queue(JobKind.EVALUATE, dataset)


@bp.post("/datasets/<int:dataset_id>/model/train")
@admin_required
def train(dataset_id: int) -> Response:
    """Train a new version on the reviewed gold, as a job."""
    dataset = get_dataset(dataset_id)
    form = TrainForm()
    if not form.validate_on_submit():
        flash("Not started: " + "; ".join(f"{form[k].label.text}: {', '.join(v)}" for k, v in form.errors.items()),
              "error")
        return redirect(url_for("models.page", dataset_id=dataset.id))
    return _queue(JobKind.TRAIN, dataset, dev_share=float(form.dev_share.data or 0.2), max_steps=form.max_steps.data,
                  seed=form.seed.data, spancat=bool(form.spancat.data))


@bp.post("/datasets/<int:dataset_id>/model/preannotate")
@admin_required
def preannotate(dataset_id: int) -> Response:
    """Pre-annotate again, with the chosen pipeline, the documents nobody has started, as a job."""
    dataset = get_dataset(dataset_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    return _queue(JobKind.PREANNOTATE, dataset)


@bp.route("/model-jobs/<int:job_id>")
@reviewer_required
def job(job_id: int) -> str:
    """A model job's progress and log; upload.js polls the job JSON."""
    found = lookup.job(job_id)
    if found is None or found.kind not in KINDS:
        abort(404)
    return render_template("models/job.html", job=found, dataset=get_dataset(found.dataset_id or 0),
                           data=job_page_data())


def init_app(app: Flask) -> None:
    """Let dataset pages show the quality summary without their views knowing about models."""
    app.jinja_env.globals["model_quality"] = evaluation.quality
