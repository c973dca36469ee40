"""Flask-WTF forms of the profile blueprint: the password change and new API tokens."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from . import AppForm, options

EXPIRY_CHOICES = {"30": "30 days", "90": "90 days", "365": "1 year", "0": "never (until revoked)"}


class PasswordForm(AppForm):
    """Current password, new password twice, and whether API tokens survive the change."""

    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), Length(
        min=8, max=200, message="The new password needs at least 8 characters (at most 200).")])
    confirm = PasswordField("New password again",
                            validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")])
    keep_tokens = BooleanField("Keep my API tokens working")
    submit = SubmitField("Change password")


class TokenForm(AppForm):
    """A name that says which script the token is for, and how long it lasts."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
    expires = SelectField("Expires after", choices=options(EXPIRY_CHOICES.items()), default="90")
    submit = SubmitField("Create token")
