"""Flask-WTF forms: one module per blueprint (auth, admin, models, profile); EmptyForm is shared."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """A select field's choices from (value, label) pairs (WTForms drops plain tuples in 3.4)."""
    return [SelectChoice(value, label) for value, label in pairs]


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for plain POST buttons."""

    submit = SubmitField("Submit")
