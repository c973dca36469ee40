"""Merging versions for review, the items all annotators agree on, and taking items into gold.

Items are the same across versions when their keys are (see ``signatures``). Versions named
``model`` or ``gold`` are shown but do not count as annotators when deciding agreement.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from annotator.agreement.signatures import LAYERS, Item, Layer, keyed, layer_of, position, stance_unit
from annotator.spans import Annotation, Entity, Quote, Stance
from annotator.vocab import SetKind

NOT_ANNOTATORS = frozenset({SetKind.MODEL, SetKind.GOLD})
PREFIXES: dict[Layer, str] = {"entities": "e", "quotes": "q", "stances": "s"}
Link = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class MergedItem:
    """One item as found in one or more versions."""

    layer: Layer
    key: str
    item: Mapping[str, Any]
    sources: tuple[str, ...]
    uids: Mapping[str, str] = field(default_factory=dict)
    agreed: bool = False
    group: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form; ``uids`` gives the item's uid in each source version.

        ``group`` is shared by alternatives for one thing: entities on one span, quotes of one
        passage, stances of one holder about one target.
        """
        return {"layer": self.layer, "key": self.key, "item": dict(self.item),
                "sources": list(self.sources), "uids": dict(self.uids), "agreed": self.agreed,
                "group": self.group}


@dataclass(frozen=True, slots=True)
class Merged:
    """All versions' items of one document, each listed once."""

    versions: tuple[str, ...]
    annotators: tuple[str, ...]
    items: tuple[MergedItem, ...]

    def layer(self, layer: Layer) -> list[MergedItem]:
        """The merged items of one layer, in text order."""
        return [item for item in self.items if item.layer == layer]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict form with one list per layer."""
        return {"versions": list(self.versions), "annotators": list(self.annotators),
                **{layer: [item.to_dict() for item in self.layer(layer)] for layer in LAYERS}}


def fresh_uids(prefix: str, used: set[str]) -> Iterator[str]:
    """Yield uids ``prefix1``, ``prefix2``, ... skipping (and then reserving) used ones."""
    for n in itertools.count(1):
        uid = f"{prefix}{n}"
        if uid not in used:
            used.add(uid)
            yield uid


def _party(name: str, uid: str | None, link: Link, entities: Mapping[str, Entity],
           text: str) -> tuple[str, str | None]:
    # A stance needs a holder and target name once its entity link is dropped.
    if uid is None:
        return name, None
    new_uid = link(uid)
    if new_uid is None and not name and uid in entities:
        name = entities[uid].span.text(text)
    return name, new_uid


def relink(item: Item, uid: str, link: Link, entities: Mapping[str, Entity], text: str) -> Item:
    """Copy an item with a new uid and its entity links mapped by ``link`` (None drops one)."""
    if isinstance(item, Entity):
        return replace(item, uid=uid)
    if isinstance(item, Quote):
        speaker = link(item.speaker_entity) if item.speaker_entity else None
        return replace(item, uid=uid, speaker_entity=speaker)
    holder, holder_entity = _party(item.holder, item.holder_entity, link, entities, text)
    target, target_entity = _party(item.target, item.target_entity, link, entities, text)
    return replace(item, uid=uid, holder=holder, holder_entity=holder_entity,
                   target=target, target_entity=target_entity)


def _via_keys(keys: Mapping[str, str], new_uids: Mapping[str, str]) -> Link:
    return lambda uid: new_uids.get(keys.get(uid, ""))


def group_of(item: Item, entities: Mapping[str, Entity], text: str) -> str:
    """What alternatives share: an entity's span, a quote's passage, a stance's holder and target."""
    if isinstance(item, Stance):
        holder, target = stance_unit(item, entities, text)
        return f"stances\x1f{holder}\x1f{target}"
    start, end = position(item)
    return f"{layer_of(item)}\x1f{start}\x1f{end}"


def merge(versions: Mapping[str, Annotation], text: str, *, quorum: int = 1) -> Merged:
    """List every item of every version once, with the versions that have it.

    An item is agreed when every annotator version has it and there are at least ``quorum``
    annotator versions (the caller passes only the versions that count).
    """
    by_version = {name: keyed(annotation, text) for name, annotation in versions.items()}
    annotators = tuple(name for name in versions if name not in NOT_ANNOTATORS)
    entity_maps = {name: annotation.entity_by_uid() for name, annotation in versions.items()}
    first: dict[str, tuple[str, Item]] = {}
    for name, items in by_version.items():
        for key, item in items.items():
            first.setdefault(key, (name, item))
    ordered = sorted(first, key=lambda k: (LAYERS.index(layer_of(first[k][1])), *position(first[k][1])))
    used: set[str] = set()
    uids = {layer: fresh_uids(PREFIXES[layer], used) for layer in LAYERS}
    merged_uid = {key: next(uids[layer_of(first[key][1])]) for key in ordered}
    entity_keys = {name: {item.uid: key for key, item in items.items() if isinstance(item, Entity)}
                   for name, items in by_version.items()}
    merged = []
    for key in ordered:
        name, item = first[key]
        link = _via_keys(entity_keys[name], merged_uid)
        sources = tuple(sorted(n for n, items in by_version.items() if key in items))
        merged.append(MergedItem(
            layer=layer_of(item), key=key,
            item=relink(item, merged_uid[key], link, entity_maps[name], text).to_dict(),
            sources=sources, uids={n: by_version[n][key].uid for n in sources},
            agreed=len(annotators) >= max(quorum, 1) and all(n in sources for n in annotators),
            group=group_of(item, entity_maps[name], text),
        ))
    return Merged(tuple(versions), annotators, tuple(merged))


def agreed_annotation(versions: Mapping[str, Annotation], annotators: Sequence[str],
                      text: str) -> Annotation:
    """The items every named annotator has, with fresh uids and links kept where agreed."""
    missing = [name for name in annotators if name not in versions]
    if missing:
        raise ValueError(f"no version for {', '.join(missing)}")
    if not annotators:
        return Annotation()
    keyed_versions = [keyed(versions[name], text) for name in annotators]
    source = versions[annotators[0]]
    agreed = [item for key, item in keyed_versions[0].items() if all(key in kv for kv in keyed_versions[1:])]
    used: set[str] = set()
    uids = {layer: fresh_uids(PREFIXES[layer], used) for layer in LAYERS}
    entity_uid = {item.uid: next(uids["entities"]) for item in agreed if isinstance(item, Entity)}
    entities = source.entity_by_uid()
    result = Annotation()
    for item in agreed:
        layer = layer_of(item)
        uid = entity_uid[item.uid] if layer == "entities" else next(uids[layer])
        getattr(result, layer).append(relink(item, uid, entity_uid.get, entities, text))
    return result


class Collision(ValueError):
    """Taking an item would make entities overlap in the target; ``items`` are the old ones."""

    def __init__(self, items: Sequence[Item], text: str) -> None:
        names = ", ".join(_describe(i, text) for i in items)
        super().__init__(f"it overlaps {names} in the gold")
        self.items = tuple(items)


def _describe(item: Item, text: str) -> str:
    start, end = position(item)
    what = f"the {item.label} entity" if isinstance(item, Entity) else f"the {layer_of(item)[:-1]}"
    return f"{what} {text[start:end]!r}"


def take(item: Item, into: Annotation, from_version: Annotation, text: str, *,
         replace_colliding: bool = False) -> Annotation:
    """Add one item of a version to another annotation, bringing its linked entities along."""
    return take_many([item], into, from_version, text, replace_colliding=replace_colliding)


def take_many(items: Sequence[Item], into: Annotation, from_version: Annotation, text: str, *,
              replace_colliding: bool = False) -> Annotation:
    """Add items of one version to another annotation (items already there are left alone).

    Linked entities come along. Where an added entity or quote would overlap one already in
    ``into``... see Collision: an added entity that overlaps one already there raises it, or with
    ``replace_colliding`` the old one is dropped (links move to a new entity on its span, else clear).
    """
    from_keys = {id(found): k for k, found in keyed(from_version, text).items()}
    keys = [from_keys.get(id(item)) for item in items]
    if None in keys:
        bad = items[keys.index(None)]
        raise ValueError(f"{layer_of(bad)} item {bad.uid!r} is not in the version it is taken from")
    present = set(keyed(into, text))
    result = Annotation(list(into.entities), list(into.quotes), list(into.stances))
    before = {id(i) for i in _items(result)}
    used = {i.uid for i in _items(into)}
    entities = from_version.entity_by_uid()
    added: dict[str, str] = {}

    def link(uid: str) -> str | None:
        entity = entities.get(uid)
        if entity is None:
            return None
        if uid not in added:
            added[uid] = _find_or_add(result, entity, used)
        return added[uid]

    for item, key in zip(items, keys):
        if key in present or (isinstance(item, Entity) and item.uid in added):
            continue
        present.add(str(key))
        layer = layer_of(item)
        uid = next(fresh_uids(PREFIXES[layer], used))
        if isinstance(item, Entity):
            added[item.uid] = uid
        getattr(result, layer).append(relink(item, uid, link, entities, text))
    spans: list[Entity | Quote] = [*result.entities, *result.quotes]
    clashes = _colliding([i for i in spans if id(i) not in before], [i for i in spans if id(i) in before])
    if clashes and not replace_colliding:
        raise Collision(clashes, text)
    return _without(result, clashes, text) if clashes else result


def _items(annotation: Annotation) -> list[Item]:
    return [*annotation.entities, *annotation.quotes, *annotation.stances]


def _colliding(new: Sequence[Entity | Quote], old: Sequence[Entity | Quote]) -> list[Item]:
    """Old entities that a new entity overlaps (the overlap rule of annotator.checks)."""
    new_spans = [n.span for n in new if isinstance(n, Entity)]
    return [o for o in old if isinstance(o, Entity) and any(o.span.overlaps(n) for n in new_spans)]


def _without(annotation: Annotation, dropped: Sequence[Item], text: str) -> Annotation:
    """Drop items; links to a dropped entity move to a kept entity on its span or are cleared."""
    gone = {id(i) for i in dropped}
    kept = [e for e in annotation.entities if id(e) not in gone]
    same_span = {e.span: e.uid for e in kept}
    old = annotation.entity_by_uid()
    moved = {e.uid: same_span.get(e.span) for e in annotation.entities if id(e) in gone}

    def link(uid: str) -> str | None:
        return moved[uid] if uid in moved else uid

    def keep(items: Sequence[Item]) -> list[Any]:
        return [relink(i, i.uid, link, old, text) for i in items if id(i) not in gone]

    return Annotation(kept, keep(annotation.quotes), keep(annotation.stances))


def _find_or_add(annotation: Annotation, entity: Entity, used: set[str]) -> str:
    # An entity on the same span keeps the quote's or stance's signature, whatever its label.
    same_span = sorted((e for e in annotation.entities if e.span == entity.span),
                       key=lambda e: e.label != entity.label)
    if same_span:
        return same_span[0].uid
    added = replace(entity, uid=next(fresh_uids(PREFIXES["entities"], used)))
    annotation.entities.append(added)
    return added.uid
