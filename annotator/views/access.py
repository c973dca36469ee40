"""Permission checks shared by the blueprints: lookups that abort with 403 or 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from ..services import lookup
from ..services.datasets import holds_work_in
from ..vocab import REVIEW_ROLES, Role, SetKind, Status

if TYPE_CHECKING:  # types only: the lookups go through services.lookup
    from ..models import AnnotationSet, Dataset, Document, Job

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def role_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in user with one of the roles (403 otherwise)."""
    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403, "Your role does not allow this.")
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorator


reviewer_required = role_required(*REVIEW_ROLES)
admin_required = role_required(Role.ADMIN)


def _found(row: R | None) -> R:
    """The row, or 404 when it is missing."""
    if row is None:
        abort(404)
    return row


def get_dataset(dataset_id: int) -> Dataset:
    """The dataset, or 404."""
    return _found(lookup.dataset(dataset_id))


def get_visible_dataset(dataset_id: int) -> Dataset:
    """The dataset, or 404 (also for annotators who hold no work in it: its page is not theirs to see)."""
    dataset = get_dataset(dataset_id)
    if not current_user.can_review and not holds_work_in(current_user, dataset.id):
        abort(404)
    return dataset


def get_document(document_id: int) -> Document:
    """The document, or 404."""
    return _found(lookup.document(document_id))


def get_set(set_id: int, *, write: bool = False) -> AnnotationSet:
    """An annotation set the current user may read (or write): 404 if missing, 403 if not theirs."""
    aset = _found(lookup.annotation_set(set_id))
    mine = aset.kind == SetKind.ANNOTATOR and aset.user_id == current_user.id
    if not mine and not current_user.can_review:
        abort(403, "This annotation belongs to someone else.")
    if write and not mine and aset.kind != SetKind.GOLD:
        abort(403, "Reviewers edit the gold version, not other people's sets or the model's.")
    if write and aset.status == Status.REVIEWED:
        abort(409, "This annotation was reviewed and is read-only; a reviewer can reopen the document "
                   "on its review page." if mine else
              "This gold was signed off (reviewed) and is read-only; reopen the document on its review page.")
    return aset


def get_job(job_id: int) -> Job:
    """A background job of the current user (admins: anyone's): 404 if missing, 403 if not theirs."""
    job = _found(lookup.job(job_id))
    if job.user_id != current_user.id and not current_user.is_admin:
        abort(403, "This job belongs to someone else.")
    return job
