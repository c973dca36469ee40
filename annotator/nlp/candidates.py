"""Find the few tokens worth a closer look from hashes of their words and lemmas (one cheap pass)."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc

Hashes = frozenset[int]
WordTable = list[tuple[int, int]]


def hashes(words: Iterable[str]) -> Hashes:
    """String hashes of words in lower case and capitalised (proper-noun lemmas keep their case)."""
    return frozenset(get_string_id(form) for word in words
                     for form in (word, word.lower(), word.capitalize()))


def word_table(doc: Doc) -> WordTable:
    """One row per token: hashes of its lower-case text and of its lemma."""
    if len(doc) == 0:
        return []
    return [(int(lower), int(lemma)) for lower, lemma in doc.to_array([LOWER, LEMMA]).tolist()]


def matching(table: WordTable, keys: Hashes, stop: int | None = None) -> list[int]:
    """Token indices (below ``stop``) whose text or lemma hash is one of ``keys``."""
    rows = table if stop is None else table[:stop]
    return [i for i, (lower, lemma) in enumerate(rows) if lower in keys or lemma in keys]
