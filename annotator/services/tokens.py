"""API tokens: issue, look up, record use, expire and revoke (only a hash of each token is kept)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..db import db
from ..models import ApiToken, User, aware, utcnow

USE_RECORD_SECONDS = 60  # last use is written at most once a minute per token (reads stay cheap)


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token, shown to its owner once."""
    return "ann_" + secrets.token_urlsafe(32)


def issue_token(user: User, name: str, *, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token (valid for `days`, or until revoked); returns the row and the plain token."""
    plain = new_token()
    expires = utcnow() + timedelta(days=days) if days else None
    token = ApiToken(user_id=user.id, name=name.strip()[:80] or "script", token_hash=hash_token(plain),
                     expires_at=expires)
    db.session.add(token)
    db.session.flush()
    return token, plain


def user_tokens(user: User) -> list[ApiToken]:
    """A user's tokens, newest first, revoked and expired ones included."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if it is not theirs or already revoked."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def revoke_all_tokens(user: User) -> int:
    """Revoke every live token of a user (on a password change); returns how many."""
    result = db.session.execute(sa.update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def find_token(plain: str) -> ApiToken | None:
    """The live token (not revoked, not expired, of an active user) for a plain token, else None."""
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plain.strip())))
    if token is None or token.state() != "active" or not token.user.active:
        return None
    return token


def token_user(plain: str) -> User | None:
    """The user a plain API token acts for (its use recorded), or None when it is unknown, expired or revoked."""
    token = find_token(plain)
    if token is None:
        return None
    record_use(token)
    return token.user


def record_use(token: ApiToken) -> None:
    """Note that a token was used (reads too), in a transaction of its own."""
    now = utcnow()
    if token.last_used_at is not None and (now - aware(token.last_used_at)).total_seconds() < USE_RECORD_SECONDS:
        return
    with db.engine.begin() as conn:
        conn.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    db.session.expire(token, ["last_used_at"])
