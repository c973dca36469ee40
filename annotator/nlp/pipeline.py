"""Load the spaCy pipeline once and turn Docs into model-made annotations."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp.attribution import resolve_pronoun_speakers
from annotator.nlp.entities import EntityIndex, index_entities
from annotator.nlp.candidates import Hashes, hashes, matching
from annotator.nlp.indirect import TRIGGERS, indirect_quotes
from annotator.nlp.lexicon import cue_lexicon, stance_lexicon
from annotator.nlp.quotes import Found, direct_quotes
from annotator.nlp.speakers import Mention
from annotator.nlp.stances import FoundStance, find_stances
from annotator.spans import Annotation, Quote, Span, Stance
from annotator.vocab import Origin

C = TypeVar("C")
SETTING = "ANNOTATOR_SPACY_MODEL"
PIPELINES_KEPT = 2
"""Pipelines kept loaded per process: a worker or server that switches models drops the least recently used."""


class ModelNotInstalled(RuntimeError):
    """The configured spaCy pipeline package is not installed."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"spaCy pipeline {name!r} is not installed. Install the package {name!r} into this "
            f"environment (for example `pip install {name}`) or point the setting {SETTING} "
            "at a pipeline that is installed."
        )
        self.name = name


@lru_cache(maxsize=PIPELINES_KEPT)
def load_pipeline(name: str) -> Language:
    """Load the named spaCy pipeline; the PIPELINES_KEPT most recently used stay loaded. ModelNotInstalled if missing."""
    try:
        return spacy.load(name)
    except (OSError, ImportError) as error:  # spaCy's E050: no package or directory by that name
        raise ModelNotInstalled(name) from error


@dataclass(frozen=True)
class PreAnnotated:
    """A document's token offsets and its model-made annotation."""

    tokens: list[tuple[int, int]]
    annotation: Annotation


def doc_tokens(doc: Doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of every spaCy token."""
    return [(tok.idx, tok.idx + len(tok)) for tok in doc]


def _span(pair: tuple[int, int] | None) -> Span | None:
    return None if pair is None else Span(*pair)


def _entity_uid(ents: EntityIndex, who: Mention | None) -> str | None:
    return None if who is None or who.entity is None else ents.entities[who.entity].uid


def _name(ents: EntityIndex, who: Mention) -> str:
    if who.entity is not None:
        return ents.spans[who.entity].text
    doc = who.head.doc
    return doc[who.start:who.end].text


def _sound(pair: tuple[int, int] | None, length: int) -> bool:
    return pair is None or 0 <= pair[0] < pair[1] <= length


def _sound_quote(found: Found, length: int) -> bool:
    """Whether every span is inside the text (rules run on any parse; an article must never fail)."""
    speaker = None if found.speaker is None else found.speaker.char_span
    return _sound(found.content, length) and _sound(found.cue, length) and _sound(speaker, length)


def _quote(n: int, found: Found, ents: EntityIndex) -> Quote:
    speaker = None if found.speaker is None else Span(*found.speaker.char_span)
    return Quote(f"m-q{n}", Span(*found.content), found.kind, _span(found.cue), speaker,
                 _entity_uid(ents, found.speaker), found.confidence, Origin.MODEL)


def _stance(n: int, found: FoundStance, ents: EntityIndex) -> Stance:
    return Stance(f"m-s{n}", found.polarity, Span(*found.evidence), _name(ents, found.holder),
                  _entity_uid(ents, found.holder), _name(ents, found.target),
                  _entity_uid(ents, found.target), found.confidence, Origin.MODEL)


@cache
def _cue_keys(cues_path: str | None) -> Hashes:
    """Hashes of the words that can start reported speech (cached per lexicon file)."""
    cues = cue_lexicon(cues_path)
    return hashes(cues.verbs | cues.nouns | frozenset(TRIGGERS))


@cache
def _stance_keys(stances_path: str | None) -> Hashes:
    """Hashes of the stance predicates' lemmas (cached per lexicon file)."""
    return hashes(stance_lexicon(stances_path).lemmas())


def annotate_doc(doc: Doc, *, labels: Sequence[str], label_map: Mapping[str, str] | None = None,
                 cues_path: str | None = None, stances_path: str | None = None) -> Annotation:
    """Entities, quotes and stances found in a parsed Doc, as model-made items."""
    ents = index_entities(doc, labels=labels, label_map=label_map)
    cues, lexicon = cue_lexicon(cues_path), stance_lexicon(stances_path)
    text = doc.text
    direct = direct_quotes(doc, ents, cues.verbs, text)
    speech = matching(ents.words, _cue_keys(cues_path))
    indirect = indirect_quotes(doc, ents, cues, [q.content for q in direct], speech, text)
    length = len(text)
    quotes = resolve_pronoun_speakers([q for q in direct + indirect if _sound_quote(q, length)], ents)
    views = matching(ents.words, _stance_keys(stances_path))
    stances = [s for s in find_stances(doc, ents, lexicon, quotes, views, cues.verbs)
               if _sound(s.evidence, length)]
    return Annotation(
        entities=list(ents.entities),
        quotes=[_quote(n, q, ents) for n, q in enumerate(quotes)],
        stances=[_stance(n, s, ents) for n, s in enumerate(stances)],
    )


def preannotate(nlp: Language, items: Iterable[tuple[str, C]], *, labels: Sequence[str],
                label_map: Mapping[str, str] | None = None, batch_size: int = 64,
                n_process: int = 1, cues_path: str | None = None,
                stances_path: str | None = None) -> Iterator[tuple[PreAnnotated, C]]:
    """Parse texts in batches and pre-annotate each, carrying its context along.

    Contexts stay in this process (worker processes only see the texts, so contexts need not
    pickle). ``cues_path`` and ``stances_path`` name extra lexicon files added to the shipped ones.
    """
    for_texts, for_contexts = itertools.tee(items)
    texts = (text for text, _ in for_texts)
    contexts = (context for _, context in for_contexts)
    for doc, context in zip(nlp.pipe(texts, batch_size=batch_size, n_process=n_process), contexts):
        annotation = annotate_doc(doc, labels=labels, label_map=label_map, cues_path=cues_path,
                                  stances_path=stances_path)
        yield PreAnnotated(doc_tokens(doc), annotation), context
