"""Indirect (reported) speech: that-clauses of reporting verbs and nouns, and "according to"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Token

from annotator.nlp.entities import EntityIndex
from annotator.nlp.lexicon import CueLexicon
from annotator.nlp.quotes import Found, acts_as_verb, token_chars
from annotator.nlp.headlines import headline_claims
from annotator.nlp.speakers import Mention, agent_mention, agent_of, can_speak, own_subject, speaker_subject
from annotator.vocab import DOUBLE_MARKS, QuoteKind

CLAUSE_DEPS = frozenset({"ccomp", "acl"})
# Non-restrictive additions after a comma to the clause's head ("..., including ...", a participle)
# are the reporter's; coordinated and subordinate clauses (", but ...", ", after ...") are the claim.
AFTERTHOUGHT_DEPS = frozenset({"prep", "acl", "relcl", "appos", "npadvmod"})
# Documents speak ("the report found that ..."); hearsay and numbers do not.
NOT_SPEAKERS = frozenset({"rumour", "rumor", "datum", "data", "evidence", "figure", "statistic"})
TRIGGERS = ("according",)
REFUSALS = frozenset({"refuse", "decline", "fail"})
BOUNDARY_PUNCT = frozenset({",", ".", ";", ":", "—", "–", "-", "(", ")"}) | DOUBLE_MARKS


def _negated(verb: Token) -> bool:
    """"did not say how many", "refused to say": no claim is reported."""
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    return verb.dep_ == "xcomp" and (verb.head.lemma_.lower() in REFUSALS or any(
        c.dep_ == "neg" for c in verb.head.children))


def _has_that(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _cut_point(doc: Doc, clause: Token, cues: CueLexicon) -> int:
    """Token index where the clause's own content ends (exclusive)."""
    end = clause.right_edge.i + 1
    for child in clause.subtree:
        if child.i <= clause.i or child.i >= end:
            continue
        is_cue_conj = child.dep_ == "conj" and child.head.i == clause.i and child.lemma_.lower() in cues.verbs
        after_comma = doc[child.left_edge.i - 1].text == "," and _afterthought(child, clause)
        if is_cue_conj or after_comma:
            end = min(end, child.left_edge.i)
    return end


def _afterthought(child: Token, clause: Token) -> bool:
    """An addition after a comma that is the reporter's: "..., including ...", "..., rejecting criticism"."""
    if child.dep_ == "prep" and child.tag_ == "VBG":
        return True  # "support, including weapons", wherever it hangs
    if child.head.i != clause.i:
        return False  # lists and appositions inside the claim stay ("at refineries, terminals and ...")
    if child.dep_ == "advcl":
        return child.tag_ in ("VBG", "VBN") and not any(c.dep_ in ("mark", "nsubj") for c in child.children)
    return child.dep_ in AFTERTHOUGHT_DEPS


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Drop a leading "that" (not "if" or "while"), conjunctions and punctuation; None when nothing is left."""
    while start < end and (doc[start].text in BOUNDARY_PUNCT or doc[start].is_space or doc[start].dep_ == "cc"
                           or (doc[start].dep_ == "mark" and doc[start].lower_ == "that")):
        start += 1
    while end > start and (doc[end - 1].text in BOUNDARY_PUNCT or doc[end - 1].is_space
                           or doc[end - 1].dep_ == "cc"):
        end -= 1
    return (doc[start].idx, doc[end - 1].idx + len(doc[end - 1])) if end > start else None


def _clauses(tok: Token, cues: CueLexicon) -> list[tuple[Token, Token]]:
    """(cue, clause) pairs: a reporting verb's complement or a reporting noun's that-clause."""
    pairs: list[tuple[Token, Token]] = []
    lemma = tok.lemma_.lower()
    if lemma in cues.verbs and acts_as_verb(tok) and not _negated(tok):
        that_only = lemma in cues.that_only
        pairs += [(tok, c) for c in tok.children if c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX")
                  and (_has_that(c) or not that_only)]
        for prep in (c for c in tok.children if c.dep_ == "prep"):
            for noun in (c for c in prep.children if c.lemma_.lower() in cues.nouns):
                pairs += [(tok, c) for c in noun.children if c.dep_ in CLAUSE_DEPS and _has_that(c)]
    elif tok.pos_ == "NOUN" and lemma in cues.nouns and _noun_owner(tok) is not None:
        pairs += [(tok, c) for c in tok.children if c.dep_ in CLAUSE_DEPS and _has_that(c)]
    return pairs


def _noun_owner(noun: Token) -> Token | None:
    """Whose claim a reporting noun is: "Trump's claim that ...", "Trump repeated the claim that ..."."""
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is None and noun.dep_ == "dobj" and noun.head.pos_ == "VERB":
        owner = own_subject(noun.head)
    return owner


def _passive(verb: Token) -> bool:
    """A passive reporting verb, whose subject is the one told or asked ("Asked whether ...")."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ in ("advcl", "acl") and own_subject(verb) is None


def _reported(tok: Token, cues: CueLexicon) -> list[tuple[Token, int, int]]:
    """(cue, start, end) token ranges of what a cue reports; a parenthetical cue reports its host clause."""
    doc = tok.doc
    host = tok.head
    if tok.dep_ == "parataxis" and host.i < tok.i and tok.lemma_.lower() in cues.verbs and not _negated(tok):
        end = tok.left_edge.i  # "The attack began at dawn, officials said, ..."
        return [(tok, host.left_edge.i, end)] if end > host.left_edge.i else []
    return [(cue, clause.left_edge.i, _cut_point(doc, clause, cues)) for cue, clause in _clauses(tok, cues)]


def _speaker(cue: Token, ents: EntityIndex, cues: CueLexicon) -> Mention | None:
    if cue.pos_ == "NOUN" and not acts_as_verb(cue):
        subject = _noun_owner(cue)
    elif _passive(cue):
        subject = agent_of(cue)  # "was told by officials that ..."; "He was told that ..." has no speaker
    else:
        subject = speaker_subject(cue, cues.verbs)
    if subject is None or subject.lemma_.lower() in NOT_SPEAKERS:
        return None
    speaker = agent_mention(subject, ents)
    return speaker if can_speak(speaker) else None


def _overlaps(span: tuple[int, int], taken: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _according_to(tok: Token, ents: EntityIndex) -> Found | None:
    """"According to X, ..." or "... , according to X": the rest of the sentence is X's claim."""
    to = next((c for c in tok.children if c.lower_ == "to" and c.dep_ == "prep" and c.i == tok.i + 1), None)
    source = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if to is None or source is None:
        return None
    doc, sent = tok.doc, tok.sent
    left, right = tok.left_edge.i, max(tok.right_edge.i, source.right_edge.i) + 1
    before = _trim(doc, sent.start, left) if left > sent.start else None
    after = _trim(doc, right, sent.end) if right < sent.end else None
    parts = [part for part in (before, after) if part is not None]
    if not parts:
        return None
    content = max(parts, key=lambda part: part[1] - part[0])
    cue = (tok.idx, to.idx + len(to))
    return Found(content, QuoteKind.INDIRECT, 0.6, cue, agent_mention(source, ents))


def indirect_quotes(doc: Doc, ents: EntityIndex, cues: CueLexicon, taken: Sequence[tuple[int, int]],
                    positions: Iterable[int] | None = None, text: str | None = None) -> list[Found]:
    """Reported speech outside the passages already taken by direct quotes.

    ``positions`` limits the search to candidate tokens (reporting lemmas and "according");
    ``text`` is doc.text when the caller has it.
    """
    found: list[Found] = []
    for tok in doc if positions is None else (doc[i] for i in positions):
        if _overlaps(token_chars(tok), taken):
            continue
        if tok.lower_ == "according" and tok.dep_ == "prep":
            hit = _according_to(tok, ents)
            if hit is not None and not _overlaps(hit.content, taken):
                found.append(hit)
            continue
        for cue, start, end in _reported(tok, cues):
            content = _trim(doc, start, end)
            speaker = _speaker(cue, ents, cues)
            if content is None or speaker is None or _overlaps(content, taken):
                continue
            confidence = 0.7 if speaker.entity is not None else 0.55
            found.append(Found(content, QuoteKind.INDIRECT, confidence, token_chars(cue), speaker))
    for content, speaker, colon in headline_claims(doc, ents, text):
        if not _overlaps(content, taken):
            found.append(Found(content, QuoteKind.INDIRECT, 0.5, colon, speaker))
    return _outermost(found)


def _same_speaker(a: Mention | None, b: Mention | None) -> bool:
    if a is None or b is None:
        return False
    return (a.start, a.end) == (b.start, b.end) or (a.entity is not None and a.entity == b.entity)


def _outermost(found: list[Found]) -> list[Found]:
    """Drop a report nested in another by the same speaker ("said they expect the number to rise")."""
    return [q for q in found if q.cue is None or not any(
        o is not q and o.content[0] <= q.cue[0] < o.content[1] and _same_speaker(o.speaker, q.speaker)
        for o in found)]
