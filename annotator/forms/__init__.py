"""Flask-WTF forms: one module per blueprint (auth, admin, models, profile); EmptyForm is shared."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for plain POST buttons."""

    submit = SubmitField("Submit")
