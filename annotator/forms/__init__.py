"""Flask-WTF forms: one module per blueprint (auth, admin, models, profile); EmptyForm is shared."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice

from ..checks import NUL


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """A select field's choices from (value, label) pairs (WTForms drops plain tuples in 3.4)."""
    return [SelectChoice(value, label) for value, label in pairs]


class AppForm(FlaskForm):
    """Every form of ours: a NUL character in any text field is refused, naming the field
    (checks.NUL: no database we support keeps one)."""

    def validate(self, extra_validators: Any = None) -> bool:
        """WTForms' validation, then no NUL in any field's text."""
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and NUL in field.data:
                field.errors = [*field.errors, "contains a NUL character (\\x00)"]
                valid = False
        return valid


class EmptyForm(AppForm):
    """A form with only its CSRF token, for plain POST buttons."""

    submit = SubmitField("Submit")
