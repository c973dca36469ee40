"""Importing documents, all or nothing with flat memory: check every record, then write in batches.

The first pass reads the records and checks each (format, owner, labels, token boundaries, sets
that already exist) holding only a few facts per text; nothing is written if any record is bad.
The second pass reads them again (or reuses them when they were small enough to keep) and writes
documents, sets and items a batch at a time, pre-annotating plain texts on the way, inside the
caller's transaction: the caller commits, or rolls back on an error.

Annotations for a text the dataset already holds become sets on that document. A set the
document already has for the same owner is refused (naming the line) unless ``replace_sets``;
an identical one is left as it is. Format warnings come back in ``ImportResult.warnings``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..db import db
from ..models import Dataset, User
from ..spans import Annotation
from ..vocab import DEFAULT_POLARITIES, SetKind
from .import_check import ImportFailed, Owners, Plan, Record, check_records, where_of
from .import_write import write_records
from .preannotation import ChunkFailed, current as current_preannotator, preannotate as preannotate_texts

if TYPE_CHECKING:
    from ..preannotator import Preannotator
    from ..token_pool import TokenPool

__all__ = ["ImportFailed", "ImportResult", "Record", "get_or_create_dataset", "import_records"]

Progress = Callable[[int], None]
Phase = Callable[[str, int], None]
Records = Iterable[Record] | Callable[[], Iterable[Record]]
KEEP_BYTES = 64 * 1024 * 1024
"""Records estimated below this, all told, are kept from the check for the write (no second read)."""


@dataclass
class ImportResult:
    """What an import did."""

    imported: int = 0
    skipped: int = 0
    annotated: int = 0
    added: int = 0
    replaced: int = 0
    document_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for the user."""
        parts = [f"Imported {self.imported} document(s) ({self.annotated} annotation set(s) from the file)"]
        if self.added:
            parts.append(f"added {self.added} set(s) to documents already there")
        if self.replaced:
            parts.append(f"replaced {self.replaced} set(s)")
        parts.append(f"skipped {self.skipped} already there")
        warned = f" {len(self.warnings)} warning(s)." if self.warnings else ""
        return "; ".join(parts) + "." + warned


def get_or_create_dataset(name: str, *, labels: Sequence[str] | None = None,
                          preannotator: Preannotator | None = None) -> Dataset:
    """The dataset of that name, created with the configured default labels (and label map) when missing."""
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.name == name))
    if dataset is None:
        pre = preannotator or current_preannotator()
        dataset = Dataset(name=name, entity_labels=list(labels or pre.new_labels),
                          stance_polarities=list(DEFAULT_POLARITIES), label_map=dict(pre.label_map))
        db.session.add(dataset)
        db.session.flush()
    return dataset


def import_records(dataset: Dataset, records: Records, *, user: User | None = None,
                   target: str = SetKind.ANNOTATOR, annotator: User | None = None, preannotate: bool = True,
                   replace_sets: bool = False, progress: Progress | None = None,
                   phase: Phase | None = None, preannotator: Preannotator | None = None,
                   token_pool: TokenPool | None = None) -> ImportResult:
    """Import records into a dataset: all are checked before any is written; the caller commits.

    ``records`` is a list, or a function giving the records afresh (read twice, in constant
    memory); a one-off iterator is kept in memory. Annotated records keep their own tokens (or
    get the tokenizer's) and are never parsed; plain texts are pre-annotated unless
    ``preannotate`` is off. ``phase(name, total)`` announces each stage, ``progress(done)``
    reports within it. ``preannotator`` defaults to the app's. With a ``token_pool`` (started early,
    e.g. by the command line) texts are tokenised in its helper process while the import reads and
    writes; their token boundaries are checked before this returns, so the caller's commit or
    rollback still covers everything.
    """
    pre = preannotator or current_preannotator()
    with _gc_switched(on=False):  # see _gc_switched
        result = ImportResult()
        owners, tokenizer = Owners(target, annotator), _Tokenizer(pre, token_pool)
        keep = KEEP_BYTES if callable(records) else 0 if isinstance(records, (list, tuple)) else None
        if phase:
            phase("checking", 0)
        if keep is None:
            records = iter(records)  # type: ignore[arg-type]  # a one-off iterable, read once
        plan = check_records(dataset, _open(records), owners, replace_sets=replace_sets, preannotate=preannotate,
                             keep_bytes=keep, progress=progress, tokenizer=tokenizer)
        result.warnings = plan.warnings
        again = plan.kept if plan.kept is not None else _open(records)
        if phase:  # plain texts are pre-annotated as they are written, a batch at a time
            phase("pre-annotating and writing" if plan.plain and preannotate else "writing", plan.records)
        write_records(dataset, again, plan, owners, result, preannotate=preannotate,
                      tokenizer=tokenizer, preannotator=_preannotator(dataset, pre), progress=progress)
        return result


def _open(records: Records) -> Iterable[Record]:
    """The records to read once more."""
    return records() if callable(records) else records


def token_pool_model(preannotator: Preannotator | None = None) -> str:
    """The pipeline whose tokenizer an import uses (what a TokenPool for import_records must load)."""
    return (preannotator or current_preannotator()).model


class _Tokenizer:
    """Token offsets of texts from the configured pipeline's tokenizer alone (import_check.Tokenizer):
    in this process, loaded on first use, or from a TokenPool's helper process (deferred)."""

    def __init__(self, preannotator: Preannotator, pool: TokenPool | None) -> None:
        self.preannotator, self.pool, self.deferred = preannotator, pool, pool is not None

    def submit(self, text: str) -> Callable[[], list[tuple[int, int]]]:
        """The tokens of one text, now or from the pool; ImportFailed when the pipeline is not installed."""
        if self.pool is not None:
            later = self.pool.submit(text)
            return lambda: _installed(later)
        tokens = _installed(lambda: self.preannotator.tokens(text))
        return lambda: tokens


def _installed(tokens: Callable[[], list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Call the tokenizer; ImportFailed when its pipeline is not installed."""
    try:
        return tokens()
    except Exception as err:
        from ..nlp import ModelNotInstalled  # spaCy where used: only once something went wrong

        if isinstance(err, ModelNotInstalled):
            raise ImportFailed(str(err)) from None
        raise


def _preannotator(dataset: Dataset, preannotator: Preannotator) -> Callable[[list[str]], Iterator[tuple[list[tuple[int, int]], Annotation]]]:
    """A function running the dataset's pipeline over texts (services.preannotation, in chunks on
    the job queue when there are many): each one's tokens and model annotation."""
    seen = 0

    def run(texts: list[str]) -> Iterator[tuple[list[tuple[int, int]], Annotation]]:
        from .. import nlp

        nonlocal seen
        first, seen = seen, seen + len(texts)
        with _gc_switched(on=True):  # spaCy leaves cyclic garbage
            try:
                for pre, _ in preannotate_texts(dataset, [(t, None) for t in texts], first=first,
                                                    preannotator=preannotator):
                    yield pre.tokens, pre.annotation
            except (ChunkFailed, nlp.ModelNotInstalled) as err:
                raise ImportFailed(str(err)) from None

    return run


@contextmanager
def _gc_switched(*, on: bool) -> Iterator[None]:
    """Switch the cycle collector on or off for a block, then back to how it was.

    Off for an import: records are not cyclic garbage, yet its full passes would re-scan every
    live record (0.2 s of 1.2 s for 1,000 annotated articles, benchmarks/bench_data.py).
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


__all__ += ["Plan", "where_of"]
