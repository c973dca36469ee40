"""Time writing our JSONL for 1,000 synthetic articles and parsing + validating it back.

Run: .venv/bin/python benchmarks/bench_formats.py [n_articles]
Only the pure format layer is timed (not tokenisation, not the database); each figure is the
best of three runs, as timeit does, since other processes on the machine add noise.
"""

from __future__ import annotations

import io
import random
import sys
import time
from collections.abc import Callable

import spacy

from annotator.formats.jsonl import (
    annotation_from_task, dumps_task, export_line, task_from_annotation,
)
from annotator.formats.lines import read_jsonl
from annotator.formats.tokens import DocTokens
from annotator.spans import Annotation, Entity, Quote, Span, Stance

WORDS = ("the minister said on Monday that a ceasefire , backed by France and the United "
         "States , would hold . \u201cWe will not retreat ,\u201d he told reporters in "
         "Damascus .").split()
LABELS = ("PERSON", "ORG", "GPE", "DATE")
REPEAT = 3


def make_articles(n: int, words: int = 600) -> list[tuple[str, list[tuple[int, int]]]]:
    """Synthetic articles with their spaCy token offsets."""
    rng = random.Random(7)
    texts = [" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(n)]
    nlp = spacy.blank("en")
    return [(doc.text, [(t.idx, t.idx + len(t)) for t in doc]) for doc in nlp.pipe(texts)]


def make_annotation(tokens: list[tuple[int, int]], n_spans: int = 73) -> Annotation:
    """About ``n_spans`` single-token entities, two quotes and one stance."""
    step = max(1, len(tokens) // n_spans)
    entities = [Entity(f"e{i}", s, e, LABELS[i % len(LABELS)], "model")
                for i, (s, e) in enumerate(tokens[::step][:n_spans])]
    quotes = [Quote(f"q{i}", Span(tokens[10 + i * 50][0], tokens[20 + i * 50][1]), "direct",
                    Span(*tokens[22 + i * 50]), Span(entities[0].start, entities[0].end), "e0")
              for i in range(2)]
    stance = Stance("s0", "against", Span(tokens[100][0], tokens[110][1]), holder_entity="e0",
                    target="ceasefire")
    return Annotation(entities=entities, quotes=quotes, stances=[stance])


def best(run: Callable[[], object]) -> float:
    """The fastest of REPEAT runs, in seconds."""
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def read_all(data: bytes) -> None:
    """Parse and validate every line, keeping nothing (as an import's checking pass does)."""
    for line_no, record in read_jsonl(io.BytesIO(data), source="bench.jsonl"):
        annotation_from_task(record, source="bench.jsonl", line=line_no)


def time_write(articles: list[tuple[str, list[tuple[int, int]]]], annotations: list[Annotation],
               cached: list[bytes] | None) -> tuple[float, bytes]:
    """Seconds to write every annotation set as JSONL; with cached token JSON when given."""
    out = io.BytesIO()
    started = time.perf_counter()
    for i, ((text, tokens), annotation) in enumerate(zip(articles, annotations)):
        if cached is None:
            task = task_from_annotation(text, {"source": "bench"}, tokens, annotation,
                                        annotator_id="bench", timestamp=0)
            out.write(dumps_task(task))
        else:
            doc = DocTokens(text, tokens, tokens_json=cached[i])
            out.write(export_line(text, {"source": "bench"}, doc, annotation,
                                  annotator_id="bench", timestamp=0))
    return time.perf_counter() - started, out.getvalue()


def main() -> None:
    """Build the data, then time the writes and the read."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    articles = make_articles(n)
    annotations = [make_annotation(tokens) for _, tokens in articles]
    caching = best(lambda: [DocTokens(text, tokens).tokens_json() for text, tokens in articles])
    cached = [DocTokens(text, tokens).tokens_json() for text, tokens in articles]
    data = time_write(articles, annotations, None)[1]
    assert time_write(articles, annotations, cached)[1] == data
    plain = min(time_write(articles, annotations, None)[0] for _ in range(REPEAT))
    fast = min(time_write(articles, annotations, cached)[0] for _ in range(REPEAT))
    parsed = best(lambda: read_all(data))
    tokens_total = sum(len(t) for _, t in articles)
    n_spans = sum(len(a.entities) for a in annotations)
    print(f"{n} articles, {tokens_total} tokens, {n_spans} spans, {len(data) / 1e6:.1f} MB")
    print(f"write JSONL, token dicts built per task:       {plain:.3f} s")
    print(f"write JSONL, token JSON cached per document:   {fast:.3f} s")
    print(f"  (building that token JSON once, at import:   {caching:.3f} s)")
    print(f"parse + validate JSONL:                        {parsed:.3f} s")


if __name__ == "__main__":
    main()
