"""Who the request is (session or API token) and the headers every response carries."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask import Flask, Response, abort, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from .db import db
from .extensions import csrf, login_manager
from .models import ApiToken, User, utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token, shown to its owner once."""
    return "ann_" + secrets.token_urlsafe(32)


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for a user; returns the row and the plain token (never stored); the caller commits."""
    plain = new_token()
    token = ApiToken(user_id=user.id, name=name.strip()[:80] or "script", token_hash=hash_token(plain))
    db.session.add(token)
    db.session.flush()
    return token, plain


def user_tokens(user: User) -> list[ApiToken]:
    """A user's tokens, newest first, revoked ones included."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if it is not theirs or already revoked."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.request_loader
def load_user_from_token(req: object) -> User | None:
    """Authenticate `Authorization: Bearer <token>` on /api/ routes only."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(header[7:].strip()),
                                  ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    request.environ["annotator.token_auth"] = True
    return token.user


@login_manager.unauthorized_handler
def _unauthorized() -> WerkzeugResponse | tuple[Response, int]:
    """Scripts get a JSON 401; people are sent to the login page."""
    if request.path.startswith("/api/"):
        return jsonify(error="Log in or send a valid API token (Authorization: Bearer ...).", status=401), 401
    flash("Please log in to see this page.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _set_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _csrf_unless_token() -> None:
    """API calls with a valid token carry no cookie authority, so they need no CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    header = request.headers.get("Authorization", "")
    if request.path.startswith("/api/") and header.startswith("Bearer "):
        valid = db.session.scalar(sa.select(ApiToken.id).where(
            ApiToken.token_hash == hash_token(header[7:].strip()), ApiToken.revoked_at.is_(None)))
        if valid is not None:
            return
        abort(401, "This API token is unknown or revoked.")
    csrf.protect()


def init_app(app: Flask) -> None:
    """Register headers and CSRF checks; keep the session cookie away from other sites' requests."""
    if not app.config.get("SESSION_COOKIE_SAMESITE"):  # Flask's default is None, which setdefault keeps
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.after_request(_set_headers)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    if app.config.get("WTF_CSRF_ENABLED", True):
        app.before_request(_csrf_unless_token)
