"""Our JSONL format: task shape, lossless round trip and checked import."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.formats.errors import FormatError
from annotator.formats.jsonl import (
    annotation_from_task, dumps_task, export_line, task_from_annotation, write_jsonl,
)
from annotator.formats.reader import read_tasks
from annotator.formats.tokens import DocTokens
from annotator.spans import Annotation, Entity

Tokenize = Callable[[str], list[tuple[int, int]]]
TEXT = "Akbari said that \u201cthe army knows.\u201d Iran backs Assad, Reuters reported."


@pytest.fixture(autouse=True)
def same_text(text: str) -> None:
    """The tests below spell offsets out for the shared sample text."""
    assert text == TEXT


def make_task(tokenize: Tokenize, annotation: Annotation, **kwargs: Any) -> dict[str, Any]:
    return task_from_annotation(TEXT, {"source": "seed"}, tokenize(TEXT), annotation,
                                answer="accept", annotator_id="ann-1", timestamp=1700000000,
                                **kwargs)


def test_round_trip_through_json_is_lossless(tokenize: Tokenize, annotation: Annotation) -> None:
    stream = io.BytesIO()
    write_jsonl([make_task(tokenize, annotation, status="submitted")], stream)
    record = json.loads(stream.getvalue().decode("utf-8"))
    imported = annotation_from_task(record, source="out.jsonl", line=1)
    assert imported.annotation == annotation
    assert imported.text == TEXT
    assert imported.tokens == tokenize(TEXT)
    assert (imported.meta, imported.answer, imported.annotator_id, imported.status) == (
        {"source": "seed"}, "accept", "ann-1", "submitted")


def test_task_has_prodigy_fields(tokenize: Tokenize, annotation: Annotation) -> None:
    task = make_task(tokenize, annotation)
    assert task["tokens"][0] == {"text": "Akbari", "start": 0, "end": 6, "id": 0, "ws": True}
    quote_mark = next(t for t in task["tokens"] if t["text"] == "\u201c")
    assert quote_mark["ws"] is False
    assert task["spans"][1] == {"start": 35, "end": 39, "token_start": 9, "token_end": 9,
                                "label": "GPE", "uid": "e2", "origin": "model"}
    assert (task["_view_id"], task["_format_version"], task["_timestamp"]) == (
        "annotator", 1, 1700000000)
    assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)


def test_relations_link_speaker_and_cue_to_the_quote_content(
        tokenize: Tokenize, annotation: Annotation) -> None:
    task = make_task(tokenize, annotation)
    content = {"start": 18, "end": 33, "token_start": 4, "token_end": 7, "label": "QUOTE"}
    assert task["relations"] == [
        {"head": 0, "child": 7, "label": "SPEAKER", "child_span": content,
         "head_span": {"start": 0, "end": 6, "token_start": 0, "token_end": 0,
                       "label": "SPEAKER"}},
        {"head": 1, "child": 7, "label": "CUE", "child_span": content,
         "head_span": {"start": 7, "end": 11, "token_start": 1, "token_end": 1, "label": "CUE"}},
    ]
    assert task["quotes"][0]["speaker_entity"] == 0
    assert task["quotes"][0]["content"]["text"] == "the army knows."
    assert task["stances"][0]["holder"] == {"text": "Iran", "entity": 1}
    assert task["stances"][1]["target"] == {"text": "", "entity": 2}


def test_hashes_follow_text_and_annotation(tokenize: Tokenize, annotation: Annotation) -> None:
    first, again = make_task(tokenize, annotation), make_task(tokenize, annotation)
    fewer = make_task(tokenize, Annotation(entities=annotation.entities[:1]))
    assert first["_input_hash"] == again["_input_hash"]
    assert first["_task_hash"] == again["_task_hash"]
    assert fewer["_input_hash"] == first["_input_hash"]
    assert fewer["_task_hash"] != first["_task_hash"]


def test_shared_doc_tokens_give_the_same_task(tokenize: Tokenize, annotation: Annotation) -> None:
    shared = DocTokens(TEXT, tokenize(TEXT))
    task = task_from_annotation(TEXT, {"source": "seed"}, shared, annotation,
                                annotator_id="ann-1", timestamp=1700000000)
    assert dumps_task(task) == dumps_task(make_task(tokenize, annotation))


def test_export_line_with_cached_token_json_equals_the_task_line(
        tokenize: Tokenize, annotation: Annotation) -> None:
    cached = DocTokens(TEXT, tokenize(TEXT)).tokens_json()
    doc = DocTokens(TEXT, tokenize(TEXT), tokens_json=cached)
    line = export_line(TEXT, {"source": "seed"}, doc, annotation, annotator_id="ann-1",
                       timestamp=1700000000)
    assert line == dumps_task(make_task(tokenize, annotation))
    assert line.endswith(b"\n") and line.count(b"\n") == 1


def bad_task(tokenize: Tokenize, annotation: Annotation, change: Callable[[dict[str, Any]], Any],
             ) -> dict[str, Any]:
    task = make_task(tokenize, annotation)
    change(task)
    return task


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.pop("text"), "field text: is required and must be a non-empty string"),
    (lambda t: t["spans"][1].update(end=99),
     f"field spans[1].end: span [35, 99) is out of range for a text of {len(TEXT)} characters"),
    (lambda t: t["spans"][1].update(end=37),
     "field spans[1]: span [35, 37) 'Ir' is not on token boundaries"),
    (lambda t: t["spans"][1].update(token_end=10),
     "field spans[1].token_end: 10 does not match the tokens of [35, 39) "
     "(expected 9; token_end is inclusive)"),
    (lambda t: t["quotes"][0].update(speaker_entity=7),
     "field quotes[0].speaker_entity: 7 is not an index into spans (0 to 2)"),
    (lambda t: t["quotes"][0].update(kind="sarcastic"),
     "field quotes[0].kind: must be one of direct, indirect, mixed"),
    (lambda t: t["tokens"][2].update(text="than"),
     "field tokens[2].text: text 'than' does not match 'that' at [12, 16)"),
    (lambda t: t.update(answer="maybe"), "field answer: must be one of accept, reject, ignore"),
    (lambda t: t["spans"][0].update(origin="robot"),
     "field spans[0].origin: must be one of model, human"),
    (lambda t: t["spans"][0].update(uid=5), "field spans[0].uid: must be a non-empty string"),
    (lambda t: t["spans"].append(dict(t["spans"][0], uid="e9")),
     "field spans[3]: entity [0, 6) overlaps the PERSON entity [0, 6) 'Akbari'"),
])
def test_bad_tasks_name_file_line_and_field(tmp_path: Path, tokenize: Tokenize,
                                            annotation: Annotation,
                                            change: Callable[[dict[str, Any]], Any],
                                            message: str) -> None:
    good = make_task(tokenize, annotation)
    lines = [json.dumps(good), json.dumps(bad_task(tokenize, annotation, change))]
    (tmp_path / "data.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        list(read_tasks(tmp_path / "data.jsonl"))
    assert str(caught.value) == f"data.jsonl, line 2, {message}"


def test_unknown_label_is_rejected_when_a_label_set_is_given(
        tokenize: Tokenize, annotation: Annotation) -> None:
    record = json.loads(dumps_task(make_task(tokenize, annotation)))
    with pytest.raises(FormatError) as caught:
        annotation_from_task(record, source="data.jsonl", line=4, labels=["PERSON", "ORG"])
    assert str(caught.value) == ("data.jsonl, line 4, field spans[1].label: unknown label 'GPE' "
                                 "(known: PERSON, ORG)")
    assert annotation_from_task(record, source="d", line=1, labels=["PERSON", "GPE"]).annotation


def test_unknown_polarity_is_rejected_when_polarities_are_given(
        tokenize: Tokenize, annotation: Annotation) -> None:
    record = json.loads(dumps_task(make_task(tokenize, annotation)))
    with pytest.raises(FormatError, match=r"field stances\[1\].polarity: unknown polarity"):
        annotation_from_task(record, source="d", line=1, polarities=["favor"])


def test_text_only_task_has_no_annotation() -> None:
    imported = annotation_from_task({"text": "Just text.", "meta": {"id": 3}}, source="d", line=1)
    assert (imported.annotation, imported.tokens, imported.meta) == (None, None, {"id": 3})


def test_missing_uids_are_filled_in(tokenize: Tokenize) -> None:
    task = make_task(tokenize, Annotation(entities=[Entity("x", 0, 6, "PERSON")]))
    del task["spans"][0]["uid"]
    imported = annotation_from_task(task, source="d", line=1)
    assert imported.annotation is not None
    assert imported.annotation.entities == [Entity("e1", 0, 6, "PERSON", "human")]
