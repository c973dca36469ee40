"""Attributions in text order: a pronoun speaker refers to the speaker just before it.

News writing introduces a speaker by name ("Gambill said the win ...") and goes on with a pronoun
("“...,” he said."). The pronoun takes the previous attribution's speaker when that speaker fits
it (a person for "he"/"she", a group for "they"), stands within a few sentences and nobody the
pronoun could mean is named after it; otherwise the resolution of ``speakers.refers_to`` stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from annotator.nlp.entities import EntityIndex
from annotator.nlp.quotes import Found
from annotator.nlp.speakers import Mention
from annotator.vocab import GROUP_LABELS, PERSON_LABELS

PERSONAL = frozenset({"he", "she", "him", "her"})
PLURAL = frozenset({"they", "them"})
MAX_DISTANCE = 500  # characters between the earlier speaker and the pronoun: two or three sentences


def _fits_person(who: Mention, ents: EntityIndex) -> bool:
    """A person: a PERSON entity, or a one-word name the model labelled otherwise ("Gambill" as ORG)."""
    if who.entity is None:
        return who.head.pos_ == "PROPN"
    span = ents.spans[who.entity]
    return span.label_ in PERSON_LABELS or (len(span) == 1 and span.label_ not in ("NORP", "GPE"))


def _fits_group(who: Mention, ents: EntityIndex) -> bool:
    """A group: an organisation, place or people, or a plural noun phrase ("local residents")."""
    if who.entity is not None:
        return ents.spans[who.entity].label_ in GROUP_LABELS
    return who.head.tag_ in ("NNS", "NNPS")


def _fits(pronoun: str, who: Mention, ents: EntityIndex) -> bool:
    if pronoun in PERSONAL:
        return _fits_person(who, ents)
    return pronoun in PLURAL and _fits_group(who, ents)


def _borrow(pronoun: Mention, antecedent: Mention) -> Mention:
    """The pronoun linked to the antecedent's entity; the named mention itself when it has none."""
    if antecedent.entity is None:
        return antecedent
    return Mention(pronoun.head, pronoun.start, pronoun.end, antecedent.entity)


def _named_since(who: Mention, last: Mention, ents: EntityIndex) -> bool:
    """Whether the pronoun's own antecedent is named after the last speaker ("Macron welcomed it. He said ...")."""
    if who.entity is None or who.entity == last.entity:
        return False
    pronoun_at = who.char_span[0]
    return any(ents.canonical[n] == who.entity and last.char_span[1] <= span.start_char < pronoun_at
               for n, span in enumerate(ents.spans))


def resolve_pronoun_speakers(found: Sequence[Found], ents: EntityIndex) -> list[Found]:
    """The attributions in text order, pronoun speakers resolved to the speaker before them."""
    resolved: list[Found] = []
    last: Mention | None = None
    carried: dict[tuple[int, int], Mention] = {}  # a quote continuing another shares its speaker
    for quote in sorted(found, key=lambda q: q.content):
        who = quote.speaker
        if who is not None and (who.start, who.end) in carried:
            quote = replace(quote, speaker=carried[who.start, who.end])
            resolved.append(quote)
            continue
        pronoun = who.head.lower_ if who is not None and who.end - who.start == 1 else ""
        if who is not None and pronoun in PERSONAL | PLURAL:
            near = last is not None and 0 <= who.char_span[0] - last.char_span[1] <= MAX_DISTANCE
            if last is not None and near and _fits(pronoun, last, ents) and not _named_since(who, last, ents):
                borrowed = _borrow(who, last)
                quote = replace(quote, speaker=borrowed)
                carried[who.start, who.end] = borrowed
            elif who.entity is None:
                resolved.append(quote)
                continue
        if quote.speaker is not None:
            last = quote.speaker
            carried.setdefault((quote.speaker.start, quote.speaker.end), quote.speaker)
        resolved.append(quote)
    return resolved
