"""Signatures: what makes items from different versions of one document the same item.

Uids differ between versions, so items are compared by what they cover:

- an entity by ``(start, end, label)``;
- a quote by its content span, kind and speaker, where the speaker is the linked entity's
  ``(start, end)`` or, without a link, the speaker mention's span;
- a stance by normalised holder, normalised target and polarity. Holder and target are the
  linked entity's text or else the holder/target string, case-folded with whitespace collapsed.
  The evidence span is left out on purpose: people select evidence of different lengths for
  the same position, and the review question is who is for or against what.

Items with the same signature in one version are told apart by their order in the text, so
a key (signature plus occurrence number) names one item in every version that has it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Literal

from annotator.spans import Annotation, Entity, Quote, Stance

Item = Entity | Quote | Stance
Layer = Literal["entities", "quotes", "stances"]
LAYERS: tuple[Layer, ...] = ("entities", "quotes", "stances")
Signature = tuple[object, ...]


def normalise(name: str) -> str:
    """Case-fold a holder or target name and collapse its whitespace."""
    return " ".join(name.split()).casefold()


def layer_of(item: Item) -> Layer:
    """The layer an item belongs to."""
    if isinstance(item, Entity):
        return "entities"
    return "quotes" if isinstance(item, Quote) else "stances"


def position(item: Item) -> tuple[int, int]:
    """Where an item sits in the text: entity span, quote content or stance evidence."""
    if isinstance(item, Entity):
        return item.start, item.end
    span = item.content if isinstance(item, Quote) else item.evidence
    return span.start, span.end


def speaker_key(quote: Quote, entities: Mapping[str, Entity]) -> tuple[int, int] | None:
    """The span the speaker resolves to: linked entity, else speaker mention, else None."""
    linked = entities.get(quote.speaker_entity) if quote.speaker_entity else None
    if linked is not None:
        return linked.start, linked.end
    return (quote.speaker.start, quote.speaker.end) if quote.speaker else None


def speaker_name(quote: Quote, entities: Mapping[str, Entity], text: str) -> str | None:
    """The speaker's canonical name: the linked entity's text, else the mention's, normalised."""
    linked = entities.get(quote.speaker_entity) if quote.speaker_entity else None
    span = (linked.start, linked.end) if linked is not None else (
        (quote.speaker.start, quote.speaker.end) if quote.speaker else None)
    return normalise(text[span[0]:span[1]]) if span is not None else None


def speakers_agree(a: Quote, a_entities: Mapping[str, Entity], b: Quote, b_entities: Mapping[str, Entity],
                   text: str) -> bool | None:
    """Same linked entity span or same canonical name; None when neither quote has a speaker."""
    name_a, name_b = speaker_name(a, a_entities, text), speaker_name(b, b_entities, text)
    if name_a is None and name_b is None:
        return None
    key_a, key_b = speaker_key(a, a_entities), speaker_key(b, b_entities)
    linked = a.speaker_entity in a_entities and b.speaker_entity in b_entities
    return (linked and key_a == key_b) or (name_a is not None and name_a == name_b)


def party(name: str, uid: str | None, entities: Mapping[str, Entity], text: str) -> str:
    """A stance holder or target: the linked entity's text, else the name, normalised."""
    linked = entities.get(uid) if uid else None
    return normalise(text[linked.start:linked.end] if linked is not None else name)


def stance_unit(stance: Stance, entities: Mapping[str, Entity], text: str) -> tuple[str, str]:
    """The normalised (holder, target) pair a stance is about."""
    return (party(stance.holder, stance.holder_entity, entities, text),
            party(stance.target, stance.target_entity, entities, text))


def signature(item: Item, entities: Mapping[str, Entity], text: str) -> Signature:
    """The layer-specific signature that matches an item across versions."""
    if isinstance(item, Entity):
        return ("entities", item.start, item.end, item.label)
    if isinstance(item, Quote):
        return ("quotes", item.content.start, item.content.end, item.kind,
                speaker_key(item, entities))
    return ("stances", *stance_unit(item, entities, text), item.polarity)


def change_signature(item: Item, entities: Mapping[str, Entity], text: str) -> Signature:
    """Everything a person can change about an item (the signature plus evidence and cue)."""
    if isinstance(item, Stance):
        return (*signature(item, entities, text), item.evidence.start, item.evidence.end)
    if isinstance(item, Quote):
        cue = (item.cue.start, item.cue.end) if item.cue else None
        return (*signature(item, entities, text), cue)
    return signature(item, entities, text)


def change_keys(annotation: Annotation, text: str) -> dict[Signature, Item]:
    """Map each item's change signature plus occurrence number to the item."""
    entities = annotation.entity_by_uid()
    seen: Counter[Signature] = Counter()
    result: dict[Signature, Item] = {}
    items: list[Item] = [*annotation.entities, *annotation.quotes, *annotation.stances]
    for item in sorted(items, key=lambda i: (LAYERS.index(layer_of(i)), position(i))):
        sig = change_signature(item, entities, text)
        result[(*sig, seen[sig])] = item
        seen[sig] += 1
    return result


def keyed(annotation: Annotation, text: str) -> dict[str, Item]:
    """Map each item's key (JSON of signature and occurrence number) to the item."""
    entities = annotation.entity_by_uid()
    items: list[Item] = [*annotation.entities, *annotation.quotes, *annotation.stances]
    seen: Counter[Signature] = Counter()
    result: dict[str, Item] = {}
    for item in sorted(items, key=lambda i: (LAYERS.index(layer_of(i)), position(i))):
        sig = signature(item, entities, text)
        result[json.dumps([*sig, seen[sig]])] = item
        seen[sig] += 1
    return result
