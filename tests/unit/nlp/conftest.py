"""Hand-built parsed Docs for the pre-annotation rules (no model needed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp.entities import EntityIndex, index_entities
from annotator.vocab import DEFAULT_LABELS

NO_SPACE_BEFORE = frozenset({",", ".", ":", ";", "”", "’s", "'s", "!", "?", "\n", ")"})
NO_SPACE_AFTER = frozenset({"“", "\n", "("})

BuildDoc = Callable[[str], Doc]


def build_doc(vocab_nlp: Language, spec: str) -> Doc:
    """Build a Doc from one row per token: ``word POS head dep [lemma] [B-LABEL|I-LABEL] [tag=TAG]``.

    ``head`` is an absolute token index; a row ``\\n SPACE <head> dep`` is a paragraph break.
    Spaces follow every token except before closing punctuation and after opening marks.
    """
    rows = [line.split() for line in spec.strip().splitlines() if line.strip()]
    words = ["\n" if r[0] == "\\n" else r[0] for r in rows]
    spaces = [i + 1 < len(words) and words[i] not in NO_SPACE_AFTER and words[i + 1] not in NO_SPACE_BEFORE
              for i in range(len(words))]
    lemmas, ents, tags = [], [], []
    for word, row in zip(words, rows):
        extra = row[4:]
        ent = next((x for x in extra if x[:2] in ("B-", "I-")), "O")
        tag = next((x[4:] for x in extra if x.startswith("tag=")), "")
        lemma = next((x for x in extra if x != ent and not x.startswith("tag=")), word.lower())
        lemmas.append(lemma)
        ents.append(ent)
        tags.append(tag or ("POS" if word in ("’s", "'s") else row[1]))
    return Doc(vocab_nlp.vocab, words=words, spaces=spaces, pos=[r[1] for r in rows],
               heads=[int(r[2]) for r in rows], deps=[r[3] for r in rows], lemmas=lemmas,
               ents=ents, tags=tags)


@pytest.fixture(scope="session")
def blank() -> Language:
    """A blank English pipeline (tokenizer and vocab only)."""
    return spacy.blank("en")


@pytest.fixture
def make_doc(blank: Language) -> BuildDoc:
    """Build a parsed Doc from token rows (see build_doc)."""
    return lambda spec: build_doc(blank, spec)


@pytest.fixture
def index() -> Callable[[Doc], EntityIndex]:
    """Index a Doc's entities with the default labels."""
    return lambda doc: index_entities(doc, labels=DEFAULT_LABELS)
