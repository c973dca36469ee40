"""Direct and mixed quotes on hand-built parses: cues, speakers, kinds and confidence."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc

from annotator.nlp import annotate_doc, doc_tokens
from annotator.checks import validate
from annotator.spans import Annotation, Quote, Span
from annotator.tokens import DocTokens
from annotator.vocab import DEFAULT_LABELS

BuildDoc = Callable[[str], Doc]


def _annotate(doc: Doc) -> Annotation:
    annotation = annotate_doc(doc, labels=DEFAULT_LABELS)
    validate(annotation, doc.text, labels=DEFAULT_LABELS, bounds=DocTokens(doc.text, doc_tokens(doc)))
    return annotation


def _text(doc: Doc, span: Span | None) -> str | None:
    return None if span is None else doc.text[span.start:span.end]


def _only(annotation: Annotation, kind: str) -> list[Quote]:
    return [q for q in annotation.quotes if q.kind == kind]


COORDINATED = """
Akbari PROPN 1 nsubj B-PERSON
said VERB 1 ROOT say
reports NOUN 3 nsubj report
surprised VERB 1 ccomp surprise
them PRON 3 dobj they
and CCONJ 3 cc
stressed VERB 3 conj stress
that SCONJ 11 mark
“ PUNCT 11 punct
the DET 10 det
army NOUN 11 nsubj
knows VERB 6 ccomp know
. PUNCT 1 punct
” PUNCT 1 punct
"""


def test_coordinated_cue_borrows_the_reporting_verbs_subject(make_doc: BuildDoc) -> None:
    doc = make_doc(COORDINATED)
    (quote,) = _only(_annotate(doc), "direct")
    assert _text(doc, quote.content) == "the army knows."
    assert _text(doc, quote.cue) == "stressed"
    assert _text(doc, quote.speaker) == "Akbari" and quote.speaker_entity == "m-e0"
    assert quote.origin == "model" and quote.confidence is not None and quote.confidence >= 0.8


def test_reported_clause_stops_before_a_coordinated_cue(make_doc: BuildDoc) -> None:
    doc = make_doc(COORDINATED)
    (quote,) = _only(_annotate(doc), "indirect")
    assert _text(doc, quote.content) == "reports surprised them"
    assert _text(doc, quote.cue) == "said" and quote.speaker_entity == "m-e0"


def test_post_posed_cue_with_pronoun_speaker(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Hossein PROPN 1 compound B-PERSON
Akbari PROPN 2 nsubj I-PERSON
spoke VERB 2 ROOT speak
. PUNCT 2 punct
\\n SPACE 3 dep
“ PUNCT 11 punct
We PRON 7 nsubj we
win VERB 11 ccomp
, PUNCT 11 punct
” PUNCT 11 punct
he PRON 11 nsubj
said VERB 11 ROOT say
. PUNCT 11 punct
""")
    (quote,) = _annotate(doc).quotes
    found = (_text(doc, quote.content), _text(doc, quote.cue), _text(doc, quote.speaker))
    assert found == ("We win,", "said", "he")
    assert quote.speaker_entity == "m-e0" and quote.kind == "direct"


def test_definite_description_speaker_resolves_to_the_earlier_name(make_doc: BuildDoc) -> None:
    doc = make_doc("""
The DET 2 det B-ORG
General PROPN 2 compound I-ORG
Command PROPN 3 nsubj I-ORG
rejected VERB 3 ROOT reject
it PRON 3 dobj
. PUNCT 3 punct
“ PUNCT 14 punct
Victory NOUN 8 nsubj
is AUX 14 ccomp be
near ADJ 8 acomp
, PUNCT 14 punct
” PUNCT 14 punct
the DET 13 det
Command PROPN 14 nsubj B-ORG
declared VERB 14 ROOT declare
. PUNCT 14 punct
""")
    annotation = _annotate(doc)
    assert [_text(doc, e.span) for e in annotation.entities] == ["General Command"]
    (quote,) = annotation.quotes
    assert _text(doc, quote.speaker) == "the Command" and quote.speaker_entity == "m-e0"
    assert _text(doc, quote.cue) == "declared"


def test_quoted_fragment_in_the_reporters_sentence_is_mixed(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Aragchi PROPN 1 nsubj B-PERSON
called VERB 1 ROOT call
it PRON 1 dobj
a DET 6 det
“ PUNCT 6 punct
US PROPN 6 compound B-GPE
project NOUN 1 oprd
” PUNCT 6 punct
. PUNCT 1 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.content) == "US project" and quote.kind == "mixed"
    assert _text(doc, quote.cue) == "called" and quote.speaker_entity == "m-e0"


def test_multi_sentence_quote_is_direct_and_finds_the_cue_after_it(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Mary PROPN 1 nsubj B-PERSON
spoke VERB 1 ROOT speak
. PUNCT 1 punct
“ PUNCT 4 punct
Stop VERB 4 ROOT stop
. PUNCT 4 punct
Go VERB 10 ccomp go
, PUNCT 10 punct
” PUNCT 10 punct
she PRON 10 nsubj
said VERB 10 ROOT say
. PUNCT 10 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.content) == "Stop. Go," and quote.kind == "direct"
    assert _text(doc, quote.speaker) == "she" and quote.speaker_entity == "m-e0"


def test_quote_without_cue_has_no_speaker_and_low_confidence(make_doc: BuildDoc) -> None:
    doc = make_doc("""
The DET 1 det
sign NOUN 2 nsubj
read VERB 2 ROOT read
“ PUNCT 4 punct
Closed ADJ 2 oprd closed
” PUNCT 4 punct
. PUNCT 2 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.content) == "Closed"
    assert quote.cue is None and quote.speaker is None and quote.speaker_entity is None
    assert quote.confidence is not None and quote.confidence < 0.5


def test_following_paragraph_quote_inherits_the_speaker(make_doc: BuildDoc) -> None:
    doc = make_doc("""
“ PUNCT 6 punct
Go VERB 6 ccomp go
, PUNCT 6 punct
” PUNCT 6 punct
Lind PROPN 5 compound B-PERSON
Jonas PROPN 6 nsubj I-PERSON
said VERB 6 ROOT say
. PUNCT 6 punct
\\n SPACE 7 dep
“ PUNCT 10 punct
Now ADV 10 advmod now
. PUNCT 10 ROOT
” PUNCT 10 punct
""")
    first, second = _annotate(doc).quotes
    assert _text(doc, second.content) == "Now."
    assert second.speaker == first.speaker and second.speaker_entity == "m-e0"
    assert second.confidence is not None and first.confidence is not None and second.confidence < first.confidence


def test_unbalanced_marks_never_break_annotation(make_doc: BuildDoc) -> None:
    doc = make_doc("""
He PRON 1 nsubj
said VERB 1 ROOT say
” PUNCT 1 punct
yes INTJ 1 dobj
“ PUNCT 1 punct
“ PUNCT 1 punct
""")
    assert _annotate(doc).quotes == []  # a stray close is ignored, the open marks hold nothing


def test_cue_less_quote_takes_the_named_subject_of_the_sentence_before(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Jonas PROPN 1 compound B-PERSON
Lind PROPN 2 nsubj I-PERSON
was AUX 2 ROOT be
blunt ADJ 2 acomp
. PUNCT 2 punct
“ PUNCT 7 punct
We PRON 7 nsubj we
are AUX 7 ROOT be
done ADJ 7 acomp
. PUNCT 7 punct
” PUNCT 7 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.content) == "We are done."
    assert quote.cue is None and _text(doc, quote.speaker) == "Jonas Lind" and quote.speaker_entity == "m-e0"
    assert quote.confidence == 0.5


def test_multi_paragraph_quote_gets_its_cue_from_the_last_paragraph(make_doc: BuildDoc) -> None:
    doc = make_doc("""
“ PUNCT 1 punct
Stop VERB 1 ROOT stop
. PUNCT 1 punct
\\n SPACE 2 dep
“ PUNCT 9 punct
Go VERB 9 ccomp go
, PUNCT 9 punct
” PUNCT 9 punct
Ann PROPN 9 nsubj B-PERSON
said VERB 9 ROOT say
. PUNCT 9 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.content) == "Stop.\n“Go,"
    assert quote.kind == "direct" and _text(doc, quote.cue) == "said" and quote.speaker_entity == "m-e0"


def test_description_resolves_through_a_title_next_to_the_name(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Iran PROPN 2 poss B-GPE
’s PART 0 case
Ambassador PROPN 7 nsubj
, PUNCT 2 punct
Hossein PROPN 5 compound B-PERSON
Akbari PROPN 2 appos I-PERSON
, PUNCT 2 punct
spoke VERB 7 ROOT speak
. PUNCT 7 punct
“ PUNCT 15 punct
Yes INTJ 15 intj yes
, PUNCT 15 punct
” PUNCT 15 punct
the DET 14 det
ambassador NOUN 15 nsubj
said VERB 15 ROOT say
. PUNCT 15 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.speaker) == "the ambassador"
    assert quote.speaker_entity == "m-e1"  # Hossein Akbari, not Iran


def test_pronoun_prefers_the_nearest_main_clause_subject_even_in_apposition(make_doc: BuildDoc) -> None:
    doc = make_doc("""
Kemi PROPN 1 compound B-PERSON
Badenoch PROPN 2 nsubj I-PERSON
criticised VERB 2 ROOT criticise
it PRON 2 dobj
. PUNCT 2 punct
The DET 6 det
president NOUN 11 nsubj
, PUNCT 6 punct
Emmanuel PROPN 9 compound B-PERSON
Macron PROPN 6 appos I-PERSON
, PUNCT 6 punct
welcomed VERB 11 ROOT welcome
it PRON 11 dobj
. PUNCT 11 punct
“ PUNCT 19 punct
Yes INTJ 19 intj yes
, PUNCT 19 punct
” PUNCT 19 punct
he PRON 19 nsubj
said VERB 19 ROOT say
. PUNCT 19 punct
""")
    (quote,) = _annotate(doc).quotes
    assert _text(doc, quote.speaker) == "he" and quote.speaker_entity == "m-e1"
