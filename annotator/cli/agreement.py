"""`annotator agreement recompute`: rebuild the stored per-document agreement (after an upgrade)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..db import committing
from ..services.datasets import document_count, named


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

    datasets = named(dataset_name)
    if dataset_name and not datasets:
        raise click.ClickException(f"--dataset: no dataset named {dataset_name!r}")
    for dataset_id, name in datasets:
        with committing():
            reset(dataset_id)
        total = document_count(dataset_id)
        with tqdm(total=total, desc=name, unit="doc", disable=None) as bar:
            done = recompute(dataset_document_ids(dataset_id), batch=batch, progress=bar.update)
        click.echo(f"Recomputed agreement of {done} document(s) in {name!r}.")
