"""Matching rules for scoring pre-annotation against gold: names and fuzzy clause spans."""

from __future__ import annotations

import re

PREPS = frozenset({"of", "for", "in", "to", "with", "on", "from", "by", "against", "about"})
ARTICLES = frozenset({"the", "a", "an"})


def name_words(name: str) -> list[str]:
    """Lower-case words of a name without articles or possessives, plural "s" dropped."""
    words = re.findall(r"[\w-]+", name.lower().replace("’s", "").replace("'s", ""))
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in ARTICLES]


def head_word(name: str) -> str:
    """The last word before any preposition ("rumours" in "rumours of a coup")."""
    words = name_words(name)
    cut = next((i for i, w in enumerate(words) if w in PREPS), len(words))
    return words[cut - 1] if cut else ""


def names_match(a: str, b: str) -> bool:
    """Equal ignoring case and articles, or the head word of one is a word of the other."""
    wa, wb = name_words(a), name_words(b)
    return bool(wa and wb) and (wa == wb or head_word(a) in wb or head_word(b) in wa)


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two character ranges."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0
