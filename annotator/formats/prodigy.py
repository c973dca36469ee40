"""Import Prodigy's ner / ner_manual / rel.manual tasks as annotation sets.

Spans become entities, except spans labelled QUOTE, CUE or SPEAKER, which only anchor
relations. Relations labelled SPEAKER or CUE (any case) rebuild quotes: the child span is the
content, the head span the speaker mention or cue; the speaker links to an entity with the same
offsets. Quote kind is "direct" when the content sits inside quotation marks, else "indirect".
Other relations are not an annotation layer here: they are kept verbatim in
``meta["prodigy_relations"]`` and noted in ``warnings``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotator.formats.task_fields import (
    ImportedTask, Where, build_annotation, char_span, read_answer, read_entities,
    read_meta, read_optional_str, read_text, read_tokens,
)
from annotator.formats.tokens import DocTokens
from annotator.vocab import guess_quote_kind

QUOTE_ROLES = {"SPEAKER": "speaker", "CUE": "cue"}
STRUCTURAL_LABELS = frozenset({"QUOTE", "CUE", "SPEAKER"})


def annotation_from_prodigy(task: Mapping[str, Any], *, source: str, line: int,
                            labels: Sequence[str] | None = None) -> ImportedTask:
    """Read and validate one Prodigy task; raise FormatError naming source, line and field."""
    where = Where(source, line)
    text = read_text(task, where)
    tokens = read_tokens(task, text, where)
    meta = read_meta(task, where)
    warnings: list[str] = []
    annotation = None
    if task.get("spans") is not None or task.get("relations") is not None:
        spans = read_entities(task.get("spans"), text, tokens, where)
        entities = [s for s in spans if s["label"].upper() not in STRUCTURAL_LABELS]
        quotes, others = _quotes(task, text, tokens, spans, entities, where)
        if others:
            meta["prodigy_relations"] = others
            warnings.append(f"{len(others)} relation(s) with other labels kept in "
                            "meta.prodigy_relations")
        annotation = build_annotation({"entities": entities, "quotes": quotes}, text, tokens,
                                      where, labels=labels)
    return ImportedTask(
        text=text, meta=meta, tokens=tokens.pairs if tokens else None, annotation=annotation,
        answer=read_answer(task, where),
        annotator_id=read_optional_str(task, "_annotator_id", where), warnings=warnings,
    )


def _quotes(task: Mapping[str, Any], text: str, tokens: DocTokens | None,
            spans: list[dict[str, Any]], entities: list[dict[str, Any]],
            where: Where) -> tuple[list[dict[str, Any]], list[Any]]:
    """Quotes from SPEAKER and CUE relations, and the other relations."""
    relations = task.get("relations") or []
    if not isinstance(relations, list):
        raise where.error("must be a list", "relations")
    by_content: dict[tuple[int, int], dict[str, Any]] = {}
    others: list[Any] = []
    for i, rel in enumerate(relations):
        fld = f"relations[{i}]"
        if not isinstance(rel, Mapping):
            raise where.error("must be an object", fld)
        role = QUOTE_ROLES.get(str(rel.get("label", "")).upper())
        if role is None:
            others.append(rel)
            continue
        head = _end(rel, "head", text, tokens, task.get("spans") or [], spans, where, fld)
        child = _end(rel, "child", text, tokens, task.get("spans") or [], spans, where, fld)
        quote = by_content.setdefault(child, _new_quote(child, text, len(by_content)))
        if quote[role] is not None:
            others.append(rel)
            continue
        quote[role] = {"start": head[0], "end": head[1]}
        if role == "speaker":
            quote["speaker_entity"] = _entity_at(head, entities)
    return list(by_content.values()), others


def _new_quote(content: tuple[int, int], text: str, count: int) -> dict[str, Any]:
    """An empty quote dict for a content span."""
    start, end = content
    return {"uid": f"q{count + 1}", "content": {"start": start, "end": end},
            "kind": guess_quote_kind(text, start, end),
            "cue": None, "speaker": None, "speaker_entity": None}


def _entity_at(span: tuple[int, int], entities: list[dict[str, Any]]) -> str | None:
    """The uid of an entity with exactly these offsets."""
    for ent in entities:
        if (ent["start"], ent["end"]) == span:
            return str(ent["uid"])
    return None


def _end(rel: Mapping[str, Any], side: str, text: str, tokens: DocTokens | None,
         raw_spans: list[Any], spans: list[dict[str, Any]], where: Where,
         fld: str) -> tuple[int, int]:
    """The character range of a relation's head or child: its ``*_span``, else its token."""
    if rel.get(f"{side}_span") is not None:
        return char_span(rel[f"{side}_span"], text, where, f"{fld}.{side}_span", tokens=tokens)
    index = rel.get(side)
    if not isinstance(index, int) or isinstance(index, bool):
        raise where.error(f"needs {side}_span or a token index", f"{fld}.{side}")
    for raw, span in zip(raw_spans, spans):
        first, last = _token_range(raw, span, tokens)
        if first is not None and last is not None and first <= index <= last:
            return span["start"], span["end"]
    if tokens is not None and 0 <= index < len(tokens.starts):
        return tokens.starts[index], tokens.ends[index]
    raise where.error(f"token {index!r} is in no span and there are no tokens to find it",
                      f"{fld}.{side}")


def _token_range(raw: Mapping[str, Any], span: Mapping[str, Any],
                 tokens: DocTokens | None) -> tuple[int | None, int | None]:
    """A span's token range, from the tokens or from the span itself."""
    if tokens is not None:
        return tokens.token_range(span["start"], span["end"])
    return raw.get("token_start"), raw.get("token_end")
