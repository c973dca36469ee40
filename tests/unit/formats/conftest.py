"""Shared fixtures: a blank English pipeline for spaCy token offsets, and a sample annotation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import spacy
from spacy.language import Language

from annotator.spans import Annotation, Entity, Quote, Span, Stance

TEXT = "Akbari said that \u201cthe army knows.\u201d Iran backs Assad, Reuters reported."


@pytest.fixture(scope="session")
def text() -> str:
    """A short news-like text with a quote and a stance."""
    return TEXT


@pytest.fixture(scope="session")
def nlp() -> Language:
    """spaCy's blank English tokenizer."""
    return spacy.blank("en")


@pytest.fixture(scope="session")
def tokenize(nlp: Language) -> Callable[[str], list[tuple[int, int]]]:
    """Return the (start, end) offsets of spaCy's tokens of a text."""
    def offsets(text: str) -> list[tuple[int, int]]:
        return [(t.idx, t.idx + len(t)) for t in nlp.make_doc(text)]
    return offsets


def find(text: str, part: str) -> Span:
    """The span of the first occurrence of ``part``."""
    start = text.index(part)
    return Span(start, start + len(part))


@pytest.fixture()
def annotation() -> Annotation:
    """Entities, a linked direct quote and a stance with an entity holder and a topic."""
    akbari, iran, assad = find(TEXT, "Akbari"), find(TEXT, "Iran"), find(TEXT, "Assad")
    return Annotation(
        entities=[Entity("e1", akbari.start, akbari.end, "PERSON"),
                  Entity("e2", iran.start, iran.end, "GPE", "model"),
                  Entity("e3", assad.start, assad.end, "PERSON")],
        quotes=[Quote("q1", find(TEXT, "the army knows."), "direct", find(TEXT, "said"),
                      akbari, "e1", 0.75, "model")],
        stances=[Stance("s1", "favor", find(TEXT, "Iran backs Assad"), "Iran", "e2",
                        target="Assad's rule", confidence=0.5),
                 Stance("s2", "against", find(TEXT, "Iran backs Assad"), "Reuters",
                        target="", target_entity="e3")],
    )
