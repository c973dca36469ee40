"""Pure: cut a text into segments by the spans that cover them, for read-only rendering."""

from __future__ import annotations

from dataclasses import dataclass, field

from .spans import Annotation


@dataclass
class Segment:
    """A run of text and the annotation layers covering all of it."""

    start: int
    end: int
    text: str
    label: str | None = None
    entity: str | None = None
    classes: list[str] = field(default_factory=list)
    entity_start: bool = False


def segments(text: str, annotation: Annotation) -> list[Segment]:
    """Split the text at every span boundary; each piece knows its entity label and quote roles."""
    layers: list[tuple[int, int, str, str | None]] = []
    for ent in annotation.entities:
        layers.append((ent.start, ent.end, "entity", ent.uid))
    for quote in annotation.quotes:
        layers.append((quote.content.start, quote.content.end, "quote", quote.uid))
        if quote.cue:
            layers.append((quote.cue.start, quote.cue.end, "cue", quote.uid))
        if quote.speaker:
            layers.append((quote.speaker.start, quote.speaker.end, "speaker", quote.uid))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in layers), *(e for _, e, _, _ in layers)})
    labels = {e.uid: e.label for e in annotation.entities}
    starts = {e.start for e in annotation.entities}
    # A sweep: only spans open at a cut are looked at, in the order they were listed above.
    opening = sorted(range(len(layers)), key=lambda i: layers[i][0])
    live: list[int] = []
    next_open = 0
    result: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        while next_open < len(opening) and layers[opening[next_open]][0] <= start:
            live.append(opening[next_open])
            next_open += 1
        live = sorted(i for i in live if layers[i][1] > start)
        if start >= end or start < 0 or end > len(text):
            continue
        seg = Segment(start, end, text[start:end])
        for s, e, role, uid in (layers[i] for i in live):
            if s <= start and end <= e:
                if role == "entity":
                    seg.entity, seg.label = uid, labels[uid or ""]
                    seg.entity_start = start in starts and s == start
                elif role not in seg.classes:
                    seg.classes.append(role)
        result.append(seg)
    return result
