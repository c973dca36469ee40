"""The import's second pass: write documents, sets and items a batch at a time (nothing committed)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..db import db
from ..models import ITEM_MODELS, AnnotationSet, Dataset, content_hash, utcnow
from ..spans import Annotation, SpanError
from ..vocab import Answer, SetKind, Status
from .bulk import insert_documents, insert_items, insert_sets, update_tokens
from .import_check import (FullKey, ImportFailed, Owners, Plan, Record, Tokenizer, check_one, settle, status_of,
                           stored_tokens, where_of)
from .preannotation import check_output

if TYPE_CHECKING:
    from .importer import ImportResult

BATCH = 500
Preannotator = Callable[[list[str]], Iterator[tuple[list[tuple[int, int]], Annotation]]]


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, BATCH)):
        yield batch


class _Writer:
    """State of the second pass: the documents written so far, by text digest."""

    def __init__(self, dataset: Dataset, plan: Plan, owners: Owners, result: ImportResult, *,
                 preannotate: bool, tokenizer: Tokenizer, preannotator: Preannotator) -> None:
        self.dataset, self.plan, self.owners, self.result = dataset, plan, owners, result
        self.preannotate, self.tokenize, self.preannotator = preannotate, tokenizer, preannotator
        self.written: dict[str, int] = {}
        self.tokens: dict[int, list[tuple[int, int]]] = {}  # of this batch's new documents
        self.later: dict[int, Record] = {}  # new documents whose tokens are still to come (settle_all)
        self.now = utcnow()

    def batch(self, records: list[Record]) -> None:
        """Write one batch: its new documents (pre-annotated when plain), then its sets."""
        digests = [content_hash(r.text) for r in records]
        sets = self._documents(records, digests)
        for record, digest in zip(records, digests):
            if record.annotation is not None:
                self._set(record, digest, sets)
        self._insert_sets(sets)

    def _documents(self, records: list[Record], digests: list[str]) -> list[tuple[int, str, Any, Annotation]]:
        """Insert the batch's new documents; the model sets of plain texts pre-annotated here."""
        new: dict[str, Record] = {}
        for record, digest in zip(records, digests):
            if digest not in self.written and digest not in self.plan.existing and digest not in new:
                new[digest] = record
        plain = [d for d in new if d not in self.plan.annotated and self.preannotate]
        model: dict[str, Annotation] = {}
        for digest, (pre_tokens, annotation) in zip(plain, self.preannotator([new[d].text for d in plain])):
            self._check_model(new[digest], pre_tokens, annotation)
            new[digest].tokens, model[digest] = pre_tokens, annotation
        tokens = self._tokens(new)
        ids = insert_documents(self.dataset.id, [
            {"dataset_id": self.dataset.id, "text": r.text, "meta": r.meta or {}, "content_hash": d,
             "tokens": tokens.get(d, []), "created_at": self.now} for d, r in new.items()])
        self.written.update((d, ids[d]) for d in new)  # in file order
        self.tokens = {ids[d]: tokens[d] for d in tokens}
        self.later.update((ids[d], r) for d, r in new.items() if r.later is not None)
        return [(ids[d], "model", None, model[d]) for d in plain]

    def _check_model(self, record: Record, tokens: list[tuple[int, int]], annotation: Annotation) -> None:
        """The pre-annotation passes the one item check before it is written, or the import fails naming the record."""
        try:
            check_output(self.dataset, record.text, tokens, annotation)
        except SpanError as err:
            raise ImportFailed(f"{where_of(record)}, field {err.field or 'annotation'}: the pipeline's "
                               f"pre-annotation fails the item check: {err.message}") from None

    def _tokens(self, new: dict[str, Record]) -> dict[str, list[tuple[int, int]]]:
        """The new documents' tokens: the file's, the model's, or the tokenizer's (all submitted, then
        collected); none yet for texts the check left waiting for a deferred tokenizer (settle_all)."""
        known = {d: r.token_pairs() for d, r in new.items() if r.later is None}
        asked = {d: self.tokenize.submit(new[d].text) for d, pairs in known.items() if pairs is None}
        return {d: pairs if pairs is not None else asked[d]() for d, pairs in known.items()}

    def settle_all(self) -> None:
        """Check and store the tokens that were still to come (in file order); ImportFailed names the record."""
        if not self.later:
            return
        done = {doc_id: settle(record) for doc_id, record in self.later.items()}
        update_tokens(done)
        self.later = {}

    def _set(self, record: Record, digest: str, sets: list[tuple[int, str, Any, Annotation]]) -> None:
        """Plan one set of the file: new, replacing, or the same as the stored one (skipped)."""
        kind, user_id = self.owners.key(record)
        full: FullKey = (digest, kind, user_id)
        if full in self.plan.same:
            return
        assert record.annotation is not None
        doc_id = self.written.get(digest) or self.plan.existing[digest]
        given = record.token_pairs()
        if digest in self.written and given is not None:
            if doc_id in self.later:  # an earlier record of this text waits for its tokens
                self.tokens[doc_id] = settle(self.later.pop(doc_id))
                update_tokens({doc_id: self.tokens[doc_id]})
            tokens = self.tokens.get(doc_id) or stored_tokens(doc_id)
            if given != tokens:  # an earlier record of this text gave other tokens
                check_one(record, tokens, self.dataset)
        if full in self.plan.replace:
            self._replace(self.plan.replace[full], record, kind)
        else:
            sets.append((doc_id, kind, user_id, record))  # type: ignore[arg-type]
            self.result.added += digest in self.plan.existing
        self.result.annotated += kind != SetKind.MODEL

    def _replace(self, set_id: int, record: Record, kind: str) -> None:
        """Replace a stored set's items and status with the file's (same set id, next version)."""
        for model in ITEM_MODELS.values():
            db.session.execute(sa.delete(model).where(model.set_id == set_id))
        status = status_of(record, kind)
        db.session.execute(sa.update(AnnotationSet).where(AnnotationSet.id == set_id).values(
            status=status, answer=record.answer or Answer.ACCEPT, updated_at=self.now,
            version=AnnotationSet.version + 1, submitted_at=self.now if status != Status.NEW else None))
        assert record.annotation is not None
        insert_items([(set_id, record.annotation)])
        self.result.replaced += 1

    def _insert_sets(self, sets: list[tuple[int, str, Any, Any]]) -> None:
        """Insert new sets (model sets carry an Annotation, the file's a Record) and their items."""
        rows = []
        for doc_id, kind, user_id, source in sets:
            given = isinstance(source, Record)
            status = status_of(source, kind) if given else Status.SUBMITTED
            answer = None if kind == SetKind.MODEL else (source.answer or Answer.ACCEPT)
            rows.append({"document_id": doc_id, "kind": kind, "user_id": user_id, "status": status,
                         "answer": answer, "seeded": True, "version": 1, "created_at": self.now,
                         "updated_at": self.now, "started_at": self.now,
                         "submitted_at": self.now if status != Status.NEW else None})
        ids = insert_sets(rows) if rows else {}
        insert_items((ids[(doc_id, kind, user_id)], _annotation(source)) for doc_id, kind, user_id, source in sets)


def _annotation(source: Record | Annotation) -> Annotation:
    """A new set's items: the file's record's, or the model's annotation."""
    if isinstance(source, Record):
        assert source.annotation is not None
        return source.annotation
    return source


def write_records(dataset: Dataset, records: Iterable[Record], plan: Plan, owners: Owners,
                  result: ImportResult, *, preannotate: bool, tokenizer: Tokenizer,
                  preannotator: Preannotator, progress: Callable[[int], None] | None) -> None:
    """Second pass: write every record a batch at a time; the caller commits or rolls back."""
    writer = _Writer(dataset, plan, owners, result, preannotate=preannotate, tokenizer=tokenizer,
                     preannotator=preannotator)
    done = 0
    for batch in _batches(records):
        writer.batch(batch)
        done += len(batch)
        if progress:
            progress(done)
    writer.settle_all()
    result.imported = len(writer.written)
    result.document_ids = list(writer.written.values())
    result.skipped = plan.skipped
