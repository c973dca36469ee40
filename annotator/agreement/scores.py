"""Agreement between versions of a document, per document, per dataset and against gold.

Pairwise figures compare two versions (F1 is symmetric; precision and recall read the first
version as the reference). Overall figures are the mean over annotator pairs, except stance
polarity, which is Krippendorff's alpha over all annotators at once. Over a dataset, counts
are summed over documents (micro-average) and kappa and alpha pool the units of all documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from itertools import combinations
from typing import Any

from annotator.agreement.matching import entity_counts, match_quotes, stance_values
from annotator.agreement.signatures import speaker_key
from annotator.agreement.stats import Counts, Ratio, cohen_kappa, krippendorff_alpha, mean
from annotator.spans import Annotation

Documents = Iterable[tuple[str, Mapping[str, Annotation]]]
"""Documents as (text, versions by name) pairs."""


def _add_by_label(a: Mapping[str, Counts], b: Mapping[str, Counts]) -> dict[str, Counts]:
    return {label: a.get(label, Counts()) + b.get(label, Counts()) for label in sorted(a.keys() | b.keys())}


@dataclass(frozen=True, slots=True)
class PairScores:
    """How far two versions agree, in counts that can be summed over documents."""

    labels_exact: Mapping[str, Counts] = field(default_factory=dict)
    labels_overlap: Mapping[str, Counts] = field(default_factory=dict)
    quotes: Counts = Counts()
    speakers: Ratio = Ratio()
    kinds: Ratio = Ratio()
    stances: Counts = Counts()
    polarities: tuple[tuple[str, str], ...] = ()

    def __add__(self, other: PairScores) -> PairScores:
        return PairScores(
            _add_by_label(self.labels_exact, other.labels_exact),
            _add_by_label(self.labels_overlap, other.labels_overlap),
            self.quotes + other.quotes, self.speakers + other.speakers, self.kinds + other.kinds,
            self.stances + other.stances, self.polarities + other.polarities,
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
        return cohen_kappa([a for a, _ in self.polarities], [b for _, b in self.polarities])

    def figures(self) -> dict[str, float | None]:
        """The headline figures, by name."""
        return {
            "entities_exact_f1": self.entities_exact.f1,
            "entities_overlap_f1": self.entities_overlap.f1,
            "quotes_f1": self.quotes.f1,
            "speakers": self.speakers.value,
            "kinds": self.kinds.value,
            "stances_f1": self.stances.f1,
            "stance_kappa": self.kappa,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form: figures, counts and the per-label breakdown."""
        return {
            "figures": self.figures(),
            "entities_exact": self.entities_exact.to_dict(),
            "entities_overlap": self.entities_overlap.to_dict(),
            "labels": {label: {"exact": self.labels_exact[label].to_dict(),
                               "overlap": self.labels_overlap[label].to_dict()}
                       for label in self.labels_exact},
            "quotes": self.quotes.to_dict(),
            "speakers": self.speakers.to_dict(),
            "kinds": self.kinds.to_dict(),
            "stances": self.stances.to_dict(),
            "polarity_pairs": len(self.polarities),
        }


def compare(reference: Annotation, other: Annotation, text: str) -> PairScores:
    """Score one version against another (the reference) of the same text."""
    exact, overlap = entity_counts(reference.entities, other.entities)
    pairs = match_quotes(reference.quotes, other.quotes)
    ref_entities, other_entities = reference.entity_by_uid(), other.entity_by_uid()
    same_speaker = sum(speaker_key(a, ref_entities) == speaker_key(b, other_entities) for a, b in pairs)
    ref_values, other_values = stance_values(reference, text), stance_values(other, text)
    shared = [unit for unit in ref_values if unit in other_values]
    return PairScores(
        labels_exact=exact,
        labels_overlap=overlap,
        quotes=Counts.of(len(pairs), len(reference.quotes), len(other.quotes)),
        speakers=Ratio(same_speaker, len(pairs)),
        kinds=Ratio(sum(a.kind == b.kind for a, b in pairs), len(pairs)),
        stances=Counts.of(len(shared), len(ref_values), len(other_values)),
        polarities=tuple((ref_values[unit], other_values[unit]) for unit in shared),
    )


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement among annotators: scores per pair and the stance units for alpha."""

    annotators: tuple[str, ...] = ()
    pairs: Mapping[tuple[str, str], PairScores] = field(default_factory=dict)
    units: tuple[Mapping[str, str], ...] = ()

    @property
    def alpha(self) -> float | None:
        """Krippendorff's alpha on stance polarity over all annotators."""
        return krippendorff_alpha(self.units)

    def overall(self) -> dict[str, float | None]:
        """Each pairwise figure averaged over pairs, plus alpha on stance polarity."""
        figures = [scores.figures() for scores in self.pairs.values()]
        names = PairScores().figures().keys()
        return {**{name: mean(f[name] for f in figures) for name in names}, "stance_alpha": self.alpha}

    def overall_labels(self) -> dict[str, dict[str, float | None]]:
        """Per label, the exact and overlap entity F1 averaged over the pairs that saw it."""
        scores = self.pairs.values()
        labels = sorted({label for s in scores for label in s.labels_exact})
        return {label: {"exact_f1": mean(s.labels_exact[label].f1 for s in scores if label in s.labels_exact),
                        "overlap_f1": mean(s.labels_overlap[label].f1 for s in scores if label in s.labels_exact)}
                for label in labels}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form: annotators, overall figures, per-label means and each pair."""
        return {
            "annotators": list(self.annotators),
            "overall": self.overall(),
            "labels": self.overall_labels(),
            "stance_units": len(self.units),
            "pairs": [{"a": a, "b": b, **scores.to_dict()} for (a, b), scores in self.pairs.items()],
        }


def document_agreement(versions: Mapping[str, Annotation], text: str) -> Agreement:
    """Agreement among the given annotators' versions of one document."""
    names = tuple(sorted(versions))
    pairs = {(a, b): compare(versions[a], versions[b], text) for a, b in combinations(names, 2)}
    values = {name: stance_values(versions[name], text) for name in names}
    all_units = sorted({unit for by_unit in values.values() for unit in by_unit})
    units = tuple({name: values[name][unit] for name in names if unit in values[name]}
                  for unit in all_units)
    return Agreement(names, pairs, units)


def combine(agreements: Iterable[Agreement]) -> Agreement:
    """Pool agreements over documents: counts summed per pair, stance units concatenated."""
    return reduce(_add_agreements, agreements, Agreement())


def _add_agreements(a: Agreement, b: Agreement) -> Agreement:
    keys = sorted(a.pairs.keys() | b.pairs.keys())
    pairs = {key: a.pairs.get(key, PairScores()) + b.pairs.get(key, PairScores()) for key in keys}
    return Agreement(tuple(sorted({*a.annotators, *b.annotators})), pairs, a.units + b.units)


def dataset_agreement(documents: Documents) -> Agreement:
    """Agreement among annotators over a dataset of (text, versions) documents."""
    return combine(document_agreement(versions, text) for text, versions in documents)


@dataclass(frozen=True, slots=True)
class GoldAgreement:
    """Each version's scores against the gold version, pooled over documents."""

    gold: str
    scores: Mapping[str, PairScores] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form, one entry per annotator."""
        return {"gold": self.gold, "annotators": {name: s.to_dict() for name, s in self.scores.items()}}


def gold_agreement(documents: Documents, *, gold: str = "gold") -> GoldAgreement:
    """Score every other version against the gold version, in documents that have gold."""
    totals: dict[str, PairScores] = {}
    for text, versions in documents:
        if gold not in versions:
            continue
        for name, version in versions.items():
            if name != gold:
                totals[name] = totals.get(name, PairScores()) + compare(versions[gold], version, text)
    return GoldAgreement(gold, dict(sorted(totals.items())))
