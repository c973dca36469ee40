"""Flask-WTF forms of the admin blueprint: users, dataset settings and assignment."""

from __future__ import annotations

from wtforms import IntegerField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from . import AppForm, options
from ..vocab import SPEAKER_LABELS, QueueOrder, Role

ROLE_CHOICES = options((role.value, role.value) for role in Role)
QUEUE_ORDERS = {QueueOrder.IMPORT: "Import order",
                QueueOrder.UNCERTAINTY: "Where the model is least sure first (after re-pre-annotation)"}


class UserCreateForm(AppForm):
    """A new account with its role."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.ANNOTATOR.value)
    submit = SubmitField("Create user")


class RoleForm(AppForm):
    """Change one user's role."""

    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class DatasetSettingsForm(AppForm):
    """A dataset's label set, speaker labels, polarities, annotators per document and guidelines."""

    entity_labels = StringField("Entity labels", description="Separated by spaces or commas; empty allows any.")
    speaker_labels = StringField(
        "Speaker labels",
        description="Entity labels that can be a quote's speaker or a stance's holder, most likely first: "
                    "the speaker and holder keys offer these entities before any other, in this order within "
                    f"a sentence. Empty: {' '.join(SPEAKER_LABELS)}.")
    stance_polarities = StringField("Stance polarities", validators=[DataRequired()],
                                    description="Separated by spaces or commas.")
    annotators_per_doc = IntegerField("Annotators per document", validators=[NumberRange(min=1, max=20)])
    guidelines = TextAreaField("Guidelines (Markdown)", render_kw={"rows": 12})
    spacy_model = SelectField("Pre-annotation pipeline", validate_choice=True,
                              description="The entity model; quote and stance rules run on top of it.")
    queue_order = SelectField("Queue order", choices=options((order.value, title) for order, title in QUEUE_ORDERS.items()))
    submit = SubmitField("Save settings")


class AssignForm(AppForm):
    """Give one document to one annotator."""

    document = IntegerField("Document #", validators=[DataRequired()])
    user = SelectField("Annotator", coerce=int)
    submit = SubmitField("Assign")


class MoveForm(AppForm):
    """Hand an unfinished set to another annotator."""

    aset = SelectField("Unfinished work", coerce=int)
    user = SelectField("Move to", coerce=int)
    submit = SubmitField("Move")


def split_names(raw: str) -> list[str]:
    """Labels or polarities typed as a list separated by spaces or commas, without repeats."""
    return list(dict.fromkeys(part for part in raw.replace(",", " ").split() if part))
