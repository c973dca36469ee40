"""Logging in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from ..db import committing
from ..forms import EmptyForm
from ..forms.auth import LoginForm
from ..services.users import authenticate

bp = Blueprint("auth", __name__)

FAILED = "Unknown user or wrong password, or too many attempts: wait a moment and try again."


def _safe_next(target: str | None) -> str:
    """Only follow relative `next` links on this site, with no control characters or backslashes."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("datasets.index")
    parts = urlsplit(target)
    return url_for("datasets.index") if parts.netloc or parts.scheme else target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the login form and log the user in (one message for every kind of failure)."""
    if current_user.is_authenticated:
        return redirect(url_for("datasets.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.name.data or "", form.password.data or "", address=request.remote_addr or "")
        if user is None:
            flash(FAILED, "error")
            return render_template("auth/login.html", form=form), 401  # type: ignore[return-value]
        login_user(user, remember=bool(form.remember.data))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (POST with CSRF): every copy of this account's session and remember cookies stops working."""
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            with committing():
                current_user.end_sessions()
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
