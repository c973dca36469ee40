"""Accounts: creating users and checking logins with throttling."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..db import db
from ..models import ROLES, User, utcnow


class AccountError(ValueError):
    """A user that cannot be created or changed as asked."""


def find_user(name: str) -> User | None:
    """The user of that name."""
    return db.session.scalar(sa.select(User).where(User.name == name))


def create_user(name: str, password: str, *, role: str = "annotator") -> User:
    """Add a user; the caller commits."""
    name = name.strip()
    if not name:
        raise AccountError("the name is empty")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    if find_user(name) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    user = User(name=name, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(name: str, password: str) -> tuple[User | None, str]:
    """Return the user for good credentials, else None and the reason to show."""
    user = find_user(name)
    generic = "Unknown user or wrong password."
    if user is None:
        return None, generic
    now = utcnow()
    locked = user.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=now.tzinfo)
    if locked is not None and locked > now:
        return None, "Too many failed attempts: try again in a few minutes."
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= int(current_app.config["LOGIN_MAX_FAILURES"]):
            user.locked_until = now + timedelta(seconds=int(current_app.config["LOGIN_LOCK_SECONDS"]))
            user.failed_logins = 0
        return None, generic
    if not user.active:
        return None, "This account is disabled."
    user.failed_logins = 0
    user.locked_until = None
    return user, ""
