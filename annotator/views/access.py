"""Permission checks shared by the blueprints: lookups that abort with 403 or 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from ..db import db
from ..models import AnnotationSet, Dataset, Document
from ..services.datasets import holds_work_in
from ..vocab import REVIEW_ROLES, Role

F = TypeVar("F", bound=Callable[..., Any])


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


def get_dataset(dataset_id: int) -> Dataset:
    """The dataset, or 404."""
    return db.get_or_404(Dataset, dataset_id)


def get_visible_dataset(dataset_id: int) -> Dataset:
    """The dataset, or 404 (also for annotators who hold no work in it: its page is not theirs to see)."""
    dataset = get_dataset(dataset_id)
    if not current_user.can_review and not holds_work_in(current_user, dataset.id):
        abort(404)
    return dataset


def get_document(document_id: int) -> Document:
    """The document, or 404."""
    return db.get_or_404(Document, document_id)


def get_set(set_id: int, *, write: bool = False) -> AnnotationSet:
    """An annotation set the current user may read (or write): 404 if missing, 403 if not theirs."""
    aset = db.get_or_404(AnnotationSet, set_id)
    mine = aset.kind == "annotator" and aset.user_id == current_user.id
    if not mine and not current_user.can_review:
        abort(403, "This annotation belongs to someone else.")
    if write and not mine and aset.kind != "gold":
        abort(403, "Reviewers edit the gold version, not other people's sets or the model's.")
    if write and aset.status == "reviewed":
        abort(409, "This annotation was reviewed and is read-only; a reviewer can reopen the document "
                   "on its review page." if mine else
              "This gold was signed off (reviewed) and is read-only; reopen the document on its review page.")
    return aset
