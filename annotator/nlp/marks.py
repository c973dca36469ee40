"""Find quoted passages between double quotation marks in the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.vocab import DOUBLE_QUOTE_PAIRS, QuoteMark

STRAIGHT = QuoteMark.STRAIGHT_DOUBLE
OPENING = frozenset(o for o, _ in DOUBLE_QUOTE_PAIRS if o != STRAIGHT)
CLOSING = frozenset(c for _, c in DOUBLE_QUOTE_PAIRS if c != STRAIGHT) - OPENING
MARK_RE = re.compile("[" + re.escape("".join(OPENING | CLOSING | {STRAIGHT})) + "]")
PARAGRAPH_RE = re.compile(r"[^\n]+")
OPEN_CONTEXT = frozenset("([{-—–/")
CLOSE_CONTEXT = frozenset(".,;:!?)]}-—–/…")


@dataclass(frozen=True)
class Quoted:
    """Text between quotation marks: content offsets (marks excluded) and whether it was closed."""

    start: int
    end: int
    closed: bool = True
    paragraphs: int = 1


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in PARAGRAPH_RE.finditer(text) if m.group().strip()]


def _trimmed(text: str, start: int, end: int, closed: bool, paragraphs: int) -> Quoted | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Quoted(start, end, closed, paragraphs) if end > start else None


def _opens_paragraph(text: str, start: int, end: int) -> bool:
    stripped = text[start:end].lstrip()
    return bool(stripped) and (stripped[0] in OPENING or stripped[0] == STRAIGHT)


def _closes_low(text: str, open_at: int | None, mark: str) -> bool:
    """German style „...“: after a low opening mark, “ closes."""
    return open_at is not None and text[open_at] == QuoteMark.LOW_DOUBLE and mark == QuoteMark.LEFT_DOUBLE


def straight_role(text: str, pos: int) -> str:
    """Whether a straight mark opens ("open"), closes ("close") or could do either, from the spaces around it.

    A mark after a space and before a word opens ('said. "In fact'); one after a word and before a
    space or punctuation closes ('done," she').
    """
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + 1] if pos + 1 < len(text) else " "
    opens = (before.isspace() or before in OPEN_CONTEXT) and not after.isspace()
    closes = not before.isspace() and (after.isspace() or after in CLOSE_CONTEXT)
    if opens != closes:
        return "open" if opens else "close"
    return "either"


def find_quoted(text: str) -> list[Quoted]:
    """Quoted passages in text order; never fails on unbalanced marks.

    A quote left open at the end of a paragraph continues when the next paragraph opens with a
    mark (the multi-paragraph convention); otherwise it runs to the end of its paragraph. Where
    paragraphs were joined into one line, a straight mark that can only open ends the open quote
    before it (its paragraph had no closing mark) and starts the next one.
    """
    found: list[Quoted] = []
    paragraphs = _paragraphs(text)
    open_at: int | None = None
    count = 1
    for n, (p_start, p_end) in enumerate(paragraphs):
        continuing = open_at is not None
        for match in MARK_RE.finditer(text, p_start, p_end):
            mark, pos = match.group(), match.start()
            if continuing:
                continuing = False  # the paragraph's opening mark continues the quote
                continue
            if open_at is None and mark == STRAIGHT and pos > 0 and text[pos - 1].isdigit():
                continue  # inches (5'11"), not an opening mark
            role = straight_role(text, pos) if mark == STRAIGHT else "either"
            if open_at is not None and role == "open":
                quoted = _trimmed(text, open_at + 1, pos, False, count)
                found.extend([quoted] if quoted else [])
                open_at, count = pos, 1
                continue
            if open_at is None and role == "close":
                continue  # a closing mark with nothing open: a stray mark
            closing = mark in CLOSING or mark == STRAIGHT or _closes_low(text, open_at, mark)
            if open_at is not None and closing:
                quoted = _trimmed(text, open_at + 1, pos, True, count)
                found.extend([quoted] if quoted else [])
                open_at, count = None, 1
            elif mark in OPENING or mark == STRAIGHT:
                open_at, count = pos, 1  # a second opening drops an unclosed first one
        if open_at is None:
            continue
        nxt = paragraphs[n + 1] if n + 1 < len(paragraphs) else None
        if nxt is not None and _opens_paragraph(text, *nxt):
            count += 1
            continue
        quoted = _trimmed(text, open_at + 1, p_end, False, count)
        found.extend([quoted] if quoted else [])
        open_at, count = None, 1
    return found
