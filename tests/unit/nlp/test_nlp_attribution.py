"""Pronoun speakers in text order (hand-built parses, no model)."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from annotator.nlp import annotate_doc
from annotator.vocab import DEFAULT_LABELS

BuildDoc = Callable[[str], Doc]


def _speakers(doc: Doc) -> list[tuple[str, str | None, str | None]]:
    """(content, speaker mention, linked entity text) of each quote."""
    annotation = annotate_doc(doc, labels=DEFAULT_LABELS)
    ents = annotation.entity_by_uid()
    rows = []
    for q in annotation.quotes:
        entity = ents.get(q.speaker_entity or "")
        rows.append((doc.text[q.content.start:q.content.end],
                     doc.text[q.speaker.start:q.speaker.end] if q.speaker else None,
                     doc.text[entity.start:entity.end] if entity else None))
    return rows


def test_pronoun_takes_the_speaker_just_introduced(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Anna PROPN 1 compound B-PERSON
Berg PROPN 2 nsubj I-PERSON
won VERB 2 ROOT win
. PUNCT 2 punct
Reyes PROPN 5 nsubj B-ORG
said VERB 5 ROOT say
it PRON 7 nsubj
was AUX 5 ccomp be
good ADJ 7 acomp
. PUNCT 5 punct
“ PUNCT 17 punct
I PRON 12 nsubj
was AUX 17 ccomp be
nervous ADJ 12 acomp
, PUNCT 17 punct
” PUNCT 17 punct
he PRON 17 nsubj
said VERB 17 ROOT say
. PUNCT 17 punct
""")
    assert _speakers(doc) == [("it was good", "Reyes", "Reyes"), ("I was nervous,", "he", "Reyes")]


def test_pronoun_keeps_a_person_named_after_the_last_speaker(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Kemi PROPN 1 nsubj B-PERSON
said VERB 1 ROOT say
it PRON 3 nsubj
was AUX 1 ccomp be
weak ADJ 3 acomp
. PUNCT 1 punct
Emma PROPN 7 compound B-PERSON
Macron PROPN 8 nsubj I-PERSON
welcomed VERB 8 ROOT welcome
it PRON 8 dobj
. PUNCT 8 punct
He PRON 12 nsubj
said VERB 12 ROOT say
Europe PROPN 15 nsubj B-GPE
must AUX 15 aux
act VERB 12 ccomp
. PUNCT 12 punct
""")
    assert _speakers(doc)[1] == ("Europe must act", "He", "Emma Macron")


def test_pronoun_in_an_embedded_clause_binds_to_the_main_subject(make_doc: BuildDoc) -> None:
    doc = make_doc("""
The DET 1 det
minister NOUN 2 nsubj minister
condemned VERB 2 ROOT condemn
what PRON 5 dobj
he PRON 5 nsubj
called VERB 2 ccomp call
a DET 9 det
“ PUNCT 9 punct
brazen ADJ 9 amod
breach NOUN 5 oprd
” PUNCT 9 punct
. PUNCT 2 punct
""")
    assert _speakers(doc) == [("brazen breach", "The minister", None)]
