"""`annotator agreement recompute`: rebuild the stored per-document agreement (after an upgrade)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..db import db
from ..models import Dataset, Document


@click.group("agreement")
def agreement_group() -> None:
    """Stored agreement figures."""


@agreement_group.command("recompute")
@click.option("--dataset", "dataset_name", help="Only this dataset (default: every dataset).")
@click.option("--batch", default=250, show_default=True, help="Documents per transaction.")
@with_appcontext
def recompute_command(dataset_name: str | None, batch: int) -> None:
    """Recompute every document's stored agreement, a batch at a time (memory stays flat)."""
    from tqdm import tqdm

    from ..services.agreement_store import dataset_document_ids, recompute, reset

    query = sa.select(Dataset.id, Dataset.name).order_by(Dataset.id)
    if dataset_name:
        query = query.where(Dataset.name == dataset_name)
    datasets = db.session.execute(query).all()
    if dataset_name and not datasets:
        raise click.ClickException(f"--dataset: no dataset named {dataset_name!r}")
    for dataset_id, name in datasets:
        reset(dataset_id)
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count()).where(Document.dataset_id == dataset_id)) or 0
        with tqdm(total=total, desc=name, unit="doc", disable=None) as bar:
            done = recompute(dataset_document_ids(dataset_id), batch=batch, progress=bar.update)
        click.echo(f"Recomputed agreement of {done} document(s) in {name!r}.")
