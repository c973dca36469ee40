"""Entity spans from ``doc.ents``, mapped onto a dataset's labels, with name clusters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from annotator.nlp.candidates import WordTable, word_table
from annotator.spans import Entity
from annotator.vocab import Origin

# OntoNotes keeps "the" in country names ("the United States"); elsewhere it is not part of the name.
KEEP_DETERMINER = frozenset({"GPE"})
DETERMINERS = frozenset({"the", "a", "an"})
PERSON = "PERSON"


@dataclass
class EntityIndex:
    """Kept entities, their spaCy spans, a token lookup and each entity's canonical (fullest) name."""

    entities: list[Entity] = field(default_factory=list)
    spans: list[SpacySpan] = field(default_factory=list)
    canonical: list[int] = field(default_factory=list)
    by_token: dict[int, int] = field(default_factory=dict)
    words: WordTable = field(default_factory=list)

    def at_token(self, i: int) -> int | None:
        """Index of the entity covering token ``i``, if any."""
        return self.by_token.get(i)

    def canonical_uid(self, index: int) -> str:
        """Uid of the fullest earlier mention of the same name."""
        return self.entities[self.canonical[index]].uid

    def canonical_text(self, index: int) -> str:
        """Text of the fullest earlier mention of the same name."""
        return self.spans[self.canonical[index]].text


def map_label(label: str, labels: Sequence[str], label_map: Mapping[str, str] | None) -> str | None:
    """The dataset label for a model label, or None when the dataset has no such label."""
    mapped = (label_map or {}).get(label, label)
    return mapped if mapped in labels else None


def _trim(span: SpacySpan) -> SpacySpan:
    """Drop a leading determiner (except in country names) and a trailing possessive or punctuation."""
    start, end = span.start, span.end
    if span.label_ not in KEEP_DETERMINER and end - start > 1 and span[0].lower_ in DETERMINERS:
        start += 1
    while end - start > 1 and (span.doc[end - 1].tag_ == "POS" or span.doc[end - 1].is_punct):
        end -= 1
    if (start, end) == (span.start, span.end):
        return span
    return SpacySpan(span.doc, start, end, label=span.label)


def _words(span: SpacySpan) -> frozenset[str]:
    return frozenset(t.lower_ for t in span if not t.is_punct)


def _is_description(span: SpacySpan, earlier: Sequence[SpacySpan]) -> bool:
    """A lone word after "the" that repeats part of an earlier, longer name ("the Command")."""
    if len(span) != 1 or span.start == 0 or span.doc[span.start - 1].lower_ != "the":
        return False
    word = span[0].lower_
    return any(len(e) > 1 and e.label_ == span.label_ and word in _words(e) for e in earlier)


def _is_surname(span: SpacySpan, full_names: Sequence[str]) -> bool:
    """A name that ends an earlier full person name ("Scholz" after "Olaf Scholz", "Sanchez-Vicario").

    The model often labels such repeats differently (ORG, GPE); they name the same person.
    ``full_names`` are the earlier person names of more than one word, in lower case.
    """
    if span.label_ == PERSON or not full_names or not all(t.pos_ == "PROPN" or t.is_punct for t in span):
        return False
    name = " " + span.text.lower()
    return any(full.endswith(name) for full in full_names)


def _canonical(spans: Sequence[SpacySpan], words: Sequence[frozenset[str]], index: int) -> int:
    label = spans[index].label_
    best = index
    for j in range(index):
        other = spans[j]
        if other.label_ == label and words[index] <= words[j] and len(other) > len(spans[best]):
            best = j
    return best


def index_entities(doc: Doc, *, labels: Sequence[str],
                   label_map: Mapping[str, str] | None = None) -> EntityIndex:
    """Map ``doc.ents`` onto ``labels`` (dropping or renaming others) and index them."""
    index = EntityIndex()
    kept: list[SpacySpan] = []
    full_names: list[str] = []
    for ent in doc.ents:
        if _is_surname(ent, full_names):
            ent = SpacySpan(doc, ent.start, ent.end, label=PERSON)
        label = map_label(ent.label_, labels, label_map)
        if label is None or _is_description(ent, kept):
            continue
        span = _trim(ent)
        kept.append(span)
        if span.label_ == PERSON and len(span) > 1:
            full_names.append(span.text.lower())
        n = len(index.entities)
        index.entities.append(Entity(f"m-e{n}", span.start_char, span.end_char, label, Origin.MODEL))
        index.spans.append(span)
        for i in range(span.start, span.end):
            index.by_token[i] = n
    words = [_words(span) for span in index.spans]
    index.canonical = [_canonical(index.spans, words, n) for n in range(len(index.spans))]
    index.words = word_table(doc)
    return index
