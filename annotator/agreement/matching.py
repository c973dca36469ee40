"""One-to-one matching of entities, quotes and stance units between two versions.

- Entities match exactly on ``(start, end, label)``, or, overlap-tolerant, when their spans
  share a character and their labels are equal (one to one, best Jaccard first, as for quotes).
- Quotes match by tokens (the token-overlap rule, ``tokens_match``): two content spans match
  when the tokens they share are at least half the tokens of the shorter span. A token belongs
  to a span when they share a character; tokens are spaCy's (the document's stored tokens), or
  words and punctuation marks when a document has none. Each quote matches at most one quote of
  the other version: pairs are taken greedily by token Jaccard (shared tokens over tokens covered
  by either), best first, so a quote split in two by one annotator matches the larger part only.
  Quote cues of matched quotes agree by the same rule.
- A stance unit is a normalised ``(holder, target)`` pair; its value is the polarity. When one
  version gives the same unit several polarities, the most frequent one counts, ties going to
  the first in text order.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from annotator.agreement.signatures import position, stance_unit
from annotator.agreement.stats import Counts
from annotator.spans import Annotation, Entity, Quote, Span

T = TypeVar("T")
_WORD = re.compile(r"\w+|[^\w\s]")


class Tokens:
    """Token positions of a text, to count the tokens a span covers and two spans share."""

    def __init__(self, offsets: Iterable[tuple[int, int]]) -> None:
        pairs = sorted((int(s), int(e)) for s, e in offsets)
        self.starts = [s for s, _ in pairs]
        self.ends = [e for _, e in pairs]

    @classmethod
    def of(cls, text: str, offsets: Iterable[Sequence[int]] | None = None) -> Tokens:
        """The given (spaCy) token offsets, or words and punctuation marks of the text."""
        if offsets:
            return cls((o[0], o[1]) for o in offsets)
        return cls((m.start(), m.end()) for m in _WORD.finditer(text))

    def range(self, span: Span) -> tuple[int, int]:
        """Indexes [first, last) of the tokens sharing a character with the span."""
        return bisect.bisect_right(self.ends, span.start), bisect.bisect_left(self.starts, span.end)

    def count(self, span: Span) -> int:
        """How many tokens the span touches."""
        first, last = self.range(span)
        return max(0, last - first)

    def shared(self, a: Span, b: Span) -> int:
        """How many tokens both spans touch."""
        (a0, a1), (b0, b1) = self.range(a), self.range(b)
        return max(0, min(a1, b1) - max(a0, b0))


def tokens_match(a: Span, b: Span, tokens: Tokens) -> bool:
    """The token-overlap rule: shared tokens are at least half of the shorter span's tokens."""
    shared = tokens.shared(a, b)
    return shared > 0 and 2 * shared >= min(tokens.count(a), tokens.count(b))


def token_jaccard(a: Span, b: Span, tokens: Tokens) -> float:
    """Shared tokens over tokens touched by either span."""
    shared = tokens.shared(a, b)
    return shared / max(1, tokens.count(a) + tokens.count(b) - shared)


def match_overlapping(first: Sequence[T], second: Sequence[T], span: Callable[[T], Span],
                      tokens: Tokens | None = None) -> list[tuple[T, T]]:
    """Pair items whose spans overlap (by the token rule when tokens are given), one to one,
    highest Jaccard first, then text order."""
    order = sorted(range(len(second)), key=lambda j: span(second[j]).start)
    starts = [span(second[j]).start for j in order]
    longest = max((span(b).end - span(b).start for b in second), default=0)
    candidates = []
    for i, a in enumerate(first):
        s = span(a)
        # Only items starting less than `longest` before this one can reach into it.
        for j in order[bisect.bisect_right(starts, s.start - longest):bisect.bisect_left(starts, s.end)]:
            other = span(second[j])
            if tokens is None and s.overlaps(other):
                candidates.append((-jaccard(s, other), i, j))
            elif tokens is not None and tokens_match(s, other, tokens):
                candidates.append((-token_jaccard(s, other, tokens), i, j))
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


def match_quotes(reference: Sequence[Quote], other: Sequence[Quote], tokens: Tokens
                 ) -> list[tuple[Quote, Quote]]:
    """Pair quotes whose contents match by the token rule, one to one, best token Jaccard first."""
    return match_overlapping(reference, other, _content, tokens)


def cues_agree(a: Quote, b: Quote, tokens: Tokens) -> bool | None:
    """Whether two matched quotes' cues agree by the token rule; None when neither has a cue."""
    if a.cue is None and b.cue is None:
        return None
    return a.cue is not None and b.cue is not None and tokens_match(a.cue, b.cue, tokens)


def stance_values(annotation: Annotation, text: str, entities: Mapping[str, Entity] | None = None
                  ) -> dict[tuple[str, str], str]:
    """Map each stance unit (holder, target) of a version to its polarity (links looked up in `entities`)."""
    entities = annotation.entity_by_uid() if entities is None else entities
    polarities: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for stance in sorted(annotation.stances, key=position):
        polarities[stance_unit(stance, entities, text)][stance.polarity] += 1
    # max() keeps the first of equal counts, and counters keep insertion (text) order.
    return {unit: max(counts, key=counts.__getitem__) for unit, counts in polarities.items()}
