"""Pure: a text's spaCy token offsets, and the one token-range rule every path uses.

The rule (``DocTokens.token_range``): a character range [start, end) covers the tokens it
touches, i.e. those sharing at least one character with it. From it follow the rest:

- a range is *on token boundaries* (``is_aligned``) when it starts at its first token's start
  and ends at its last token's end (entities must be; validation, import, export and DocBin
  all ask this one method);
- ``snap`` widens a range to its tokens (quotes and stances in a DocBin, the editor's snapping);
  a range touching no token (only whitespace) has none;
- Prodigy's ``token_start`` / ``token_end`` (inclusive) of a span are its token range.
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Any

import orjson

from annotator.spans import Span


class DocTokens:
    """Token offsets of one text (start, end; end exclusive), with the Prodigy token dicts built once.

    Building the token dicts is most of the cost of an export; a caller that keeps
    ``tokens_json()`` per document (e.g. next to the stored tokens) can pass it back in.
    """

    def __init__(self, text: str, tokens: Sequence[Sequence[int]], *,
                 tokens_json: bytes | None = None) -> None:
        self.text = text
        self._json = tokens_json
        starts, ends = zip(*tokens) if tokens else ((), ())
        self.starts: list[int] = list(starts)
        self.ends: list[int] = list(ends)
        self._dicts: list[dict[str, Any]] | None = None
        self._start_set: frozenset[int] | None = None
        self._end_set: frozenset[int] | None = None

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

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """First and last (inclusive) index of the tokens [start, end) touches; last < first when none."""
        return bisect_right(self.ends, start), bisect_left(self.starts, end) - 1

    def token_ranges(self, starts: Sequence[int], ends: Sequence[int]) -> tuple[list[int], list[int]]:
        """token_range of many ranges at once (first indices, last indices), mapped in C."""
        firsts = list(map(bisect_right, repeat(self.ends), starts))
        lasts = list(map(operator.sub, map(bisect_left, repeat(self.starts), ends), repeat(1)))
        return firsts, lasts

    def is_aligned(self, start: int, end: int) -> bool:
        """Whether [start, end) starts at its first token's start and ends at its last token's end."""
        # For start < end this is exactly "start is a token start and end a token end" (tokens do
        # not overlap), which two set lookups answer without a bisect.
        if self._start_set is None or self._end_set is None:
            self._start_set, self._end_set = frozenset(self.starts), frozenset(self.ends)
        if start < end:
            return start in self._start_set and end in self._end_set
        first, last = self.token_range(start, end)
        return first <= last and self.starts[first] == start and self.ends[last] == end

    def all_aligned(self, starts: Iterable[int], ends: Iterable[int]) -> bool:
        """Whether every (non-empty) range of the two lists is on token boundaries (is_aligned, in bulk)."""
        if self._start_set is None or self._end_set is None:
            self._start_set, self._end_set = frozenset(self.starts), frozenset(self.ends)
        return self._start_set.issuperset(starts) and self._end_set.issuperset(ends)

    def snap(self, span: Span) -> Span | None:
        """The span widened to the tokens it touches; None when it touches none (only whitespace)."""
        first, last = self.token_range(span.start, span.end)
        if first > last:
            return None
        return Span(self.starts[first], self.ends[last])

    def spaces(self) -> list[bool]:
        """spaCy's trailing-space flag of each token."""
        text, following = self.text, self.starts[1:] + [-1]
        return [text[e:e + 1] == " " and nxt != e for e, nxt in zip(self.ends, following)]

    def gaps(self) -> list[tuple[int, int]]:
        """The character ranges outside every token: before the first, between tokens, after the last."""
        return list(zip([0, *self.ends], [*self.starts, len(self.text)]))

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
