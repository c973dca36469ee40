"""`annotator import`, `annotator export` and `annotator demo`."""

from __future__ import annotations

import secrets
import sys
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from ..db import db
from ..formats.jsonl import dumps_task, task_from_annotation
from ..models import Dataset
from ..nlp import ModelNotInstalled
from ..services.exporter import ONLY, export_rows
from ..services.importer import ImportFailed, get_or_create_dataset, import_records
from ..services.sources import read_path
from ..services.users import create_user, find_user

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_DATASET = "Demo: world news"
DEMO_ADMIN = "demo"


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_name", required=True, help="Dataset name (created when missing).")
@click.option("--as", "target", type=click.Choice(["annotator", "gold"]), default="annotator",
              show_default=True, help="Whom the file's own annotations belong to.")
@click.option("--annotator", "annotator_name", help="The annotator that imported annotations belong to.")
@click.option("--preannotate/--no-preannotate", default=True, show_default=True,
              help="Run the spaCy pipeline on the imported texts.")
@with_appcontext
def import_command(path: Path, dataset_name: str, target: str, annotator_name: str | None,
                   preannotate: bool) -> None:
    """Import articles from PATH (.txt, .jsonl, or a folder of them); all or nothing."""
    annotator = find_user(annotator_name) if annotator_name else None
    if annotator_name and annotator is None:
        raise click.ClickException(f"--annotator: no user named {annotator_name!r}")
    try:
        records = list(read_path(path))
        dataset = get_or_create_dataset(dataset_name)
        with _progress(len(records), "pre-annotating") as bar:
            result = import_records(dataset, records, target=target, annotator=annotator,
                                    preannotate=preannotate, progress=lambda n: bar.update(1))
    except (ImportFailed, ModelNotInstalled) as err:
        db.session.rollback()
        raise click.ClickException(f"{err}\nNothing was imported.") from None
    db.session.commit()
    click.echo(f"Imported {result.imported} document(s) into {dataset.name!r}; "
               f"skipped {result.skipped} already there.")


@contextmanager
def _progress(total: int, what: str) -> Iterator[tqdm]:
    """A progress bar on standard error (documents per second and time left)."""
    with tqdm(total=total, desc=what, unit="doc", file=sys.stderr, disable=total < 2,
              leave=False) as bar:
        yield bar


@click.command("export")
@click.option("--dataset", "dataset_name", required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--only", type=click.Choice(ONLY), default="gold", show_default=True)
@click.option("--annotator", "annotator_name")
@click.option("-o", "--output", default="-", show_default=True, help="File to write, - for standard output.")
@with_appcontext
def export_command(dataset_name: str, fmt: str, only: str, annotator_name: str | None, output: str) -> None:
    """Export a dataset's annotation sets."""
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.name == dataset_name))
    if dataset is None:
        raise click.ClickException(f"--dataset: no dataset named {dataset_name!r}")
    annotator = find_user(annotator_name) if annotator_name else None
    if annotator_name and annotator is None:
        raise click.ClickException(f"--annotator: no user named {annotator_name!r}")
    stream: IO[bytes] = sys.stdout.buffer if output == "-" else open(output, "wb")
    count = 0
    try:
        for row in export_rows(dataset, only=only, annotator=annotator):
            stream.write(dumps_task(task_from_annotation(
                row.text, row.meta, row.tokens, row.annotation, answer=row.answer,
                annotator_id=row.annotator_id, timestamp=row.timestamp, status=row.status)))
            count += 1
    finally:
        if stream is not sys.stdout.buffer:
            stream.close()
    click.echo(f"Exported {count} annotation set(s).", err=True)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo admin and dataset and import the demo articles (safe to run again)."""
    password_file = Path(current_app.instance_path) / "demo-password"
    if find_user(DEMO_ADMIN) is None:
        password = secrets.token_urlsafe(9)
        create_user(DEMO_ADMIN, password, role="admin")
        password_file.write_text(password)
        password_file.chmod(0o600)
    password = password_file.read_text().strip() if password_file.exists() else "(set earlier; not stored)"
    dataset = get_or_create_dataset(DEMO_DATASET)
    if not dataset.guidelines:
        dataset.guidelines = (DEMO_DIR / "guidelines.md").read_text(encoding="utf-8")
    try:
        result = import_records(dataset, list(read_path(DEMO_DIR / "articles")))
    except ModelNotInstalled as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Demo dataset {dataset.name!r}: {result.imported} new article(s), {result.skipped} already there.")
    click.echo(f"Demo login: name {DEMO_ADMIN!r}, password {password!r}")
