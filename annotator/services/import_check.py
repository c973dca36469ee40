"""The import's first pass: check every record, holding only a few facts per text (flat memory)."""

from __future__ import annotations

from array import array
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol

import sqlalchemy as sa

from ..db import db
from ..errors import InvalidInput
from ..models import AnnotationSet, Dataset, Document, User, annotation_of, content_hash
from ..checks import check_aligned
from ..checks import validate
from ..spans import Annotation, SpanError
from ..tokens import DocTokens
from .bulk import SetKey
from ..vocab import SetKind, Status

Pairs = list[tuple[int, int]]


class Tokenizer(Protocol):
    """Token offsets of texts: ``submit`` gives a function returning a text's offsets.

    ``deferred``: the offsets arrive later (a helper process tokenises while the import reads and
    writes); the token-boundary check of such texts runs when they arrive (``settle``), before the
    caller commits.
    """

    deferred: bool

    def submit(self, text: str) -> Callable[[], Pairs]:
        """Queue a text; the function gives its offsets (ImportFailed when the pipeline is missing)."""
SETTLE_EVERY = 1000
"""Records not kept for the write pass wait at most this many at a time for their tokens."""
FullKey = tuple[str, str, "int | None"]
"""A set of the file: (text digest, kind, user id)."""


class ImportFailed(InvalidInput):
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
    validated: bool = False
    """``checked``: the annotation passed the whole item check; ``validated``: all of it but token boundaries."""
    warnings: list[str] = field(default_factory=list)
    packed: array[int] | None = field(default=None, repr=False)
    later: Callable[[], Pairs] | None = field(default=None, repr=False)
    """The tokenizer's offsets still to come (a deferred tokenizer), with the token-boundary check."""

    def pack(self) -> None:
        """Hold the tokens as one flat array (8 bytes a token instead of a tuple each) while kept."""
        if self.tokens is not None:
            self.packed, self.tokens = array("q", chain.from_iterable(self.tokens)), None

    def token_pairs(self) -> list[tuple[int, int]] | None:
        """The tokens, packed or not."""
        if self.tokens is None and self.packed is not None:
            self.tokens, self.packed = list(zip(self.packed[0::2], self.packed[1::2])), None
        return self.tokens


@dataclass
class Plan:
    """What the check found: which texts are new, which sets to skip or replace, the warnings."""

    existing: dict[str, int]
    records: int = 0
    annotated: set[str] = field(default_factory=set)
    same: set[FullKey] = field(default_factory=set)
    replace: dict[FullKey, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    plain: int = 0
    kept: list[Record] | None = None


def where_of(record: Record) -> str:
    """File and line of a record, for messages."""
    return f"{record.source}, line {record.line}" if record.line else record.source


def status_of(record: Record, kind: str) -> str:
    """The status a set gets: the file's, else reviewed for gold and submitted for others."""
    if record.status in tuple(Status):
        return str(record.status)
    return Status.REVIEWED if kind == SetKind.GOLD else Status.SUBMITTED


class Owners:
    """Decides whose annotation set each imported annotation becomes."""

    def __init__(self, target: str, annotator: User | None) -> None:
        self.target, self.annotator = target, annotator
        self.users: dict[str, int | None] = {}

    def key(self, record: Record) -> SetKey:
        """(kind, user id) of the set a record's annotation goes to."""
        if record.annotator_id == SetKind.MODEL:
            return ("model", None)
        if self.target == SetKind.GOLD:
            return (SetKind.GOLD, None)
        if self.annotator is not None:
            return (SetKind.ANNOTATOR, self.annotator.id)
        if record.annotator_id == SetKind.GOLD:
            return (SetKind.GOLD, None)
        name = record.annotator_id
        if name is None:
            raise ImportFailed(f"{where_of(record)}, field _annotator_id: is missing; say whose "
                               "annotations these are: an annotator or gold (--annotator NAME or --as gold)")
        if name not in self.users:
            self.users[name] = db.session.scalar(sa.select(User.id).where(User.name == name))
        if self.users[name] is None:
            raise ImportFailed(f"{where_of(record)}, field _annotator_id: no user named {name!r}; "
                               "create the user, or choose an annotator or gold (--annotator NAME or --as gold)")
        return (SetKind.ANNOTATOR, self.users[name])

    def name(self, key: SetKey) -> str:
        """How a message names a set's owner."""
        if key[0] != SetKind.ANNOTATOR:
            return f"a {key[0]} set"
        return f"a set by {db.session.scalar(sa.select(User.name).where(User.id == key[1]))!r}"


def check_one(record: Record, tokens: list[tuple[int, int]] | None, dataset: Dataset) -> None:
    """The one item check (checks.validate) against the text's tokens and the dataset's vocabulary;
    only the token boundaries when the reader checked the rest (``record.validated``); all but
    the token boundaries when the tokens are still to come (None: ``settle`` checks them)."""
    assert record.annotation is not None
    try:
        if record.validated:
            if tokens is not None:
                check_aligned(record.annotation, record.text, DocTokens(record.text, tokens))
            return
        validate(record.annotation, record.text, labels=dataset.entity_labels or None,
                 polarities=dataset.stance_polarities or None,
                 bounds=None if tokens is None else DocTokens(record.text, tokens))
    except SpanError as err:
        raise ImportFailed(f"{where_of(record)}, field {err}") from None


def settle(record: Record) -> Pairs:
    """A record's offsets from a deferred tokenizer, checked (token boundaries only: check_one ran without them)."""
    assert record.later is not None and record.annotation is not None
    tokens, record.later = record.later(), None
    try:
        check_aligned(record.annotation, record.text, DocTokens(record.text, tokens))
    except SpanError as err:
        raise ImportFailed(f"{where_of(record)}, field {err}") from None
    return tokens


def stored_tokens(document_id: int) -> list[tuple[int, int]]:
    """A stored document's tokens as pairs."""
    raw = db.session.scalar(sa.select(Document.tokens).where(Document.id == document_id)) or []
    return [(int(s), int(e)) for s, e in raw]


def _estimate(record: Record) -> int:
    """Rough bytes a kept record holds (text, token pairs, items)."""
    items = 0 if record.annotation is None else (
        len(record.annotation.entities) + len(record.annotation.quotes) + len(record.annotation.stances))
    return 2 * len(record.text) + 4 * len(record.packed or ()) + 400 * items + 500


class _Checker:
    """State of the first pass."""

    def __init__(self, dataset: Dataset, owners: Owners, *, replace_sets: bool, tokenizer: Tokenizer) -> None:
        self.dataset, self.owners, self.replace_sets, self.tokenize = dataset, owners, replace_sets, tokenizer
        self.plan = Plan(existing=dict(db.session.execute(
            sa.select(Document.content_hash, Document.id).where(Document.dataset_id == dataset.id)).all()))
        self.seen: dict[FullKey, str] = {}
        self.texts: set[str] = set()
        self.pending: list[Record] = []  # tokens still to come from a deferred tokenizer, in file order
        self.changed: set[str] = set()
        self._doc: tuple[int, list[tuple[int, int]], dict[SetKey, int]] | None = None

    def record(self, record: Record) -> None:
        """Check one record."""
        if not isinstance(record.text, str) or not record.text.strip():
            raise ImportFailed(f"{where_of(record)}, field text: is missing or empty")
        digest = content_hash(record.text)
        self.plan.warnings.extend(f"{where_of(record)}: {w}" for w in record.warnings)
        if record.annotation is None:
            self.plan.skipped += digest in self.texts or digest in self.plan.existing
        else:
            self._set(record, digest)
        self.texts.add(digest)

    def _set(self, record: Record, digest: str) -> None:
        """Check a record's annotation set: owner, one per owner, the item check."""
        key = self.owners.key(record)
        full = (digest, *key)
        if full in self.seen:
            raise ImportFailed(f"{where_of(record)}: a second annotation set of this text for the same "
                               f"owner ({key[0]}); the first is at {self.seen[full]}")
        self.seen[full] = where_of(record)
        self.plan.annotated.add(digest)
        doc_id = self.plan.existing.get(digest)
        if doc_id is None:
            if record.tokens is None:
                later, record.checked = self.tokenize.submit(record.text), False
                if self.tokenize.deferred:  # all but the token boundaries now; those when the tokens come
                    check_one(record, None, self.dataset)
                    record.later = later
                    self.pending.append(record)
                    return
                record.tokens = later()
            if not record.checked:
                check_one(record, record.tokens, self.dataset)
            return
        self._on_existing(record, doc_id, key, full)

    def _on_existing(self, record: Record, doc_id: int, key: SetKey, full: FullKey) -> None:
        """A set for a document already in the dataset: checked against its tokens; new, same or replaced."""
        tokens, sets = self._stored(doc_id)
        if not record.checked or record.tokens != tokens:
            check_one(record, tokens, self.dataset)
        record.tokens = None  # the document keeps its own
        set_id = sets.get(key)
        if set_id is None:
            self.changed.add(full[0])
        elif _same(annotation_of(set_id), record.annotation):
            self.plan.same.add(full)
        elif self.replace_sets:
            self.plan.replace[full] = set_id
            self.changed.add(full[0])
        else:
            raise ImportFailed(f"{where_of(record)}: document {doc_id} already has {self.owners.name(key)}, "
                               "which differs from this one; nothing was changed. To replace such sets, "
                               "import again with --replace-sets (on the web: 'replace existing sets')")

    def _stored(self, doc_id: int) -> tuple[list[tuple[int, int]], dict[SetKey, int]]:
        """A stored document's tokens and sets, cached for consecutive records of one text."""
        if self._doc is None or self._doc[0] != doc_id:
            sets = {(kind, user): id_ for id_, kind, user in db.session.execute(
                sa.select(AnnotationSet.id, AnnotationSet.kind, AnnotationSet.user_id)
                .where(AnnotationSet.document_id == doc_id))}
            self._doc = (doc_id, stored_tokens(doc_id), sets)
        return self._doc[1], self._doc[2]

    def settle_all(self) -> None:
        """Check every record whose tokens are still to come (in file order), dropping the tokens."""
        pending, self.pending = self.pending, []
        for record in pending:
            settle(record)

    def finish(self) -> Plan:
        """The plan, with texts already there that gain nothing counted as skipped."""
        touched = {digest for digest, *_ in self.seen if digest in self.plan.existing}
        self.plan.skipped += len(touched - self.changed)
        self.plan.plain = len(self.texts - self.plan.annotated - self.plan.existing.keys())
        return self.plan


def _same(stored: Annotation, given: Annotation | None) -> bool:
    """Whether two annotations hold the same items, whatever their order."""
    if given is None:
        return False
    return all(sorted(map(_item_key, getattr(stored, layer))) == sorted(map(_item_key, getattr(given, layer)))
               for layer in ("entities", "quotes", "stances"))


def _item_key(item: Any) -> str:
    """An item's values as text (vocabulary members and plain strings alike)."""
    return json.dumps(item.to_dict(), sort_keys=True)


def check_records(dataset: Dataset, records: Iterable[Record], owners: Owners, *, replace_sets: bool,
                  preannotate: bool, keep_bytes: int | None, progress: Callable[[int], None] | None,
                  tokenizer: Tokenizer) -> Plan:
    """First pass: check every record; keep them (plan.kept) while they fit in ``keep_bytes`` (None: all)."""
    checker = _Checker(dataset, owners, replace_sets=replace_sets, tokenizer=tokenizer)
    try:
        return _check_all(checker, records, keep_bytes, progress)
    except ImportFailed:
        checker.settle_all()  # an earlier record's tokens may break the rules first
        raise


def _check_all(checker: _Checker, records: Iterable[Record], keep_bytes: int | None,
               progress: Callable[[int], None] | None) -> Plan:
    """check_records' loop."""
    kept: list[Record] | None = [] if keep_bytes != 0 else None
    size = 0
    for n, record in enumerate(records, 1):
        checker.record(record)
        if kept is not None:
            record.pack()
            kept.append(record)
            size += _estimate(record) if keep_bytes is not None else 0
            if keep_bytes is not None and size > keep_bytes:
                kept = None  # too many to hold: the write pass reads them again
        if kept is None and len(checker.pending) >= SETTLE_EVERY:
            checker.settle_all()
        if progress and n % 100 == 0:
            progress(n)
        checker.plan.records = n
    if kept is None:
        checker.settle_all()
    checker.plan.kept = kept
    return checker.finish()
