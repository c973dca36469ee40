"""Entities from doc.ents: label mapping, determiners, descriptions and name clusters."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from annotator.nlp.entities import index_entities, map_label
from annotator.vocab import DEFAULT_LABELS

BuildDoc = Callable[[str], Doc]

SENTENCE = """
The DET 3 det B-ORG
Syrian ADJ 3 amod I-ORG
Army PROPN 3 compound I-ORG
Command PROPN 4 nsubj I-ORG
met VERB 4 ROOT
the DET 6 det B-GPE
States PROPN 4 dobj I-GPE
in ADP 4 prep
Paris PROPN 7 pobj B-LOC
. PUNCT 4 punct
"""


def test_map_label_renames_or_drops() -> None:
    assert map_label("LOC", ["GPE"], {"LOC": "GPE"}) == "GPE"
    assert map_label("LOC", ["GPE"], None) is None
    assert map_label("GPE", ["GPE"], None) == "GPE"


def test_labels_outside_the_set_are_dropped(make_doc: BuildDoc) -> None:
    doc = make_doc(SENTENCE)
    found = index_entities(doc, labels=["ORG", "GPE"])
    assert [doc.text[e.start:e.end] for e in found.entities] == ["Syrian Army Command", "the States"]


def test_label_map_renames(make_doc: BuildDoc) -> None:
    doc = make_doc(SENTENCE)
    found = index_entities(doc, labels=["GPE"], label_map={"LOC": "GPE"})
    assert [(doc.text[e.start:e.end], e.label) for e in found.entities] == [("the States", "GPE"), ("Paris", "GPE")]


def test_uids_origin_and_token_lookup(make_doc: BuildDoc) -> None:
    doc = make_doc(SENTENCE)
    found = index_entities(doc, labels=DEFAULT_LABELS)
    assert [e.uid for e in found.entities] == ["m-e0", "m-e1", "m-e2"]
    assert {e.origin for e in found.entities} == {"model"}
    assert found.at_token(3) == 0 and found.at_token(0) is None and found.at_token(4) is None


def test_definite_description_is_not_a_name_and_short_names_join_their_cluster(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Hossein PROPN 1 compound B-PERSON
Akbari PROPN 2 nsubj I-PERSON
praised VERB 2 ROOT
the DET 5 det B-ORG
General PROPN 5 compound I-ORG
Command PROPN 2 dobj I-ORG
. PUNCT 2 punct
Akbari PROPN 9 nsubj B-PERSON
thanked VERB 9 ROOT
the DET 11 det
Command PROPN 9 dobj B-ORG
’s PART 10 case
staff NOUN 9 dobj
. PUNCT 9 punct
""")
    found = index_entities(doc, labels=DEFAULT_LABELS)
    texts = [doc.text[e.start:e.end] for e in found.entities]
    assert texts == ["Hossein Akbari", "General Command", "Akbari"]
    assert found.canonical_uid(2) == "m-e0" and found.canonical_text(2) == "Hossein Akbari"


def test_trailing_possessive_is_trimmed(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Otto PROPN 1 compound B-PERSON
Brandt PROPN 3 poss I-PERSON
's PART 1 case I-PERSON
plan NOUN 4 nsubj
failed VERB 4 ROOT
""")
    (entity,) = index_entities(doc, labels=DEFAULT_LABELS).entities
    assert doc.text[entity.start:entity.end] == "Otto Brandt"


def test_repeated_surname_is_the_same_person_whatever_the_model_label(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Olaf PROPN 1 compound B-PERSON
Scholz PROPN 2 nsubj I-PERSON
spoke VERB 2 ROOT speak
. PUNCT 2 punct
Scholz PROPN 5 nsubj B-ORG
left VERB 5 ROOT leave
. PUNCT 5 punct
""")
    found = index_entities(doc, labels=DEFAULT_LABELS)
    assert [(doc.text[e.start:e.end], e.label) for e in found.entities] == [("Olaf Scholz", "PERSON"),
                                                                             ("Scholz", "PERSON")]
    assert found.canonical_uid(1) == "m-e0"
