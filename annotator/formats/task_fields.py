"""Checked readers of the fields that Prodigy-style tasks share: text, tokens, spans, answer."""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from annotator.formats.errors import FormatError
from annotator.formats.tokens import DocTokens, is_int, parse_doc_tokens
from annotator.checks import NUL, validate
from annotator.spans import ORIGINS, Annotation, Entity, SpanError
from annotator.vocab import Answer, Origin

ANSWERS: tuple[str, ...] = tuple(Answer)
MAX_META_DEPTH = 32  # deeper metadata cannot be stored and written back out (JSON writers stop at 255)


@dataclass(slots=True)
class ImportedTask:
    """One imported record: its text, tokens and annotation, ready for the service layer."""

    text: str
    meta: dict[str, Any]
    tokens: list[tuple[int, int]] | None
    annotation: Annotation | None
    answer: str = Answer.ACCEPT
    annotator_id: str | None = None
    status: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Where:
    """The file and line a record came from, to name them in errors."""

    source: str
    line: int

    def error(self, message: str, field: str = "") -> FormatError:
        """A FormatError at this place."""
        return FormatError(message, source=self.source, line=self.line, field=field)


def read_text(task: Mapping[str, Any], where: Where) -> str:
    """The required, non-empty ``text``."""
    text = task.get("text")
    if not isinstance(text, str) or not text.strip():
        raise where.error("is required and must be a non-empty string", "text")
    if NUL in text:
        raise where.error(f"contains a NUL character (\\x00) at offset {text.index(NUL)}; no database keeps one",
                          "text")
    return text


def read_meta(task: Mapping[str, Any], where: Where) -> dict[str, Any]:
    """The optional ``meta`` object (a copy)."""
    meta = task.get("meta")
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise where.error("must be an object", "meta")
    if nesting_depth(meta) > MAX_META_DEPTH:
        raise where.error(f"is nested more than {MAX_META_DEPTH} levels deep", "meta")
    return dict(meta)


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in a JSON value (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_answer(task: Mapping[str, Any], where: Where) -> str:
    """Prodigy's ``answer``; accept when missing."""
    answer = task.get("answer", Answer.ACCEPT)
    if answer not in ANSWERS:
        raise where.error(f"must be one of {', '.join(ANSWERS)}", "answer")
    return str(answer)


def read_optional_str(task: Mapping[str, Any], key: str, where: Where) -> str | None:
    """An optional string field."""
    value = task.get(key)
    if value is not None and not isinstance(value, str):
        raise where.error("must be a string", key)
    if value is not None and NUL in value:
        raise where.error("contains a NUL character (\\x00)", key)
    return value


def read_tokens(task: Mapping[str, Any], text: str, where: Where) -> DocTokens | None:
    """The optional ``tokens``, checked against the text."""
    if task.get("tokens") is None:
        return None
    return parse_doc_tokens(task["tokens"], text, source=where.source, line=where.line)


def char_span(value: object, text: str, where: Where, fld: str, *,
              tokens: DocTokens | None = None, aligned: bool = False) -> tuple[int, int]:
    """Check a ``{start, end[, text, token_start, token_end]}`` object; return its offsets."""
    if not isinstance(value, Mapping):
        raise where.error("must be an object with start and end", fld)
    start, end = value.get("start"), value.get("end")
    for key, number in (("start", start), ("end", end)):
        if not is_int(number):
            raise where.error("must be an integer", f"{fld}.{key}")
    assert isinstance(start, int) and isinstance(end, int)
    n = len(text)
    if start < 0 or end > n or start >= end:
        bad = "start" if start < 0 or start >= n else "end"
        raise where.error(f"span [{start}, {end}) is out of range for a text of {n} characters",
                          f"{fld}.{bad}")
    if isinstance(value.get("text"), str) and value["text"] != text[start:end]:
        raise where.error(f"text {value['text']!r} does not match {text[start:end]!r} at "
                          f"[{start}, {end})", f"{fld}.text")
    if tokens is not None:
        _check_token_fields(value, start, end, text, tokens, where, fld, aligned=aligned)
    return start, end


def _check_token_fields(value: Mapping[str, Any], start: int, end: int, text: str,
                        tokens: DocTokens, where: Where, fld: str, *, aligned: bool) -> None:
    """Check boundary alignment and token_start / token_end."""
    first, last = tokens.token_range(start, end)
    if aligned and not tokens.is_aligned(start, end):
        raise where.error(f"span [{start}, {end}) {text[start:end]!r} is not on token boundaries",
                          fld)
    for key, expected in (("token_start", first), ("token_end", last)):
        given = value.get(key)
        if given is not None and given != expected:
            raise where.error(f"{given!r} does not match the tokens of [{start}, {end}) "
                              f"(expected {expected}; token_end is inclusive)", f"{fld}.{key}")


def read_entities(spans: object, text: str, tokens: DocTokens | None,
                  where: Where) -> list[dict[str, Any]]:
    """Prodigy ``spans`` as entity dicts; uids default to ``e1``, ``e2``, ..."""
    if spans is None:
        return []
    if not isinstance(spans, list):
        raise where.error("must be a list", "spans")
    all_dicts = bool(spans) and set(map(type, spans)) == {dict}
    fast = _entities_fast(spans, text, tokens) if all_dicts else None
    return fast if fast is not None else [_entity(span, i, text, tokens, where)
                                          for i, span in enumerate(spans)]


def _entity(span: object, i: int, text: str, tokens: DocTokens | None,
            where: Where) -> dict[str, Any]:
    """One span as an entity dict, every check spelled out; FormatError names the bad field."""
    fld = f"spans[{i}]"
    start, end = char_span(span, text, where, fld, tokens=tokens, aligned=True)
    assert isinstance(span, Mapping)
    label = span.get("label")
    if not isinstance(label, str) or not label:
        raise where.error("is required and must be a string", f"{fld}.label")
    uid = f"e{i + 1}" if span.get("uid") is None else span["uid"]
    if not isinstance(uid, str) or not uid:
        raise where.error("must be a non-empty string", f"{fld}.uid")
    return {"uid": uid, "start": start, "end": end, "label": label,
            "origin": span.get("origin", Origin.HUMAN)}


def _entities_fast(spans: list[dict[str, Any]], text: str,
                   tokens: DocTokens | None) -> list[dict[str, Any]] | None:
    """_entity's results when every span passes all its checks (checked in bulk), else None.

    Spans are most of an import: each field is read for all spans at once with C-level map().
    """
    starts, ends, labels = (_column(spans, key) for key in ("start", "end", "label"))
    if not ({*map(type, starts), *map(type, ends)} <= {int} and set(map(type, labels)) <= {str}
            and all(map(operator.lt, starts, ends)) and min(starts) >= 0 and max(ends) <= len(text)
            and all(labels)):
        return None
    covered = list(map(text.__getitem__, map(slice, starts, ends)))
    given = _column(spans, "text")
    if given != covered and any(isinstance(g, str) and g != c for g, c in zip(given, covered)):
        return None
    if tokens is not None and not _on_tokens(spans, starts, ends, tokens):
        return None
    uids = [f"e{i}" if uid is None else uid
            for i, uid in enumerate(_column(spans, "uid"), 1)]
    if set(map(type, uids)) != {str} or not all(uids):
        return None
    origins = map(dict.get, spans, repeat("origin"), repeat(Origin.HUMAN))
    return [{"uid": uid, "start": start, "end": end, "label": label, "origin": origin}
            for uid, start, end, label, origin in zip(uids, starts, ends, labels, origins)]


def _entities_bulk(dicts: list[dict[str, Any]]) -> list[Entity] | None:
    """_entities' result via Entity.many when every uid is a non-empty string and every origin known, else None."""
    try:  # itemgetter over map: each field of every dict read in C
        uids, labels = list(map(operator.itemgetter("uid"), dicts)), list(map(operator.itemgetter("label"), dicts))
        starts, ends = list(map(operator.itemgetter("start"), dicts)), list(map(operator.itemgetter("end"), dicts))
        origins = list(map(dict.get, dicts, repeat("origin"), repeat(Origin.HUMAN)))
        if set(map(type, uids)) - {str} or not all(uids) or set(map(type, origins)) - {str, Origin} \
                or not ORIGINS.keys() >= set(origins):
            return None
    except (TypeError, KeyError):
        return None
    return Entity.many(uids, starts, ends, labels, list(map(ORIGINS.__getitem__, origins)))


def _column(spans: list[dict[str, Any]], key: str) -> list[Any]:
    """Each span's value of ``key`` (None when missing)."""
    return list(map(dict.get, spans, repeat(key)))


def _on_tokens(spans: list[dict[str, Any]], starts: list[int], ends: list[int],
               tokens: DocTokens) -> bool:
    """Whether every span is on token boundaries and its token_start / token_end (if any) fit."""
    if not tokens.all_aligned(starts, ends):
        return False
    first, last = tokens.token_ranges(starts, ends)
    return _fits(_column(spans, "token_start"), first) and _fits(_column(spans, "token_end"), last)


def _fits(given: list[Any], expected: list[Any]) -> bool:
    """Whether each given value (None: not given) equals the expected one."""
    # Whole-list equality first: in C, and true whenever every value is given and right.
    return given == expected or not any(g is not None and g != e for g, e in zip(given, expected))


def build_annotation(layers: Mapping[str, Any], text: str, tokens: DocTokens | None,
                     where: Where, *, labels: Sequence[str] | None = None,
                     polarities: Sequence[str] | None = None,
                     entity_field: str = "spans", entities_aligned: bool = False) -> Annotation:
    """Build and validate an Annotation from spans.py dicts; SpanError becomes FormatError.

    ``entities_aligned``: read_entities already checked them against ``tokens``; not again.
    ``layers["entities"]`` may hold Entity objects a reader built in bulk (Entity.many) instead of dicts.
    """
    rename = {"entities": entity_field}
    bounds = tokens if not entities_aligned else None
    try:
        annotation = Annotation.from_dict({**layers, "entities": []})
        given = layers.get("entities") or []
        annotation.entities = given if isinstance(given[0] if given else None, Entity) else _entities(given)
        validate(annotation, text, labels=labels, polarities=polarities, bounds=bounds)
    except SpanError as err:
        raise FormatError.from_span_error(err, source=where.source, line=where.line,
                                          rename=rename) from None
    return annotation


def _entities(dicts: list[dict[str, Any]]) -> list[Entity]:
    """Entities from reader-checked dicts (in bulk when all are well formed); Entity.from_dict only to
    name a bad uid or origin."""
    fast = _entities_bulk(dicts)
    if fast is not None:
        return fast
    entities = []
    for i, data in enumerate(dicts):
        uid, origin = data.get("uid"), data.get("origin")
        if type(uid) is str and uid and type(origin) is str and origin in ORIGINS:
            entities.append(Entity(uid, data["start"], data["end"], data["label"], ORIGINS[origin]))
        else:
            entities.append(Entity.from_dict(data, field=f"entities[{i}]"))
    return entities
