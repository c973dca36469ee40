"""Flask-WTF forms of the models blueprint: training options."""

from __future__ import annotations

from wtforms import BooleanField, DecimalField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from . import AppForm


class TrainForm(AppForm):
    """How to train a new version from the reviewed gold."""

    dev_share = DecimalField("Held-out share", default=0.2, places=2,
                             validators=[InputRequired(), NumberRange(min=0.01, max=0.9)])
    max_steps = IntegerField("Training steps", default=1000, validators=[InputRequired(), NumberRange(min=1, max=100000)])
    seed = IntegerField("Seed", default=0, validators=[InputRequired(), NumberRange(min=0)])
    spancat = BooleanField("Also span categorisers for quote contents, cues and speakers",
                           description="spaCy's span finder and span categoriser, scored on the held-out share")
    submit = SubmitField("Train a new version")
