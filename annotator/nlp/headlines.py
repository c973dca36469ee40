"""Headline attributions: a name and a colon opening a line ('Biden: "We will not back down"').

The name is a person or organisation the model found, or a run of proper nouns, and it must open
its line (the start of the text or after a line break); what follows the colon is the claim.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from annotator.nlp.entities import EntityIndex
from annotator.nlp.speakers import Mention
from annotator.vocab import OPENING_MARKS

OPENERS = frozenset(OPENING_MARKS)  # after "Name: " one of these opens a direct quote, not a headline claim

HEADLINE_NAME = 6  # tokens at most before the colon
HEADLINE_LABELS = frozenset({"PERSON", "ORG"})
LINE_RE = re.compile(r"[^\n]+")
CLAIM_TRAIL = ".!?;,"


def _line_break(tok: Token) -> bool:
    return "\n" in tok.text


def headline_name(doc: Doc, colon: int, ents: EntityIndex) -> Mention | None:
    """The person or organisation named from the line's start up to the colon at token ``colon``."""
    if colon < 1 or doc[colon].text != ":":
        return None
    start = colon - 1
    while start > 0 and colon - start < HEADLINE_NAME and not _line_break(doc[start - 1]):
        start -= 1
    if start > 0 and not _line_break(doc[start - 1]):
        return None
    index = ents.at_token(colon - 1)
    if index is not None and ents.spans[index].label_ in HEADLINE_LABELS and ents.spans[index].start <= start + 1:
        return Mention(doc[colon - 1], ents.spans[index].start, colon, ents.canonical[index])
    if index is None and all(t.pos_ == "PROPN" for t in doc[start:colon]):
        return Mention(doc[colon - 1], start, colon, None)
    return None


def headline_claims(doc: Doc, ents: EntityIndex,
                    text: str | None = None) -> list[tuple[tuple[int, int], Mention, tuple[int, int]]]:
    """(content, speaker, colon) of each line "Name: claim" whose claim is a clause and not quoted.

    ``text`` is doc.text, passed when the caller has it (building it walks every token).
    """
    text = doc.text if text is None else text
    found = []
    for line in LINE_RE.finditer(text):
        colon_at = text.find(": ", line.start(), min(line.end(), line.start() + 80))
        if colon_at < 0 or text[colon_at + 2:colon_at + 3] in OPENERS:
            continue
        colon = doc.char_span(colon_at, colon_at + 1)
        speaker = headline_name(doc, colon.start, ents) if colon is not None else None
        if colon is None or speaker is None:
            continue
        end = line.end()
        while end > colon_at + 2 and (text[end - 1].isspace() or text[end - 1] in CLAIM_TRAIL):
            end -= 1
        claim = doc.char_span(colon_at + 2, end, alignment_mode="contract")
        if claim is not None and any(t.pos_ in ("VERB", "AUX") for t in claim):
            found.append(((claim.start_char, claim.end_char), speaker, (colon_at, colon_at + 1)))
    return found
