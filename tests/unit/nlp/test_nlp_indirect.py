"""Indirect speech on hand-built parses: that-clauses, reporting nouns, "according to"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from annotator.nlp import annotate_doc
from annotator.spans import Quote
from annotator.vocab import DEFAULT_LABELS

BuildDoc = Callable[[str], Doc]


def _quotes(doc: Doc) -> list[tuple[str, str | None, str | None, str | None]]:
    """(content, cue, speaker, speaker entity text) of each indirect quote."""
    annotation = annotate_doc(doc, labels=DEFAULT_LABELS)
    ents = annotation.entity_by_uid()

    def text(q: Quote) -> tuple[str, str | None, str | None, str | None]:
        entity = ents[q.speaker_entity] if q.speaker_entity else None
        return (doc.text[q.content.start:q.content.end],
                doc.text[q.cue.start:q.cue.end] if q.cue else None,
                doc.text[q.speaker.start:q.speaker.end] if q.speaker else None,
                doc.text[entity.start:entity.end] if entity else None)

    assert all(q.kind == "indirect" for q in annotation.quotes)
    return [text(q) for q in annotation.quotes]


CASES = {
    "afterthought after a comma is cut": ("""
Akbari PROPN 1 nsubj B-PERSON
claimed VERB 1 ROOT claim
the DET 3 det
militants NOUN 4 nsubj militant
enjoy VERB 1 ccomp
support NOUN 4 dobj
, PUNCT 5 punct
including VERB 5 prep include tag=VBG
weapons NOUN 7 pobj weapon
. PUNCT 1 punct
""", [("the militants enjoy support", "claimed", "Akbari", "Akbari")]),
    "a list inside the claim stays": ("""
Kemp PROPN 1 nsubj B-PERSON
says VERB 1 ROOT say
inspectors NOUN 3 nsubj inspector
visit VERB 1 ccomp
refineries NOUN 3 dobj refinery
, PUNCT 4 punct
terminals NOUN 4 conj terminal
and CCONJ 6 cc
stations NOUN 6 conj station
. PUNCT 1 punct
""", [("inspectors visit refineries, terminals and stations", "says", "Kemp", "Kemp")]),
    "a subordinate clause after the comma is still the claim": ("""
Police NOUN 1 nsubj police
said VERB 1 ROOT say
officers NOUN 4 nsubjpass officer
were AUX 4 auxpass be
called VERB 1 ccomp call
, PUNCT 4 punct
after ADP 8 mark
alarms NOUN 8 nsubj alarm
rang VERB 4 advcl ring
. PUNCT 1 punct
""", [("officers were called, after alarms rang", "said", "Police", None)]),
    "declared in a message that": ("""
Salami PROPN 1 nsubj B-PERSON
declared VERB 1 ROOT declare
in ADP 1 prep
a DET 4 det
message NOUN 2 pobj
that SCONJ 8 mark
attacks NOUN 8 nsubjpass attack
are AUX 8 auxpass be
directed VERB 4 acl direct tag=VBN
. PUNCT 1 punct
""", [("attacks are directed", "declared", "Salami", "Salami")]),
    "X's statement that": ("""
Otto PROPN 1 compound B-PERSON
Brandt PROPN 3 poss I-PERSON
's PART 1 case
statement NOUN 8 nsubj
that SCONJ 7 mark
the DET 6 det
coalition NOUN 7 nsubj
survives VERB 3 acl survive
calmed VERB 8 ROOT calm
markets NOUN 8 dobj market
. PUNCT 8 punct
""", [("the coalition survives", "statement", "Otto Brandt", "Otto Brandt")]),
    "according to, in front": ("""
According VERB 7 prep accord
to ADP 0 prep
the DET 3 det
Ministry PROPN 1 pobj B-ORG
, PUNCT 7 punct
forty NUM 7 nsubjpass
were AUX 7 auxpass be
arrested VERB 7 ROOT arrest tag=VBN
. PUNCT 7 punct
""", [("forty were arrested", "According to", "the Ministry", "Ministry")]),
    "according to, at the end": ("""
The DET 1 det
curfew NOUN 2 nsubj
ends VERB 2 ROOT end
, PUNCT 2 punct
according VERB 2 prep accord
to ADP 4 prep
Haddad PROPN 5 pobj B-PERSON
. PUNCT 2 punct
""", [("The curfew ends", "according to", "Haddad", "Haddad")]),
    "participle cue takes the main clause subject": ("""
Iranian ADJ 1 amod B-NORP
officials NOUN 2 nsubj official
linked VERB 2 ROOT link
the DET 4 det
attack NOUN 2 dobj
to ADP 4 prep
Israel PROPN 5 pobj B-GPE
, PUNCT 2 punct
claiming VERB 2 advcl claim
it PRON 10 nsubj
backs VERB 8 ccomp back
groups NOUN 10 dobj group
. PUNCT 2 punct
""", [("it backs groups", "claiming", "Iranian officials", None)]),
    "relative clause speaker is the noun it modifies": ("""
Holm PROPN 8 nsubj B-PERSON
, PUNCT 0 punct
who PRON 3 nsubj
said VERB 0 relcl say
that SCONJ 6 mark
prices NOUN 6 nsubj price
fall VERB 3 ccomp
, PUNCT 0 punct
left VERB 8 ROOT leave
. PUNCT 8 punct
""", [("prices fall", "said", "Holm", "Holm")]),
    "dateline taken for the subject gives way to the name": ("""
LONDON PROPN 4 nsubj B-GPE
- PUNCT 0 punct
Keir PROPN 3 compound B-PERSON
Starmer PROPN 0 appos I-PERSON
said VERB 4 ROOT say
Britain PROPN 7 nsubj B-GPE
would AUX 7 aux
act VERB 4 ccomp
. PUNCT 4 punct
""", [("Britain would act", "said", "Keir Starmer", "Keir Starmer")]),
    "hearsay is not a speaker": ("""
Rumours NOUN 1 nsubj rumour
suggest VERB 1 ROOT
that SCONJ 4 mark
Louqa PROPN 4 nsubj B-PERSON
plans VERB 1 ccomp plan
a DET 6 det
coup NOUN 4 dobj
. PUNCT 1 punct
""", []),
    "a document speaks": ("""
The DET 1 det
report NOUN 2 nsubj report
found VERB 2 ROOT find
that SCONJ 5 mark
emissions NOUN 5 nsubj emission
rose VERB 2 ccomp rise
. PUNCT 2 punct
""", [("emissions rose", "found", "The report", None)]),
    "find reports only with that": ("""
Walkers NOUN 1 nsubj walker
found VERB 1 ROOT find
the DET 3 det
boy NOUN 4 nsubj boy
sitting VERB 1 ccomp sit
outside ADV 4 advmod
. PUNCT 1 punct
""", []),
    "negated cue reports nothing": ("""
Police NOUN 3 nsubj police
did AUX 3 aux do
not PART 3 neg
say VERB 3 ROOT say
how ADV 5 advmod
many ADJ 7 amod
men NOUN 7 nsubj man
fled VERB 3 ccomp flee
. PUNCT 3 punct
""", []),
    "a clause after the comma is still the claim": ("""
Police NOUN 1 nsubj police
said VERB 1 ROOT say
a DET 3 det
unit NOUN 4 nsubj unit
attended VERB 1 ccomp attend
, PUNCT 4 punct
but CCONJ 4 cc
officers NOUN 8 nsubj officer
walked VERB 4 conj walk
home ADV 8 advmod
. PUNCT 1 punct
""", [("a unit attended, but officers walked home", "said", "Police", None)]),
    "a passive cue names no speaker": ("""
He PRON 2 nsubjpass
was AUX 2 auxpass be
told VERB 2 ROOT tell
that SCONJ 6 mark
the DET 5 det
plan NOUN 6 nsubj
failed VERB 2 ccomp fail
. PUNCT 2 punct
""", []),
    "a parenthetical cue reports its host clause": ("""
Fighting NOUN 1 nsubj fighting
erupted VERB 1 ROOT erupt
overnight ADV 1 advmod
, PUNCT 5 punct
officials NOUN 5 nsubj official
said VERB 1 parataxis say
. PUNCT 1 punct
""", [("Fighting erupted overnight", "said", "officials", None)]),
    "a headline names its speaker before the colon": ("""
Biden PROPN 4 npadvmod B-PERSON
: PUNCT 4 punct
We PRON 4 nsubj we
will AUX 4 aux
win VERB 4 ROOT
\\n SPACE 4 dep
Smith PROPN 7 nsubj B-PERSON
left VERB 7 ROOT leave
. PUNCT 7 punct
""", [("We will win", ":", "Biden", "Biden")]),
    "one is not a speaker": ("""
One NUM 1 nsubj one
said VERB 1 ROOT say
the DET 3 det
deal NOUN 4 nsubj deal
failed VERB 1 ccomp fail
. PUNCT 1 punct
""", []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_indirect_quotes(make_doc: BuildDoc, name: str) -> None:
    spec, expected = CASES[name]
    assert _quotes(make_doc(spec)) == expected
