"""Agreement figures for the dashboard and the JSON API, read from stored sums.

Per-document counts are computed and stored by ``agreement_store`` whenever finished work
changes, and the dataset totals move by the same difference; here the totals (a few rows per
annotator pair) are read, turned into the pure module's ``Agreement`` and given the annotators'
names: no item is loaded and nothing grows with the number of documents. Time per document is the
annotator's own active time, recorded server-side by ``record_activity`` on every save.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timezone
from typing import Any

import sqlalchemy as sa

from ..agreement import Agreement, Counts, PairScores, Ratio
from ..db import db
from ..models import AnnotationSet, Dataset, Document, User, utcnow
from ..models_agreement import (
    COUNT_COLUMNS, LABEL_COLUMNS, AgreementDocument, AgreementLabelTotal, AgreementSetTotal, AgreementTotal,
    AgreementValueTotal,
)
from ..models_agreement import SCOPES as SCOPES
from ..vocab import SetKind
from .agreement_store import figures_of, load_versions

IDLE_CAP_MS = 5 * 60 * 1000
"""A gap between two of an annotator's saves counts as active time up to five minutes."""


def record_activity(aset: AnnotationSet, user: Any) -> None:
    """Add the time since the owner's last save on this set (capped) to its active time.

    Written with a plain UPDATE so that the set's version (the editor's conflict check) stays as is.
    """
    if aset.kind != SetKind.ANNOTATOR or user is None or aset.user_id != getattr(user, "id", None):
        return
    now = utcnow()
    last = aset.last_active_at
    gap = 0
    if last is not None:
        last = last if last.tzinfo else last.replace(tzinfo=timezone.utc)
        gap = max(0, min(int((now - last).total_seconds() * 1000), IDLE_CAP_MS))
    table = AnnotationSet.__table__
    db.session.execute(sa.update(table).where(table.c.id == aset.id).values(
        active_ms=table.c.active_ms + gap, last_active_at=now))


def document_figures(document: Document, *, scope: str = "all") -> Agreement:
    """One document's agreement among finished annotators, against the model and reviewed gold, by name."""
    found = load_versions([document.id], db.session)
    if not found or found[0].rejected or not found[0].annotators:
        return Agreement()
    return _named(figures_of(found[0], scope))


def _named(agreement: Agreement) -> Agreement:
    """The same figures with user ids replaced by names."""
    names = _user_names(agreement.annotators)
    return Agreement(
        tuple(names[a] for a in agreement.annotators),
        {(names[a], names[b]): s for (a, b), s in agreement.pairs.items()},
        agreement.coincidences, agreement.units,
        {names[a]: s for a, s in agreement.baseline.items()}, {names[a]: s for a, s in agreement.gold.items()},
        agreement.documents)


def _user_names(ids: Any) -> dict[str, str]:
    wanted = {int(i) for i in ids if str(i).isdigit()}
    found = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted))).all()) if wanted else {}
    return {str(i): found.get(int(i), f"user {i}") for i in ids}


@dataclass(frozen=True)
class Coverage:
    """Which documents the dataset's figures rest on."""

    documents: int
    compared: int
    with_gold: int
    rejected: int


def coverage(dataset: Dataset) -> Coverage:
    """Documents with finished work, with two or more finished annotators, with reviewed gold, rejected."""
    d = AgreementDocument
    counted = sa.and_(d.annotators >= 1, sa.not_(d.rejected))
    row = db.session.execute(sa.select(
        sa.func.sum(sa.case((counted, 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(counted, d.annotators >= 2), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(counted, d.has_gold), 1), else_=0)),
        sa.func.sum(sa.case((d.rejected, 1), else_=0)))
        .where(d.dataset_id == dataset.id)).one()
    return Coverage(*(int(v or 0) for v in row))


def _pair_scores(sums: Any, labels: dict[str, tuple[Counts, Counts]] | None) -> PairScores:
    """PairScores from one row of summed counts (entity totals under "*" when not split by label)."""
    v = dict(zip(COUNT_COLUMNS, (int(x or 0) for x in sums)))
    exact = {label: c[0] for label, c in labels.items()} if labels is not None else {
        "*": Counts(v["ent_tp"], v["ent_fp"], v["ent_fn"])}
    overlap = {label: c[1] for label, c in labels.items()} if labels is not None else {
        "*": Counts(v["ovl_tp"], v["ovl_fp"], v["ovl_fn"])}
    return PairScores(exact, overlap, Counts(v["quo_tp"], v["quo_fp"], v["quo_fn"]),
                      Ratio(v["spk_agree"], v["spk_total"]), Ratio(v["kind_agree"], v["kind_total"]),
                      Ratio(v["cue_agree"], v["cue_total"]), Counts(v["sta_tp"], v["sta_fp"], v["sta_fn"]))


def _label_sums(dataset: Dataset, scope: str) -> dict[tuple[str, str], dict[str, tuple[Counts, Counts]]]:
    t = AgreementLabelTotal
    sums = [getattr(t, c) for c in LABEL_COLUMNS]
    found: dict[tuple[str, str], dict[str, tuple[Counts, Counts]]] = defaultdict(dict)
    for a, b, label, *n in db.session.execute(sa.select(t.a, t.b, t.label, *sums).where(
            t.dataset_id == dataset.id, t.scope == scope).order_by(t.a, t.b, t.label)):
        n = [int(x or 0) for x in n]
        found[a, b][label] = (Counts(*n[:3]), Counts(*n[3:]))
    return found


def _value_sums(dataset: Dataset, scope: str) -> dict[tuple[str, str, str], dict[tuple[Any, Any], float]]:
    t = AgreementValueTotal
    found: dict[tuple[str, str, str], dict[tuple[Any, Any], float]] = defaultdict(dict)
    for kind, a, b, va, vb, weight in db.session.execute(
            sa.select(t.kind, t.a, t.b, t.value_a, t.value_b, t.weight)
            .where(t.dataset_id == dataset.id, t.scope == scope).order_by(t.kind, t.a, t.b, t.value_a, t.value_b)):
        if weight:
            found[kind, a, b][va, vb] = float(weight)
    return found


def dataset_figures(dataset: Dataset, *, scope: str = "all", covered: Coverage | None = None) -> Agreement:
    """The dataset's agreement from the stored totals (per-document counts summed as they change).

    ``covered``: the dataset's coverage when the caller has it already (it scans the dataset's documents).
    """
    t = AgreementTotal
    labels, values = _label_sums(dataset, scope), _value_sums(dataset, scope)
    pairs: dict[tuple[str, str], PairScores] = {}
    baseline: dict[str, PairScores] = {}
    gold: dict[str, PairScores] = {}
    for kind, a, b, *sums in db.session.execute(
            sa.select(t.kind, t.a, t.b, *[getattr(t, c) for c in COUNT_COLUMNS])
            .where(t.dataset_id == dataset.id, t.scope == scope).order_by(t.kind, t.a, t.b)):
        if not any(sums):
            continue  # every document of this pair was reopened or rejected since
        scores = _pair_scores(sums, labels.get((a, b), {}) if kind == "pair" else None)
        scores = PairScores(scores.labels_exact, scores.labels_overlap, scores.quotes, scores.speakers,
                            scores.kinds, scores.cues, scores.stances, values.get((kind, a, b), {}))
        if kind == "pair":
            pairs[a, b] = scores
        else:
            (baseline if kind == SetKind.MODEL else gold)[a] = scores
    units = db.session.scalar(sa.select(sa.func.sum(
        AgreementDocument.units_all if scope == "all" else AgreementDocument.units_changed))
        .where(AgreementDocument.dataset_id == dataset.id)) or 0
    annotators = sorted({*baseline, *gold, *(x for pair in pairs for x in pair)})
    return _named(Agreement(tuple(annotators), pairs, values.get(("alpha", "*", "*"), {}), int(units),
                            baseline, gold, (covered or coverage(dataset)).documents))


@dataclass(frozen=True)
class AnnotatorFigures:
    """One annotator's work in a dataset: sets, finished, median active time, F1 against model and gold."""

    name: str
    assigned: int
    done: int
    median_seconds: float | None
    gold_f1: float | None
    model_f1: float | None


def _median(histogram: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many) pairs in ascending order."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


def annotator_figures(dataset: Dataset, agreement: Agreement) -> list[AnnotatorFigures]:
    """Per annotator: sets and finished sets, median active seconds, entity F1s (from stored totals)."""
    t = AgreementSetTotal
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    times: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for user_id, finished, seconds, n in db.session.execute(
            sa.select(t.user_id, t.finished, t.seconds, t.n).where(t.dataset_id == dataset.id, t.n > 0)
            .order_by(t.user_id, t.seconds)):
        counts[user_id][0] += n
        counts[user_id][1] += n if finished else 0
        if finished and seconds > 0:
            times[user_id].append((seconds, n))
    names = _user_names([str(u) for u in counts])
    people = [AnnotatorFigures(names[str(u)], assigned, done, _median(times[u]),
                               _f1(agreement.gold.get(names[str(u)])), _f1(agreement.baseline.get(names[str(u)])))
              for u, (assigned, done) in counts.items()]
    return sorted(people, key=lambda p: p.name)


@dataclass(frozen=True)
class Report:
    """What the dashboard and its JSON show of a dataset: coverage, the pooled figures, each annotator."""

    coverage: Coverage
    agreement: Agreement
    people: list[AnnotatorFigures]


def report(dataset: Dataset, *, scope: str = "all") -> Report:
    """A dataset's agreement report, scanning its stored documents for coverage once."""
    covered = coverage(dataset)
    agreement = dataset_figures(dataset, scope=scope, covered=covered)
    return Report(covered, agreement, annotator_figures(dataset, agreement))


def _f1(scores: PairScores | None) -> float | None:
    return scores.entities_exact.f1 if scores is not None else None

