"""`annotator dataset` sets a dataset up; `annotator assign` hands its documents out to annotators."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..db import committing
from ..services.assignment import AssignmentError, annotators, auto_assign
from ..services.dataset_setup import configure_dataset
from ..services.datasets import by_name
from ..services.users import find_user
from ..spans import SpanError
from ..vocab import QueueOrder, speaker_labels_for


@click.command("assign")
@click.option("--dataset", "dataset_name", required=True)
@click.option("--annotators", "names", help="Comma-separated user names; default: every active annotator.")
@with_appcontext
def assign_command(dataset_name: str, names: str | None) -> None:
    """Give every document of a dataset its number of distinct annotators, least-loaded first."""
    dataset = by_name(dataset_name)
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
        with committing():
            made = auto_assign(dataset, users)
    except AssignmentError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Made {made} new assignment(s) in {dataset.name!r} "
               f"({dataset.annotators_per_doc} annotator(s) per document).")


@click.command("dataset")
@click.argument("name")
@click.option("--annotators-per-doc", type=int, help="How many annotators each document goes to (1 or more).")
@click.option("--labels", help='The entity labels, space-separated, e.g. "PERSON ORG GPE".')
@click.option("--speaker-labels", help="Entity labels that can be a quote's speaker or a stance's holder, most likely "
                                       "first, separated by commas or spaces, e.g. PERSON,ORG,NORP,GPE.")
@click.option("--model", help="Pipeline that pre-annotates: a trained version (v2), a package or a folder; "
                              "'builtin' for the configured default.")
@click.option("--queue-order", type=click.Choice([order.value for order in QueueOrder]),
              help="Order of each annotator's queue: import order, or where the model is least sure first.")
@with_appcontext
def dataset_command(name: str, annotators_per_doc: int | None, labels: str | None, speaker_labels: str | None,
                    model: str | None, queue_order: str | None) -> None:
    """Create dataset NAME or change it: labels, speaker labels, annotators per document, pipeline, queue order."""
    from .model import configure_pipeline

    try:
        with committing():
            dataset, created = configure_dataset(
                name, annotators_per_doc=annotators_per_doc, labels=labels.split() if labels is not None else None,
                speaker_labels=speaker_labels.replace(",", " ").split() if speaker_labels is not None else None)
            pipeline = configure_pipeline(dataset, model, queue_order)
    except SpanError as err:
        raise click.ClickException(f"{err}\nNothing was changed.") from None
    click.echo(f"{'Created' if created else 'Updated'} dataset {dataset.name!r}: "
               f"{dataset.annotators_per_doc} annotator(s) per document, "
               f"labels {' '.join(dataset.entity_labels)}.")
    click.echo(f"Speaker labels, most likely first: "
               f"{' '.join(speaker_labels_for(dataset.entity_labels, dataset.speaker_labels))}.")
    click.echo(pipeline)
