"""Imports in two passes with flat memory, all or nothing; the same token rule as every export (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from spacy.tokens import DocBin

from annotator.db import db
from annotator.models import AnnotationSet, Document
from annotator.services import import_write, importer
from test_import_export import NLP, counts, export

PARAGRAPHS = "Ana Ruiz spoke in Lima.\n\nBerlin listened."


def task(text: str, pairs: list[tuple[int, int]], spans: list[tuple[int, int, str]]) -> str:
    return json.dumps({"text": text, "tokens": [{"text": text[s:e], "start": s, "end": e, "id": i}
                                                for i, (s, e) in enumerate(pairs)],
                       "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
                       "_annotator_id": "gold"})


def words(text: str) -> list[tuple[int, int]]:
    """Whitespace tokens with the final full stop split off: paragraph breaks are left out."""
    pairs, start = [], None
    for i, char in enumerate(text + " "):
        if char.isspace() or char == ".":
            if start is not None:
                pairs.append((start, i))
                start = None
            if char == ".":
                pairs.append((i, i + 1))
        elif start is None:
            start = i
    return pairs


def test_tokens_without_paragraph_breaks_import_and_export_to_spacy(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.jsonl"
    path.write_text(task(PARAGRAPHS, words(PARAGRAPHS), [(0, 8, "PERSON"), (25, 31, "GPE")]) + "\n")
    result = runner.invoke(args=["import", str(path), "--dataset", "p"])
    assert result.exit_code == 0, result.output
    for fmt in ("jsonl", "doccano"):
        assert len(export(runner, "p", tmp_path / f"out.{fmt}.jsonl", "--format", fmt)) == 1
    export(runner, "p", tmp_path / "p.spacy", "--format", "spacy")
    doc = next(DocBin().from_disk(tmp_path / "p.spacy").get_docs(NLP.vocab))
    assert doc.text == PARAGRAPHS and [e.text for e in doc.ents] == ["Ana Ruiz", "Berlin"]


def test_a_file_the_spacy_export_would_refuse_is_refused_at_import(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gaps.jsonl"
    left_out = [p for p in words(PARAGRAPHS) if PARAGRAPHS[p[0]:p[1]] != "spoke"]
    path.write_text(json.dumps({"text": "Fine."}) + "\n" + task(PARAGRAPHS, left_out, [(0, 8, "PERSON")]) + "\n")
    result = runner.invoke(args=["import", str(path), "--dataset", "p"])
    assert result.exit_code != 0 and "gaps.jsonl, line 2, field tokens[2]: the tokens leave out ' spoke '" in result.output
    assert counts()["documents"] == 0


def test_many_batches_reread_in_one_transaction_all_or_nothing(runner, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_write, "BATCH", 3)
    monkeypatch.setattr(importer, "KEEP_BYTES", 1)  # nothing kept: the write pass reads the file again
    path = tmp_path / "many.jsonl"
    texts = [f"Article {i} from Lima." for i in range(10)]
    lines = [task(t, words(t), [(len(t) - 5, len(t) - 1, "GPE")]) for t in texts]
    path.write_text("\n".join(lines + [json.dumps({"text": "Plain one."})]) + "\n")
    result = runner.invoke(args=["import", str(path), "--dataset", "m", "--no-preannotate"])
    assert result.exit_code == 0 and "Imported 11 document(s) into 'm' (10 annotation set(s)" in result.output, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnotationSet)) == 10
    before = counts()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps({"text": f"New {i}."}) for i in range(7)]
                             + [task("Late bad line.", words("Late bad line."), [(0, 4, "WIZARD")])]) + "\n")
    refused = runner.invoke(args=["import", str(bad), "--dataset", "m", "--no-preannotate"])
    assert refused.exit_code != 0 and "bad.jsonl, line 8" in refused.output and counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 11
