"""Importing documents: validate everything first, pre-annotate, then write all of it or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .. import nlp
from ..db import db
from ..models import AnnotationSet, Dataset, Document, User, content_hash, utcnow
from ..spans import DEFAULT_POLARITIES, Annotation, SpanError, TokenBounds, validate
from .annotations import insert_annotation


class ImportFailed(ValueError):
    """A record that cannot be imported; names the file, line and field."""


@dataclass
class Record:
    """One document to import, with what the file said about it."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    tokens: list[tuple[int, int]] | None = None
    annotation: Annotation | None = None
    annotator_id: str | None = None
    answer: str | None = None
    source: str = "<input>"
    line: int = 0


@dataclass
class ImportResult:
    """What an import did."""

    imported: int = 0
    skipped: int = 0
    annotated: int = 0
    document_ids: list[int] = field(default_factory=list)


def get_or_create_dataset(name: str, *, labels: Sequence[str] | None = None) -> Dataset:
    """The dataset of that name, created with the configured default labels when missing."""
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.name == name))
    if dataset is None:
        dataset = Dataset(name=name, entity_labels=list(labels or current_app.config["DEFAULT_LABELS"]),
                          stance_polarities=list(DEFAULT_POLARITIES),
                          label_map=dict(current_app.config["LABEL_MAP"]))
        db.session.add(dataset)
        db.session.flush()
    return dataset


def _where(record: Record) -> str:
    return f"{record.source}, line {record.line}" if record.line else record.source


def _new_records(dataset: Dataset, records: Iterable[Record], result: ImportResult) -> list[tuple[Record, str]]:
    """Drop records whose text the dataset (or this import) already holds; count them."""
    existing = set(db.session.scalars(sa.select(Document.content_hash).where(Document.dataset_id == dataset.id)))
    fresh: list[tuple[Record, str]] = []
    for record in records:
        if not isinstance(record.text, str) or not record.text.strip():
            raise ImportFailed(f"{_where(record)}, field text: is missing or empty")
        digest = content_hash(record.text)
        if digest in existing:
            result.skipped += 1
            continue
        existing.add(digest)
        fresh.append((record, digest))
    return fresh


def _tokenize_missing(fresh: list[tuple[Record, str]], pipeline: Any) -> None:
    """Give annotated records without tokens spaCy's tokens (tokenizer only: fast)."""
    for record, _ in fresh:
        if record.tokens is None and record.annotation is not None:
            record.tokens = nlp.doc_tokens(pipeline.make_doc(record.text))


def _check_annotations(dataset: Dataset, fresh: list[tuple[Record, str]]) -> None:
    """Validate every imported annotation against its text, tokens and the dataset's labels."""
    for record, _ in fresh:
        if record.annotation is None:
            continue
        bounds = TokenBounds.from_tokens(record.tokens or [])
        try:
            validate(record.annotation, record.text, labels=dataset.entity_labels or None,
                     polarities=dataset.stance_polarities or None, bounds=bounds)
        except SpanError as err:
            raise ImportFailed(f"{_where(record)}, field {err}") from None


def import_records(dataset: Dataset, records: Iterable[Record], *, user: User | None = None,
                   target: str = "annotator", annotator: User | None = None, preannotate: bool = True,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import records into a dataset: all are validated before any is written; the caller commits."""
    result = ImportResult()
    fresh = _new_records(dataset, records, result)
    pipeline = nlp.load_pipeline(current_app.config["SPACY_MODEL"])
    _tokenize_missing(fresh, pipeline)
    _check_annotations(dataset, fresh)
    plain = [(record.text, i) for i, (record, _) in enumerate(fresh) if record.tokens is None or preannotate]
    model_items: dict[int, Annotation] = {}
    if plain:
        batches = nlp.preannotate(pipeline, plain, labels=dataset.entity_labels,
                                  label_map=dataset.label_map or None,
                                  batch_size=int(current_app.config["SPACY_BATCH_SIZE"]),
                                  n_process=int(current_app.config["SPACY_N_PROCESS"]))
        for done, (pre, i) in enumerate(batches, 1):
            record = fresh[i][0]
            if record.tokens is None:
                record.tokens = pre.tokens
            model_items[i] = pre.annotation
            if progress:
                progress(done)
    _write(dataset, fresh, model_items, result, target=target, annotator=annotator)
    return result


def _write(dataset: Dataset, fresh: list[tuple[Record, str]], model_items: dict[int, Annotation],
           result: ImportResult, *, target: str, annotator: User | None) -> None:
    """Insert documents and their sets; nothing is committed here."""
    now = utcnow()
    for i, (record, digest) in enumerate(fresh):
        doc = Document(dataset_id=dataset.id, text=record.text, meta=record.meta or {},
                       content_hash=digest, tokens=[list(t) for t in record.tokens or []], created_at=now)
        db.session.add(doc)
        db.session.flush()
        result.document_ids.append(doc.id)
        result.imported += 1
        model = record.annotation if record.annotator_id == "model" else model_items.get(i)
        if model is not None:
            _add_set(doc.id, "model", None, model, status="submitted", answer=None)
        if record.annotation is not None and record.annotator_id != "model":
            kind = "gold" if target == "gold" else "annotator"
            _add_set(doc.id, kind, annotator.id if kind == "annotator" and annotator else None,
                     record.annotation, status="submitted" if kind == "annotator" else "reviewed",
                     answer=record.answer or "accept")
            result.annotated += 1


def _add_set(document_id: int, kind: str, user_id: int | None, annotation: Annotation, *,
             status: str, answer: str | None) -> None:
    aset = AnnotationSet(document_id=document_id, kind=kind, user_id=user_id, status=status,
                         answer=answer, seeded=True, submitted_at=utcnow() if status != "new" else None)
    db.session.add(aset)
    db.session.flush()
    insert_annotation(aset.id, annotation)
