"""Request hooks: who the request is (session cookie or API token), CSRF, and response headers.

A request to the API blueprint that sends `Authorization: Bearer <token>` is that token's user
and nobody else: the session and remember cookies are ignored, so a CSRF check is not needed.
A session counts only while its login id ("<user id>:<session version>") matches the user's
current session version, which logout and password changes bump. The hooks decide by the
blueprint a request was routed to; the rules on tokens and sessions live in services.tokens
and services.users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, abort, current_app, flash, g, jsonify, redirect, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as WerkzeugResponse

from .extensions import csrf, login_manager
from .services.tokens import token_user
from .services.users import session_user

if TYPE_CHECKING:  # types only
    from .models import User

API_BLUEPRINT = "api"  # the blueprint that holds every JSON route (annotator.views.api)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def api_request() -> bool:
    """Whether the request is for the JSON API: routed to its blueprint, or unrouted (404/405) under its prefix."""
    if request.url_rule is not None:
        return request.blueprint == API_BLUEPRINT
    api = current_app.blueprints.get(API_BLUEPRINT)
    prefix = (api.url_prefix or "") if api is not None else ""
    return bool(prefix) and (request.path == prefix or request.path.startswith(prefix.rstrip("/") + "/"))


def _bearer() -> str | None:
    """The plain API token sent with an API request, if any."""
    header = request.headers.get("Authorization", "")
    if not api_request() or not header.startswith("Bearer "):
        return None
    return header[7:].strip()


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """The session's user, if its session version is still current (never when a token is sent)."""
    if _bearer() is not None:
        return None
    return session_user(login_id)


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
    user = token_user(plain)
    if user is None:
        abort(401, "This API token is unknown, expired or revoked.")
    g.token_user = g._login_user = user  # what Flask-Login's current_user reads


def _csrf_unless_token() -> None:
    """API calls with a valid token carry no cookie authority, so they need no CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or g.get("token_user") is not None:
        return
    csrf.protect()


@login_manager.unauthorized_handler
def _unauthorized() -> WerkzeugResponse | tuple[Response, int]:
    """Scripts get a JSON 401; people are sent to the login page."""
    if api_request():
        return jsonify(error="Log in or send a valid API token (Authorization: Bearer ...).", status=401), 401
    flash("Please log in to see this page.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _authenticated() -> bool:
    """Whether the request came from a logged-in user (session or token)."""
    if "_user_id" in session:  # first: asking the user object may reload it from the database
        return True
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def _set_headers(response: Response) -> Response:
    """Security headers on every response; authenticated answers are never cached."""
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
