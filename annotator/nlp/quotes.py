"""Direct and mixed quotes: passages in quotation marks with their reporting cue and speaker."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from annotator.nlp.entities import EntityIndex
from annotator.nlp.marks import Quoted, find_quoted
from annotator.nlp.speakers import SUBJECT_DEPS, Mention, mention, speaker_subject

AFTER_WINDOW = 6  # "..., the Iranian foreign minister said": cue within a few tokens after the close
BEFORE_WINDOW = 8
MAX_ASCENT = 10


@dataclass(frozen=True)
class Found:
    """A quote found in a Doc, before it gets a uid: character spans, kind and confidence."""

    content: tuple[int, int]
    kind: str
    confidence: float
    cue: tuple[int, int] | None = None
    speaker: Mention | None = None


def token_chars(tok: Token) -> tuple[int, int]:
    """Character start and end of a token."""
    return tok.idx, tok.idx + len(tok)


def _is_cue(tok: Token, cues: Collection[str]) -> bool:
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in cues


def _ascend_to_cue(inner: SpacySpan, cues: Collection[str]) -> Token | None:
    """Walk up the parse from the quote's outward links to the first reporting verb outside it."""
    for tok in inner:
        node = tok.head
        if inner.start <= node.i < inner.end:
            continue
        for _ in range(MAX_ASCENT):
            if _is_cue(node, cues):
                return node
            if node.head.i == node.i:
                break
            node = node.head
    return None


def _cue_nearby(doc: Doc, inner: SpacySpan, cues: Collection[str]) -> Token | None:
    """A reporting verb just after the closing mark, or just before the opening one."""
    after = doc[inner.end:min(len(doc), inner.end + AFTER_WINDOW)]
    for tok in after:
        if "\n" in tok.text or tok.text in ("“", '"'):
            break
        if _is_cue(tok, cues):
            return tok
    before = doc[max(0, inner.start - BEFORE_WINDOW):inner.start]
    for tok in reversed(before):
        if "\n" in tok.text or tok.text in ("”", '"'):
            break
        if _is_cue(tok, cues):
            return tok
    return None


def _kind(doc: Doc, inner: SpacySpan, quoted: Quoted) -> str:
    """Direct for a quoted clause or sentence, mixed for a fragment inside the reporter's sentence."""
    if quoted.paragraphs > 1 or any(tok.is_sent_start for tok in inner[1:]):
        return "direct"
    for tok in inner:
        if tok.dep_ in SUBJECT_DEPS and inner.start <= tok.head.i < inner.end:
            return "direct"
    return "direct" if _opens_sentence(doc, inner.start - 1) else "mixed"


def _opens_sentence(doc: Doc, mark: int) -> bool:
    """Whether the opening mark (token index) stands at the start of a sentence."""
    if mark <= 0 or doc[mark].is_sent_start:
        return True
    before = doc[mark - 1]
    return before.text in (".", "!", "?", ":") or "\n" in before.text


def _found(doc: Doc, quoted: Quoted, ents: EntityIndex, cues: Collection[str],
           previous: Found | None) -> Found:
    inner = doc.char_span(quoted.start, quoted.end, alignment_mode="expand")
    base = 1.0 if quoted.closed else 0.5
    content = (quoted.start, quoted.end)
    if inner is None or len(inner) == 0:
        return Found(content, "direct", round(0.3 * base, 2))
    kind = _kind(doc, inner, quoted)
    cue, confidence = _ascend_to_cue(inner, cues), 0.9
    if cue is None:
        cue, confidence = _cue_nearby(doc, inner, cues), 0.75
    if cue is None:
        if previous is not None and previous.speaker is not None and _follows(doc, previous, inner):
            return Found(content, kind, round(0.6 * base, 2), previous.cue, previous.speaker)
        return Found(content, kind, round(0.4 * base, 2))
    subject = speaker_subject(cue, cues)
    speaker = mention(subject, ents) if subject is not None else None
    if speaker is None or speaker.entity is None:
        confidence -= 0.15
    return Found(content, kind, round(confidence * base, 2), token_chars(cue), speaker)


def _follows(doc: Doc, previous: Found, inner: SpacySpan) -> bool:
    """Whether a quote continues the previous one: same or next paragraph, nothing else between."""
    gap = doc.text[previous.content[1]:inner.start_char]
    return gap.count("\n") <= 1 and len(gap.split()) <= 3


def direct_quotes(doc: Doc, ents: EntityIndex, cues: Collection[str]) -> list[Found]:
    """Every passage in quotation marks, with cue, speaker, kind and confidence."""
    found: list[Found] = []
    for quoted in find_quoted(doc.text):
        found.append(_found(doc, quoted, ents, cues, found[-1] if found else None))
    return found
