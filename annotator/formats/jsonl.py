"""Our JSONL export format: Prodigy's task format plus quotes, stances, uids and origins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

import orjson
from murmurhash.mrmr import hash as murmur

from annotator.formats.task_fields import (
    ImportedTask, Where, build_annotation, char_span, read_answer, read_entities, read_meta,
    read_optional_str, read_text, read_tokens,
)
from annotator.formats.tokens import DocTokens, as_doc_tokens
from annotator.spans import Annotation, Quote, Span, Stance
from annotator.vocab import Answer, Origin, QuoteKind

FORMAT_VERSION = 1
VIEW_ID = "annotator"
EntityRow = tuple[str, int, int, str, str]
"""An entity as the database holds it: ``(uid, start, end, label, origin)``."""


def task_from_annotation(text: str, meta: Mapping[str, Any],
                         tokens: Sequence[tuple[int, int]] | DocTokens, annotation: Annotation, *,
                         answer: str = Answer.ACCEPT, annotator_id: str | None = None,
                         timestamp: int | None = None, status: str | None = None) -> dict[str, Any]:
    """One annotation set as a task dict; pass DocTokens to share token dicts between sets."""
    doc = as_doc_tokens(text, tokens)
    return _task(text, meta, doc, annotation, doc.dicts(), _entity_rows(annotation),
                 answer=answer, annotator_id=annotator_id, timestamp=timestamp, status=status)


def export_line(text: str, meta: Mapping[str, Any], tokens: Sequence[tuple[int, int]] | DocTokens,
                annotation: Annotation, *, answer: str = Answer.ACCEPT, annotator_id: str | None = None,
                timestamp: int | None = None, status: str | None = None,
                entity_rows: Sequence[EntityRow] | None = None) -> bytes:
    """The JSONL line of task_from_annotation, splicing in the document's cached token JSON.

    ``entity_rows``, when given, stand in for ``annotation.entities``.
    """
    doc = as_doc_tokens(text, tokens)
    rows = _entity_rows(annotation) if entity_rows is None else entity_rows
    return dumps_task(_task(text, meta, doc, annotation, orjson.Fragment(doc.tokens_json()), rows,
                            answer=answer, annotator_id=annotator_id, timestamp=timestamp,
                            status=status))


def _entity_rows(annotation: Annotation) -> list[EntityRow]:
    """The annotation's entities as rows."""
    return [(e.uid, e.start, e.end, e.label, e.origin) for e in annotation.entities]


def _task(text: str, meta: Mapping[str, Any], doc: DocTokens, annotation: Annotation,
          token_list: object, entity_rows: Sequence[EntityRow], *, answer: str,
          annotator_id: str | None, timestamp: int | None, status: str | None) -> dict[str, Any]:
    """The task dict of the annotation's quotes and stances and of ``entity_rows``."""
    spans, index = _spans(doc, entity_rows)
    quotes = [_quote(doc, q, index) for q in annotation.quotes]
    stances = [_stance(doc, s, index) for s in annotation.stances]
    input_hash = murmur(text)
    task: dict[str, Any] = {
        "text": text, "meta": dict(meta), "tokens": token_list, "spans": spans,
        "relations": _relations(quotes), "quotes": quotes, "stances": stances, "answer": answer,
        "_input_hash": input_hash, "_task_hash": task_hash(input_hash, spans, quotes, stances),
        "_annotator_id": annotator_id, "_timestamp": timestamp, "_view_id": VIEW_ID,
        "_format_version": FORMAT_VERSION,
    }
    if status is not None:
        task["_status"] = status
    return task


def task_hash(input_hash: int, spans: object, quotes: object, stances: object) -> int:
    """Prodigy-style 32-bit task hash of the input hash and the annotation layers."""
    layers = orjson.dumps([spans, quotes, stances], option=orjson.OPT_SORT_KEYS)
    return int(murmur(f"{input_hash} {layers.decode()}"))


def dumps_task(task: Mapping[str, Any]) -> bytes:
    """One JSONL line (UTF-8, newline-terminated)."""
    return orjson.dumps(task, option=orjson.OPT_APPEND_NEWLINE)


def write_jsonl(tasks: Iterable[Mapping[str, Any]], stream: IO[bytes]) -> int:
    """Write tasks as JSONL to a binary stream; return how many were written."""
    count = 0
    for task in tasks:
        stream.write(dumps_task(task))
        count += 1
    return count


def _spans(doc: DocTokens, rows: Sequence[EntityRow]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Span dicts of the entity rows, and each entity uid's index among them."""
    uids, starts, ends, labels, origins = zip(*rows) if rows else ((),) * 5
    firsts, lasts = doc.token_ranges(starts, ends)  # the one token rule, for all entities at once
    spans = [{"start": start, "end": end, "token_start": first, "token_end": last, "label": label, "uid": uid,
              "origin": origin} for uid, start, end, label, origin, first, last
             in zip(uids, starts, ends, labels, origins, firsts, lasts)]
    return spans, {row[0]: i for i, row in enumerate(rows)}


def _span_object(doc: DocTokens, span: Span | None) -> dict[str, Any] | None:
    """A span object with text and inclusive token indices."""
    if span is None:
        return None
    first, last = doc.token_range(span.start, span.end)
    return {"start": span.start, "end": span.end, "text": doc.text[span.start:span.end],
            "token_start": first, "token_end": last}


def _quote(doc: DocTokens, quote: Quote, index: Mapping[str, int]) -> dict[str, Any]:
    """A quote as a task dict."""
    return {
        "content": _span_object(doc, quote.content), "cue": _span_object(doc, quote.cue),
        "speaker": _span_object(doc, quote.speaker),
        "speaker_entity": index.get(quote.speaker_entity) if quote.speaker_entity else None,
        "kind": quote.kind, "confidence": quote.confidence, "uid": quote.uid,
        "origin": quote.origin,
    }


def _stance(doc: DocTokens, stance: Stance, index: Mapping[str, int]) -> dict[str, Any]:
    """A stance as a task dict."""
    return {
        "holder": {"text": stance.holder, "entity": index.get(stance.holder_entity or "")},
        "target": {"text": stance.target, "entity": index.get(stance.target_entity or "")},
        "polarity": stance.polarity, "evidence": _span_object(doc, stance.evidence),
        "confidence": stance.confidence, "uid": stance.uid, "origin": stance.origin,
    }


def _relations(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prodigy relations from each quote's speaker and cue to its content."""
    relations = []
    for quote in quotes:
        content = quote["content"]
        for key, label in (("speaker", "SPEAKER"), ("cue", "CUE")):
            head = quote[key]
            if head is not None:
                relations.append({
                    "head": head["token_end"], "child": content["token_end"],
                    "head_span": _relation_span(head, label),
                    "child_span": _relation_span(content, "QUOTE"), "label": label,
                })
    return relations


def _relation_span(span: Mapping[str, Any], label: str) -> dict[str, Any]:
    """A relation's head_span or child_span."""
    return {"start": span["start"], "end": span["end"], "token_start": span["token_start"],
            "token_end": span["token_end"], "label": label}


def annotation_from_task(task: Mapping[str, Any], *, source: str, line: int,
                         labels: Sequence[str] | None = None,
                         polarities: Sequence[str] | None = None) -> ImportedTask:
    """Read and validate one task of our format; raise FormatError naming source, line, field."""
    where = Where(source, line)
    text = read_text(task, where)
    tokens = read_tokens(task, text, where)
    has_layers = any(task.get(key) is not None for key in ("spans", "quotes", "stances"))
    annotation = None
    if has_layers:
        entities = read_entities(task.get("spans"), text, tokens, where)
        uids = [e["uid"] for e in entities]
        layers = {
            "entities": entities,
            "quotes": [_read_quote(q, i, text, tokens, uids, where)
                       for i, q in enumerate(_list(task, "quotes", where))],
            "stances": [_read_stance(s, i, text, tokens, uids, where)
                        for i, s in enumerate(_list(task, "stances", where))],
        }
        annotation = build_annotation(layers, text, tokens, where, labels=labels,
                                      polarities=polarities, entities_aligned=True)
    return ImportedTask(
        text=text, meta=read_meta(task, where), tokens=tokens.pairs if tokens else None,
        annotation=annotation, answer=read_answer(task, where),
        annotator_id=read_optional_str(task, "_annotator_id", where),
        status=read_optional_str(task, "_status", where),
    )


def _list(task: Mapping[str, Any], key: str, where: Where) -> list[Any]:
    """An optional list field."""
    value = task.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error("must be a list", key)
    return value


def _object(value: object, where: Where, fld: str) -> Mapping[str, Any]:
    """A value that must be an object."""
    if not isinstance(value, Mapping):
        raise where.error("must be an object", fld)
    return value


def _span_dict(value: object, text: str, tokens: DocTokens | None, where: Where,
               fld: str) -> dict[str, int] | None:
    """An optional span object as ``{start, end}``, checked."""
    if value is None:
        return None
    start, end = char_span(value, text, where, fld, tokens=tokens)
    return {"start": start, "end": end}


def _entity_ref(value: object, uids: list[str], where: Where, fld: str) -> str | None:
    """The entity uid of an index into spans."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(uids):
        raise where.error(f"{value!r} is not an index into spans (0 to {len(uids) - 1})", fld)
    return uids[value]


def _read_quote(value: object, i: int, text: str, tokens: DocTokens | None, uids: list[str],
                where: Where) -> dict[str, Any]:
    """A task quote as a spans.py quote dict."""
    fld = f"quotes[{i}]"
    quote = _object(value, where, fld)
    if quote.get("content") is None:
        raise where.error("is required", f"{fld}.content")
    return {
        "uid": quote.get("uid") or f"q{i + 1}",
        "content": _span_dict(quote["content"], text, tokens, where, f"{fld}.content"),
        "cue": _span_dict(quote.get("cue"), text, tokens, where, f"{fld}.cue"),
        "speaker": _span_dict(quote.get("speaker"), text, tokens, where, f"{fld}.speaker"),
        "speaker_entity": _entity_ref(quote.get("speaker_entity"), uids, where,
                                      f"{fld}.speaker_entity"),
        "kind": quote.get("kind", QuoteKind.DIRECT), "confidence": quote.get("confidence"),
        "origin": quote.get("origin", Origin.HUMAN),
    }


def _read_stance(value: object, i: int, text: str, tokens: DocTokens | None, uids: list[str],
                 where: Where) -> dict[str, Any]:
    """A task stance as a spans.py stance dict."""
    fld = f"stances[{i}]"
    stance = _object(value, where, fld)
    if stance.get("evidence") is None:
        raise where.error("is required", f"{fld}.evidence")
    holder = _object(stance.get("holder") or {}, where, f"{fld}.holder")
    target = _object(stance.get("target") or {}, where, f"{fld}.target")
    return {
        "uid": stance.get("uid") or f"s{i + 1}",
        "holder": holder.get("text") or "",
        "holder_entity": _entity_ref(holder.get("entity"), uids, where, f"{fld}.holder.entity"),
        "target": target.get("text") or "",
        "target_entity": _entity_ref(target.get("entity"), uids, where, f"{fld}.target.entity"),
        "polarity": stance.get("polarity"),
        "evidence": _span_dict(stance["evidence"], text, tokens, where, f"{fld}.evidence"),
        "confidence": stance.get("confidence"), "origin": stance.get("origin", Origin.HUMAN),
    }
