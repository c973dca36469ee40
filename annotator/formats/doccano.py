"""doccano's sequence-labelling JSONL (with relations), read and written.

Quotes travel as entities labelled QUOTE (content), CUE and SPEAKER with relations ``cue``
(CUE -> QUOTE), ``speaker`` (SPEAKER -> QUOTE) and ``refers_to`` (SPEAKER, or the QUOTE when
there is no speaker mention, -> the speaker's entity). A stance is an entity labelled
STANCE_<POLARITY> on its evidence with relations ``holder`` and ``target`` (STANCE -> entity).
What doccano has no place for (uids, origins, quote kinds, confidences, holder and target
names or topics) is kept in top-level ``entity_info``, ``quotes`` and ``stances`` keys.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter, methodcaller
from typing import Any

from annotator.formats.task_fields import (
    ImportedTask, Where, build_annotation, read_meta, read_optional_str, read_text,
)
from annotator.formats.tokens import is_int
from annotator.spans import ORIGINS, Annotation, Entity, Span
from annotator.vocab import Origin, guess_quote_kind

QUOTE, CUE, SPEAKER, STANCE_PREFIX = "QUOTE", "CUE", "SPEAKER", "STANCE_"
QUOTE_LINKS = {"speaker": SPEAKER, "cue": CUE}
_NO_INFO: dict[str, Any] = {}


class _Builder:
    """Collects doccano entities and relations with running ids."""

    def __init__(self) -> None:
        self.entities: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []

    def entity(self, span: Span, label: str) -> int:
        """Add an entity; return its id."""
        self.entities.append({"id": len(self.entities) + 1, "label": label,
                              "start_offset": span.start, "end_offset": span.end})
        return len(self.entities)

    def relation(self, from_id: int, to_id: int | None, kind: str) -> None:
        """Add a relation when the target exists."""
        if to_id is not None:
            self.relations.append({"id": len(self.relations) + 1, "from_id": from_id,
                                   "to_id": to_id, "type": kind})


def doccano_from_annotation(text: str, annotation: Annotation, *, record_id: int | None = None,
                            meta: Mapping[str, Any] | None = None, annotator_id: str | None = None,
                            status: str | None = None) -> dict[str, Any]:
    """One annotation set as a doccano record; ``_annotator_id`` and ``_status`` ride along."""
    out = _Builder()
    ids = {e.uid: out.entity(e.span, e.label) for e in annotation.entities}
    info = [{"id": ids[e.uid], "uid": e.uid, "origin": e.origin} for e in annotation.entities]
    quotes = []
    for q in annotation.quotes:
        qid = out.entity(q.content, QUOTE)
        speaker_id = out.entity(q.speaker, SPEAKER) if q.speaker else None
        if speaker_id is not None:
            out.relation(speaker_id, qid, "speaker")
        if q.cue:
            out.relation(out.entity(q.cue, CUE), qid, "cue")
        out.relation(speaker_id or qid, ids.get(q.speaker_entity or ""), "refers_to")
        quotes.append({"id": qid, "uid": q.uid, "kind": q.kind, "confidence": q.confidence,
                       "origin": q.origin})
    stances = []
    for s in annotation.stances:
        sid = out.entity(s.evidence, STANCE_PREFIX + s.polarity.upper())
        out.relation(sid, ids.get(s.holder_entity or ""), "holder")
        out.relation(sid, ids.get(s.target_entity or ""), "target")
        stances.append({"id": sid, "uid": s.uid, "holder": s.holder, "target": s.target,
                        "confidence": s.confidence, "origin": s.origin})
    record: dict[str, Any] = {
        "id": record_id, "text": text, "entities": out.entities, "relations": out.relations,
        "entity_info": info, "quotes": quotes, "stances": stances, "meta": dict(meta or {})}
    if annotator_id is not None:
        record["_annotator_id"] = annotator_id
    if status is not None:
        record["_status"] = status
    return record


def annotation_from_doccano(record: Mapping[str, Any], *, source: str, line: int,
                            labels: Sequence[str] | None = None,
                            polarities: Sequence[str] | None = None) -> ImportedTask:
    """Read and validate one doccano record; raise FormatError naming source, line and field."""
    where = Where(source, line)
    text = read_text(record, where)
    spans = _read_spans(record, text, where)
    reader = _Reader(record, text, spans, where)
    annotation = build_annotation(reader.layers(), text, None, where, labels=labels,
                                  polarities=polarities, entity_field="entities")
    return ImportedTask(text=text, meta=read_meta(record, where), tokens=None,
                        annotation=annotation, warnings=reader.warnings,
                        annotator_id=read_optional_str(record, "_annotator_id", where),
                        status=read_optional_str(record, "_status", where))


def _read_spans(record: Mapping[str, Any], text: str, where: Where) -> dict[int, dict[str, Any]]:
    """doccano entities (or the older ``label`` triples) by id, checked against the text."""
    fast = _fast_spans(record.get("entities"), len(text))
    if fast is not None:
        return fast
    if isinstance(record.get("entities"), list):
        items = [(f"entities[{i}]", e) for i, e in enumerate(record["entities"])]
    elif isinstance(record.get("label"), list):
        items = [(f"label[{i}]", _triple(t, where, f"label[{i}]", i))
                 for i, t in enumerate(record["label"])]
    else:
        return {}
    spans: dict[int, dict[str, Any]] = {}
    for fld, ent in items:
        if not isinstance(ent, Mapping):
            raise where.error("must be an object", fld)
        start, end = ent.get("start_offset"), ent.get("end_offset")
        for key, value in (("id", ent.get("id")), ("start_offset", start), ("end_offset", end)):
            if not is_int(value):
                raise where.error("must be an integer", f"{fld}.{key}")
        assert isinstance(start, int) and isinstance(end, int)
        if start < 0 or end > len(text) or start >= end:
            bad = "start_offset" if start < 0 or start >= len(text) else "end_offset"
            raise where.error(f"span [{start}, {end}) is out of range for a text of "
                              f"{len(text)} characters", f"{fld}.{bad}")
        if not isinstance(ent.get("label"), str) or not ent["label"]:
            raise where.error("is required and must be a string", f"{fld}.label")
        if ent["id"] in spans:
            raise where.error(f"duplicate entity id {ent['id']}", f"{fld}.id")
        spans[ent["id"]] = {"field": fld, "start": start, "end": end, "label": ent["label"]}
    return spans


def _fast_spans(entities: object, length: int) -> dict[int, dict[str, Any]] | None:
    """_read_spans for well-formed entities, checked in bulk; None when any is not (the slow path names it)."""
    if not isinstance(entities, list):
        return None
    try:  # itemgetter over map: every entity's fields read in C
        ids = list(map(itemgetter("id"), entities))
        starts = list(map(itemgetter("start_offset"), entities))
        ends = list(map(itemgetter("end_offset"), entities))
        labels = list(map(itemgetter("label"), entities))
    except (TypeError, KeyError):
        return None
    if set(map(type, chain(ids, starts, ends))) - {int} or set(map(type, labels)) - {str} or "" in labels:
        return None
    if len(set(ids)) != len(ids) or not all(map(operator.lt, starts, ends)) or (
            starts and (min(starts) < 0 or max(ends) > length)):
        return None
    return {i: {"field": f"entities[{n}]", "start": s, "end": e, "label": label}
            for n, (i, s, e, label) in enumerate(zip(ids, starts, ends, labels))}


def _triple(value: object, where: Where, fld: str, i: int) -> dict[str, Any]:
    """An older ``[start, end, label]`` triple as an entity object."""
    if not isinstance(value, list) or len(value) != 3:
        raise where.error("must be [start, end, label]", fld)
    return {"id": i + 1, "start_offset": value[0], "end_offset": value[1], "label": value[2]}


class _Reader:
    """Turns doccano entities and relations back into the three layers."""

    def __init__(self, record: Mapping[str, Any], text: str, spans: dict[int, dict[str, Any]],
                 where: Where) -> None:
        self.text, self.spans, self.where = text, spans, where
        self.warnings: list[str] = []
        self.info = {i.get("id"): i for i in _dicts(record.get("entity_info"))}
        self.quote_info = {i.get("id"): i for i in _dicts(record.get("quotes"))}
        self.stance_info = {i.get("id"): i for i in _dicts(record.get("stances"))}
        self.links: dict[tuple[int, str], int] = {}
        self.owner: dict[int, int] = {}
        self._read_relations(record.get("relations"))

    def _read_relations(self, relations: object) -> None:
        """Index relations by (entity id, type); note unsupported types."""
        for i, rel in enumerate(relations if isinstance(relations, list) else []):
            fld = f"relations[{i}]"
            if not isinstance(rel, Mapping):
                raise self.where.error("must be an object", fld)
            for key in ("from_id", "to_id"):
                if rel.get(key) not in self.spans:
                    raise self.where.error(f"{rel.get(key)!r} is not an entity id", f"{fld}.{key}")
            kind = rel.get("type")
            if kind in QUOTE_LINKS:
                self.owner[rel["from_id"]] = rel["to_id"]
                self.links[(rel["to_id"], kind)] = rel["from_id"]
            elif kind in ("refers_to", "holder", "target"):
                self.links[(rel["from_id"], kind)] = rel["to_id"]
            else:
                self.warnings.append(f"{fld}: relation type {kind!r} is not supported, skipped")

    def layers(self) -> dict[str, list[Any]]:
        """Entities, quotes and stances as spans.py dicts (entities as Entity objects when all are well formed)."""
        plain: list[int] = []
        quotes, stances = [], []
        for sid, span in self.spans.items():
            label = span["label"]
            if label == QUOTE:
                quotes.append(self._quote(sid, span))
            elif label.startswith(STANCE_PREFIX):
                stances.append(self._stance(sid, span))
            elif label in QUOTE_LINKS.values():
                if sid not in self.owner:
                    self.warnings.append(f"{span['field']}: {label} is linked to no QUOTE, skipped")
            else:
                plain.append(sid)
        return {"entities": self._entities(plain), "quotes": quotes, "stances": stances}

    def _entities(self, sids: list[int]) -> list[Entity] | list[dict[str, Any]]:
        """The entities of these ids: built in bulk (Entity.many) when every uid and origin is well formed,
        else as dicts (build_annotation names the bad one)."""
        spans = list(map(self.spans.__getitem__, sids))
        infos = list(map(self.info.get, sids, repeat(_NO_INFO)))
        if set(map(type, infos)) <= {dict}:
            given: list[Any] = list(map(methodcaller("get", "uid"), infos))
            origins: list[Any] = list(map(methodcaller("get", "origin", Origin.HUMAN), infos))
            if set(map(type, given)) <= {str, type(None)} and set(map(type, origins)) <= {str, Origin} \
                    and ORIGINS.keys() >= set(origins):
                uids = [uid or f"e{sid}" for uid, sid in zip(given, sids)]
                return Entity.many(uids, list(map(itemgetter("start"), spans)), list(map(itemgetter("end"), spans)),
                                   list(map(itemgetter("label"), spans)), list(map(ORIGINS.__getitem__, origins)))
        return [{"uid": self.uid(sid), "start": span["start"], "end": span["end"], "label": span["label"],
                 "origin": self.info.get(sid, {}).get("origin", Origin.HUMAN)} for sid, span in zip(sids, spans)]

    def uid(self, sid: int | None) -> str | None:
        """Our uid of a doccano entity id."""
        if sid is None:
            return None
        return str(self.info.get(sid, {}).get("uid") or f"e{sid}")

    def _span(self, sid: int | None) -> dict[str, int] | None:
        """The offsets of an entity id as a span dict."""
        return None if sid is None else {"start": self.spans[sid]["start"],
                                         "end": self.spans[sid]["end"]}

    def _quote(self, sid: int, span: dict[str, Any]) -> dict[str, Any]:
        """A quote dict from a QUOTE entity and its relations."""
        info = self.quote_info.get(sid, {})
        speaker = self.links.get((sid, "speaker"))
        entity = self.links.get((speaker if speaker is not None else sid, "refers_to"))
        return {"uid": info.get("uid") or f"q{sid}", "content": self._span(sid),
                "kind": info.get("kind") or guess_quote_kind(self.text, span["start"], span["end"]),
                "cue": self._span(self.links.get((sid, "cue"))), "speaker": self._span(speaker),
                "speaker_entity": self.uid(entity), "confidence": info.get("confidence"),
                "origin": info.get("origin", Origin.HUMAN)}

    def _stance(self, sid: int, span: dict[str, Any]) -> dict[str, Any]:
        """A stance dict from a STANCE_* entity and its relations."""
        info = self.stance_info.get(sid, {})
        holder, target = self.links.get((sid, "holder")), self.links.get((sid, "target"))
        return {"uid": info.get("uid") or f"s{sid}", "evidence": self._span(sid),
                "polarity": span["label"][len(STANCE_PREFIX):].lower(),
                "holder": info["holder"] if "holder" in info else self._text(holder),
                "holder_entity": self.uid(holder),
                "target": info["target"] if "target" in info else self._text(target),
                "target_entity": self.uid(target),
                "confidence": info.get("confidence"), "origin": info.get("origin", Origin.HUMAN)}

    def _text(self, sid: int | None) -> str:
        """The covered text of an entity id."""
        return "" if sid is None else self.text[self.spans[sid]["start"]:self.spans[sid]["end"]]


def _dicts(value: object) -> list[Mapping[str, Any]]:
    """The objects of a list value; nothing when it is not a list."""
    if not isinstance(value, list):
        return []
    return value if set(map(type, value)) <= {dict} else [v for v in value if isinstance(v, Mapping)]
