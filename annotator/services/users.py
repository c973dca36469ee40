"""Accounts: creating users, checking logins (throttled), changing passwords."""

from __future__ import annotations

import secrets
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import db
from ..errors import InvalidInput
from ..models import User
from .throttle import Rule, attempt, failed, succeed
from .tokens import revoke_all_tokens
from ..vocab import Role


class AccountError(InvalidInput):
    """A user that cannot be created or changed as asked."""


def find_user(name: str) -> User | None:
    """The user of that name."""
    return db.session.scalar(sa.select(User).where(User.name == name))


def all_users() -> list[User]:
    """Every account, by name."""
    return list(db.session.scalars(sa.select(User).order_by(User.name)))


def active_names() -> list[str]:
    """The names of the active accounts, in order."""
    return list(db.session.scalars(sa.select(User.name).where(User.active.is_(True)).order_by(User.name)))


def session_user(login_id: str) -> User | None:
    """The user of a session's login id ("<user id>:<session version>"), if that version is still current."""
    ident, _, version = login_id.partition(":")
    if not (ident.isdigit() and version.isdigit() and len(ident) < 19):
        return None
    user = db.session.get(User, int(ident))
    return user if user is not None and user.session_version == int(version) else None


def create_user(name: str, password: str, *, role: str = Role.ANNOTATOR) -> User:
    """Add a user; the caller commits."""
    name = name.strip()
    if not name:
        raise AccountError("the name is empty")
    if role not in tuple(Role):
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(Role)}")
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    if find_user(name) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    user = User(name=name, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _rule(prefix: str) -> Rule:
    """A throttle rule from the LOGIN_* settings (prefix "" for accounts, "ADDRESS_" for addresses)."""
    config = current_app.config
    return Rule(free=int(config[f"LOGIN_{prefix}FREE_ATTEMPTS"]), base=float(config["LOGIN_FIRST_DELAY"]),
                longest=float(config["LOGIN_LONGEST_DELAY"]), window=float(config["LOGIN_WINDOW"]))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random password, checked for unknown names so they take as long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def account_key(name: str) -> str:
    """The throttle key of a login name."""
    return "login:" + name.strip().lower()[:100]


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return "address:" + address[:100]


def authenticate(name: str, password: str, *, address: str) -> User | None:
    """The user for a good name and password, else None (throttled per account and per address).

    Unknown names, wrong passwords, disabled accounts and throttled attempts all look the same
    to the caller (one message), and unknown names cost a hash check like known ones.
    """
    keys = [address_key(address), account_key(name)]
    if not attempt([(keys[0], _rule("ADDRESS_")), (keys[1], _rule(""))]):
        return None
    user = find_user(name.strip())
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not matches or not user.active:
        failed(keys)
        return None
    succeed([keys[1]], [keys[0]])
    return user


def check_current_password(user: User, password: str) -> bool:
    """Whether the password is the user's, throttled like logins (for changing the password)."""
    key = f"password:{user.id}"
    if not attempt([(key, _rule(""))]):
        return False
    if not user.check_password(password):
        failed([key])
        return False
    succeed([key])
    return True


def change_password(user: User, new: str, *, keep_tokens: bool) -> int:
    """Set a new password, end every session and (unless kept) revoke the user's API tokens.

    Returns how many tokens were revoked; the caller commits and logs the current browser in again.
    """
    user.set_password(new)
    user.end_sessions()
    return 0 if keep_tokens else revoke_all_tokens(user)
