"""Agreement statistics: match counts with F1, ratios, Cohen's kappa and Krippendorff's alpha.

Every figure is ``None`` when it is undefined (nothing to compare, or no variation in the
values), never NaN, so that results turn into JSON as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True, slots=True)
class Counts:
    """Matched (tp) and unmatched items of one set against a reference set."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @classmethod
    def of(cls, matched: int, reference: int, other: int) -> Counts:
        """Counts from the number of matches and the sizes of both sets."""
        return cls(matched, other - matched, reference - matched)

    @property
    def precision(self) -> float | None:
        """Share of the other set's items that match; None when it is empty."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """Share of the reference set's items that match; None when it is empty."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; None when both sets are empty."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_dict(self) -> dict[str, int | float | None]:
        """Plain dict form with the derived figures."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True, slots=True)
class Ratio:
    """How many of ``total`` compared cases agree."""

    agree: int = 0
    total: int = 0

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.agree + other.agree, self.total + other.total)

    @property
    def value(self) -> float | None:
        """The share that agrees; None when nothing was compared."""
        return _ratio(self.agree, self.total)

    def to_dict(self) -> dict[str, int | float | None]:
        """Plain dict form with the share."""
        return {"agree": self.agree, "total": self.total, "value": self.value}


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the defined values; None when there are none."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


Pairs = Mapping[tuple[Hashable, Hashable], float]
"""A confusion or coincidence matrix: weight of each (value, value) pair. Matrices add up."""


def add_pairs(a: Pairs, b: Pairs) -> dict[tuple[Hashable, Hashable], float]:
    """Two matrices summed cell by cell (pooling over documents is a sum, never a concatenation)."""
    total = dict(a)
    for key, weight in b.items():
        total[key] = total.get(key, 0) + weight
    return total


def confusion(first: Sequence[Hashable], second: Sequence[Hashable]) -> dict[tuple[Hashable, Hashable], float]:
    """How often each (first rater's value, second rater's value) pair occurs."""
    if len(first) != len(second):
        raise ValueError("both raters must label the same items")
    matrix: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for pair in zip(first, second):
        matrix[pair] += 1
    return dict(matrix)


def kappa_of(matrix: Pairs) -> float | None:
    """Cohen's kappa from a confusion matrix; None when undefined."""
    n = sum(matrix.values())
    if n == 0:
        return None
    observed = sum(w for (a, b), w in matrix.items() if a == b) / n
    rows: defaultdict[Hashable, float] = defaultdict(float)
    cols: defaultdict[Hashable, float] = defaultdict(float)
    for (a, b), weight in matrix.items():
        rows[a] += weight
        cols[b] += weight
    expected = sum(rows[label] * cols[label] for label in rows) / (n * n)
    # Both raters used one and the same label throughout: sklearn returns nan here.
    return _ratio(observed - expected, 1 - expected)


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items; None when undefined."""
    return kappa_of(confusion(first, second))


def coincidences(units: Iterable[Mapping[str, Hashable]]) -> dict[tuple[Hashable, Hashable], float]:
    """Krippendorff's coincidence matrix of units given as rater -> value (units of one value skipped)."""
    matrix: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in units:
        values = list(unit.values())
        if len(values) < 2:
            continue  # a value nobody else rated cannot be paired
        weight = 1 / (len(values) - 1)
        for a, b in permutations(values, 2):
            matrix[a, b] += weight
    return dict(matrix)


def alpha_of(matrix: Pairs) -> float | None:
    """Krippendorff's alpha for nominal values from a coincidence matrix; None when undefined."""
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (a, _), weight in matrix.items():
        totals[a] += weight
    n = sum(totals.values())
    disagreement = sum(w for (a, b), w in matrix.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b)
    # alpha = 1 - D_o / D_e with D_o = disagreement / n and D_e = expected / (n * (n - 1)).
    if not expected:
        return None
    return 1 - (n - 1) * disagreement / expected


def krippendorff_alpha(units: Iterable[Mapping[str, Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values, units given as rater -> value; None when undefined."""
    return alpha_of(coincidences(units))
