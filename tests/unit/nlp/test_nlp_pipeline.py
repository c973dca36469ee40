"""Pipeline loading, token offsets and batch pre-annotation (blank pipeline, no model)."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from spacy.language import Language

import annotator.nlp
from annotator.nlp import ModelNotInstalled, PreAnnotated, annotate_doc, doc_tokens, load_pipeline, preannotate
from annotator.checks import validate
from annotator.tokens import DocTokens
from annotator.vocab import DEFAULT_LABELS

NLP_DIR = Path(annotator.nlp.__file__).parent


def test_missing_model_names_the_setting_and_the_package() -> None:
    with pytest.raises(ModelNotInstalled) as info:
        load_pipeline("no_such_pipeline_pkg")
    assert "ANNOTATOR_SPACY_MODEL" in str(info.value) and "no_such_pipeline_pkg" in str(info.value)


def test_doc_tokens_are_character_offsets_into_the_text(blank: Language) -> None:
    text = "Iran’s envoy said “no.”\nDone."
    doc = blank(text)
    tokens = doc_tokens(doc)
    assert [text[s:e] for s, e in tokens] == [t.text for t in doc]
    assert tokens[0] == (0, 4)


def test_preannotate_carries_contexts_in_order(blank: Language) -> None:
    items = [("He said “we will win.”", 1), ("No quotes here.", 2), ('A "straight" one', 3)]
    results = list(preannotate(blank, items, labels=DEFAULT_LABELS, batch_size=2))
    assert [context for _, context in results] == [1, 2, 3]
    assert all(isinstance(result, PreAnnotated) for result, _ in results)
    contents = [[text[q.content.start:q.content.end] for q in result.annotation.quotes]
                for (result, _), (text, _) in zip(results, items)]
    assert contents == [["we will win."], [], ["straight"]]
    for (result, _), (text, _) in zip(results, items):
        validate(result.annotation, text, labels=DEFAULT_LABELS, bounds=DocTokens(text, result.tokens))


def test_unparsed_doc_gets_quotes_without_speakers(blank: Language) -> None:
    annotation = annotate_doc(blank("“Yes,” said Ann. According to Bo, it rained."), labels=DEFAULT_LABELS)
    assert [(q.uid, q.kind, q.speaker) for q in annotation.quotes] == [("m-q0", "direct", None)]
    assert annotation.entities == [] and annotation.stances == []


@pytest.mark.parametrize("path", sorted(NLP_DIR.glob("*.py")), ids=lambda p: p.name)
def test_nlp_modules_import_no_web_or_database_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    local = [n for n in names if n.startswith("annotator")]
    assert not [n for n in names if n.split(".")[0] in ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug")]
    assert all(n in ("annotator.spans", "annotator.vocab") or n.startswith("annotator.nlp") for n in local), local


def test_preannotate_in_worker_processes_keeps_unpicklable_contexts_local(blank: Language) -> None:
    lock = threading.Lock()  # cannot be pickled, so it must never travel to a worker
    items = [(f"He said “number {i}.”", (i, lock)) for i in range(12)]
    results = list(preannotate(blank, items, labels=DEFAULT_LABELS, batch_size=4, n_process=2))
    assert [context[0] for _, context in results] == list(range(12))
    assert [len(result.annotation.quotes) for result, _ in results] == [1] * 12


def test_loaded_pipelines_are_bounded_least_recently_used_first(tmp_path: Path, blank: Language) -> None:
    paths = []
    for n in range(3):
        blank.to_disk(tmp_path / f"p{n}")
        paths.append(str(tmp_path / f"p{n}"))
    load_pipeline.cache_clear()
    first = load_pipeline(paths[0])
    second = load_pipeline(paths[1])
    assert load_pipeline(paths[0]) is first  # used again: now the most recent
    load_pipeline(paths[2])  # the third one pushes out the least recently used (paths[1])
    assert load_pipeline.cache_info().currsize == annotator.nlp.pipeline.PIPELINES_KEPT == 2
    assert load_pipeline(paths[0]) is first
    assert load_pipeline(paths[1]) is not second  # loaded afresh
    load_pipeline.cache_clear()
