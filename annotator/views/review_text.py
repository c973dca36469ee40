"""Pure presentation helpers for the review pages: short readable descriptions of items and actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Item = Mapping[str, Any]


def _cut(text: str, start: int, end: int, limit: int = 160) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= limit else piece[:limit - 1] + "…"


def _party(name: str, uid: str | None, entities: Mapping[str, Item], text: str) -> str:
    linked = entities.get(uid) if uid else None
    return _cut(text, linked["start"], linked["end"], 60) if linked is not None else name


def describe(layer: str, item: Item, entities: Mapping[str, Item], text: str) -> dict[str, str]:
    """What to show for an item: its main text, a tag (label, kind or polarity) and a detail line."""
    if layer == "entities":
        return {"text": _cut(text, item["start"], item["end"]), "tag": item["label"], "detail": ""}
    if layer == "quotes":
        content, speaker, cue = item["content"], item.get("speaker"), item.get("cue")
        who = _party("", item.get("speaker_entity"), entities, text) or (
            _cut(text, speaker["start"], speaker["end"], 60) if speaker else "no speaker")
        said = f"“{_cut(text, cue['start'], cue['end'], 40)}”" if cue else "no cue"
        return {"text": _cut(text, content["start"], content["end"]), "tag": item["kind"],
                "detail": f"— {who} · cue {said}"}
    evidence = item["evidence"]
    holder = _party(item.get("holder", ""), item.get("holder_entity"), entities, text)
    target = _party(item.get("target", ""), item.get("target_entity"), entities, text)
    return {"text": f"{holder} → {target}", "tag": item["polarity"],
            "detail": _cut(text, evidence["start"], evidence["end"], 120)}


def accepted_message(result: tuple[Any, int]) -> str:
    """What "accept all agreed" did."""
    added = result[1]
    return (f"Accepted every agreed item ({added} added to the gold)." if added
            else "Every agreed item is already in the gold; nothing was added.")


def scope_of(args: Mapping[str, str], scopes: tuple[str, ...]) -> str:
    """The agreement scope a request asks for (?scope=changed), "all" when missing or unknown."""
    scope = args.get("scope", "all")
    return scope if scope in scopes else "all"
