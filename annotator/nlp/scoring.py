"""Matching rules for scoring pre-annotation against gold: names, fuzzy clause spans, quote measures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.spans import Annotation
from annotator.vocab import ALL_MARKS, QuoteKind

PREPS = frozenset({"of", "for", "in", "to", "with", "on", "from", "by", "against", "about"})
ARTICLES = frozenset({"the", "a", "an"})


def name_words(name: str) -> list[str]:
    """Lower-case words of a name without articles or possessives, plural "s" dropped."""
    words = re.findall(r"[\w-]+", name.lower().replace("’s", "").replace("'s", ""))
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in ARTICLES]


def head_word(name: str) -> str:
    """The last word before any preposition ("rumours" in "rumours of a coup")."""
    words = name_words(name)
    cut = next((i for i, w in enumerate(words) if w in PREPS), len(words))
    return words[cut - 1] if cut else ""


def names_match(a: str, b: str) -> bool:
    """Equal ignoring case and articles, or the head word of one is a word of the other."""
    wa, wb = name_words(a), name_words(b)
    return bool(wa and wb) and (wa == wb or head_word(a) in wb or head_word(b) in wa)


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two character ranges."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


# Quote measures on real news (issue 14's table): loose content match for "found", exact boundaries apart.
FOUND_OVERLAP = 0.3
DIRECT_KINDS = frozenset({QuoteKind.DIRECT, QuoteKind.MIXED})
MARKS = "".join(sorted(ALL_MARKS))
END_PUNCT = ".,;:!?…"


@dataclass(frozen=True)
class ScoredQuote:
    """A quote as the measures see it: content offsets, kind and the speaker's name."""

    content: tuple[int, int]
    kind: str
    speaker: str = ""


@dataclass
class QuoteMeasures:
    """Counts behind the quote measures; add documents up, then read ``table()``."""

    direct_gold: int = 0
    direct_found: int = 0
    predicted: int = 0
    predicted_matching: int = 0
    speakers_checked: int = 0
    speakers_right: int = 0
    all_gold: int = 0
    all_found: int = 0
    indirect_gold: int = 0
    indirect_found: int = 0
    exact_tp: int = 0
    exact_pred: int = 0
    exact_gold: int = 0

    def add(self, other: QuoteMeasures) -> None:
        """Add another document's (or group's) counts."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def table(self) -> list[tuple[str, float, int, int]]:
        """(measure, value, numerator, denominator) rows; exact boundaries as F1 over tp/pred/gold."""
        p = _ratio(self.exact_tp, self.exact_pred)
        r = _ratio(self.exact_tp, self.exact_gold)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return [
            ("direct and mixed quotes found", _ratio(self.direct_found, self.direct_gold),
             self.direct_found, self.direct_gold),
            ("predicted quotes matching gold", _ratio(self.predicted_matching, self.predicted),
             self.predicted_matching, self.predicted),
            ("speaker right (found direct/mixed)", _ratio(self.speakers_right, self.speakers_checked),
             self.speakers_right, self.speakers_checked),
            ("every attribution found", _ratio(self.all_found, self.all_gold), self.all_found, self.all_gold),
            ("indirect attributions found", _ratio(self.indirect_found, self.indirect_gold),
             self.indirect_found, self.indirect_gold),
            ("content boundaries exact (F1)", f1, self.exact_tp, self.exact_gold),
        ]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters two ranges share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def found_by(gold: tuple[int, int], pred: tuple[int, int]) -> bool:
    """Whether a predicted content overlaps more than 30% of the gold content."""
    return overlap(gold, pred) > FOUND_OVERLAP * max(1, gold[1] - gold[0])


def core_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The content without spaces, quote marks, end punctuation and a leading "that"."""
    start, end = span
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in MARKS):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in MARKS + END_PUNCT):
            end -= 1
        if text[start:start + 5].lower() == "that ":
            start += 5
        if (start, end) == before:
            return start, end


def scored_quotes(text: str, annotation: Annotation) -> list[ScoredQuote]:
    """An annotation's quotes for the measures, each speaker named by its entity, else by its mention."""
    entities = annotation.entity_by_uid()
    quotes = []
    for q in annotation.quotes:
        entity = entities.get(q.speaker_entity or "")
        if entity is not None:
            name = text[entity.start:entity.end]
        else:
            name = text[q.speaker.start:q.speaker.end] if q.speaker else ""
        quotes.append(ScoredQuote((q.content.start, q.content.end), q.kind, name))
    return quotes


def measure_quotes(text: str, gold: Sequence[ScoredQuote], pred: Sequence[ScoredQuote]) -> QuoteMeasures:
    """The quote measures of one document."""
    m = QuoteMeasures(predicted=len(pred), exact_pred=len(pred), exact_gold=len(gold), all_gold=len(gold))
    m.predicted_matching = sum(1 for p in pred if any(found_by(g.content, p.content) for g in gold))
    for g in gold:
        hits = [p for p in pred if found_by(g.content, p.content)]
        direct, indirect = g.kind in DIRECT_KINDS, g.kind == QuoteKind.INDIRECT
        m.all_found += bool(hits)
        m.direct_gold += direct
        m.direct_found += direct and bool(hits)
        m.indirect_gold += indirect
        m.indirect_found += indirect and bool(hits)
        if direct and hits:
            best = max(hits, key=lambda p: overlap(g.content, p.content))
            m.speakers_checked += 1
            m.speakers_right += names_match(g.speaker, best.speaker)
    pred_cores = [core_span(text, p.content) for p in pred]
    for g in gold:
        core = core_span(text, g.content)
        if core in pred_cores:
            pred_cores.remove(core)
            m.exact_tp += 1
    return m
