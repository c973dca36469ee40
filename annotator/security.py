"""Request hooks: who the request is (session cookie or API token), CSRF, and response headers.

A request to /api/ that sends `Authorization: Bearer <token>` is that token's user and nobody
else: the session and remember cookies are ignored, so a CSRF check is not needed. A session
counts only while its login id ("<user id>:<session version>") matches the user's current
session version, which logout and password changes bump.
"""

from __future__ import annotations

from flask import Flask, Response, abort, flash, g, jsonify, redirect, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as WerkzeugResponse

from .db import db
from .extensions import csrf, login_manager
from .models import User
from .services.tokens import find_token, record_use

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _bearer() -> str | None:
    """The plain API token sent with an /api/ request, if any."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    return header[7:].strip()


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """The session's user, if its session version is still current (never when a token is sent)."""
    if _bearer() is not None:
        return None
    ident, _, version = login_id.partition(":")
    if not (ident.isdigit() and version.isdigit() and len(ident) < 19):
        return None
    user = db.session.get(User, int(ident))
    return user if user is not None and user.session_version == int(version) else None


@login_manager.request_loader
def load_user_from_token(_req: object) -> User | None:
    """The user of the request's API token (checked by _authenticate_token)."""
    user: User | None = g.get("token_user")
    return user


def _authenticate_token() -> None:
    """Resolve a bearer token before anything else: its user acts, or the request is refused."""
    plain = _bearer()
    if plain is None:
        return
    token = find_token(plain)
    if token is None:
        abort(401, "This API token is unknown, expired or revoked.")
    record_use(token)
    g.token_user = g._login_user = token.user  # what Flask-Login's current_user reads


def _csrf_unless_token() -> None:
    """API calls with a valid token carry no cookie authority, so they need no CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or g.get("token_user") is not None:
        return
    csrf.protect()


@login_manager.unauthorized_handler
def _unauthorized() -> WerkzeugResponse | tuple[Response, int]:
    """Scripts get a JSON 401; people are sent to the login page."""
    if request.path.startswith("/api/"):
        return jsonify(error="Log in or send a valid API token (Authorization: Bearer ...).", status=401), 401
    flash("Please log in to see this page.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _authenticated() -> bool:
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated) or "_user_id" in session


def _set_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if _authenticated():  # pages, exports and new tokens must not stay in any cache
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the hooks; keep the session cookie away from other sites' requests."""
    if not app.config.get("SESSION_COOKIE_SAMESITE"):  # Flask's default is None, which setdefault keeps
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # the client address (for login throttling) comes from the proxies' X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.before_request(_authenticate_token)
    app.after_request(_set_headers)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    if app.config.get("WTF_CSRF_ENABLED", True):
        app.before_request(_csrf_unless_token)
