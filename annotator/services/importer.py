"""Importing documents: validate everything first, pre-annotate plain texts, then bulk-write it all."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..db import db
from ..models import STATUSES, Dataset, Document, User, content_hash, utcnow
from ..spans import DEFAULT_POLARITIES, Annotation, SpanError, TokenBounds, validate
from .bulk import SetKey, insert_documents, insert_items, insert_sets

Progress = Callable[[int], None]
Phase = Callable[[str, int], None]


class ImportFailed(ValueError):
    """A record that cannot be imported; names the file, line and field."""


@dataclass
class Record:
    """One document (or one annotation set of it) to import, with what the file said about it."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    tokens: list[tuple[int, int]] | None = None
    annotation: Annotation | None = None
    annotator_id: str | None = None
    answer: str | None = None
    source: str = "<input>"
    line: int = 0
    status: str | None = None
    checked: bool = False


@dataclass
class ImportResult:
    """What an import did."""

    imported: int = 0
    skipped: int = 0
    annotated: int = 0
    document_ids: list[int] = field(default_factory=list)


@dataclass
class _NewSet:
    kind: str
    user_id: int | None
    annotation: Annotation
    status: str
    answer: str | None
    where: str
    checked: bool = True


@dataclass
class _NewDoc:
    record: Record
    digest: str
    sets: dict[SetKey, _NewSet] = field(default_factory=dict)


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


def load_pipeline() -> Any:
    """The configured spaCy pipeline (spaCy is imported here, on first use); ImportFailed if missing."""
    from .. import nlp

    try:
        return nlp.load_pipeline(current_app.config["SPACY_MODEL"])
    except nlp.ModelNotInstalled as err:
        raise ImportFailed(str(err)) from None


def _where(record: Record) -> str:
    return f"{record.source}, line {record.line}" if record.line else record.source


class _Owners:
    """Decides whose annotation set each imported annotation becomes."""

    def __init__(self, target: str, annotator: User | None) -> None:
        self.target, self.annotator = target, annotator
        self.users: dict[str, int | None] = {}

    def key(self, record: Record) -> SetKey:
        """(kind, user id) of the set a record's annotation goes to."""
        if record.annotator_id == "model":
            return ("model", None)
        if self.target == "gold":
            return ("gold", None)
        if self.annotator is not None:
            return ("annotator", self.annotator.id)
        if record.annotator_id == "gold":
            return ("gold", None)
        name = record.annotator_id
        if name is None:
            raise ImportFailed(f"{_where(record)}, field _annotator_id: is missing; say whose "
                               "annotations these are: an annotator or gold (--annotator NAME or --as gold)")
        if name not in self.users:
            self.users[name] = db.session.scalar(sa.select(User.id).where(User.name == name))
        if self.users[name] is None:
            raise ImportFailed(f"{_where(record)}, field _annotator_id: no user named {name!r}; "
                               "create the user, or choose an annotator or gold (--annotator NAME or --as gold)")
        return ("annotator", self.users[name])


def _status(record: Record, kind: str) -> str:
    if record.status in STATUSES:
        return str(record.status)
    return "reviewed" if kind == "gold" else "submitted"


def _collect(dataset: Dataset, records: Iterable[Record], owners: _Owners, result: ImportResult,
             progress: Progress | None) -> list[_NewDoc]:
    """Group records by text, dropping texts the dataset already holds; check owners."""
    existing = set(db.session.scalars(sa.select(Document.content_hash).where(Document.dataset_id == dataset.id)))
    docs: dict[str, _NewDoc] = {}
    skipped: set[str] = set()
    for n, record in enumerate(records, 1):
        if progress and n % 100 == 0:
            progress(n)
        if not isinstance(record.text, str) or not record.text.strip():
            raise ImportFailed(f"{_where(record)}, field text: is missing or empty")
        digest = content_hash(record.text)
        if digest in existing:
            skipped.add(digest)
            continue
        doc = docs.get(digest)
        if doc is None:
            doc = docs[digest] = _NewDoc(record, digest)
        elif record.annotation is None:
            skipped.add(digest)
        if doc.record.tokens is None and record.tokens is not None:
            doc.record.tokens = record.tokens
        if record.annotation is not None:
            _add_set(doc, record, owners)
    result.skipped = len(skipped)
    return list(docs.values())


def _add_set(doc: _NewDoc, record: Record, owners: _Owners) -> None:
    key = owners.key(record)
    if key in doc.sets:
        raise ImportFailed(f"{_where(record)}: a second annotation set of this text for the same "
                           f"owner ({key[0]}); the first is at {doc.sets[key].where}")
    assert record.annotation is not None
    # The format layer checked it against the file's tokens; other tokens mean checking again.
    checked = record.checked and record.tokens == doc.record.tokens
    doc.sets[key] = _NewSet(key[0], key[1], record.annotation, _status(record, key[0]),
                            None if key[0] == "model" else (record.answer or "accept"), _where(record),
                            checked)


def _check(dataset: Dataset, docs: list[_NewDoc]) -> None:
    """Validate sets not yet checked against their text, tokens and the dataset's labels."""
    labels = dataset.entity_labels or None
    polarities = dataset.stance_polarities or None
    for doc in docs:
        for new in doc.sets.values():
            if new.checked:
                continue
            try:
                validate(new.annotation, doc.record.text, labels=labels, polarities=polarities,
                         bounds=TokenBounds.from_tokens(doc.record.tokens or []))
            except SpanError as err:
                raise ImportFailed(f"{new.where}, field {err}") from None


def import_records(dataset: Dataset, records: Iterable[Record], *, user: User | None = None,
                   target: str = "annotator", annotator: User | None = None, preannotate: bool = True,
                   progress: Progress | None = None, phase: Phase | None = None) -> ImportResult:
    """Import records into a dataset: all are validated before any is written; the caller commits.

    Annotated records keep their own tokens (or get the tokenizer's) and are never parsed; plain
    texts are pre-annotated by the pipeline unless ``preannotate`` is off. ``phase(name, total)``
    announces each stage and ``progress(done)`` reports within it.
    """
    with _gc_switched(on=False):  # see _gc_switched; on again once the records are freed
        return _import(dataset, records, target=target, annotator=annotator,
                       preannotate=preannotate, progress=progress, phase=phase)


def _import(dataset: Dataset, records: Iterable[Record], *, target: str, annotator: User | None,
            preannotate: bool, progress: Progress | None, phase: Phase | None) -> ImportResult:
    """import_records' stages."""
    result = ImportResult()
    if phase:
        phase("reading", 0)
    docs = _collect(dataset, records, _Owners(target, annotator), result, progress)
    pipeline = _tokenize(docs, preannotate)
    _check(dataset, docs)
    plain = [d for d in docs if not d.sets and preannotate]
    if plain:
        with _gc_switched(on=True):  # spaCy leaves cyclic garbage
            _preannotate(dataset, plain, pipeline, progress, phase)
    if phase:
        phase("writing", len(docs))
    _write(dataset, docs, result)
    return result


def _tokenize(docs: list[_NewDoc], preannotate: bool) -> Any:
    """Give tokenizer tokens to texts without any that will not be pre-annotated; the pipeline."""
    untokenized = [d for d in docs if d.record.tokens is None]
    if not untokenized:
        return None
    pipeline = load_pipeline()
    from .. import nlp

    for doc in untokenized:
        if doc.sets or not preannotate:
            doc.record.tokens = nlp.doc_tokens(pipeline.make_doc(doc.record.text))
    return pipeline


@contextmanager
def _gc_switched(*, on: bool) -> Iterator[None]:
    """Switch the cycle collector on or off for a block, then back to how it was.

    Off for an import: records pile up and none is garbage, yet its full passes re-scan every
    record read so far (0.2 s of 1.2 s for 1,000 annotated articles, benchmarks/bench_data.py)
    and, switched on while they live, it would still scan them once they are freed.
    Reference counting frees everything else as usual.
    """
    was_on = gc.isenabled()
    if on:
        gc.enable()
    else:
        gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
        else:
            gc.disable()


def _preannotate(dataset: Dataset, plain: list[_NewDoc], pipeline: Any, progress: Progress | None,
                 phase: Phase | None) -> None:
    """Run the pipeline over plain texts, giving each its tokens and a model set."""
    if phase:
        phase("pre-annotating", len(plain))
    from .. import nlp

    batches = nlp.preannotate(pipeline, [(d.record.text, d) for d in plain], labels=dataset.entity_labels,
                              label_map=dataset.label_map or None,
                              batch_size=int(current_app.config["SPACY_BATCH_SIZE"]),
                              n_process=int(current_app.config["SPACY_N_PROCESS"]),
                              cues_path=current_app.config["CUES_LEXICON"] or None,
                              stances_path=current_app.config["STANCE_LEXICON"] or None)
    for done, (pre, doc) in enumerate(batches, 1):
        doc.record.tokens = pre.tokens
        doc.sets[("model", None)] = _NewSet("model", None, pre.annotation, "submitted", None, "model")
        if progress:
            progress(done)


def _write(dataset: Dataset, docs: list[_NewDoc], result: ImportResult) -> None:
    """Bulk-insert documents, their sets and the sets' items; nothing is committed here."""
    now = utcnow()
    ids = insert_documents(dataset.id, [
        {"dataset_id": dataset.id, "text": d.record.text, "meta": d.record.meta or {},
         "content_hash": d.digest, "tokens": d.record.tokens or [], "created_at": now}
        for d in docs])
    set_rows = []
    for doc in docs:
        for new in doc.sets.values():
            set_rows.append({"document_id": ids[doc.digest], "kind": new.kind, "user_id": new.user_id,
                             "status": new.status, "answer": new.answer, "seeded": True, "version": 1,
                             "created_at": now, "updated_at": now,
                             "started_at": now, "submitted_at": now if new.status != "new" else None})
            result.annotated += new.kind != "model"
    set_ids = insert_sets(set_rows)
    insert_items((set_ids[(ids[doc.digest], key[0], key[1])], new.annotation)
                 for doc in docs for key, new in doc.sets.items())
    result.imported = len(docs)
    result.document_ids = [ids[d.digest] for d in docs]
