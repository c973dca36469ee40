"""`annotator import`, `annotator export` and `annotator demo`."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import IO

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from spacy.tokens import DocBin
from tqdm import tqdm

from ..db import db
from ..formats import FormatError
from ..formats.docbin import DocBinWriter
from ..models import Dataset, User
from ..nlp import ModelNotInstalled
from ..services.exporter import FORMATS, ONLY, export_docs, export_lines
from ..services.importer import ImportFailed, get_or_create_dataset, import_records
from ..services.sources import count_records, read_path
from ..services.users import create_user, find_user

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_DATASET = "Demo: world news"
DEMO_ADMIN = "demo"


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_name", required=True, help="Dataset name (created when missing).")
@click.option("--as", "target", type=click.Choice(["annotator", "gold"]), default="annotator",
              show_default=True, help="Import the file's annotations as gold, or as annotators' sets.")
@click.option("--annotator", "annotator_name",
              help="The annotator the file's annotations belong to (default: each line's _annotator_id).")
@click.option("--preannotate/--no-preannotate", default=True, show_default=True,
              help="Run the spaCy pipeline on imported plain texts.")
@with_appcontext
def import_command(path: Path, dataset_name: str, target: str, annotator_name: str | None,
                   preannotate: bool) -> None:
    """Import PATH (.txt, JSONL: plain, ours, Prodigy or doccano; or a folder); all or nothing."""
    annotator = find_user(annotator_name) if annotator_name else None
    if annotator_name and annotator is None:
        raise click.ClickException(f"--annotator: no user named {annotator_name!r}")
    bar = _Bars()
    try:
        dataset = get_or_create_dataset(dataset_name)
        records = read_path(path, labels=dataset.entity_labels or None,
                            polarities=dataset.stance_polarities or None,
                            max_line_bytes=int(current_app.config["MAX_LINE_BYTES"]))
        bar.totals["reading"] = count_records(path) if path.exists() else 0
        result = import_records(dataset, records, target=target, annotator=annotator,
                                preannotate=preannotate, progress=bar.update, phase=bar.start)
    except (ImportFailed, ModelNotInstalled) as err:
        db.session.rollback()
        raise click.ClickException(f"{err}\nNothing was imported.") from None
    finally:
        bar.close()
    db.session.commit()
    click.echo(f"Imported {result.imported} document(s) into {dataset.name!r} "
               f"({result.annotated} annotation set(s) from the file); "
               f"skipped {result.skipped} already there.")


class _Bars:
    """One tqdm bar per import stage on standard error: documents per second and time left."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.bar: tqdm | None = None
        self.done = 0

    def start(self, name: str, total: int) -> None:
        self.close()
        total = total or self.totals.get(name, 0)
        self.bar = tqdm(total=total or None, desc=name, unit="doc", file=sys.stderr,
                        disable=total < 2, leave=False)
        self.done = 0

    def update(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@click.command("export")
@click.option("--dataset", "dataset_name", required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="jsonl: ours (Prodigy superset); spacy: a DocBin; doccano: sequence labelling JSONL.")
@click.option("--only", type=click.Choice(ONLY), default="gold", show_default=True,
              help="gold sets; submitted annotator sets and gold; or all sets including the model's.")
@click.option("--annotator", "annotator_name", help="Only this annotator's sets.")
@click.option("-o", "--output", default="-", show_default=True,
              help="File to write, - for standard output. For spacy, a path without .spacy is a "
                   "folder of DocBin shards (constant memory).")
@with_appcontext
def export_command(dataset_name: str, fmt: str, only: str, annotator_name: str | None, output: str) -> None:
    """Export a dataset's annotation sets."""
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.name == dataset_name))
    if dataset is None:
        raise click.ClickException(f"--dataset: no dataset named {dataset_name!r}")
    annotator = find_user(annotator_name) if annotator_name else None
    if annotator_name and annotator is None:
        raise click.ClickException(f"--annotator: no user named {annotator_name!r}")
    try:
        count = (_export_spacy(dataset, only, annotator, output) if fmt == "spacy"
                 else _export_lines(dataset, fmt, only, annotator, output))
    except FormatError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Exported {count} annotation set(s).", err=True)


def _export_lines(dataset: Dataset, fmt: str, only: str, annotator: User | None, output: str) -> int:
    stream: IO[bytes] = sys.stdout.buffer if output == "-" else open(output, "wb")
    count = 0
    try:
        for line in export_lines(dataset, fmt=fmt, only=only, annotator=annotator):
            stream.write(line)
            count += 1
    finally:
        if stream is not sys.stdout.buffer:
            stream.close()
    return count


def _export_spacy(dataset: Dataset, only: str, annotator: User | None, output: str) -> int:
    docs = export_docs(dataset, only=only, annotator=annotator)
    if output == "-":
        docbin = DocBin(store_user_data=True, docs=docs)
        sys.stdout.buffer.write(docbin.to_bytes())
        return len(docbin)
    with DocBinWriter(output) as writer:
        for doc in docs:
            writer.add(doc)
    return writer.count


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
        result = import_records(dataset, read_path(DEMO_DIR / "articles"))
    except ModelNotInstalled as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Demo dataset {dataset.name!r}: {result.imported} new article(s), {result.skipped} already there.")
    click.echo(f"Demo login: name {DEMO_ADMIN!r}, password {password!r}")
