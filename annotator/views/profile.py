"""The user's own profile: change the password, end other sessions, create and revoke API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from ..db import committing
from ..forms import EmptyForm
from ..forms.profile import PasswordForm, TokenForm
from ..services.tokens import issue_token, revoke_token, user_tokens
from ..services.users import change_password as set_new_password
from ..services.users import check_current_password

bp = Blueprint("profile", __name__, url_prefix="/profile")


def _page(*, password_form: PasswordForm | None = None, token_form: TokenForm | None = None,
          new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    """The profile page with its forms (a just-created token is shown once)."""
    return render_template(
        "profile/show.html", password_form=password_form or PasswordForm(),
        token_form=token_form or TokenForm(), revoke_form=EmptyForm(), tokens=user_tokens(current_user),
        new_token=new_token), status


def _end_other_sessions() -> None:
    """Bump the session version, then log this browser in again under the new one."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    with committing():
        user.end_sessions()
    login_user(user)


@bp.get("")
@login_required
def show() -> tuple[str, int]:
    """The profile page."""
    return _page()


@bp.post("/password")
@login_required
def change_password() -> Response | tuple[str, int]:
    """Change the password after checking the current one (throttled like logins)."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _page(password_form=form, status=422)
    if not check_current_password(current_user, form.current.data or ""):
        form.current.errors = ["The current password is wrong, or there were too many attempts: "
                               "wait a moment and try again."]
        return _page(password_form=form, status=422)
    revoked = set_new_password(current_user, form.new.data or "", keep_tokens=bool(form.keep_tokens.data))
    _end_other_sessions()
    flash("Your password was changed; you were logged out everywhere else"
          + (f" and {revoked} API token(s) were revoked." if revoked else "."), "success")
    return redirect(url_for("profile.show"))


@bp.post("/sessions/end")
@login_required
def end_sessions() -> Response:
    """Log out on every other browser and device (their session and remember cookies stop working)."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete.")
    _end_other_sessions()
    flash("You were logged out on every other browser and device.", "success")
    return redirect(url_for("profile.show"))


@bp.post("/tokens")
@login_required
def create_token() -> tuple[str, int]:
    """Create an API token and show it once (only its hash is kept)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    with committing():
        _, plain = issue_token(current_user, form.name.data or "", days=int(form.expires.data or 0))
    return _page(new_token=plain, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the user's tokens."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form was incomplete.")
    with committing():
        if not revoke_token(current_user, token_id):
            abort(404, "No such token of yours.")
    flash("The token was revoked: scripts using it are refused from now on.", "success")
    return redirect(url_for("profile.show"))
