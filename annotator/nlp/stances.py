"""Stances: a holder for or against a target, found from a lexicon of stance predicates.

Holder: the predicate's subject (the "by" agent of a passive, the clause subject for a noun
such as "a victory for X"), or the quote's speaker when the subject is "I" or "we" inside a quote.
Target: the object or the pattern's prepositional object, as an entity when one is named.
Evidence: the predicate with its auxiliaries and negation through the end of the target.
Confidence: 0.5, plus 0.1 each for a holder and a target linked to entities, minus 0.1 if negated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from annotator.nlp.entities import EntityIndex
from annotator.nlp.lexicon import StanceLexicon, StancePattern
from annotator.nlp.quotes import Found
from annotator.nlp.speakers import (FIRST_PERSON, Mention, agent_mention, agent_of, inherited_subjects,
                                    mention, name_range, own_subject, speaker_subject)
from annotator.vocab import Polarity

NEGATED: dict[str, str] = {Polarity.FAVOR: Polarity.AGAINST, Polarity.AGAINST: Polarity.NEUTRAL}
# A noun predicate ("a victory for X") takes its holder from the clause it sits in.
NOUN_CLIMB_DEPS = frozenset({"prep", "pobj", "conj", "attr", "dobj", "oprd", "appos", "nsubj"})
EVIDENCE_LEFT = frozenset({"aux", "auxpass", "neg", "advmod", "det", "amod"})
MAX_CLIMB = 6


@dataclass(frozen=True)
class FoundStance:
    """A stance found in a Doc, before it gets a uid."""

    polarity: str
    evidence: tuple[int, int]
    holder: Mention
    target: Mention
    confidence: float


def _is_passive(verb: Token) -> bool:
    return (any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
            or (verb.dep_ == "acl" and verb.tag_ == "VBN"))


def _preps(tok: Token, name: str) -> list[Token]:
    """Prepositions called ``name`` under the token or under its object."""
    near = [tok] + [c for c in tok.children if c.dep_ in ("dobj", "pobj", "attr")]
    return [c for node in near for c in node.children if c.dep_ in ("prep", "agent") and c.lower_ == name]


def _pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def _required(tok: Token, pattern: StancePattern) -> bool:
    for prep_word, word in pattern.required:
        if not any(word in {t.lemma_.lower(), t.lower_} for p in _preps(tok, prep_word) for t in p.subtree):
            return False
    return True


def _target(tok: Token, pattern: StancePattern) -> Token | None:
    if pattern.target_prep is not None:
        objs = [_pobj(p) for p in _preps(tok, pattern.target_prep)]
        return next((o for o in objs if o is not None), None)
    if tok.pos_ != "VERB":
        return None
    if _is_passive(tok):
        subject = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
        return subject if subject is not None or tok.dep_ != "acl" else tok.head
    return next((c for c in tok.children if c.dep_ == "dobj"), None)


def _verb_holder(verb: Token, cues: Collection[str]) -> Token | None:
    if _is_passive(verb):
        return agent_of(verb)
    subject = own_subject(verb)
    if subject is not None:
        return subject
    if verb.lemma_.lower() in cues:  # "said ... that X and accused Y": the speaker accuses
        return speaker_subject(verb, cues)
    first: Token | None = None
    for _, subj, crossed in inherited_subjects(verb):
        if crossed:
            break
        if subj.pos_ in ("PROPN", "PRON") or subj.ent_type_:
            return subj
        first = first or subj
    return first


def _noun_holder(noun: Token) -> Token | None:
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    node = noun
    for _ in range(MAX_CLIMB):
        if owner is not None or node.dep_ not in NOUN_CLIMB_DEPS or node.head.i == node.i:
            break
        node = node.head
        owner = own_subject(node) if node.pos_ in ("VERB", "AUX") else None
    return owner


def _target_mention(target: Token, ents: EntityIndex) -> Mention:
    """The target's entity, or one named in its "of" phrase ("the government of Assad")."""
    found = mention(target, ents)
    if found.entity is not None:
        return found
    for prep in (c for c in target.children if c.dep_ == "prep" and c.lower_ == "of"):
        obj = _pobj(prep)
        index = ents.at_token(obj.i) if obj is not None else None
        if obj is not None and index is not None:
            return Mention(found.head, found.start, max(found.end, obj.i + 1), ents.canonical[index])
    for prep in (c for c in target.children if c.dep_ == "prep" and c.lower_ == "of"):
        obj = _pobj(prep)
        if obj is not None:
            return Mention(found.head, found.start, name_range(obj)[1], None)
    return found


def _evidence(tok: Token, target: Mention) -> tuple[int, int]:
    start = min([tok.i] + [c.left_edge.i for c in tok.lefts if c.dep_ in EVIDENCE_LEFT])
    end = max(tok.i + 1, target.end)
    doc = tok.doc
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def _in_quote(tok: Token, quotes: Sequence[Found]) -> Found | None:
    return next((q for q in quotes if q.content[0] <= tok.idx < q.content[1]), None)


def _holder(tok: Token, ents: EntityIndex, quotes: Sequence[Found], cues: Collection[str]) -> Mention | None:
    head = _verb_holder(tok, cues) if tok.pos_ in ("VERB", "AUX") else _noun_holder(tok)
    quote = _in_quote(tok, quotes) if head is not None and head.lower_ in FIRST_PERSON else None
    if quote is not None and quote.speaker is not None:
        return quote.speaker  # "“We support ...,” he said": the speaker holds the view
    return None if head is None else agent_mention(head, ents)


def _match(tok: Token, patterns: Sequence[StancePattern]) -> tuple[StancePattern, Token] | None:
    for pattern in patterns:
        target = _target(tok, pattern)
        if target is not None and _required(tok, pattern):
            return pattern, target
    return None


def find_stances(doc: Doc, ents: EntityIndex, lexicon: StanceLexicon, quotes: Sequence[Found] = (),
                 positions: Iterable[int] | None = None, cues: Collection[str] = ()) -> list[FoundStance]:
    """Stance candidates for every lexicon predicate with a holder and a target.

    ``positions`` limits the search to candidate tokens (lexicon lemmas); ``cues`` are reporting
    verbs, whose missing subject is found the way a speaker is.
    """
    found: list[FoundStance] = []
    for tok in doc if positions is None else (doc[i] for i in positions):
        patterns = lexicon.patterns.get(tok.lemma_.lower())
        match = _match(tok, patterns) if patterns else None
        holder = _holder(tok, ents, quotes, cues) if match else None
        if match is None or holder is None:
            continue
        pattern, target_tok = match
        negated = any(c.dep_ == "neg" for c in tok.children)
        polarity = NEGATED[pattern.polarity] if negated else pattern.polarity
        for target in _targets(target_tok, ents):
            confidence = 0.5 + 0.1 * (holder.entity is not None) + 0.1 * (target.entity is not None)
            found.append(FoundStance(polarity, _evidence(tok, target), holder, target,
                                     round(confidence - 0.1 * negated, 2)))
    return found


def _targets(target: Token, ents: EntityIndex) -> list[Mention]:
    """The target and the named entities coordinated with it ("condemned Israel and the US")."""
    mentions = [_target_mention(target, ents)]
    for other in target.conjuncts:
        if other.i > target.i and ents.at_token(other.i) is not None:
            mentions.append(_target_mention(other, ents))
    return mentions
