"""Stances on hand-built parses: polarity, negation, passives, noun predicates, quoted holders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.tokens import Doc

from annotator.nlp import annotate_doc
from annotator.spans import Annotation
from annotator.vocab import DEFAULT_LABELS

BuildDoc = Callable[[str], Doc]


def _stances(doc: Doc, annotation: Annotation | None = None) -> list[tuple[str, str, str, bool, bool]]:
    """(holder, polarity, target, holder linked, target linked) of each stance."""
    annotation = annotation or annotate_doc(doc, labels=DEFAULT_LABELS)
    return [(s.holder, s.polarity, s.target, s.holder_entity is not None, s.target_entity is not None)
            for s in annotation.stances]


def _simple(subject: str, verb: str, lemma: str, neg: str = "") -> str:
    rows = [f"{subject} PROPN {2 if neg else 1} nsubj B-GPE"]
    if neg:
        rows.append(f"{neg} PART 2 neg not")
    rows += [f"{verb} VERB {len(rows)} ROOT {lemma}", f"the DET {len(rows) + 2} det",
             f"proposal NOUN {len(rows)} dobj", f". PUNCT {len(rows)} punct"]
    return "\n".join(rows)


@pytest.mark.parametrize("verb, lemma, neg, polarity", [
    ("backed", "back", "", "favor"),
    ("rejected", "reject", "", "against"),
    ("welcomed", "welcome", "", "favor"),
    ("support", "support", "not", "against"),
    ("criticised", "criticise", "never", "neutral"),
])
def test_polarity_and_negation(make_doc: BuildDoc, verb: str, lemma: str, neg: str, polarity: str) -> None:
    doc = make_doc(_simple("Chile", verb, lemma, neg))
    assert _stances(doc) == [("Chile", polarity, "the proposal", True, False)]
    assert doc.text[annotate_doc(doc, labels=DEFAULT_LABELS).stances[0].evidence.start:].startswith(neg or verb)


PASSIVE = """
HTS PROPN 3 nsubjpass B-ORG
has AUX 3 aux have
been AUX 3 auxpass be
designated VERB 3 ROOT designate tag=VBN
as ADP 3 prep
a DET 7 det
{word} ADJ 7 amod
organisation NOUN 4 pobj
by ADP 7 prep
the DET 11 det B-GPE
United PROPN 11 compound I-GPE
States PROPN 8 pobj I-GPE
. PUNCT 3 punct
"""


def test_passive_designation_takes_the_agent_as_holder(make_doc: BuildDoc) -> None:
    doc = make_doc(PASSIVE.format(word="terrorist"))
    assert _stances(doc) == [("the United States", "against", "HTS", True, True)]


def test_pattern_words_are_required(make_doc: BuildDoc) -> None:
    assert _stances(make_doc(PASSIVE.format(word="charitable"))) == []


def test_noun_predicates_take_the_clause_subject_as_holder(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Iran PROPN 1 nsubj B-GPE
described VERB 1 ROOT describe
the DET 3 det
agreement NOUN 1 dobj
as ADP 1 prep
a DET 6 det
victory NOUN 4 pobj
for ADP 6 prep
Hezbollah PROPN 7 pobj B-ORG
and CCONJ 8 cc
a DET 11 det
defeat NOUN 8 conj
for ADP 11 prep
Israel PROPN 12 pobj B-GPE
. PUNCT 1 punct
""")
    assert _stances(doc) == [("Iran", "favor", "Hezbollah", True, True), ("Iran", "against", "Israel", True, True)]


def test_target_entity_named_in_an_of_phrase(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Iran PROPN 2 nsubj B-GPE
has AUX 2 aux have
supported VERB 2 ROOT support
the DET 4 det
government NOUN 2 dobj
of ADP 4 prep
Assad PROPN 5 pobj B-PERSON
. PUNCT 2 punct
""")
    assert _stances(doc) == [("Iran", "favor", "Assad", True, True)]


QUOTED = """
Akbari PROPN 1 nsubj B-PERSON
spoke VERB 1 ROOT speak
. PUNCT 1 punct
“ PUNCT 10 punct
We PRON 5 nsubj we
cheer VERB 10 ccomp cheer
Iran PROPN 5 dobj B-GPE
, PUNCT 10 punct
” PUNCT 10 punct
he PRON 10 nsubj
said VERB 10 ROOT say
. PUNCT 10 punct
"""


def test_first_person_holder_in_a_quote_is_its_speaker_and_lexicon_extends(
        make_doc: BuildDoc, tmp_path: Path) -> None:
    doc = make_doc(QUOTED)
    assert _stances(doc) == []  # "cheer" is not in the shipped lexicon
    extra = tmp_path / "more.txt"
    extra.write_text("# ours\nfavor cheer _\n", encoding="utf-8")
    annotation = annotate_doc(doc, labels=DEFAULT_LABELS, stances_path=str(extra))
    assert _stances(doc, annotation) == [("Akbari", "favor", "Iran", True, True)]
    assert [s.uid for s in annotation.stances] == ["m-s0"] and annotation.stances[0].origin == "model"


def test_coordinated_named_targets_each_get_a_stance(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Iran PROPN 1 nsubj B-GPE
condemned VERB 1 ROOT condemn
Israel PROPN 1 dobj B-GPE
and CCONJ 2 cc
the DET 6 det B-GPE
United PROPN 6 compound I-GPE
States PROPN 2 conj I-GPE
and CCONJ 6 cc
sanctions NOUN 6 conj sanction
. PUNCT 1 punct
""")
    assert _stances(doc) == [("Iran", "against", "Israel", True, True),
                             ("Iran", "against", "the United States", True, True)]
