"""The quote measures of issue 14 on gold files: ours (*.gold.json) and exported JSONL (benchmarks/abc/).

Matching (annotator.nlp.scoring): a gold quote is found when a predicted content overlaps more than
30% of it (any kind); a prediction is right when it finds some gold quote; the speaker of a found
direct or mixed quote is the best-overlapping prediction's (linked entity, else mention), compared
with names_match; exact boundaries compare contents without quote marks, end punctuation and a
leading "that", one to one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.nlp.scoring import QuoteMeasures, ScoredQuote, iou, measure_quotes, names_match, scored_quotes
from annotator.spans import Annotation

ABC_GOLD = Path(__file__).resolve().parent / "abc" / "abc-gold.jsonl"


def predicted(text: str, ann: Annotation) -> list[ScoredQuote]:
    """The model's quotes, each named by its speaker's entity or else its mention."""
    return scored_quotes(text, ann)


def from_gold_json(gold: dict[str, Any]) -> list[ScoredQuote]:
    """Quotes of a gold file in the shared format (speaker_entity is a name)."""
    return [ScoredQuote((q["content"]["start"], q["content"]["end"]), q["kind"],
                        q.get("speaker_entity") or (q.get("speaker") or {}).get("text", ""))
            for q in gold.get("quotes", [])]


def from_task(task: dict[str, Any]) -> list[ScoredQuote]:
    """Quotes of an exported task (speaker_entity indexes its spans)."""
    text, spans = task["text"], task.get("spans") or []
    quotes = []
    for q in task.get("quotes") or []:
        index = q.get("speaker_entity")
        if index is not None:
            name = text[spans[index]["start"]:spans[index]["end"]]
        else:
            name = (q.get("speaker") or {}).get("text", "")
        quotes.append(ScoredQuote((q["content"]["start"], q["content"]["end"]), q["kind"], name))
    return quotes


def abc_tasks(path: Path = ABC_GOLD) -> Iterator[dict[str, Any]]:
    """The exported ABC development gold, one task a line."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def measure(text: str, gold: list[ScoredQuote], ann: Annotation) -> QuoteMeasures:
    """The measures of one document."""
    return measure_quotes(text, gold, predicted(text, ann))


def print_table(title: str, measures: QuoteMeasures, documents: int) -> None:
    """Print the table's rows with their counts."""
    print(f"\n== quote measures, {title}: {documents} articles")
    for name, value, num, den in measures.table():
        print(f"{name:36} {value:6.3f}   {num}/{den}")


def seed_figures(gold: dict[str, Any], ann: Annotation) -> str:
    """Entity F1, direct quotes with right speakers, indirect ones found, stances found."""
    text = gold["text"]
    g_ents = {(e["start"], e["end"], e["label"]) for e in gold.get("entities", [])}
    p_ents = {(e.start, e.end, e.label) for e in ann.entities}
    f1 = 2 * len(g_ents & p_ents) / ((len(g_ents) + len(p_ents)) or 1)
    preds = predicted(text, ann)
    direct = [g for g in from_gold_json(gold) if g.kind != "indirect"]
    right = sum(1 for g in direct if any(p.content == g.content and names_match(g.speaker, p.speaker)
                                         for p in preds))
    indirect = [g for g in from_gold_json(gold) if g.kind == "indirect"]
    found = sum(1 for g in indirect if any(iou(g.content, p.content) >= 0.6 for p in preds))
    stances = gold.get("stances", [])
    hits = sum(1 for g in stances if any(
        s.polarity == g["polarity"] and names_match(g["holder"], s.holder) and names_match(g["target"], s.target)
        for s in ann.stances))
    return (f"entity F1 {f1:.3f}; direct quotes with right speakers {right}/{len(direct)}; "
            f"indirect found {found}/{len(indirect)}; stances {hits}/{len(stances)}")

