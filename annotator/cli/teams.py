"""`annotator assign`: hand a dataset's documents out to annotators."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..db import db
from ..models import Dataset
from ..services.assignment import AssignmentError, annotators, auto_assign
from ..services.users import find_user


@click.command("assign")
@click.option("--dataset", "dataset_name", required=True)
@click.option("--annotators", "names", help="Comma-separated user names; default: every active annotator.")
@with_appcontext
def assign_command(dataset_name: str, names: str | None) -> None:
    """Give every document of a dataset its number of distinct annotators, least-loaded first."""
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.name == dataset_name))
    if dataset is None:
        raise click.ClickException(f"--dataset: no dataset named {dataset_name!r}")
    users = annotators()
    if names:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        found = {n: find_user(n) for n in wanted}
        missing = [n for n, u in found.items() if u is None or not u.active]
        if missing:
            raise click.ClickException(f"--annotators: no active user named {', '.join(missing)}")
        users = [u for u in found.values() if u is not None]
    try:
        made = auto_assign(dataset, users)
    except AssignmentError as err:
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Made {made} new assignment(s) in {dataset.name!r} "
               f"({dataset.annotators_per_doc} annotator(s) per document).")
