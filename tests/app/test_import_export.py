"""Import and export through the CLI: round trips, Prodigy and doccano files, all-or-nothing errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
import sqlalchemy as sa
from spacy.tokens import DocBin

from annotator.db import db
from annotator.formats.docbin import annotation_from_doc
from annotator.formats.jsonl import dumps_task, task_from_annotation
from annotator.models import (AnnotationSet, AuditEvent, Dataset, Document, EntitySpan, QuoteItem,
                              StanceItem, annotation_of)
from annotator.spans import Annotation, Entity, Quote, Span, Stance
from apptools import make_user

TEXT = 'Mayor Ana Ruiz said on Monday that the tram "will run in May". Berlin officials oppose the plan.'
OTHER = "Paris rejected the tariff plan on Friday, officials said."
NLP = spacy.blank("en")
TABLES = (Dataset, Document, AnnotationSet, EntitySpan, QuoteItem, StanceItem, AuditEvent)


def at(text: str, part: str, *, last: bool = False) -> Span:
    start = text.rindex(part) if last else text.index(part)
    return Span(start, start + len(part))


def tokens(text: str) -> list[tuple[int, int]]:
    return [(t.idx, t.idx + len(t)) for t in NLP.make_doc(text)]


def layers(owner: str) -> Annotation:
    """A full annotation of TEXT; each owner's differs a little."""
    ana, berlin = at(TEXT, "Ana Ruiz"), at(TEXT, "Berlin")
    entities = [Entity("e1", ana.start, ana.end, "PERSON", "model" if owner == "model" else "human"),
                Entity("e2", *at(TEXT, "Monday").to_dict().values(), "DATE"),
                Entity("e3", berlin.start, berlin.end, "GPE")]
    if owner == "gold":
        entities.insert(2, Entity("e4", *at(TEXT, "May", last=True).to_dict().values(), "DATE"))
    return Annotation(
        entities=entities,
        quotes=[Quote("q1", at(TEXT, "will run in May"), "direct", at(TEXT, "said"), ana, "e1", 0.5)],
        stances=[Stance("s1", "against", at(TEXT, "Berlin officials oppose the plan"), "Berlin officials",
                        "e3", target="the tram plan")])


def write_ours(path: Path, owners: list[str]) -> Path:
    """Our JSONL, one line per owner's set."""
    with path.open("wb") as fh:
        for owner in owners:
            fh.write(dumps_task(task_from_annotation(TEXT, {"id": 1}, tokens(TEXT), layers(owner),
                                                     annotator_id=owner)))
    return path


def counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0 for m in TABLES}


def export(runner, dataset: str, out: Path, *extra: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["export", "--dataset", dataset, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    if "spacy" in extra:
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def same_layers(task: dict[str, Any]) -> tuple[Any, ...]:
    return (task["text"], task.get("_annotator_id"), task.get("spans"), task.get("quotes"),
            task.get("stances"), task.get("entities"), task.get("relations"))


def test_our_jsonl_round_trips_through_the_database(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("ann")
    source = write_ours(tmp_path / "in.jsonl", ["model", "ann", "gold"])
    result = runner.invoke(args=["import", str(source), "--dataset", "first"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 document(s)" in result.output and "2 annotation set(s)" in result.output
    kinds = {(s.kind, s.owner_name) for s in db.session.scalars(sa.select(AnnotationSet))}
    assert kinds == {("model", "model"), ("annotator", "ann"), ("gold", "gold")}
    gold = db.session.scalar(sa.select(AnnotationSet).where(AnnotationSet.kind == "gold"))
    assert annotation_of(gold.id) == layers("gold")
    first = export(runner, "first", tmp_path / "first.jsonl", "--only", "all")
    assert [t["_annotator_id"] for t in first] == ["model", "ann", "gold"]
    again = runner.invoke(args=["import", str(tmp_path / "first.jsonl"), "--dataset", "second"])
    assert again.exit_code == 0, again.output
    second = export(runner, "second", tmp_path / "second.jsonl", "--only", "all")
    assert [same_layers(t) for t in second] == [same_layers(t) for t in first]


def test_export_filters_by_only_and_annotator(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("ann")
    runner.invoke(args=["import", str(write_ours(tmp_path / "in.jsonl", ["model", "ann", "gold"])),
                        "--dataset", "d"])
    assert [t["_annotator_id"] for t in export(runner, "d", tmp_path / "g.jsonl")] == ["gold"]
    submitted = export(runner, "d", tmp_path / "s.jsonl", "--only", "submitted")
    assert [t["_annotator_id"] for t in submitted] == ["ann", "gold"]
    mine = export(runner, "d", tmp_path / "a.jsonl", "--only", "all", "--annotator", "ann")
    assert [t["_annotator_id"] for t in mine] == ["ann"]


def test_import_as_gold_or_as_a_named_annotator(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("bea")
    source = write_ours(tmp_path / "in.jsonl", ["someone"])
    assert runner.invoke(args=["import", str(source), "--dataset", "g", "--as", "gold"]).exit_code == 0
    assert runner.invoke(args=["import", str(source), "--dataset", "b", "--annotator", "bea"]).exit_code == 0
    owners = sorted((s.document.dataset.name, s.kind, s.owner_name, s.status)
                    for s in db.session.scalars(sa.select(AnnotationSet)))
    assert owners == [("b", "annotator", "bea", "submitted"), ("g", "gold", "gold", "reviewed")]
    unknown = runner.invoke(args=["import", str(source), "--dataset", "c"])
    assert unknown.exit_code != 0 and "no user named 'someone'" in unknown.output


def test_docbin_export_loads_with_spacy(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("ann")
    runner.invoke(args=["import", str(write_ours(tmp_path / "in.jsonl", ["gold"])), "--dataset", "d"])
    export(runner, "d", tmp_path / "train.spacy", "--format", "spacy")
    docs = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(NLP.vocab))
    assert len(docs) == 1 and docs[0].text == TEXT
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Ana Ruiz", "PERSON"), ("Monday", "DATE"), ("May", "DATE"), ("Berlin", "GPE")]
    assert [s.text for s in docs[0].spans["quotes"]] == ["will run in May"]
    assert annotation_from_doc(docs[0]) == layers("gold")


def test_sharded_docbin_export_writes_a_folder(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["import", str(write_ours(tmp_path / "in.jsonl", ["gold"])), "--dataset", "d"])
    export(runner, "d", tmp_path / "corpus", "--format", "spacy")
    shards = sorted((tmp_path / "corpus").glob("*.spacy"))
    assert [p.name for p in shards] == ["corpus-000.spacy"]
    assert len(DocBin().from_disk(shards[0])) == 1


def test_doccano_export_round_trips(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["import", str(write_ours(tmp_path / "in.jsonl", ["gold"])), "--dataset", "d"])
    first = export(runner, "d", tmp_path / "d.jsonl", "--format", "doccano")
    assert first[0]["text"] == TEXT and {"id", "label", "start_offset", "end_offset"} <= set(first[0]["entities"][0])
    assert {r["type"] for r in first[0]["relations"]} == {"speaker", "cue", "refers_to", "holder"}
    result = runner.invoke(args=["import", str(tmp_path / "d.jsonl"), "--dataset", "copy"])
    assert result.exit_code == 0, result.output
    copy = db.session.scalar(sa.select(AnnotationSet).join(Document).join(Dataset).where(Dataset.name == "copy"))
    assert copy.kind == "gold" and annotation_of(copy.id) == layers("gold")
    assert [same_layers(t) for t in export(runner, "copy", tmp_path / "c.jsonl", "--format", "doccano")] \
        == [same_layers(t) for t in first]


def prodigy_task() -> dict[str, Any]:
    """A rel.manual task in Prodigy's documented shape: tokens, spans with token indices, relations."""
    toks = [{"text": TEXT[s:e], "start": s, "end": e, "id": i, "ws": TEXT[e:e + 1] == " "}
            for i, (s, e) in enumerate(tokens(TEXT))]

    def span(part: str, label: str) -> dict[str, Any]:
        s = at(TEXT, part)
        first = next(t["id"] for t in toks if t["start"] == s.start)
        last = next(t["id"] for t in toks if t["end"] == s.end)
        return {"start": s.start, "end": s.end, "token_start": first, "token_end": last, "label": label}

    spans = [span("Ana Ruiz", "PERSON"), span("Monday", "DATE"), span("will run in May", "QUOTE"),
             span("Berlin", "GPE")]
    relation = {"head": spans[0]["token_end"], "child": spans[2]["token_end"],
                "head_span": spans[0], "child_span": spans[2], "label": "SPEAKER"}
    return {"text": TEXT, "tokens": toks, "spans": spans, "relations": [relation], "answer": "accept",
            "_input_hash": 1, "_task_hash": 2, "_view_id": "relations"}


def test_prodigy_file_imports_spans_and_relations(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user("ann")
    path = tmp_path / "prodigy.jsonl"
    path.write_text(json.dumps(prodigy_task()) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--dataset", "p", "--annotator", "ann"])
    assert result.exit_code == 0, result.output
    aset = db.session.scalar(sa.select(AnnotationSet))
    got = annotation_of(aset.id)
    assert [(TEXT[e.start:e.end], e.label) for e in got.entities] == [
        ("Ana Ruiz", "PERSON"), ("Monday", "DATE"), ("Berlin", "GPE")]
    quote = got.quotes[0]
    assert (TEXT[quote.content.start:quote.content.end], quote.kind) == ("will run in May", "direct")
    assert TEXT[quote.speaker.start:quote.speaker.end] == "Ana Ruiz"  # type: ignore[union-attr]
    assert quote.speaker_entity == got.entities[0].uid and aset.owner_name == "ann"


def test_doccano_files_import_both_shapes(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ana, berlin, paris = at(TEXT, "Ana Ruiz"), at(TEXT, "Berlin"), at(OTHER, "Paris")
    path = tmp_path / "doccano.jsonl"
    path.write_text(
        json.dumps({"id": 1, "text": TEXT, "entities": [
            {"id": 10, "label": "PERSON", "start_offset": ana.start, "end_offset": ana.end},
            {"id": 11, "label": "GPE", "start_offset": berlin.start, "end_offset": berlin.end}],
            "relations": []}) + "\n"
        + json.dumps({"text": OTHER, "label": [[paris.start, paris.end, "GPE"]]}) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--dataset", "dc", "--as", "gold"])
    assert result.exit_code == 0, result.output
    found = {s.document.text: annotation_of(s.id) for s in db.session.scalars(sa.select(AnnotationSet))}
    assert [(e.start, e.end, e.label) for e in found[TEXT].entities] == [
        (ana.start, ana.end, "PERSON"), (berlin.start, berlin.end, "GPE")]
    assert [(e.start, e.end, e.label) for e in found[OTHER].entities] == [(paris.start, paris.end, "GPE")]


def test_duplicate_texts_are_skipped_and_counted(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write_ours(tmp_path / "in.jsonl", ["gold"])
    assert runner.invoke(args=["import", str(source), "--dataset", "d"]).exit_code == 0
    before = counts()
    again = runner.invoke(args=["import", str(source), "--dataset", "d"])
    assert again.exit_code == 0 and "Imported 0 document(s)" in again.output
    assert "skipped 1 already there" in again.output and counts() == before


def bad_span(**change: Any) -> str:
    task = task_from_annotation(TEXT, {}, tokens(TEXT), layers("gold"), annotator_id="gold")
    task["spans"][0].update(change)
    return json.dumps(task)


BAD_LINES = {
    "bad JSON": ('{"text": "broken', "invalid JSON"),
    "missing text": (json.dumps({"meta": {"id": 3}}), "field text"),
    "span out of range": (bad_span(end=len(TEXT) + 5, token_end=None), "out of range"),
    "not on token boundaries": (bad_span(start=at(TEXT, "Ana").start + 1, token_start=None),
                                "not on token boundaries"),
    "unknown label": (bad_span(label="WIZARD"), "unknown label 'WIZARD'"),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_bad_line_is_named_and_nothing_is_written(runner, tmp_path: Path, case: str) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["import", str(write_ours(tmp_path / "ok.jsonl", ["gold"])),
                               "--dataset", "d"]).exit_code == 0
    before = counts()
    line, message = BAD_LINES[case]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": OTHER}) + "\n" + line + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--dataset", "d", "--as", "gold"])
    assert result.exit_code != 0
    assert "bad.jsonl, line 2" in result.output and message in result.output, result.output
    assert "Nothing was imported" in result.output and counts() == before
