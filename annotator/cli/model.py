"""`annotator evaluate`, `annotator train`, `annotator preannotate` and `annotator worker`: the model in the loop."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask.cli import with_appcontext

from ..db import committing
from ..formats import FormatError
from ..services.datasets import by_name

if TYPE_CHECKING:  # spaCy is imported in the commands that use it: the command line starts at once
    from ..models import Dataset
    from ..nlp.evaluation import Evaluation


def find_dataset(name: str) -> Dataset:
    """The dataset of that name, or a usage error."""
    dataset = by_name(name)
    if dataset is None:
        raise click.ClickException(f"--dataset: no dataset named {name!r}")
    return dataset


def _bar(desc: str, total: int) -> Any:
    """A tqdm bar on standard error (tqdm imported here: only commands that show progress pay for it)."""
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit="doc", file=sys.stderr, leave=False, disable=total < 2)


def echo_evaluation(title: str, result: Evaluation) -> None:
    """Print one pipeline's figures as tables."""
    click.echo(f"\n== {title}: {result.documents} document(s) of reviewed gold")
    click.echo(f"{'entities':16} {'exact P':>8} {'R':>6} {'F1':>6} {'overlap P':>10} {'R':>6} {'F1':>6}  gold")
    for label, exact in result.entities_exact.items():
        over = result.entities_overlap[label]
        click.echo(f"{label:16} {exact.precision:8.3f} {exact.recall:6.3f} {exact.f1:6.3f} "
                   f"{over.precision:10.3f} {over.recall:6.3f} {over.f1:6.3f}  {exact.gold}")
    click.echo(f"{'quotes':16} {'P':>8} {'R':>6} {'F1':>6}  tp/pred/gold")
    for group, counts in result.quotes.items():
        click.echo(f"{group:16} {counts.precision:8.3f} {counts.recall:6.3f} {counts.f1:6.3f}  "
                   f"{counts.tp}/{counts.pred}/{counts.gold}")
    for name, ratio in (("exact boundaries", result.boundaries), ("speaker accuracy", result.speakers),
                        ("cue accuracy", result.cues), ("kind agreement", result.kinds),
                        ("stance polarity", result.polarity)):
        click.echo(f"{name:16} {ratio.value:8.3f}  ({ratio.ok}/{ratio.total})")
    s = result.stances
    click.echo(f"{'stances':16} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}  {s.tp}/{s.pred}/{s.gold}")


def echo_spancat(scores: dict[str, Any]) -> None:
    """Print the span categoriser's held-out figures: overall and per label, with the gold counts."""
    click.echo(f"\n== span categoriser on the held-out share: {scores['documents']} document(s)")
    click.echo(f"{'quote parts':16} {'P':>8} {'R':>6} {'F1':>6}  gold spans")
    click.echo(f"{'all':16} {scores['p']:8.3f} {scores['r']:6.3f} {scores['f']:6.3f}  "
               f"{sum(scores['gold_spans'].values())}")
    for label, gold in scores["gold_spans"].items():
        s = scores["per_label"].get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        click.echo(f"{label:16} {s['p']:8.3f} {s['r']:6.3f} {s['f']:6.3f}  {gold}")


@click.command("evaluate")
@click.option("--dataset", "dataset_name", required=True)
@click.option("--model", help="A pipeline package or folder, or a trained version (v2); "
                              "default: the built-in pipeline and every trained version.")
@with_appcontext
def evaluate_command(dataset_name: str, model: str | None) -> None:
    """Score pre-annotation against the dataset's reviewed gold, and keep the scores."""
    from ..nlp import ModelNotInstalled
    from ..nlp.evaluation import ALL, Evaluation
    from ..services import evaluation

    dataset = find_dataset(dataset_name)
    if model:
        version = evaluation.version_for(dataset, model)
        models = [(version.path if version else model, version)]
    else:
        models = evaluation.candidates(dataset)
    gold = evaluation.reviewed_gold(dataset)
    bar = _bar("evaluating", len(gold) * len(models))
    try:
        with committing():
            rows = evaluation.run_evaluations(dataset, models, progress=lambda done: bar.update(done - bar.n))
    except (evaluation.EvaluationError, ModelNotInstalled) as err:
        raise click.ClickException(str(err)) from None
    finally:
        bar.close()
    for row in rows:
        title = f"{row.version.label} ({row.model})" if row.version else f"built-in {row.model}"
        if row.model != evaluation.builtin_model() and row.version is None:
            title = row.model
        echo_evaluation(title, Evaluation.from_dict(row.scores))
    click.echo(f"\nEntity F1 (exact, {ALL}): " + ", ".join(
        f"{r.version.label if r.version else r.model} {Evaluation.from_dict(r.scores).entity_f1:.3f}" for r in rows))


@click.command("train")
@click.option("--dataset", "dataset_name", required=True)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="A new folder for the DocBins, the config and the trained pipeline.")
@click.option("--base", help="The pipeline to start from (default: the dataset's, else the built-in one).")
@click.option("--dev-share", default=0.2, show_default=True, type=click.FloatRange(0.01, 0.9),
              help="Share of documents held out to score the result.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the document split and training.")
@click.option("--max-steps", default=1000, show_default=True, type=click.IntRange(1),
              help="Training steps (batches).")
@click.option("--spancat", is_flag=True,
              help="Also train span categorisers for quote contents, cues and speakers (spaCy's span finder "
                   "and spancat) and score them on the held-out share.")
@with_appcontext
def train_command(dataset_name: str, output: Path, base: str | None, dev_share: float, seed: int,
                  max_steps: int, spancat: bool) -> None:
    """Train the entity recognizer on the reviewed gold and register it as a new model version."""
    from ..nlp import ModelNotInstalled
    from ..nlp.evaluation import Evaluation
    from ..services.training import Options, TrainingError, train_dataset

    dataset = find_dataset(dataset_name)
    options = Options(output=output, base=base, dev_share=dev_share, seed=seed, max_steps=max_steps,
                      spancat=spancat)
    started = time.perf_counter()
    try:
        with committing():
            version = train_dataset(dataset, options, sys.stdout, sys.stderr)
    except (TrainingError, ModelNotInstalled, FormatError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"\nRegistered {version.label} of {dataset.name!r}: {version.path} "
               f"({version.train_docs} training, {version.dev_docs} held-out document(s), "
               f"{time.perf_counter() - started:.0f} s)")
    echo_evaluation(f"{version.label} on the held-out share", Evaluation.from_dict(version.scores["dev"]))
    echo_evaluation(f"base {version.base} on the held-out share",
                    Evaluation.from_dict(version.scores["base_dev"]))
    if "spancat" in version.scores:
        echo_spancat(version.scores["spancat"])


def configure_pipeline(dataset: Any, model: str | None, queue_order: str | None) -> str:
    """Change a dataset's pre-annotation pipeline and queue order (part of `annotator dataset`); describe them."""
    from ..services.evaluation import version_for
    from ..services.preannotation import pipeline_name

    if model:
        version = None if model == "builtin" else version_for(dataset, model)
        if model != "builtin" and version is None and model.lstrip("vV").isdigit():
            raise click.ClickException(f"--model: {dataset.name!r} has no trained version {model}")
        chosen = None if model == "builtin" else (version.path if version else model)
        if chosen is not None:
            _check_loads(chosen)
        dataset.spacy_model = chosen
    if queue_order:
        dataset.queue_order = queue_order
    return f"{dataset.name}: pre-annotates with {pipeline_name(dataset)}; queue order {dataset.queue_order}"


def _check_loads(model: str) -> None:
    """Refuse a pipeline spaCy cannot load."""
    from ..nlp import ModelNotInstalled
    from ..services.preannotation import current

    try:
        current().load(model)
    except ModelNotInstalled as err:
        raise click.ClickException(f"--model: {err}") from None


@click.command("preannotate")
@click.option("--dataset", "dataset_name", required=True)
@with_appcontext
def preannotate_command(dataset_name: str) -> None:
    """Pre-annotate again, with the dataset's pipeline, every document nobody has started."""
    from ..nlp import ModelNotInstalled
    from ..services.repreannotate import repreannotate, summary, untouched

    dataset = find_dataset(dataset_name)
    bar = _bar("pre-annotating", len(untouched(dataset)))
    try:
        with committing():
            result = repreannotate(dataset, progress=lambda done: bar.update(done - bar.n))
    except ModelNotInstalled as err:
        raise click.ClickException(str(err)) from None
    finally:
        bar.close()
    click.echo(f"{dataset.name}: {summary(result)}")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1),
              help="Worker processes (each loads spaCy once).")
@click.option("--preload/--no-preload", default=True, show_default=True,
              help="Load the configured spaCy pipeline in each worker process as it starts.")
@with_appcontext
def worker_command(workers: int, preload: bool) -> None:
    """Run job workers here (imports, pre-annotation chunks, evaluation, training) until stopped."""
    from flask import current_app

    from ..jobs import queue

    app, huey = current_app._get_current_object(), queue()  # type: ignore[attr-defined]
    share = str(max(1, (os.cpu_count() or 1) // workers))  # the cores split between the workers' math threads
    for variable in MATH_THREADS:
        os.environ.setdefault(variable, share)
    if preload:
        @huey.on_startup("annotator.preload")  # type: ignore[misc]
        def preload_pipeline() -> None:
            """Each worker process loads spaCy once, before its first chunk."""
            from ..services.preannotation import current

            with app.app_context():
                current().warm_up()
    click.echo(f"Running {workers} job worker process(es); Ctrl+C to stop.")
    # Idle workers look for work at least every 0.1 s (Huey's default backs off to 10 s; a Redis queue blocks).
    huey.create_consumer(workers=workers, worker_type="process", periodic=False, max_delay=0.1).run()


MATH_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""Thread pools of numpy's math libraries, read when a worker process first loads spaCy (after the fork).

Each would start a thread per core in every worker: with a worker per core they fight over the cores
(measured: 2 workers 1.52x as fast as 1; with the cores shared out, 1.64x, where a plain CPU-bound loop in
2 processes gets 1.75x on the same machine).
"""


def model_commands() -> list[click.Command]:
    """The commands this module adds."""
    return [evaluate_command, train_command, preannotate_command, worker_command]  # `dataset` is in teams.py
