"""One-to-one matching of entities, quotes and stance units between two versions.

- Entities match exactly on ``(start, end, label)``, or, overlap-tolerant, when their spans
  share a character and their labels are equal (one to one, best Jaccard first, as for quotes).
- Quotes match when their content spans share a character. Each quote matches at most one
  quote of the other version: pairs are taken greedily by character Jaccard (shared characters
  over covered characters), best first, so a quote split in two by one annotator matches the
  larger part only.
- A stance unit is a normalised ``(holder, target)`` pair; its value is the polarity. When one
  version gives the same unit several polarities, the most frequent one counts, ties going to
  the first in text order.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import TypeVar

from annotator.agreement.signatures import position, stance_unit
from annotator.agreement.stats import Counts
from annotator.spans import Annotation, Entity, Quote, Span

T = TypeVar("T")


def match_overlapping(first: Sequence[T], second: Sequence[T], span: Callable[[T], Span]
                      ) -> list[tuple[T, T]]:
    """Pair items whose spans overlap, one to one, highest Jaccard first, then text order."""
    order = sorted(range(len(second)), key=lambda j: span(second[j]).start)
    starts = [span(second[j]).start for j in order]
    longest = max((span(b).end - span(b).start for b in second), default=0)
    candidates = []
    for i, a in enumerate(first):
        s = span(a)
        # Only items starting less than `longest` before this one can reach into it.
        for j in order[bisect.bisect_right(starts, s.start - longest):bisect.bisect_left(starts, s.end)]:
            if s.overlaps(span(second[j])):
                candidates.append((-jaccard(s, span(second[j])), i, j))
    used_first: set[int] = set()
    used_second: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
            pairs.append((first[i], second[j]))
    return pairs


def jaccard(a: Span, b: Span) -> float:
    """Shared characters over characters covered by either span."""
    shared = max(0, min(a.end, b.end) - max(a.start, b.start))
    return shared / ((a.end - a.start) + (b.end - b.start) - shared)


def _by_label(entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    groups: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        groups[entity.label].append(entity)
    return groups


def entity_counts(reference: Sequence[Entity], other: Sequence[Entity]
                  ) -> tuple[dict[str, Counts], dict[str, Counts]]:
    """Exact and overlap-tolerant match counts per label."""
    ref_groups, other_groups = _by_label(reference), _by_label(other)
    exact: dict[str, Counts] = {}
    overlap: dict[str, Counts] = {}
    for label in sorted(ref_groups.keys() | other_groups.keys()):
        ref, oth = ref_groups.get(label, []), other_groups.get(label, [])
        same = Counter(e.span for e in ref) & Counter(e.span for e in oth)
        exact[label] = Counts.of(sum(same.values()), len(ref), len(oth))
        overlap[label] = Counts.of(len(match_overlapping(ref, oth, _entity_span)), len(ref), len(oth))
    return exact, overlap


def _entity_span(entity: Entity) -> Span:
    return entity.span


def _content(quote: Quote) -> Span:
    return quote.content


def match_quotes(reference: Sequence[Quote], other: Sequence[Quote]) -> list[tuple[Quote, Quote]]:
    """Pair quotes whose contents overlap, one to one, best Jaccard first."""
    return match_overlapping(reference, other, _content)


def stance_values(annotation: Annotation, text: str) -> dict[tuple[str, str], str]:
    """Map each stance unit (holder, target) of a version to its polarity."""
    entities = annotation.entity_by_uid()
    polarities: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for stance in sorted(annotation.stances, key=position):
        polarities[stance_unit(stance, entities, text)][stance.polarity] += 1
    # max() keeps the first of equal counts, and counters keep insertion (text) order.
    return {unit: max(counts, key=counts.__getitem__) for unit, counts in polarities.items()}
