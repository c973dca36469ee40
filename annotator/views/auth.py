"""Logging in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from ..db import db
from ..forms import EmptyForm, LoginForm
from ..services.users import authenticate

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow relative `next` links, never to another site."""
    if not target or urlsplit(target).netloc or urlsplit(target).scheme or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("datasets.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("datasets.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user, reason = authenticate(form.name.data or "", form.password.data or "")
        db.session.commit()
        if user is None:
            flash(reason, "error")
            return render_template("auth/login.html", form=form), 401  # type: ignore[return-value]
        login_user(user, remember=bool(form.remember.data))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (POST with CSRF, so no page can log you out by a link)."""
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
