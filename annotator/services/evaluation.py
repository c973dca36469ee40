"""How well each pipeline pre-annotates a dataset: scored on its reviewed gold and kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from ..db import db
from ..models import AnnotationSet, Dataset, Document, ModelEvaluation, ModelVersion, annotation_of
from ..preannotator import run
from ..spans import Annotation
from ..vocab import SetKind, Status
from .preannotation import current, settings_for

if TYPE_CHECKING:  # spaCy is imported where it is used: the command line starts at once
    from ..nlp.evaluation import Evaluation

Progress = Callable[[int], None]


class EvaluationError(ValueError):
    """An evaluation that cannot run: no reviewed gold, or no such pipeline."""


@dataclass(frozen=True)
class GoldDoc:
    """A document's text and its reviewed gold."""

    document_id: int
    text: str
    gold: Annotation


def reviewed_gold(dataset: Dataset, *, document_ids: Sequence[int] | None = None) -> list[GoldDoc]:
    """The dataset's documents with reviewed gold, in document order."""
    query = (sa.select(AnnotationSet.id, Document.id, Document.text)
             .join(Document, Document.id == AnnotationSet.document_id)
             .where(Document.dataset_id == dataset.id, AnnotationSet.kind == SetKind.GOLD,
                    AnnotationSet.status == Status.REVIEWED).order_by(Document.id))
    if document_ids is not None:
        query = query.where(Document.id.in_(document_ids))
    return [GoldDoc(doc_id, text, annotation_of(set_id)) for set_id, doc_id, text in db.session.execute(query)]


def reviewed_gold_ids(dataset: Dataset) -> list[int]:
    """Ids of the dataset's documents with reviewed gold."""
    return list(db.session.scalars(
        sa.select(AnnotationSet.document_id).join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, AnnotationSet.kind == SetKind.GOLD, AnnotationSet.status == Status.REVIEWED)))


def builtin_model() -> str:
    """The configured default pipeline (the app's pre-annotator's)."""
    return current().model


def evaluate_model(dataset: Dataset, model: str, gold: Sequence[GoldDoc],
                   progress: Progress | None = None) -> Evaluation:
    """Pre-annotate the gold texts with a pipeline (and the dataset's rules) and score them."""
    from ..nlp.evaluation import evaluate

    predictions = []
    for done, (pre, doc) in enumerate(run(settings_for(dataset, model=model), [(g.text, g) for g in gold]), 1):
        predictions.append((doc.text, doc.gold, pre.annotation))
        if progress:
            progress(done)
    return evaluate(predictions)


def candidates(dataset: Dataset) -> list[tuple[str, ModelVersion | None]]:
    """The built-in pipeline and every trained version of the dataset whose folder still exists."""
    versions = db.session.scalars(sa.select(ModelVersion).where(ModelVersion.dataset_id == dataset.id)
                                  .order_by(ModelVersion.number))
    return [(builtin_model(), None)] + [(v.path, v) for v in versions if Path(v.path).is_dir()]


def pipeline_choices(dataset: Dataset) -> list[tuple[str, str]]:
    """(value, label) of the pipelines a dataset can choose: "" is the built-in one."""
    choices = [("", f"Built-in ({builtin_model()})")]
    versions = db.session.scalars(sa.select(ModelVersion).where(ModelVersion.dataset_id == dataset.id)
                                  .order_by(ModelVersion.number.desc()))
    choices += [(v.path, f"{v.label}, trained {v.created_at:%Y-%m-%d %H:%M} on {v.train_docs} document(s)")
                for v in versions]
    if dataset.spacy_model and dataset.spacy_model not in {value for value, _ in choices}:
        choices.append((dataset.spacy_model, dataset.spacy_model))
    return choices


def version_for(dataset: Dataset, model: str) -> ModelVersion | None:
    """The trained version a model name or path refers to ("v2", its number or its folder)."""
    number = model.lstrip("vV")
    query = sa.select(ModelVersion).where(ModelVersion.dataset_id == dataset.id)
    if number.isdigit():
        return db.session.scalar(query.where(ModelVersion.number == int(number)))
    return db.session.scalar(query.where(ModelVersion.path == str(Path(model).resolve())))


def run_evaluations(dataset: Dataset, models: Sequence[tuple[str, ModelVersion | None]],
                    progress: Progress | None = None) -> list[ModelEvaluation]:
    """Evaluate each pipeline on the reviewed gold and record the results (the caller commits)."""
    gold = reviewed_gold(dataset)
    if not gold:
        raise EvaluationError(f"dataset {dataset.name!r} has no reviewed gold yet: review some documents first")
    rows = []
    for n, (model, version) in enumerate(models):
        done = n * len(gold)
        result = evaluate_model(dataset, model, gold, progress and (lambda d: progress(done + d)))
        row = ModelEvaluation(dataset_id=dataset.id, model=model, version_id=version.id if version else None,
                              documents=result.documents, scores=result.to_dict())
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def versions(dataset: Dataset) -> list[ModelVersion]:
    """The dataset's trained versions, newest first."""
    return list(db.session.scalars(sa.select(ModelVersion).where(ModelVersion.dataset_id == dataset.id)
                                   .order_by(ModelVersion.number.desc())))


def quality(dataset: Dataset) -> list[tuple[str, ModelEvaluation, dict[str, Any]]]:
    """(name, evaluation row, its stored figures) of each pipeline's newest evaluation (no spaCy needed)."""
    return [(r.version.label if r.version else r.model, r, r.scores) for r in latest(dataset)]


def latest(dataset: Dataset) -> list[ModelEvaluation]:
    """The newest evaluation of each pipeline, built-in first, then versions in order."""
    newest = (sa.select(sa.func.max(ModelEvaluation.id)).where(ModelEvaluation.dataset_id == dataset.id)
              .group_by(ModelEvaluation.model))
    rows = db.session.scalars(sa.select(ModelEvaluation).where(ModelEvaluation.id.in_(newest)))
    return sorted(rows, key=lambda r: (r.version.number if r.version else 0, r.id))
