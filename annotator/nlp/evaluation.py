"""How good a pre-annotation is against gold: counts per layer, comparable and summable (pure).

Matching rules (the same as benchmarks/bench_preannotate.py, so the figures agree):
- entities, exact: same start, end and label; overlap: same label and at least one shared
  character, each item matched once;
- quotes: same content span, or an indirect gold quote and a prediction whose contents overlap
  with intersection-over-union >= 0.6; kind is not part of the match. Of the matched quotes:
  exact content boundaries, speaker (names agree, see scoring.names_match), cue (same span);
- stances: holder, target and polarity agree; polarity accuracy is counted over the stances
  whose holder and target agree.
A speaker is named by its linked entity, else by its mention text.
``quote_measures`` adds issue 14's quote table (scoring.measure_quotes: loose "found", speakers of
direct quotes, exact boundaries without marks and end punctuation), as make bench prints it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from annotator.nlp.scoring import QuoteMeasures, iou, measure_quotes, names_match, scored_quotes
from annotator.spans import Annotation, Quote, Span, Stance
from annotator.vocab import QuoteKind

IOU_INDIRECT = 0.6
ALL = "ALL"
QUOTE_GROUPS: dict[str, tuple[str, ...]] = {"all": (QuoteKind.DIRECT, QuoteKind.INDIRECT, QuoteKind.MIXED),
                                           "direct+mixed": (QuoteKind.DIRECT, QuoteKind.MIXED),
                                           "indirect": ("indirect",)}
G = TypeVar("G")
P = TypeVar("P")


@dataclass
class Counts:
    """True positives, predictions and gold items of one measure."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        """Add another measure's counts."""
        self.tp, self.pred, self.gold = self.tp + other.tp, self.pred + other.pred, self.gold + other.gold

    @property
    def precision(self) -> float:
        """tp / predictions (0 when nothing was predicted)."""
        return self.tp / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        """tp / gold items (0 when there is no gold)."""
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float]:
        """Counts and the three ratios."""
        return {"tp": self.tp, "pred": self.pred, "gold": self.gold, "p": self.precision,
                "r": self.recall, "f1": self.f1}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Counts:
        """Back from to_dict()."""
        return cls(int(data["tp"]), int(data["pred"]), int(data["gold"]))


@dataclass
class Ratio:
    """Hits out of a total (an accuracy)."""

    ok: int = 0
    total: int = 0

    def add(self, other: Ratio) -> None:
        """Add another ratio's counts."""
        self.ok, self.total = self.ok + other.ok, self.total + other.total

    @property
    def value(self) -> float:
        """ok / total (0 when there is nothing to count)."""
        return self.ok / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, float]:
        """Counts and the ratio."""
        return {"ok": self.ok, "total": self.total, "value": self.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ratio:
        """Back from to_dict()."""
        return cls(int(data["ok"]), int(data["total"]))


def _counts() -> dict[str, Counts]:
    return {}


@dataclass
class Evaluation:
    """Every measure over a group of documents; add() sums groups."""

    documents: int = 0
    entities_exact: dict[str, Counts] = field(default_factory=_counts)
    entities_overlap: dict[str, Counts] = field(default_factory=_counts)
    quotes: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in QUOTE_GROUPS})
    boundaries: Ratio = field(default_factory=Ratio)
    speakers: Ratio = field(default_factory=Ratio)
    cues: Ratio = field(default_factory=Ratio)
    kinds: Ratio = field(default_factory=Ratio)
    stances: Counts = field(default_factory=Counts)
    polarity: Ratio = field(default_factory=Ratio)
    quote_measures: QuoteMeasures = field(default_factory=QuoteMeasures)

    def add(self, other: Evaluation) -> None:
        """Add another evaluation's counts."""
        self.documents += other.documents
        for mine, theirs in ((self.entities_exact, other.entities_exact),
                             (self.entities_overlap, other.entities_overlap), (self.quotes, other.quotes)):
            for key, counts in theirs.items():
                mine.setdefault(key, Counts()).add(counts)
        for ratio in ("boundaries", "speakers", "cues", "kinds", "polarity"):
            getattr(self, ratio).add(getattr(other, ratio))
        self.stances.add(other.stances)
        self.quote_measures.add(other.quote_measures)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (labels sorted, ALL last)."""
        def table(counts: dict[str, Counts]) -> dict[str, dict[str, float]]:
            return {k: counts[k].to_dict() for k in sorted(counts, key=lambda k: (k == ALL, k))}

        return {"documents": self.documents, "entities_exact": table(self.entities_exact),
                "entities_overlap": table(self.entities_overlap),
                "quotes": {k: v.to_dict() for k, v in self.quotes.items()},
                "boundaries": self.boundaries.to_dict(), "speakers": self.speakers.to_dict(),
                "cues": self.cues.to_dict(), "kinds": self.kinds.to_dict(),
                "stances": self.stances.to_dict(), "polarity": self.polarity.to_dict(),
                "quote_measures": asdict(self.quote_measures)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """Back from to_dict()."""
        def table(raw: Mapping[str, Any]) -> dict[str, Counts]:
            return {k: Counts.from_dict(v) for k, v in raw.items()}

        return cls(int(data["documents"]), table(data["entities_exact"]), table(data["entities_overlap"]),
                   table(data["quotes"]), Ratio.from_dict(data["boundaries"]),
                   Ratio.from_dict(data["speakers"]), Ratio.from_dict(data["cues"]),
                   Ratio.from_dict(data["kinds"]), Counts.from_dict(data["stances"]),
                   Ratio.from_dict(data["polarity"]), QuoteMeasures(**data.get("quote_measures", {})))

    @property
    def entity_f1(self) -> float:
        """Exact entity F1 over all labels (the headline figure)."""
        return self.entities_exact.get(ALL, Counts()).f1


def greedy(gold: Sequence[G], pred: Sequence[P], same: Callable[[G, P], bool]) -> list[tuple[G, P]]:
    """Pair each gold item, in order, with the first unused prediction that matches it."""
    used: set[int] = set()
    pairs = []
    for g in gold:
        j = next((j for j, p in enumerate(pred) if j not in used and same(g, p)), None)
        if j is not None:
            used.add(j)
            pairs.append((g, pred[j]))
    return pairs


def _entity_counts(gold: Annotation, pred: Annotation) -> tuple[dict[str, Counts], dict[str, Counts]]:
    """Exact and overlap counts per label, with ALL."""
    gold_set = sorted({(e.start, e.end, e.label) for e in gold.entities})
    pred_set = sorted({(e.start, e.end, e.label) for e in pred.entities})
    overlapping = greedy(gold_set, pred_set, lambda g, p: g[2] == p[2] and g[0] < p[1] and p[0] < g[1])
    exact: dict[str, Counts] = {}
    overlap: dict[str, Counts] = {}
    for label in sorted({e[2] for e in gold_set + pred_set}) + [ALL]:
        def mine(items: Iterable[tuple[int, int, str]]) -> int:
            return sum(1 for e in items if label in (ALL, e[2]))

        n_pred, n_gold = mine(pred_set), mine(gold_set)
        exact[label] = Counts(mine(set(gold_set) & set(pred_set)), n_pred, n_gold)
        overlap[label] = Counts(mine(g for g, _ in overlapping), n_pred, n_gold)
    return exact, overlap


def _pair(span: Span) -> tuple[int, int]:
    return span.start, span.end


def _content_match(g: Quote, p: Quote) -> bool:
    return g.content == p.content or (g.kind == QuoteKind.INDIRECT and
                                      iou(_pair(g.content), _pair(p.content)) >= IOU_INDIRECT)


def speaker_name(text: str, annotation: Annotation, quote: Quote) -> str:
    """The name of a quote's speaker: its linked entity's text, else the mention's, else ""."""
    entity = annotation.entity_by_uid().get(quote.speaker_entity or "")
    if entity is not None:
        return text[entity.start:entity.end]
    return quote.speaker.text(text) if quote.speaker else ""


def _quote_measures(text: str, gold: Annotation, pred: Annotation, result: Evaluation) -> None:
    """Quotes found per kind group; boundaries, speakers, cues and kinds of the matched ones."""
    result.quote_measures = measure_quotes(text, scored_quotes(text, gold), scored_quotes(text, pred))
    pairs = greedy(gold.quotes, pred.quotes, _content_match)
    for key, kinds in QUOTE_GROUPS.items():
        result.quotes[key].add(Counts(sum(1 for g, _ in pairs if g.kind in kinds),
                                      sum(1 for p in pred.quotes if p.kind in kinds),
                                      sum(1 for g in gold.quotes if g.kind in kinds)))
    for g, p in pairs:
        result.boundaries.add(Ratio(int(g.content == p.content), 1))
        result.kinds.add(Ratio(int(g.kind == p.kind or {g.kind, p.kind} == {QuoteKind.DIRECT, QuoteKind.MIXED}), 1))
        expected = speaker_name(text, gold, g)
        if expected:
            result.speakers.add(Ratio(int(names_match(expected, speaker_name(text, pred, p))), 1))
        if g.cue is not None:
            result.cues.add(Ratio(int(g.cue == p.cue), 1))


def _stance_measures(gold: Annotation, pred: Annotation, result: Evaluation) -> None:
    """Stances matched in full, and polarity accuracy where holder and target agree."""
    def same_pair(g: Stance, p: Stance) -> bool:
        return names_match(g.holder, p.holder) and names_match(g.target, p.target)

    full = greedy(gold.stances, pred.stances, lambda g, p: g.polarity == p.polarity and same_pair(g, p))
    result.stances.add(Counts(len(full), len(pred.stances), len(gold.stances)))
    pairs = greedy(gold.stances, pred.stances, same_pair)
    result.polarity.add(Ratio(sum(1 for g, p in pairs if g.polarity == p.polarity), len(pairs)))


def evaluate_document(text: str, gold: Annotation, pred: Annotation) -> Evaluation:
    """Every measure for one document."""
    result = Evaluation(documents=1)
    result.entities_exact, result.entities_overlap = _entity_counts(gold, pred)
    _quote_measures(text, gold, pred, result)
    _stance_measures(gold, pred, result)
    return result


def evaluate(documents: Iterable[tuple[str, Annotation, Annotation]]) -> Evaluation:
    """Sum of every document's measures, given (text, gold, prediction) triples."""
    total = Evaluation()
    for text, gold, pred in documents:
        total.add(evaluate_document(text, gold, pred))
    return total


def disagreement(a: Annotation, b: Annotation) -> float:
    """How much two pre-annotations of a text differ: 1 - F1 over exact entities and quote contents (0 to 1)."""
    ents_a = {(e.start, e.end, e.label) for e in a.entities}
    ents_b = {(e.start, e.end, e.label) for e in b.entities}
    quotes_a, quotes_b = {_pair(q.content) for q in a.quotes}, {_pair(q.content) for q in b.quotes}
    total = len(ents_a) + len(ents_b) + len(quotes_a) + len(quotes_b)
    if not total:
        return 0.0
    return 1.0 - 2 * (len(ents_a & ents_b) + len(quotes_a & quotes_b)) / total
