"""Direct and mixed quotes: passages in quotation marks with their reporting cue and speaker.

Confidence: 0.9 when the parse links the quote to a reporting verb, 0.75 when the verb only
stands next to the marks, 0.6 when the speaker is carried over from the quote just before,
0.5 for the named subject of the lead-in sentence, 0.4 with no speaker; 0.15 less when the
speaker is not linked to an entity, and half as much when the closing mark is missing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from annotator.nlp.entities import EntityIndex
from annotator.nlp.headlines import headline_name
from annotator.nlp.marks import Quoted, find_quoted
from annotator.nlp.speakers import SUBJECT_DEPS, Mention, agent_mention, can_speak, speaker_subject
from annotator.vocab import DOUBLE_MARKS, QuoteKind, QuoteMark

AFTER_WINDOW = 6  # "..., the Iranian foreign minister said": cue within a few tokens after the close
BEFORE_WINDOW = 8
MAX_ASCENT = 10
MARK_TOKENS = DOUBLE_MARKS
# A cue search stops at the next quotation's opening mark (after) or the last one's closing mark (before).
OPENS_NEXT = frozenset({QuoteMark.LEFT_DOUBLE, QuoteMark.STRAIGHT_DOUBLE})
CLOSES_LAST = frozenset({QuoteMark.RIGHT_DOUBLE, QuoteMark.STRAIGHT_DOUBLE})


@dataclass(frozen=True)
class Found:
    """A quote found in a Doc, before it gets a uid: character spans, kind and confidence."""

    content: tuple[int, int]
    kind: QuoteKind
    confidence: float
    cue: tuple[int, int] | None = None
    speaker: Mention | None = None


def token_chars(tok: Token) -> tuple[int, int]:
    """Character start and end of a token."""
    return tok.idx, tok.idx + len(tok)


def acts_as_verb(tok: Token) -> bool:
    """A verb, or a word the tagger took for a noun that heads a clause ("The bylaws state that ...")."""
    if tok.pos_ in ("VERB", "AUX"):
        return True
    deps = {c.dep_ for c in tok.children}
    return tok.pos_ == "NOUN" and "ccomp" in deps and bool(deps & {"nsubj", "nsubjpass"})


def _is_cue(tok: Token, cues: Collection[str]) -> bool:
    return tok.lemma_.lower() in cues and acts_as_verb(tok)


def _ascend_to_cue(inner: SpacySpan, cues: Collection[str]) -> Token | None:
    """Walk up the parse from the quote's outward links to the first reporting verb outside it."""
    for tok in inner:
        node = tok.head
        if inner.start <= node.i < inner.end:
            continue
        for _ in range(MAX_ASCENT):
            if inner.start <= node.i < inner.end or _other_line(inner, node):
                break
            if _is_cue(node, cues):
                return node
            if node.head.i == node.i:
                break
            node = node.head
    return None


def _other_line(inner: SpacySpan, node: Token) -> bool:
    """Whether a line break stands between the quote and a token (a parse run across a headline)."""
    doc = inner.doc
    between = doc[inner.end:node.i] if node.i >= inner.end else doc[node.i:inner.start]
    return any("\n" in t.text for t in between)


def _cue_nearby(doc: Doc, inner: SpacySpan, cues: Collection[str], floor: int) -> Token | None:
    """A reporting verb just after the closing mark, or just before the opening one (after ``floor``, a char).

    After a quote that ends its sentence ('... on him." Meanwhile, ...') the next sentence is the
    reporter's, so only a quote ending otherwise ('...," he said'; '...?" she asked') looks after.
    """
    start = inner.end + (inner.end < len(doc) and doc[inner.end].text in MARK_TOKENS)
    ends_sentence = inner[-1].text == "."
    after = doc[start:min(len(doc), start + (0 if ends_sentence else AFTER_WINDOW))]
    for tok in after:
        if "\n" in tok.text or tok.text in OPENS_NEXT:
            break
        if _is_cue(tok, cues):
            return tok
    stop = inner.start - (inner.start > 0 and doc[inner.start - 1].text in MARK_TOKENS)
    before = doc[max(0, stop - BEFORE_WINDOW):stop]
    for tok in reversed(before):
        if "\n" in tok.text or tok.text in CLOSES_LAST or tok.idx < floor:
            break
        if _is_cue(tok, cues):
            return tok
    return None


def _kind(doc: Doc, inner: SpacySpan, quoted: Quoted) -> QuoteKind:
    """Direct for a quoted clause or sentence, mixed for a fragment inside the reporter's sentence."""
    if quoted.paragraphs > 1 or any(tok.is_sent_start for tok in inner[1:]):
        return QuoteKind.DIRECT
    for tok in inner:
        if tok.dep_ in SUBJECT_DEPS and inner.start <= tok.head.i < inner.end:
            return QuoteKind.DIRECT
    return QuoteKind.DIRECT if _opens_sentence(doc, inner.start - 1) else QuoteKind.MIXED


def _opens_sentence(doc: Doc, mark: int) -> bool:
    """Whether the opening mark (token index) stands at the start of a sentence."""
    if mark <= 0 or doc[mark].is_sent_start:
        return True
    before = doc[mark - 1]
    return before.text in (".", "!", "?", ":") or "\n" in before.text


def _found(doc: Doc, text: str, quoted: Quoted, ents: EntityIndex, cues: Collection[str],
           previous: Found | None) -> Found:
    inner = doc.char_span(quoted.start, quoted.end, alignment_mode="expand")
    base = 1.0 if quoted.closed else 0.5
    content = (quoted.start, quoted.end)
    if inner is None or len(inner) == 0:
        return Found(content, QuoteKind.DIRECT, round(0.3 * base, 2))
    kind = _kind(doc, inner, quoted)
    cue, confidence = _ascend_to_cue(inner, cues), 0.9
    if cue is None:
        floor = previous.content[1] if previous is not None else 0  # not inside the quote before
        cue, confidence = _cue_nearby(doc, inner, cues, floor), 0.75
    if cue is None:
        if previous is not None and previous.speaker is not None and _follows(text, previous, inner):
            return Found(content, kind, round(0.6 * base, 2), previous.cue, previous.speaker)
        source = _according_to_source(doc, inner, ents)
        if source is not None:
            return Found(content, kind, round(0.75 * base, 2), source[0], source[1])
        narrator = _headline_speaker(doc, inner, ents) or _lead_in_speaker(doc, inner, ents)
        confidence = 0.5 if narrator is not None else 0.4
        return Found(content, kind, round(confidence * base, 2), None, narrator)
    speaker = _speaker(cue, inner, cues, ents)
    if speaker is None and previous is not None and previous.cue == token_chars(cue):
        speaker = previous.speaker  # '"...," Stumpf explained, "..."': the second part is his too
    if speaker is None or speaker.entity is None:
        confidence -= 0.15
    return Found(content, kind, round(confidence * base, 2), token_chars(cue), speaker)


def _speaker(cue: Token, inner: SpacySpan, cues: Collection[str], ents: EntityIndex) -> Mention | None:
    """The cue's subject as a speaker: outside the quote and able to speak."""
    subject = speaker_subject(cue, cues)
    if subject is None or inner.start <= subject.i < inner.end:
        return None
    speaker = agent_mention(subject, ents)
    return speaker if can_speak(speaker) else None


def _according_to_source(doc: Doc, inner: SpacySpan, ents: EntityIndex) -> tuple[tuple[int, int], Mention] | None:
    """'"...," according to a senior aide' or 'According to X, "..."': the cue span and X."""
    after = inner.end + (inner.end < len(doc) and doc[inner.end].text in MARK_TOKENS)
    after += after < len(doc) and doc[after].text == ","
    before = inner.start - 1 - (inner.start > 0 and doc[inner.start - 1].text in MARK_TOKENS)
    for i in (after, before - 3, before - 4, before - 5):
        if 0 <= i < len(doc) - 2 and doc[i].lower_ == "according" and doc[i + 1].lower_ == "to":
            source = next((c for c in doc[i + 1].children if c.dep_ == "pobj"), None)
            if source is not None and not inner.start <= source.i < inner.end:
                return (doc[i].idx, doc[i + 1].idx + len(doc[i + 1])), agent_mention(source, ents)
    return None


def _colon_clause(doc: Doc, mark: int, inner: SpacySpan) -> Token | None:
    """The verb of the clause ending in a colon before the quote ('Trump put it bluntly: "..."')."""
    if mark < 2 or doc[mark - 1].text != ":":
        return None
    node = doc[mark - 2]
    for _ in range(MAX_ASCENT):
        if inner.start <= node.i < inner.end:
            return None
        if node.pos_ in ("VERB", "AUX"):
            return node
        if node.head.i == node.i:
            return None
        node = node.head
    return None


def _lead_in_speaker(doc: Doc, inner: SpacySpan, ents: EntityIndex) -> Mention | None:
    """The named subject of the sentence just before a cue-less quote in its paragraph ("Lind was blunt.")."""
    mark = inner.start - 1
    if mark <= 0 or not doc.has_annotation("DEP") or not _opens_sentence(doc, mark):
        return None
    if "\n" in doc[mark - 1].text:
        return None
    root = _colon_clause(doc, mark, inner) or doc[mark - 1].sent.root
    subject = next((c for c in root.children if c.dep_ in SUBJECT_DEPS), None)
    found = agent_mention(subject, ents) if subject is not None else None
    return found if found is not None and found.entity is not None else None


def _headline_speaker(doc: Doc, inner: SpacySpan, ents: EntityIndex) -> Mention | None:
    """A name and a colon opening the line before the quote: 'Biden: "We will not back down"'."""
    colon = inner.start - 2
    if colon < 1 or doc[colon].text != ":" or doc[colon + 1].text not in MARK_TOKENS:
        return headline_name(doc, inner.start - 1, ents)
    return headline_name(doc, colon, ents)


def _follows(text: str, previous: Found, inner: SpacySpan) -> bool:
    """Whether a quote continues the previous one: same or next paragraph, nothing else between."""
    gap = text[previous.content[1]:inner.start_char]
    return gap.count("\n") <= 1 and len(gap.split()) <= 6


def direct_quotes(doc: Doc, ents: EntityIndex, cues: Collection[str], text: str | None = None) -> list[Found]:
    """Every passage in quotation marks, with cue, speaker, kind and confidence (``text`` is doc.text)."""
    found: list[Found] = []
    text = doc.text if text is None else text
    for quoted in find_quoted(text):
        found.append(_found(doc, text, quoted, ents, cues, found[-1] if found else None))
    return found
