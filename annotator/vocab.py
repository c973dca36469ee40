"""The annotation vocabulary, defined once: statuses, set kinds, roles, answers, origins, quote kinds,
polarities, labels, quotation marks, and the statuses and kinds of background jobs. Everything else (models,
forms, the CLI, the browser through ``vocabulary_for_page``) takes its words from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where an annotation set is in its life."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


UNFINISHED: tuple[Status, ...] = (Status.NEW, Status.IN_PROGRESS)
FINISHED: tuple[Status, ...] = (Status.SUBMITTED, Status.REVIEWED)


class SetKind(StrEnum):
    """Whose version of a document an annotation set is."""

    MODEL = "model"
    ANNOTATOR = "annotator"
    GOLD = "gold"


class QueueOrder(StrEnum):
    """The order of an annotator's queue: as imported, or where the model is least sure first."""

    IMPORT = "import"
    UNCERTAINTY = "uncertainty"


class Role(StrEnum):
    """What an account may do; each role includes the ones before it."""

    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    ADMIN = "admin"


REVIEW_ROLES: tuple[Role, ...] = (Role.REVIEWER, Role.ADMIN)


class Answer(StrEnum):
    """A Prodigy-style answer of a whole task."""

    ACCEPT = "accept"
    REJECT = "reject"
    IGNORE = "ignore"


class ExportScope(StrEnum):
    """Which sets an export takes: reviewed gold, gold with drafts, finished work, or everything."""

    GOLD = "gold"
    GOLD_DRAFTS = "gold-drafts"
    SUBMITTED = "submitted"
    ALL = "all"


class JobStatus(StrEnum):
    """Where a background job is: waiting for a worker, running, or finished well or badly."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


UNFINISHED_JOBS: tuple[JobStatus, ...] = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED_JOBS: tuple[JobStatus, ...] = (JobStatus.DONE, JobStatus.FAILED)


class JobKind(StrEnum):
    """What a background job does: an upload's import, a web export, or one of the model jobs."""

    IMPORT = "import"
    EXPORT = "export"
    EVALUATE = "evaluate"
    TRAIN = "train"
    PREANNOTATE = "preannotate"


MODEL_JOBS: tuple[JobKind, ...] = (JobKind.EVALUATE, JobKind.TRAIN, JobKind.PREANNOTATE)


class Origin(StrEnum):
    """Who made an item: the pre-annotating model or a person."""

    MODEL = "model"
    HUMAN = "human"


class QuoteKind(StrEnum):
    """A quote's kind: the speaker's own words, reported speech, or both."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    MIXED = "mixed"


class Polarity(StrEnum):
    """The default stance polarities of a new dataset (a dataset may define its own)."""

    FAVOR = "favor"
    AGAINST = "against"
    NEUTRAL = "neutral"


DEFAULT_POLARITIES: tuple[str, ...] = tuple(Polarity)

# Every entity label the pre-annotation knows (OntoNotes names).
DEFAULT_LABELS: tuple[str, ...] = (
    "PERSON", "ORG", "GPE", "NORP", "LOC", "DATE", "EVENT", "FAC", "LAW", "PRODUCT",
)
# The labels a new dataset starts with unless the DEFAULT_LABELS setting says otherwise.
NEW_DATASET_LABELS: tuple[str, ...] = ("PERSON", "ORG", "GPE", "NORP", "LOC", "DATE", "EVENT")
PERSON_LABELS: frozenset[str] = frozenset({"PERSON"})
GROUP_LABELS: frozenset[str] = frozenset({"ORG", "GPE", "NORP"})
# Labels of entities that can speak or hold a stance, people and organisations first: the speaker
# labels a new dataset starts with (each dataset keeps its own, Dataset.speaker_labels).
SPEAKER_LABELS: tuple[str, ...] = ("PERSON", "ORG", "NORP", "GPE")


class QuoteMark(StrEnum):
    """Quotation marks of news text."""

    STRAIGHT_DOUBLE = '"'
    LEFT_DOUBLE = "\u201c"     # “
    RIGHT_DOUBLE = "\u201d"    # ”
    LOW_DOUBLE = "\u201e"      # „
    LEFT_GUILLEMET = "\u00ab"  # «
    RIGHT_GUILLEMET = "\u00bb"  # »
    STRAIGHT_SINGLE = "'"
    LEFT_SINGLE = "\u2018"     # ‘
    RIGHT_SINGLE = "\u2019"    # ’
    LOW_SINGLE = "\u201a"      # ‚
    LEFT_SINGLE_GUILLEMET = "\u2039"   # ‹
    RIGHT_SINGLE_GUILLEMET = "\u203a"  # ›


M = QuoteMark
# (opening, closing) pairs. Single marks double as apostrophes, so quote finding uses the double ones;
# deciding whether a selected passage sits between marks uses all of them.
DOUBLE_QUOTE_PAIRS: tuple[tuple[QuoteMark, QuoteMark], ...] = (
    (M.LEFT_DOUBLE, M.RIGHT_DOUBLE), (M.LOW_DOUBLE, M.LEFT_DOUBLE), (M.LEFT_GUILLEMET, M.RIGHT_GUILLEMET),
    (M.STRAIGHT_DOUBLE, M.STRAIGHT_DOUBLE),
)
SINGLE_QUOTE_PAIRS: tuple[tuple[QuoteMark, QuoteMark], ...] = (
    (M.LEFT_SINGLE, M.RIGHT_SINGLE), (M.LOW_SINGLE, M.LEFT_SINGLE),
    (M.LEFT_SINGLE_GUILLEMET, M.RIGHT_SINGLE_GUILLEMET), (M.STRAIGHT_SINGLE, M.STRAIGHT_SINGLE),
)
QUOTE_PAIRS = DOUBLE_QUOTE_PAIRS + SINGLE_QUOTE_PAIRS
OPENING_MARKS: str = "".join(dict.fromkeys(o for o, _ in QUOTE_PAIRS))
CLOSING_MARKS: str = "".join(dict.fromkeys(c for _, c in QUOTE_PAIRS))
DOUBLE_MARKS: frozenset[str] = frozenset(m for pair in DOUBLE_QUOTE_PAIRS for m in pair)
ALL_MARKS: frozenset[str] = frozenset(OPENING_MARKS + CLOSING_MARKS)
del M


def guess_quote_kind(text: str, start: int, end: int) -> QuoteKind:
    """Direct when the passage sits between an opening and a closing quotation mark, else indirect."""
    inside = start > 0 and text[start - 1] in OPENING_MARKS
    closed = end < len(text) and text[end] in CLOSING_MARKS
    return QuoteKind.DIRECT if inside and closed else QuoteKind.INDIRECT


def speaker_labels_for(labels: Sequence[str], speaker_labels: Sequence[str] = ()) -> list[str]:
    """A dataset's speaker labels (the default when it has none) that are still among its labels, in order."""
    chosen = list(speaker_labels) or list(SPEAKER_LABELS)
    return [x for x in chosen if not labels or x in labels] or list(labels)


def members(enum: type[StrEnum]) -> dict[str, str]:
    """An enum as JSON for the browser: member name to word (``{"REVIEWED": "reviewed", ...}``)."""
    return {member.name: member.value for member in enum}


def words_for_page() -> dict[str, Any]:
    """The fixed words every page's script may use (statuses, set kinds, answers, origins, job statuses),
    by member name."""
    return {"status": members(Status), "setKind": members(SetKind), "answer": members(Answer),
            "origin": members(Origin), "jobStatus": members(JobStatus)}


def vocabulary_for_page(labels: Sequence[str], polarities: Sequence[str],
                        speaker_labels: Sequence[str] = ()) -> dict[str, Any]:
    """The words a page's script may use, as JSON values: a dataset's labels, speaker labels and polarities."""
    return {
        "labels": list(labels),
        "speakerLabels": speaker_labels_for(labels, speaker_labels),
        "polarities": list(polarities),
        "quoteKinds": list(QuoteKind),
        "quoteMarks": {"opening": OPENING_MARKS, "closing": CLOSING_MARKS},
        "statuses": list(Status),
        **words_for_page(),
    }
