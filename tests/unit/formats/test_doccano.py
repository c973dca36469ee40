"""doccano records in the shapes doccano's documentation gives, and our lossless round trip."""

from __future__ import annotations

import json

import pytest

from annotator.formats.doccano import annotation_from_doccano, doccano_from_annotation
from annotator.formats.errors import FormatError
from annotator.spans import Annotation, Entity, Quote, Span, Stance

GOOGLE = {
    "text": "Google was founded on September 4, 1998, by Larry Page and Sergey Brin.",
    "entities": [
        {"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
        {"id": 1, "start_offset": 22, "end_offset": 39, "label": "DATE"},
        {"id": 2, "start_offset": 44, "end_offset": 54, "label": "PERSON"},
        {"id": 3, "start_offset": 59, "end_offset": 70, "label": "PERSON"},
    ],
    "relations": [
        {"id": 0, "from_id": 0, "to_id": 1, "type": "foundedAt"},
        {"id": 1, "from_id": 0, "to_id": 2, "type": "foundedBy"},
        {"id": 2, "from_id": 0, "to_id": 3, "type": "foundedBy"},
    ],
}


def test_relation_record_imports_entities_and_reports_other_relations() -> None:
    imported = annotation_from_doccano(GOOGLE, source="doccano.jsonl", line=1)
    assert imported.annotation is not None
    assert imported.annotation.entities == [
        Entity("e0", 0, 6, "ORG"), Entity("e1", 22, 39, "DATE"),
        Entity("e2", 44, 54, "PERSON"), Entity("e3", 59, 70, "PERSON")]
    assert imported.warnings == [
        "relations[0]: relation type 'foundedAt' is not supported, skipped",
        "relations[1]: relation type 'foundedBy' is not supported, skipped",
        "relations[2]: relation type 'foundedBy' is not supported, skipped"]


def test_older_label_triples_import_as_entities() -> None:
    record = {"text": "EU rejects German call to boycott British lamb.",
              "label": [[0, 2, "ORG"], [11, 17, "MISC"], [34, 41, "MISC"]]}
    imported = annotation_from_doccano(record, source="old.jsonl", line=1)
    assert imported.annotation is not None
    assert [(e.start, e.end, e.label) for e in imported.annotation.entities] == [
        (0, 2, "ORG"), (11, 17, "MISC"), (34, 41, "MISC")]


def test_quote_entities_and_relations_rebuild_quotes_and_stances() -> None:
    text = "Akbari said that \u201cthe army knows.\u201d Iran backs Assad."
    record = {
        "id": 9, "text": text,
        "entities": [
            {"id": 1, "label": "PERSON", "start_offset": 0, "end_offset": 6},
            {"id": 2, "label": "QUOTE", "start_offset": 18, "end_offset": 33},
            {"id": 3, "label": "SPEAKER", "start_offset": 0, "end_offset": 6},
            {"id": 4, "label": "CUE", "start_offset": 7, "end_offset": 11},
            {"id": 5, "label": "GPE", "start_offset": 35, "end_offset": 39},
            {"id": 6, "label": "STANCE_FAVOR", "start_offset": 35, "end_offset": 51},
            {"id": 7, "label": "PERSON", "start_offset": 46, "end_offset": 51},
        ],
        "relations": [
            {"id": 1, "from_id": 3, "to_id": 2, "type": "speaker"},
            {"id": 2, "from_id": 4, "to_id": 2, "type": "cue"},
            {"id": 3, "from_id": 3, "to_id": 1, "type": "refers_to"},
            {"id": 4, "from_id": 6, "to_id": 5, "type": "holder"},
            {"id": 5, "from_id": 6, "to_id": 7, "type": "target"},
        ],
    }
    imported = annotation_from_doccano(record, source="d.jsonl", line=1)
    assert imported.annotation is not None
    assert imported.annotation.quotes == [
        Quote("q2", Span(18, 33), "direct", Span(7, 11), Span(0, 6), "e1")]
    assert imported.annotation.stances == [
        Stance("s6", "favor", Span(35, 51), "Iran", "e5", "Assad", "e7")]
    assert [e.uid for e in imported.annotation.entities] == ["e1", "e5", "e7"]


def test_round_trip_is_lossless(text: str, annotation: Annotation) -> None:
    record = json.loads(json.dumps(doccano_from_annotation(text, annotation, record_id=4,
                                                           meta={"source": "seed"})))
    labels = [e["label"] for e in record["entities"]]
    assert labels == ["PERSON", "GPE", "PERSON", "QUOTE", "SPEAKER", "CUE", "STANCE_FAVOR",
                      "STANCE_AGAINST"]
    assert {r["type"] for r in record["relations"]} == {"speaker", "cue", "refers_to", "holder",
                                                         "target"}
    imported = annotation_from_doccano(record, source="d.jsonl", line=1)
    assert imported.annotation == annotation
    assert imported.meta == {"source": "seed"}


@pytest.mark.parametrize(("change", "message"), [
    ({"entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 99}]},
     "d.jsonl, line 3, field entities[0].end_offset: span [0, 99) is out of range for a text "
     "of 71 characters"),
    ({"relations": [{"id": 1, "from_id": 0, "to_id": 42, "type": "refers_to"}]},
     "d.jsonl, line 3, field relations[0].to_id: 42 is not an entity id"),
    ({"entities": [{"id": 1, "label": "ORG", "start_offset": "0", "end_offset": 6}]},
     "d.jsonl, line 3, field entities[0].start_offset: must be an integer"),
    ({"entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 6},
                   {"id": 1, "label": "DATE", "start_offset": 22, "end_offset": 39}],
      "relations": []},
     "d.jsonl, line 3, field entities[1].id: duplicate entity id 1"),
    ({"entities": [{"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 6}],
      "relations": []},
     "d.jsonl, line 3, field entities[0].label: unknown label 'ORG' (known: PERSON)"),
])
def test_bad_records_name_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(FormatError) as caught:
        annotation_from_doccano({**GOOGLE, **change}, source="d.jsonl", line=3, labels=["PERSON"])
    assert str(caught.value) == message


@pytest.mark.parametrize("info, uid, origin", [
    ({"uid": "x7", "origin": "model"}, "x7", "model"),  # built in bulk
    ({"uid": ""}, "e1", "human"),  # no uid: the entity id names it
    ({"uid": 5, "origin": "human"}, "5", "human"),  # not a string: read one by one, as text
])
def test_entity_info_gives_uids_and_origins(info: dict[str, object], uid: str, origin: str) -> None:
    text = "Ana Ruiz spoke."
    record = {"text": text, "entities": [{"id": 1, "label": "PERSON", "start_offset": 0, "end_offset": 8}],
              "entity_info": [{"id": 1, **info}]}
    task = annotation_from_doccano(record, source="t.jsonl", line=1)
    assert task.annotation is not None
    assert task.annotation.entities == [Entity(uid, 0, 8, "PERSON", origin)]  # type: ignore[arg-type]


def test_a_bad_origin_in_entity_info_is_named() -> None:
    record = {"text": "Ana Ruiz spoke.", "entities": [{"id": 1, "label": "PERSON", "start_offset": 0,
                                                          "end_offset": 8}],
              "entity_info": [{"id": 1, "uid": "e1", "origin": "robot"}]}
    with pytest.raises(FormatError, match=r"t.jsonl, line 3.*entities\[0\]\.origin"):
        annotation_from_doccano(record, source="t.jsonl", line=3)
