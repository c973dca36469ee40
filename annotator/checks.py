"""Pure: the one check every write runs, for a whole annotation or for one item.

Every path that changes a set calls this module: the editor API (one item at a time, with the
neighbours the database finds), review take/remove/accept/undo, restore, import and the CLI
(the whole annotation). The rules:

- every span lies inside the text (start < end); entities start and end on token boundaries;
- entity labels and stance polarities belong to the dataset's vocabulary;
- overlap, per layer: entities never overlap each other (a DocBin's ``doc.ents`` could not hold
  them); quotes may nest (a quote inside a quote) and stances may share evidence;
- links (a quote's speaker, a stance's holder and target) name entities of the same set;
- a stance has a holder and a target (entity or name);
- uids are unique within a set and text fields fit their database columns (``LIMITS``).
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Container, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from operator import attrgetter
from typing import TypeAlias

from annotator.spans import Annotation, Entity, Quote, Span, SpanError, Stance
from annotator.tokens import DocTokens

Item: TypeAlias = "Entity | Quote | Stance"
LIMITS: dict[str, int] = {"uid": 40, "label": 64, "polarity": 32, "holder": 300, "target": 300}
NUL = "\x00"
"""Refused in every text we store: PostgreSQL keeps no NUL character in a text column (SQLite would)."""


@dataclass(frozen=True)
class Rules:
    """What a set's items must fit: the text, its tokens, the dataset's labels and polarities."""

    text: str
    bounds: DocTokens | None = None
    labels: Collection[str] | None = None
    polarities: Collection[str] | None = None


def check_span(span: Span, text_length: int, *, field: str = "span") -> None:
    """Raise SpanError unless 0 <= start < end <= text_length."""
    if span.start < 0 or span.end > text_length or span.start >= span.end:
        raise SpanError(
            f"[{span.start}, {span.end}) is out of range for a text of {text_length} characters",
            field=field,
        )


def _length(value: str, name: str, field: str) -> None:
    if len(value) > LIMITS[name]:
        raise SpanError(f"is longer than {LIMITS[name]} characters", field=field)
    if NUL in value:
        raise SpanError("contains a NUL character (\\x00)", field=field)


def _in_text(span: Span | None, rules: Rules, field: str, *, aligned: bool = False) -> None:
    if span is None:
        return
    check_span(span, len(rules.text), field=field)
    if aligned and rules.bounds is not None and not rules.bounds.is_aligned(span.start, span.end):
        raise SpanError(f"[{span.start}, {span.end}) {rules.text[span.start:span.end]!r} "
                        "is not on token boundaries", field=field)


def _link(uid: str | None, entity_uids: Container[str], field: str) -> None:
    if uid is not None and uid not in entity_uids:
        raise SpanError(f"links to unknown entity {uid!r}", field=field)


def _known(value: str, known: Collection[str] | None, what: str, field: str) -> None:
    if known and value not in known:
        raise SpanError(f"unknown {what} {value!r} (known: {', '.join(known)})", field=field)


def _entity(item: Entity, rules: Rules, overlapping: Iterable[Item], field: str) -> None:
    """Range, tokens, label and the no-overlap rule of an entity."""
    _in_text(item.span, rules, field, aligned=True)
    _length(item.label, "label", f"{field}.label")
    _known(item.label, rules.labels, "label", f"{field}.label")
    for other in overlapping:
        if isinstance(other, Entity) and other.uid != item.uid and item.span.overlaps(other.span):
            raise SpanError(f"entity [{item.start}, {item.end}) overlaps the {other.label} entity "
                            f"[{other.start}, {other.end}) {rules.text[other.start:other.end]!r}",
                            field=field)


def _quote(item: Quote, rules: Rules, entity_uids: Container[str], field: str) -> None:
    """Spans and speaker link of a quote."""
    _in_text(item.content, rules, f"{field}.content")
    _in_text(item.cue, rules, f"{field}.cue")
    _in_text(item.speaker, rules, f"{field}.speaker")
    _link(item.speaker_entity, entity_uids, f"{field}.speaker_entity")


def _stance(item: Stance, rules: Rules, entity_uids: Container[str], field: str) -> None:
    """Evidence, polarity, holder and target of a stance."""
    _in_text(item.evidence, rules, f"{field}.evidence")
    _length(item.polarity, "polarity", f"{field}.polarity")
    _known(item.polarity, rules.polarities, "polarity", f"{field}.polarity")
    for name in ("holder", "target"):
        _length(getattr(item, name), name, f"{field}.{name}")
        _link(getattr(item, f"{name}_entity"), entity_uids, f"{field}.{name}_entity")
    if not (item.holder or item.holder_entity):
        raise SpanError("needs a holder name or entity", field=f"{field}.holder")
    if not (item.target or item.target_entity):
        raise SpanError("needs a target entity or topic", field=f"{field}.target")


def check_item(item: Item, rules: Rules, *, entity_uids: Container[str] = (),
               overlapping: Iterable[Item] = (), field: str = "item") -> None:
    """Raise SpanError unless one item fits the rules, given its set's entity uids and neighbours.

    ``overlapping`` holds the set's other items that may overlap this one (the caller may pass
    more; only real overlaps in the same layer count).
    """
    if not item.uid:
        raise SpanError("is required", field=f"{field}.uid")
    _length(item.uid, "uid", f"{field}.uid")
    if isinstance(item, Entity):
        _entity(item, rules, overlapping, field)
    elif isinstance(item, Quote):
        _quote(item, rules, entity_uids, field)
    else:
        _stance(item, rules, entity_uids, field)


def _entities_fit(entities: Sequence[Entity], rules: Rules, n: int) -> bool:
    """Whether every entity passes its own checks and uids are unique, tested in bulk (C-level map):
    an import validates tens of thousands. False sends validate item by item to name the first bad one."""
    if not entities:
        return True
    uids, labels = list(map(attrgetter("uid"), entities)), list(map(attrgetter("label"), entities))
    starts, ends = list(map(attrgetter("start"), entities)), list(map(attrgetter("end"), entities))
    return (len(set(uids)) == len(uids) and min(starts) >= 0 and max(ends) <= n
            and all(map(operator.lt, starts, ends)) and all(uids) and max(map(len, uids)) <= LIMITS["uid"]
            and max(map(len, labels)) <= LIMITS["label"] and NUL not in "".join(chain(uids, labels))
            and (rules.bounds is None or rules.bounds.all_aligned(starts, ends))
            and (not rules.labels or set(labels) <= set(rules.labels)))


def _no_overlaps(ordered: Sequence[Entity], rules: Rules, entities: Sequence[Entity]) -> None:
    """The entities' overlap rule: in text order, any overlap shows between neighbours."""
    starts, ends = list(map(attrgetter("start"), ordered)), list(map(attrgetter("end"), ordered))
    for k in compress(range(1, len(ordered)), map(operator.lt, starts[1:], ends)):
        b = ordered[k]
        field = next(f"entities[{i}]" for i, e in enumerate(entities) if e is b)
        check_item(b, rules, entity_uids=_ANY, overlapping=(ordered[k - 1],), field=field)


class _Anything:
    """A container holding every uid (links are checked separately)."""

    def __contains__(self, _: object) -> bool:
        return True


_ANY = _Anything()


def validate(annotation: Annotation, text: str, *, labels: Sequence[str] | None = None,
             polarities: Sequence[str] | None = None, bounds: DocTokens | None = None,
             allow_overlap: bool = False) -> None:
    """Raise SpanError naming the first item of an annotation that breaks a rule (module docstring)."""
    rules = Rules(text, bounds, frozenset(labels) if labels else None,
                  frozenset(polarities) if polarities else None)
    rules_named = Rules(text, bounds, labels, polarities)  # error messages list labels in order
    uids: set[str] = set()
    if not _entities_fit(annotation.entities, rules, len(text)):
        for i, entity in enumerate(annotation.entities):
            if entity.uid in uids:
                raise SpanError(f"duplicate uid {entity.uid!r}", field=f"entities[{i}]")
            uids.add(entity.uid)
            check_item(entity, rules_named, field=f"entities[{i}]")
    uids = set(map(attrgetter("uid"), annotation.entities))
    for layer in ("quotes", "stances"):
        for i, item in enumerate(getattr(annotation, layer)):
            if item.uid in uids:
                raise SpanError(f"duplicate uid {item.uid!r}", field=f"{layer}[{i}]")
            uids.add(item.uid)
    entity_uids = set(map(attrgetter("uid"), annotation.entities))
    for layer in ("quotes", "stances"):
        for i, item in enumerate(getattr(annotation, layer)):
            check_item(item, rules_named, entity_uids=entity_uids, field=f"{layer}[{i}]")
    if not allow_overlap:
        _no_overlaps(sorted(annotation.entities, key=attrgetter("start", "end")), rules_named,
                     annotation.entities)


def check_aligned(annotation: Annotation, text: str, bounds: DocTokens) -> None:
    """Raise SpanError naming the first entity off token boundaries: what validate adds to a check
    done without tokens (an import whose file has none, tokenized after reading)."""
    entities = annotation.entities
    if bounds.all_aligned(map(attrgetter("start"), entities), map(attrgetter("end"), entities)):
        return
    rules = Rules(text, bounds)
    for i, entity in enumerate(entities):
        _in_text(entity.span, rules, f"entities[{i}]", aligned=True)


def check_speaker_labels(speaker_labels: Sequence[str], labels: Sequence[str], *,
                         field: str = "speaker_labels") -> list[str]:
    """A dataset's speaker labels: a vocabulary whose every word is one of its entity labels (any when none)."""
    cleaned = check_vocabulary(speaker_labels, field=field)
    unknown = [w for w in cleaned if labels and w not in labels]
    if unknown:
        raise SpanError(f"{', '.join(unknown)} is not one of the entity labels ({', '.join(labels)})", field=field)
    return cleaned


def check_vocabulary(words: Sequence[str], *, field: str = "labels") -> list[str]:
    """A dataset's labels (or polarities) as given, refused when empty, repeated, blank or too long."""
    cleaned = [w.strip() for w in words]
    if not cleaned or not all(cleaned):
        raise SpanError("must name at least one, none of them empty", field=field)
    for word in cleaned:
        if len(word) > LIMITS["label"] or any(ch.isspace() for ch in word):
            raise SpanError(f"{word!r} must be one word of at most {LIMITS['label']} characters", field=field)
    repeated = sorted({w for w in cleaned if cleaned.count(w) > 1})
    if repeated:
        raise SpanError(f"{', '.join(repeated)} given twice", field=field)
    return cleaned
