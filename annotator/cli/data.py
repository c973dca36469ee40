"""`annotator import`, `annotator export` and `annotator demo`."""

from __future__ import annotations

import os
import secrets
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from ..db import committing
from .group import EARLY_TOKEN_POOL
from ..formats import FormatError
from ..formats.registry import FORMATS, format_names
from ..services.datasets import by_name
from ..services.exporter import MAX_WORKERS, ONLY, ONLY_HELP, ExportReport, export_stream, export_to_path, write_stream
from ..services.importer import ImportFailed, Record, get_or_create_dataset, import_records, token_pool_model
from ..services.sources import count_records, read_path
from ..services.users import create_user, find_user
from ..token_pool import TokenPool
from ..vocab import ExportScope, Role, SetKind

if TYPE_CHECKING:
    from ..models import Dataset, User

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_DATASET = "Demo: world news"
DEMO_ADMIN = "demo"


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_name", required=True, help="Dataset name (created when missing).")
@click.option("--as", "target", type=click.Choice([SetKind.ANNOTATOR.value, SetKind.GOLD.value]), default=SetKind.ANNOTATOR.value,
              show_default=True, help="Import the file's annotations as gold, or as annotators' sets.")
@click.option("--annotator", "annotator_name",
              help="The annotator the file's annotations belong to (default: each line's _annotator_id).")
@click.option("--preannotate/--no-preannotate", default=True, show_default=True,
              help="Run the spaCy pipeline on imported plain texts.")
@click.option("--replace-sets", is_flag=True,
              help="Replace a set a document already has for the same owner (default: refuse the file).")
@with_appcontext
def import_command(path: Path, dataset_name: str, target: str, annotator_name: str | None,
                   preannotate: bool, replace_sets: bool) -> None:
    """Import PATH (.txt, JSONL: ours, Prodigy, doccano or plain; or a folder); all or nothing.

    Annotations for texts already in the dataset become sets on those documents.
    """
    total = count_records(path) if path.exists() else 0
    with _token_pool(total) as pool:  # first: it forks, before any connection or thread
        _import(path, dataset_name, target, annotator_name, preannotate, replace_sets, total, pool)


def _token_pool(total: int) -> ContextManager[TokenPool | None]:
    """A helper process tokenising texts (spaCy imported alongside the import) when the file is big enough:
    the one the console script started (annotator.cli.main), else a new one."""
    least = int(current_app.config["IMPORT_TOKEN_PROCESS_MIN"])
    if not least or total < least:
        return nullcontext()
    info = click.get_current_context().find_object(ScriptInfo)
    early = info.data.get(EARLY_TOKEN_POOL) if info is not None else None
    if isinstance(early, TokenPool):  # stopped by the console script
        early.load(token_pool_model())
        return nullcontext(early)
    return TokenPool(token_pool_model())


def _import(path: Path, dataset_name: str, target: str, annotator_name: str | None, preannotate: bool,
            replace_sets: bool, total: int, pool: TokenPool | None) -> None:
    """The import command's work, with the token pool if any."""
    annotator = find_user(annotator_name) if annotator_name else None
    if annotator_name and annotator is None:
        raise click.ClickException(f"--annotator: no user named {annotator_name!r}")
    bar = _Bars()
    try:
        dataset = get_or_create_dataset(dataset_name)
        bar.totals["checking"] = bar.totals["writing"] = total

        def records() -> Iterator[Record]:
            return read_path(path, labels=dataset.entity_labels or None,
                             polarities=dataset.stance_polarities or None,
                             max_line_bytes=int(current_app.config["MAX_LINE_BYTES"]))

        with committing():
            result = import_records(dataset, records, target=target, annotator=annotator,
                                    preannotate=preannotate, replace_sets=replace_sets, progress=bar.update,
                                    phase=bar.start, token_pool=pool)
    except ImportFailed as err:
        raise click.ClickException(f"{err}\nNothing was imported.") from None
    finally:
        bar.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.summary().replace("document(s)", f"document(s) into {dataset.name!r}", 1))


class _Bars:
    """One tqdm bar per import stage on standard error: documents per second and time left."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.bar: Any = None  # a tqdm bar (tqdm imported when one starts)
        self.done = 0

    def start(self, name: str, total: int) -> None:
        self.close()
        total = total or self.totals.get(name, 0)
        from tqdm import tqdm

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
@click.option("--format", "fmt", type=click.Choice(format_names()), default="annotator", show_default=True,
              help="; ".join(f"{f.name}: {f.title}" for f in FORMATS.values() if f.write)
              + " (jsonl is another name for annotator).")
@click.option("--only", type=click.Choice(ONLY), default=ExportScope.GOLD.value, show_default=True,
              help="; ".join(f"{k}: {v}" for k, v in ONLY_HELP.items()) + ".")
@click.option("--annotator", "annotator_name", help="Only this annotator's sets.")
@click.option("-o", "--output", default="-", show_default=True,
              help="File to write, - for standard output. For spacy, a path without .spacy is a "
                   "folder of DocBin shards (constant memory).")
@click.option("--workers", type=click.IntRange(1, 64), default=lambda: min(os.cpu_count() or 1, MAX_WORKERS),
              show_default=f"the cores, at most {MAX_WORKERS}",
              help="Processes building a JSONL, doccano or spaCy-shards export side by side.")
@with_appcontext
def export_command(dataset_name: str, fmt: str, only: str, annotator_name: str | None, output: str,
                   workers: int) -> None:
    """Export a dataset's annotation sets; sets a format cannot hold are named and left out."""
    dataset = by_name(dataset_name)
    if dataset is None:
        raise click.ClickException(f"--dataset: no dataset named {dataset_name!r}")
    annotator = find_user(annotator_name) if annotator_name else None
    if annotator_name and annotator is None:
        raise click.ClickException(f"--annotator: no user named {annotator_name!r}")
    try:
        with _stopped_like_ctrl_c():
            report = _export(dataset, fmt, only, annotator, output, workers)
    except FormatError as err:
        raise click.ClickException(str(err)) from None
    except BrokenPipeError:  # the reader stopped early (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as err:  # the output cannot be written: nothing was (a file export is whole or absent)
        raise click.ClickException(f"--output: cannot write {output}: {err.strerror or err}") from None
    for problem in report.skipped:
        click.echo(f"left out {problem}", err=True)
    click.echo(report.summary(), err=True)


def _export(dataset: Dataset, fmt: str, only: str, annotator: User | None, output: str, workers: int) -> ExportReport:
    """The export command's work: to standard output, or to a file or folder."""
    if output != "-":
        return export_to_path(dataset, Path(output), fmt=fmt, only=only, annotator=annotator, workers=workers)
    report = ExportReport()
    write_stream(export_stream(dataset, fmt=fmt, only=only, annotator=annotator, report=report, workers=workers),
                 sys.stdout.buffer)
    return report


@contextmanager
def _stopped_like_ctrl_c() -> Iterator[None]:
    """SIGTERM (kill, timeout, a service manager) ends the block as Ctrl+C does, through its cleanup:
    no .part file is left behind and the helper processes are stopped."""
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the demo admin and dataset and import the demo articles (safe to run again)."""
    password_file = Path(current_app.instance_path) / "demo-password"
    if find_user(DEMO_ADMIN) is None:
        password = secrets.token_urlsafe(9)
        create_user(DEMO_ADMIN, password, role=Role.ADMIN)
        password_file.write_text(password)
        password_file.chmod(0o600)
    password = password_file.read_text().strip() if password_file.exists() else "(set earlier; not stored)"
    dataset = get_or_create_dataset(DEMO_DATASET)
    if not dataset.guidelines:
        dataset.guidelines = (DEMO_DIR / "guidelines.md").read_text(encoding="utf-8")
    try:
        with committing():
            result = import_records(dataset, read_path(DEMO_DIR / "articles"))
    except ImportFailed as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Demo dataset {dataset.name!r}: {result.imported} new article(s), {result.skipped} already there.")
    click.echo(f"Demo login: name {DEMO_ADMIN!r}, password {password!r}")
