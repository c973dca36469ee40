"""Pure annotation values: entity spans, quotes and stances, read from dicts with their fields checked.

The rules an annotation must keep (labels, token boundaries, overlaps, links) are annotator.checks.

Offsets are character offsets into the original document text, end exclusive, everywhere.
Items carry a ``uid`` unique within their annotation set; links between items (a quote's
speaker entity, a stance's holder or target entity) refer to that uid.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from operator import attrgetter
from typing import Any

from annotator.errors import InvalidInput
from annotator.vocab import Origin, QuoteKind

# Value lookups that also validate: a JSON string to its member (members are strings too).
ORIGINS: dict[str, Origin] = {o.value: o for o in Origin}
QUOTE_KINDS: dict[str, QuoteKind] = {k.value: k for k in QuoteKind}
# The longest value of each text field (the database columns have these sizes).
MAX_LENGTHS: dict[str, int] = {
    "uid": 40, "label": 64, "polarity": 32, "holder": 300, "target": 300,
    "speaker_entity": 40, "holder_entity": 40, "target_entity": 40,
}


class SpanError(InvalidInput):
    """An annotation value that does not fit its text, labels or links."""


@dataclass(frozen=True, slots=True)
class Span:
    """A character range of the document text, end exclusive."""

    start: int
    end: int

    def text(self, doc_text: str) -> str:
        """Return the covered text."""
        return doc_text[self.start:self.end]

    def overlaps(self, other: Span) -> bool:
        """Whether the two ranges share at least one character."""
        return self.start < other.end and other.start < self.end

    def to_dict(self) -> dict[str, int]:
        """Plain dict form."""
        return {"start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, field: str = "span") -> Span:
        """Build from ``{"start", "end"}``; raise SpanError on bad values."""
        if not isinstance(data, Mapping):
            raise SpanError("must be an object with start and end", field=field)
        start, end = data.get("start"), data.get("end")
        if not _is_int(start) or not _is_int(end):
            raise SpanError("start and end must be integers", field=field)
        assert isinstance(start, int) and isinstance(end, int)
        return cls(start, end)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_span(data: Mapping[str, Any], key: str, *, field: str) -> Span | None:
    value = data.get(key)
    return None if value is None else Span.from_dict(value, field=f"{field}.{key}")


def _opt_str(data: Mapping[str, Any], key: str, *, field: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SpanError("must be a string", field=f"{field}.{key}")
    if len(value) > MAX_LENGTHS.get(key, len(value)):
        raise SpanError(f"is longer than {MAX_LENGTHS[key]} characters", field=f"{field}.{key}")
    return value


def _req_str(data: Mapping[str, Any], key: str, *, field: str) -> str:
    value = _opt_str(data, key, field=field)
    if not value:
        raise SpanError("is required", field=f"{field}.{key}")
    return value


def _opt_float(data: Mapping[str, Any], key: str, *, field: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpanError("must be a number", field=f"{field}.{key}")
    return float(value)


def _origin(data: Mapping[str, Any], *, field: str, default: str) -> Origin:
    value = data.get("origin", default)
    if not isinstance(value, str) or value not in ORIGINS:
        raise SpanError(f"must be one of {', '.join(ORIGINS)}", field=f"{field}.origin")
    return ORIGINS[value]


@dataclass(frozen=True, slots=True)
class Entity:
    """A labelled entity span."""

    uid: str
    start: int
    end: int
    label: str
    origin: Origin = Origin.HUMAN

    @property
    def span(self) -> Span:
        """The character range."""
        return Span(self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form."""
        return {"uid": self.uid, "start": self.start, "end": self.end, "label": self.label,
                "origin": self.origin}

    @classmethod
    def many(cls, uids: Sequence[str], starts: Sequence[int], ends: Sequence[int], labels: Sequence[str],
             origins: Sequence[Origin]) -> list[Entity]:
        """Entities from columns of values already checked, built in bulk: the same objects as
        ``Entity(uid, start, end, label, origin)`` each, with every field set by C-level maps (an
        import builds tens of thousands; the frozen class's __init__ costs several times more)."""
        entities: list[Entity] = list(map(object.__new__, repeat(cls, len(uids))))
        for slot, values in zip(_ENTITY_SLOTS, (uids, starts, ends, labels, origins)):
            deque(map(slot.__set__, entities, values), maxlen=0)
        return entities

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, field: str = "entity",
                  origin: str = Origin.HUMAN) -> Entity:
        """Build from a plain dict; raise SpanError on bad values."""
        if not isinstance(data, Mapping):
            raise SpanError("must be an object", field=field)
        span = Span.from_dict(data, field=field)
        return cls(_req_str(data, "uid", field=field), span.start, span.end,
                   _req_str(data, "label", field=field), _origin(data, field=field, default=origin))


_ENTITY_SLOTS: tuple[Any, ...] = tuple(vars(Entity)[name] for name in ("uid", "start", "end", "label", "origin"))
"""The slot descriptors of Entity's fields, in order (Entity.many sets them)."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: content, cue and speaker mention, the speaker's entity uid, and kind."""

    uid: str
    content: Span
    kind: QuoteKind = QuoteKind.DIRECT
    cue: Span | None = None
    speaker: Span | None = None
    speaker_entity: str | None = None
    confidence: float | None = None
    origin: Origin = Origin.HUMAN

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form."""
        return {
            "uid": self.uid,
            "content": self.content.to_dict(),
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "speaker_entity": self.speaker_entity,
            "kind": self.kind,
            "confidence": self.confidence,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, field: str = "quote",
                  origin: str = Origin.HUMAN) -> Quote:
        """Build from a plain dict; raise SpanError on bad values."""
        if not isinstance(data, Mapping):
            raise SpanError("must be an object", field=field)
        kind = data.get("kind", QuoteKind.DIRECT)
        if not isinstance(kind, str) or kind not in QUOTE_KINDS:
            raise SpanError(f"must be one of {', '.join(QUOTE_KINDS)}", field=f"{field}.kind")
        content = data.get("content")
        if content is None:
            raise SpanError("is required", field=f"{field}.content")
        return cls(
            uid=_req_str(data, "uid", field=field),
            content=Span.from_dict(content, field=f"{field}.content"),
            kind=QUOTE_KINDS[kind],
            cue=_opt_span(data, "cue", field=field),
            speaker=_opt_span(data, "speaker", field=field),
            speaker_entity=_opt_str(data, "speaker_entity", field=field),
            confidence=_opt_float(data, "confidence", field=field),
            origin=_origin(data, field=field, default=origin),
        )


@dataclass(frozen=True, slots=True)
class Stance:
    """A holder's position (polarity) toward a target entity or topic, with its evidence."""

    uid: str
    polarity: str
    evidence: Span
    holder: str = ""
    holder_entity: str | None = None
    target: str = ""
    target_entity: str | None = None
    confidence: float | None = None
    origin: Origin = Origin.HUMAN

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form; ``holder`` and ``target`` are display names or topics."""
        return {
            "uid": self.uid,
            "holder": self.holder,
            "holder_entity": self.holder_entity,
            "target": self.target,
            "target_entity": self.target_entity,
            "polarity": self.polarity,
            "evidence": self.evidence.to_dict(),
            "confidence": self.confidence,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, field: str = "stance",
                  origin: str = Origin.HUMAN) -> Stance:
        """Build from a plain dict; raise SpanError on bad values."""
        if not isinstance(data, Mapping):
            raise SpanError("must be an object", field=field)
        evidence = data.get("evidence")
        if evidence is None:
            raise SpanError("is required", field=f"{field}.evidence")
        return cls(
            uid=_req_str(data, "uid", field=field),
            polarity=_req_str(data, "polarity", field=field),
            evidence=Span.from_dict(evidence, field=f"{field}.evidence"),
            holder=_opt_str(data, "holder", field=field) or "",
            holder_entity=_opt_str(data, "holder_entity", field=field),
            target=_opt_str(data, "target", field=field) or "",
            target_entity=_opt_str(data, "target_entity", field=field),
            confidence=_opt_float(data, "confidence", field=field),
            origin=_origin(data, field=field, default=origin),
        )


@dataclass(slots=True)
class Annotation:
    """The three layers of one annotation set."""

    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """Plain dict form."""
        return {
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "stances": [s.to_dict() for s in self.stances],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = Origin.HUMAN) -> Annotation:
        """Build from ``{"entities", "quotes", "stances"}``; raise SpanError on bad values."""
        return cls(
            entities=[Entity.from_dict(d, field=f"entities[{i}]", origin=origin)
                      for i, d in enumerate(data.get("entities") or [])],
            quotes=[Quote.from_dict(d, field=f"quotes[{i}]", origin=origin)
                    for i, d in enumerate(data.get("quotes") or [])],
            stances=[Stance.from_dict(d, field=f"stances[{i}]", origin=origin)
                     for i, d in enumerate(data.get("stances") or [])],
        )

    def entity_by_uid(self) -> dict[str, Entity]:
        """Map each entity uid to its entity."""
        return {e.uid: e for e in self.entities}


def as_human(annotation: Annotation) -> Annotation:
    """Return a copy with every item marked as made by a person."""
    return Annotation(
        entities=[replace(e, origin=Origin.HUMAN) for e in annotation.entities],
        quotes=[replace(q, origin=Origin.HUMAN) for q in annotation.quotes],
        stances=[replace(s, origin=Origin.HUMAN) for s in annotation.stances],
    )

