"""A document's spaCy token offsets: token dicts for tasks, token indices of spans, checks."""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import orjson

from annotator.formats.errors import FormatError
from annotator.spans import TokenBounds


class DocTokens:
    """Token offsets of one text, with the Prodigy token dicts and their JSON built once.

    Building the token dicts is most of the cost of an export; a caller that keeps
    ``tokens_json()`` per document (e.g. next to the stored tokens) can pass it back in.
    """

    def __init__(self, text: str, tokens: Sequence[tuple[int, int]], *,
                 tokens_json: bytes | None = None) -> None:
        self.text = text
        self._json = tokens_json
        starts, ends = zip(*tokens) if tokens else ((), ())
        self.starts: list[int] = list(starts)
        self.ends: list[int] = list(ends)
        self._dicts: list[dict[str, Any]] | None = None

    @classmethod
    def from_json(cls, text: str, raw: str | bytes) -> DocTokens:
        """From stored token JSON ``[[start, end], ...]``."""
        data = raw.encode() if isinstance(raw, str) else raw
        # Without the inner brackets it is one flat array: no list object per token to build.
        flat = orjson.loads(b"[" + data.replace(b"[", b"").replace(b"]", b"") + b"]")
        return cls.from_lists(text, flat[0::2], flat[1::2])

    @classmethod
    def from_lists(cls, text: str, starts: list[int], ends: list[int]) -> DocTokens:
        """From the token start and end lists themselves (taken over, not copied)."""
        doc = cls(text, ())
        doc.starts, doc.ends = starts, ends
        return doc

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The ``(start, end)`` pairs in order."""
        return list(zip(self.starts, self.ends))

    def spaces(self) -> list[bool]:
        """spaCy's trailing-space flag of each token."""
        text, following = self.text, self.starts[1:] + [-1]
        return [text[e:e + 1] == " " and nxt != e for e, nxt in zip(self.ends, following)]

    def spacy_words(self) -> tuple[list[str], list[bool]]:
        """Words and trailing-space flags that rebuild the text exactly, as spaCy's tokenizer would.

        The token rule (check_gaps, FormatError otherwise): text outside the tokens is whitespace. A single space
        after a token is its trailing space; any other whitespace becomes a whitespace token.
        """
        text, starts, ends = self.text, self.starts, self.ends
        words = list(map(text.__getitem__, map(slice, starts, ends)))
        gaps = list(map(text.__getitem__, map(slice, [0, *ends], [*starts, len(text)])))
        if gaps[0] == "" and all(g in ("", " ") for g in gaps[1:]):
            return words, [g == " " for g in gaps[1:]]
        check_gaps(self)
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

    def dicts(self) -> list[dict[str, Any]]:
        """Prodigy token dicts ``{text, start, end, id, ws}``; built on first use, then shared."""
        if self._dicts is None:
            self._dicts = self._token_dicts()
        return self._dicts

    def tokens_json(self) -> bytes:
        """The token dicts as a JSON array; built on first use, then shared."""
        if self._json is None:
            # Without keeping the dicts: they take several times the memory of their JSON.
            dicts = self._dicts if self._dicts is not None else self._token_dicts()
            self._json = orjson.dumps(dicts)
        return self._json

    def _token_dicts(self) -> list[dict[str, Any]]:
        """Build the Prodigy token dicts."""
        text, following = self.text, self.starts[1:] + [-1]
        return [
            {"text": text[s:e], "start": s, "end": e, "id": i,
             "ws": text[e:e + 1] == " " and nxt != e}
            for i, (s, e, nxt) in enumerate(zip(self.starts, self.ends, following))
        ]

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """First and last (inclusive) index of the tokens a character range touches."""
        return bisect.bisect_right(self.ends, start), bisect.bisect_left(self.starts, end) - 1

    def bounds(self) -> TokenBounds:
        """TokenBounds for span validation and snapping."""
        return TokenBounds(self.starts, self.ends)


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
    return DocTokens(text, parse_tokens(value, text, source=source, line=line, field=field))


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
    for i, (gap_start, gap_end) in enumerate(zip([0, *ends], [*starts, len(text)])):
        gap = text[gap_start:gap_end]
        if gap and not gap.isspace():
            where = f"{field}[{i}]" if i < len(starts) else field
            raise FormatError(f"the tokens leave out {gap!r} at [{gap_start}, {gap_end}); only "
                              "whitespace may lie between tokens", source=source, line=line,
                              field=where)


def parse_tokens(value: object, text: str, *, source: str, line: int,
                 field: str = "tokens") -> list[tuple[int, int]]:
    """Check a task's token dicts against its text; return ``(start, end)`` pairs."""
    fast = _parse_tokens_fast(value, text)
    if fast is not None:
        return list(zip(*fast))
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
