"""Admin pages: users and roles, dataset settings, and handing out documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..checks import check_speaker_labels
from ..db import committing
from ..forms import EmptyForm, options
from ..forms.admin import AssignForm, DatasetSettingsForm, MoveForm, RoleForm, UserCreateForm, split_names
from ..services import assignment, lookup
from ..services.evaluation import pipeline_choices
from ..services.users import AccountError, all_users, create_user
from ..spans import SpanError
from ..vocab import QueueOrder, Role, speaker_labels_for
from .access import admin_required, get_dataset

if TYPE_CHECKING:  # types only: the queries live in services
    from ..models import Dataset, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users() -> str | Response:
    """Every account; create one with a role."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            with committing():
                user = create_user(form.name.data or "", form.password.data or "", role=form.role.data or "annotator")
        except AccountError as err:
            form.name.errors = [*form.name.errors, str(err)]
        else:
            flash(f"Created {user.name} ({user.role}).", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=all_users(), roles=[role.value for role in Role], empty=EmptyForm())


def _other_user(user_id: int) -> User:
    """Another account than the current user's (404 if missing, 400 for oneself)."""
    user = lookup.user(user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        abort(400, "You cannot change your own role or deactivate yourself.")
    return user


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int) -> Response:
    """Give a user another role."""
    user, form = _other_user(user_id), RoleForm()
    if form.validate_on_submit():
        with committing():
            user.role = form.role.data or user.role
        flash(f"{user.name} is now {user.role}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int) -> Response:
    """Deactivate or reactivate a user."""
    user = _other_user(user_id)
    if EmptyForm().validate_on_submit():
        with committing():
            user.active = not user.active
        flash(f"{user.name} is {'active again' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/datasets/<int:dataset_id>", methods=["GET", "POST"])
@admin_required
def settings(dataset_id: int) -> str | Response:
    """Edit a dataset's labels, speaker labels, polarities, annotators per document and guidelines."""
    dataset = get_dataset(dataset_id)
    form = DatasetSettingsForm(data={
        "entity_labels": " ".join(dataset.entity_labels), "stance_polarities": " ".join(dataset.stance_polarities),
        "speaker_labels": " ".join(speaker_labels_for(dataset.entity_labels, dataset.speaker_labels)),
        "annotators_per_doc": dataset.annotators_per_doc, "guidelines": dataset.guidelines,
        "spacy_model": dataset.spacy_model or "", "queue_order": dataset.queue_order})
    form.spacy_model.choices = options(pipeline_choices(dataset))
    speakers = _speaker_labels(form, dataset) if form.validate_on_submit() else None
    if speakers is not None:
        with committing():
            _apply_settings(dataset, form, speakers)
        flash("Settings saved.", "success")
        return redirect(url_for("admin.settings", dataset_id=dataset.id))
    return render_template("admin/settings.html", dataset=dataset, form=form)


def _apply_settings(dataset: Dataset, form: DatasetSettingsForm, speaker_labels: list[str]) -> None:
    """Copy the settings form onto the dataset."""
    dataset.spacy_model = form.spacy_model.data or None
    dataset.queue_order = form.queue_order.data or QueueOrder.IMPORT
    dataset.entity_labels = split_names(form.entity_labels.data or "")
    dataset.speaker_labels = speaker_labels
    dataset.stance_polarities = split_names(form.stance_polarities.data or "")
    dataset.annotators_per_doc = form.annotators_per_doc.data or 1
    dataset.guidelines = form.guidelines.data or ""


def _speaker_labels(form: DatasetSettingsForm, dataset: Dataset) -> list[str] | None:
    """The form's speaker labels ([] = the default), less the entity labels it drops; None (the field says why)
    when one is not an entity label."""
    labels = split_names(form.entity_labels.data or "")
    dropped = set(dataset.entity_labels) - set(labels) if labels else set()
    wanted = [x for x in split_names(form.speaker_labels.data or "") if x not in dropped]
    try:
        return check_speaker_labels(wanted, labels) if wanted else []
    except SpanError as err:
        form.speaker_labels.errors = [*form.speaker_labels.errors, err.message]
        return None


def _assign_forms(dataset: Dataset) -> tuple[AssignForm, MoveForm]:
    """The manual assign and move forms with their choices."""
    people = options((u.id, u.name) for u in assignment.annotators())
    assign_form, move_form = AssignForm(prefix="assign"), MoveForm(prefix="move")
    assign_form.user.choices = people
    move_form.user.choices = people
    move_form.aset.choices = options((set_id, f"document {doc_id} · {name}")
                                     for set_id, doc_id, name in assignment.unfinished_work(dataset))
    return assign_form, move_form


@bp.route("/datasets/<int:dataset_id>/assign")
@admin_required
def assign_page(dataset_id: int) -> str:
    """Who holds what, the auto-assign button and the manual assign and move forms."""
    dataset = get_dataset(dataset_id)
    assign_form, move_form = _assign_forms(dataset)
    held = assignment.holders(dataset)
    people = {u.id: u.name for u in all_users()}
    load = {name: 0 for name in people.values()}
    for user_ids in held.values():
        for uid in user_ids:
            load[people[uid]] += 1
    missing = assignment.missing(dataset, held)
    return render_template("admin/assign.html", dataset=dataset, empty=EmptyForm(), assign_form=assign_form,
                           move_form=move_form, load={n: c for n, c in load.items() if c}, missing=missing)


@bp.post("/datasets/<int:dataset_id>/assign/auto")
@admin_required
def auto_assign(dataset_id: int) -> Response:
    """Hand out every document to as many annotators as the dataset asks for."""
    dataset = get_dataset(dataset_id)
    if EmptyForm().validate_on_submit():
        try:
            with committing():
                made = assignment.auto_assign(dataset, assignment.annotators())
        except assignment.AssignmentError as err:
            flash(str(err), "error")
        else:
            flash(f"Made {made} new assignment(s).", "success")
    return redirect(url_for("admin.assign_page", dataset_id=dataset.id))


@bp.post("/datasets/<int:dataset_id>/assign/manual")
@admin_required
def assign_manual(dataset_id: int) -> Response:
    """Give one document to one annotator."""
    dataset = get_dataset(dataset_id)
    form, _ = _assign_forms(dataset)
    if form.validate_on_submit():
        document = assignment.document_in(dataset, form.document.data)
        user = lookup.user(form.user.data)
        if document is None or user is None:
            flash("No such document in this dataset.", "error")
        else:
            with committing():
                assignment.assign(document, user)
            flash(f"Document {document.id} assigned to {user.name}.", "success")
    else:
        flash("Pick a document number and an annotator.", "error")
    return redirect(url_for("admin.assign_page", dataset_id=dataset.id))


@bp.post("/datasets/<int:dataset_id>/assign/move")
@admin_required
def move(dataset_id: int) -> Response:
    """Hand unfinished work to someone else."""
    dataset = get_dataset(dataset_id)
    _, form = _assign_forms(dataset)
    if form.validate_on_submit():
        aset, user = lookup.annotation_set(form.aset.data), lookup.user(form.user.data)
        assert aset is not None and user is not None  # the choices hold existing ids only
        try:
            with committing():
                assignment.move(aset, user, by=current_user)
        except assignment.AssignmentError as err:
            flash(str(err), "error")
        else:
            flash(f"Moved to {user.name}.", "success")
    else:
        flash("Pick the work to move and the annotator to move it to.", "error")
    return redirect(url_for("admin.assign_page", dataset_id=dataset.id))
