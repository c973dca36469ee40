"""Token offsets in files: reading and checking a task's tokens, the gap rule, spaCy words.

The token class and its one token-range rule are annotator.tokens.DocTokens (re-exported here).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from operator import itemgetter

from annotator.formats.errors import FormatError
from annotator.tokens import DocTokens

__all__ = ["DocTokens", "as_doc_tokens", "check_gaps", "is_int", "parse_doc_tokens", "parse_tokens",
           "spacy_words"]


def _single_spaces(text: str, starts: list[int], ends: list[int], words: list[str]) -> list[bool] | None:
    """The trailing-space flags when the text outside the tokens is single spaces between them, else None.

    Counted instead of sliced: the gap lengths (next start - end) must be 0 or 1 and the text's spaces
    outside the words exactly as many as the gaps' characters.
    """
    if not starts or starts[0] != 0:
        return None
    gaps = [*map(operator.sub, starts[1:], ends), len(text) - ends[-1]]
    joined = "".join(words)
    outside = sum(gaps)
    if min(gaps) < 0 or max(gaps) > 1 or len(joined) + outside != len(text) \
            or text.count(" ") - joined.count(" ") != outside:
        return None
    return list(map((1).__eq__, gaps))


def spacy_words(doc: DocTokens) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild the text exactly, as spaCy's tokenizer would.

    The token rule (check_gaps, FormatError otherwise): text outside the tokens is whitespace. A single space
    after a token is its trailing space; any other whitespace becomes a whitespace token.
    """
    text, starts, ends = doc.text, doc.starts, doc.ends
    words = list(map(text.__getitem__, map(slice, starts, ends)))
    spaces = _single_spaces(text, starts, ends, words)
    if spaces is not None:
        return words, spaces
    gaps = list(map(text.__getitem__, map(slice, [0, *ends], [*starts, len(text)])))
    check_gaps(doc)
    out_words: list[str] = []
    out_spaces: list[bool] = []
    for gap, word in zip(gaps, [*words, ""]):
        if gap and out_words and gap[0] == " ":
            out_spaces[-1], gap = True, gap[1:]
        for piece in (gap, word):
            if piece:
                out_words.append(piece)
                out_spaces.append(False)
    return out_words, out_spaces


def as_doc_tokens(text: str, tokens: Sequence[tuple[int, int]] | DocTokens) -> DocTokens:
    """Return ``tokens`` as DocTokens of ``text``, building it when given plain pairs."""
    return tokens if isinstance(tokens, DocTokens) else DocTokens(text, tokens)


def parse_doc_tokens(value: object, text: str, *, source: str, line: int,
                     field: str = "tokens") -> DocTokens:
    """parse_tokens as DocTokens, built straight from the start and end lists when it can."""
    fast = _parse_tokens_fast(value, text)
    if fast is not None:
        doc = DocTokens.from_lists(text, *fast)
        check_gaps(doc, source=source, line=line, field=field)
        return doc
    return DocTokens(text, _parse_tokens_slow(value, text, source=source, line=line, field=field))


def check_gaps(doc: DocTokens, *, source: str = "", line: int | None = None,
               field: str = "tokens") -> None:
    """The token rule of every import and export: text outside the tokens is only whitespace.

    Such gaps (paragraph breaks a tokenizer left out) become whitespace tokens in a spaCy Doc
    (DocTokens.spacy_words); any other uncovered text could not be rebuilt, so it is refused.
    """
    text, starts, ends = doc.text, doc.starts, doc.ends
    outside = "".join(map(text.__getitem__, map(slice, [0, *ends], [*starts, len(text)])))
    if not outside or outside.isspace():
        return
    for i, (gap_start, gap_end) in enumerate(doc.gaps()):
        gap = text[gap_start:gap_end]
        if gap and not gap.isspace():
            where = f"{field}[{i}]" if i < len(starts) else field
            raise FormatError(f"the tokens leave out {gap!r} at [{gap_start}, {gap_end}); only "
                              "whitespace may lie between tokens", source=source, line=line,
                              field=where)


def parse_tokens(value: object, text: str, *, source: str, line: int,
                 field: str = "tokens") -> list[tuple[int, int]]:
    """Check a task's token dicts against its text (parse_doc_tokens); return ``(start, end)`` pairs."""
    return parse_doc_tokens(value, text, source=source, line=line, field=field).pairs


def _parse_tokens_slow(value: object, text: str, *, source: str, line: int,
                       field: str) -> list[tuple[int, int]]:
    """parse_tokens one token at a time, naming the first bad one."""
    if not isinstance(value, list):
        raise FormatError("must be a list of token objects", source=source, line=line, field=field)
    pairs: list[tuple[int, int]] = []
    previous_end = 0
    for i, token in enumerate(value):
        fld = f"{field}[{i}]"
        if not isinstance(token, dict):
            raise FormatError("must be an object", source=source, line=line, field=fld)
        start, end = token.get("start"), token.get("end")
        if not is_int(start) or not is_int(end):
            raise FormatError("start and end must be integers", source=source, line=line, field=fld)
        assert isinstance(start, int) and isinstance(end, int)
        if start < previous_end or end <= start or end > len(text):
            raise FormatError(f"token [{start}, {end}) is out of order or out of range for a "
                              f"text of {len(text)} characters",
                              source=source, line=line, field=fld)
        if "text" in token and token["text"] != text[start:end]:
            raise FormatError(f"text {token['text']!r} does not match {text[start:end]!r} at "
                              f"[{start}, {end})", source=source, line=line, field=f"{fld}.text")
        pairs.append((start, end))
        previous_end = end
    check_gaps(DocTokens(text, pairs), source=source, line=line, field=field)
    return pairs


def _parse_tokens_fast(value: object, text: str) -> tuple[list[int], list[int]] | None:
    """The start and end lists when every token is well formed (checked in bulk), else None."""
    if not isinstance(value, list) or not value:
        return ([], []) if value == [] else None
    try:  # itemgetter over map: the fields of every token read in C, no bytecode per token
        starts = list(map(itemgetter("start"), value))
        ends = list(map(itemgetter("end"), value))
        words = list(map(itemgetter("text"), value))
    except (TypeError, KeyError):
        return None
    if set(map(type, starts)) != {int} or set(map(type, ends)) != {int}:
        return None
    in_order = (starts[0] >= 0 and ends[-1] <= len(text) and all(map(operator.lt, starts, ends))
                and all(map(operator.le, ends, starts[1:])))
    if not in_order or words != list(map(text.__getitem__, map(slice, starts, ends))):
        return None
    return starts, ends


def is_int(value: object) -> bool:
    """Whether a JSON value is an integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)
