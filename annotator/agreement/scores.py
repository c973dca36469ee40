"""Agreement between versions of a document, per document, pooled over a dataset, and baselines.

Pairwise figures compare two versions (F1 is symmetric; precision and recall read the first
version as the reference). Overall figures are the mean over annotator pairs, except stance
polarity, which is Krippendorff's alpha over all annotators at once. Over a dataset every
figure is pooled by summing: match counts per pair (micro-average), confusion matrices for
kappa and coincidence matrices for alpha, so pooling never grows with the number of documents.

Beside the annotators' figures: each annotator against the model's pre-annotation (the
anchoring baseline: annotators who leave the model's items alone agree with each other through
the model) and each annotator against reviewed gold. With ``changed_only`` every version is
compared without the items that the model and all annotators hold unchanged.

Every figure comes with the number of items it rests on (``sizes``): for F1 the items of
either version with matched pairs counted once, for the speaker, kind and cue shares the
compared quote pairs, for kappa the stance units both versions have, for alpha the units
at least two annotators rated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from itertools import combinations
from typing import Any

from annotator.agreement.matching import Tokens, cues_agree, entity_counts, match_quotes, stance_values
from annotator.agreement.signatures import Signature, change_keys, speakers_agree
from annotator.agreement.stats import (
    Counts, Pairs, Ratio, add_pairs, alpha_of, coincidences, confusion, kappa_of, mean,
)
from annotator.spans import Annotation
from annotator.vocab import SetKind

Documents = Iterable[tuple[str, Mapping[str, Annotation]]]
"""Documents as (text, versions by name) pairs."""
MODEL, GOLD = SetKind.MODEL.value, SetKind.GOLD.value
"""Version names of the model's pre-annotation and the reviewed gold."""


def _add_by_label(a: Mapping[str, Counts], b: Mapping[str, Counts]) -> dict[str, Counts]:
    return {label: a.get(label, Counts()) + b.get(label, Counts()) for label in sorted(a.keys() | b.keys())}


def _items(counts: Counts) -> int:
    return counts.tp + counts.fp + counts.fn


@dataclass(frozen=True, slots=True)
class PairScores:
    """How far two versions agree, in counts and matrices that add up over documents."""

    labels_exact: Mapping[str, Counts] = field(default_factory=dict)
    labels_overlap: Mapping[str, Counts] = field(default_factory=dict)
    quotes: Counts = Counts()
    speakers: Ratio = Ratio()
    kinds: Ratio = Ratio()
    cues: Ratio = Ratio()
    stances: Counts = Counts()
    polarities: Pairs = field(default_factory=dict)

    def __add__(self, other: PairScores) -> PairScores:
        return PairScores(
            _add_by_label(self.labels_exact, other.labels_exact),
            _add_by_label(self.labels_overlap, other.labels_overlap),
            self.quotes + other.quotes, self.speakers + other.speakers, self.kinds + other.kinds,
            self.cues + other.cues, self.stances + other.stances, add_pairs(self.polarities, other.polarities),
        )

    @property
    def entities_exact(self) -> Counts:
        """Exact entity matches over all labels."""
        return sum(self.labels_exact.values(), Counts())

    @property
    def entities_overlap(self) -> Counts:
        """Overlap-tolerant entity matches over all labels."""
        return sum(self.labels_overlap.values(), Counts())

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa on the polarity of stance units both versions have."""
        return kappa_of(self.polarities)

    def figures(self) -> dict[str, float | None]:
        """The headline figures, by name."""
        return {
            "entities_exact_f1": self.entities_exact.f1,
            "entities_overlap_f1": self.entities_overlap.f1,
            "quotes_f1": self.quotes.f1,
            "speakers": self.speakers.value,
            "kinds": self.kinds.value,
            "cues": self.cues.value,
            "stances_f1": self.stances.f1,
            "stance_kappa": self.kappa,
        }

    def sizes(self) -> dict[str, int]:
        """How many items each headline figure rests on."""
        return {
            "entities_exact_f1": _items(self.entities_exact),
            "entities_overlap_f1": _items(self.entities_overlap),
            "quotes_f1": _items(self.quotes),
            "speakers": self.speakers.total,
            "kinds": self.kinds.total,
            "cues": self.cues.total,
            "stances_f1": _items(self.stances),
            "stance_kappa": round(sum(self.polarities.values())),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form: figures, their sizes, counts and the per-label breakdown."""
        return {
            "figures": self.figures(),
            "items": self.sizes(),
            "entities_exact": self.entities_exact.to_dict(),
            "entities_overlap": self.entities_overlap.to_dict(),
            "labels": {label: {"exact": self.labels_exact[label].to_dict(),
                               "overlap": self.labels_overlap[label].to_dict()}
                       for label in self.labels_exact},
            "quotes": self.quotes.to_dict(),
            "speakers": self.speakers.to_dict(),
            "kinds": self.kinds.to_dict(),
            "cues": self.cues.to_dict(),
            "stances": self.stances.to_dict(),
            "polarity_pairs": round(sum(self.polarities.values())),
        }


def _ratio(values: Iterable[bool | None]) -> Ratio:
    """Agreeing cases among the compared ones (None: nothing to compare)."""
    compared = [v for v in values if v is not None]
    return Ratio(sum(compared), len(compared))


def compare(reference: Annotation, other: Annotation, text: str, tokens: Tokens | None = None,
            skip: Collection[Signature] = ()) -> PairScores:
    """Score one version against another (the reference) of the same text, leaving out `skip` items."""
    tokens = tokens or Tokens.of(text)
    ref, oth = _without(reference, text, skip), _without(other, text, skip)
    ref_entities, other_entities = reference.entity_by_uid(), other.entity_by_uid()
    exact, overlap = entity_counts(ref.entities, oth.entities)
    pairs = match_quotes(ref.quotes, oth.quotes, tokens)
    ref_values = stance_values(ref, text, ref_entities)
    other_values = stance_values(oth, text, other_entities)
    shared = [unit for unit in ref_values if unit in other_values]
    return PairScores(
        labels_exact=exact,
        labels_overlap=overlap,
        quotes=Counts.of(len(pairs), len(ref.quotes), len(oth.quotes)),
        speakers=_ratio(speakers_agree(a, ref_entities, b, other_entities, text) for a, b in pairs),
        kinds=Ratio(sum(a.kind == b.kind for a, b in pairs), len(pairs)),
        cues=_ratio(cues_agree(a, b, tokens) for a, b in pairs),
        stances=Counts.of(len(shared), len(ref_values), len(other_values)),
        polarities=confusion([ref_values[u] for u in shared], [other_values[u] for u in shared]),
    )


def _without(annotation: Annotation, text: str, skip: Collection[Signature]) -> Annotation:
    """The annotation without the items whose change keys are in `skip`."""
    if not skip:
        return annotation
    keep = {id(item) for key, item in change_keys(annotation, text).items() if key not in skip}
    return Annotation(entities=[e for e in annotation.entities if id(e) in keep],
                      quotes=[q for q in annotation.quotes if id(q) in keep],
                      stances=[s for s in annotation.stances if id(s) in keep])


def untouched(model: Annotation, annotators: Sequence[Annotation], text: str) -> frozenset[Signature]:
    """Keys of the model's items that every annotator kept exactly as they were."""
    if not annotators:
        return frozenset()
    keys = set(change_keys(model, text))
    for annotation in annotators:
        keys &= change_keys(annotation, text).keys()
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement among annotators (per pair, plus alpha's coincidences) and each one's baselines."""

    annotators: tuple[str, ...] = ()
    pairs: Mapping[tuple[str, str], PairScores] = field(default_factory=dict)
    coincidences: Pairs = field(default_factory=dict)
    units: int = 0
    baseline: Mapping[str, PairScores] = field(default_factory=dict)
    gold: Mapping[str, PairScores] = field(default_factory=dict)
    documents: int = 0

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(
            tuple(sorted({*self.annotators, *other.annotators})), _add_map(self.pairs, other.pairs),
            add_pairs(self.coincidences, other.coincidences), self.units + other.units,
            _add_map(self.baseline, other.baseline), _add_map(self.gold, other.gold),
            self.documents + other.documents)

    @property
    def alpha(self) -> float | None:
        """Krippendorff's alpha on stance polarity over all annotators."""
        return alpha_of(self.coincidences)

    def overall(self) -> dict[str, float | None]:
        """Each pairwise figure averaged over pairs, plus alpha on stance polarity."""
        return {**_mean_figures(self.pairs.values()), "stance_alpha": self.alpha}

    def overall_sizes(self) -> dict[str, int]:
        """Items each overall figure rests on, summed over pairs (alpha: units)."""
        names = PairScores().sizes().keys()
        sizes = [s.sizes() for s in self.pairs.values()]
        return {**{name: sum(s[name] for s in sizes) for name in names}, "stance_alpha": self.units}

    def baseline_overall(self) -> dict[str, float | None]:
        """Each figure between an annotator and the model, averaged over annotators."""
        return _mean_figures(self.baseline.values())

    def gold_overall(self) -> dict[str, float | None]:
        """Each figure between an annotator and reviewed gold, averaged over annotators."""
        return _mean_figures(self.gold.values())

    def overall_labels(self) -> dict[str, dict[str, float | None]]:
        """Per label, the exact and overlap entity F1 averaged over the pairs that saw it."""
        scores = self.pairs.values()
        labels = sorted({label for s in scores for label in s.labels_exact})
        return {label: {"exact_f1": mean(s.labels_exact[label].f1 for s in scores if label in s.labels_exact),
                        "overlap_f1": mean(s.labels_overlap[label].f1 for s in scores if label in s.labels_exact),
                        "items": sum(_items(s.labels_exact[label]) for s in scores if label in s.labels_exact)}
                for label in labels}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form: annotators, overall figures and sizes, per-label means, pairs, baselines."""
        return {
            "annotators": list(self.annotators),
            "documents": self.documents,
            "overall": self.overall(),
            "items": self.overall_sizes(),
            "model_baseline": self.baseline_overall(),
            "gold_overall": self.gold_overall(),
            "labels": self.overall_labels(),
            "stance_units": self.units,
            "pairs": [{"a": a, "b": b, **scores.to_dict()} for (a, b), scores in self.pairs.items()],
            "against_model": {name: s.to_dict() for name, s in self.baseline.items()},
            "against_gold": {name: s.to_dict() for name, s in self.gold.items()},
        }


def _add_map(a: Mapping[Any, PairScores], b: Mapping[Any, PairScores]) -> dict[Any, PairScores]:
    return {key: a.get(key, PairScores()) + b.get(key, PairScores()) for key in sorted(a.keys() | b.keys())}


def _mean_figures(scores: Iterable[PairScores]) -> dict[str, float | None]:
    figures = [s.figures() for s in scores]
    return {name: mean(f[name] for f in figures) for name in PairScores().figures()}


def document_agreement(versions: Mapping[str, Annotation], text: str, *, tokens: Tokens | None = None,
                       model: Annotation | None = None, gold: Annotation | None = None,
                       changed_only: bool = False) -> Agreement:
    """Agreement among the annotators' versions of one document, against the model and gold too."""
    tokens = tokens or Tokens.of(text)
    names = tuple(sorted(versions))
    skip = untouched(model, [versions[n] for n in names], text) if changed_only and model else frozenset()
    pairs = {(a, b): compare(versions[a], versions[b], text, tokens, skip) for a, b in combinations(names, 2)}
    values = {name: stance_values(_without(versions[name], text, skip), text, versions[name].entity_by_uid())
              for name in names}
    all_units = sorted({unit for by_unit in values.values() for unit in by_unit})
    units = [{name: values[name][unit] for name in names if unit in values[name]} for unit in all_units]
    return Agreement(
        names, pairs, coincidences(units), sum(len(u) > 1 for u in units),
        {n: compare(model, versions[n], text, tokens, skip) for n in names} if model is not None else {},
        {n: compare(gold, versions[n], text, tokens, skip) for n in names} if gold is not None else {},
        1 if names else 0)


def combine(agreements: Iterable[Agreement]) -> Agreement:
    """Pool agreements over documents: every count and matrix summed."""
    return reduce(Agreement.__add__, agreements, Agreement())


def dataset_agreement(documents: Documents, *, changed_only: bool = False) -> Agreement:
    """Agreement over (text, versions) documents; versions named "model" and "gold" are the baselines."""
    return combine(
        document_agreement({n: a for n, a in versions.items() if n not in (MODEL, GOLD)}, text,
                           model=versions.get(MODEL), gold=versions.get(GOLD), changed_only=changed_only)
        for text, versions in documents)
