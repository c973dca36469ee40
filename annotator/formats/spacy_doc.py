"""Pure: one spaCy Doc from a text's tokens and its annotation layers (what a DocBin stores).

Entities go to ``doc.ents`` (uid as the span id); quotes to span groups ``quotes`` (label =
kind, kb_id = speaker entity uid), ``cues`` and ``speakers`` (span id = quote uid); stance
evidence to ``stance_evidence`` (label = polarity). Quote and stance spans widen to whole
tokens; entities must already be on token boundaries. Origins, confidences and stance holders
and targets ride along in ``doc.user_data["annotator"]``.

Which tokens a range covers is decided by the one token rule (annotator.tokens.DocTokens). The
entities, most of a set's items, are written as token columns in one ``Doc.from_array`` call
(the columns ``doc.ents = spans`` would write), without a Span or Token object per entity.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from itertools import accumulate, repeat
from typing import Any, cast

import numpy
from spacy.attrs import ENT_ID, ENT_IOB, ENT_TYPE
from spacy.tokens import Doc
from spacy.tokens import Span as DocSpan
from spacy.vocab import Vocab
from thinc.types import Ints2d

from annotator.formats.errors import FormatError
from annotator.formats.tokens import DocTokens, as_doc_tokens, spacy_words
from annotator.spans import Annotation, Entity, Quote, Span, Stance
from annotator.vocab import Origin

EntityRow = tuple[str, int, int, str, str]
"""An entity as the database holds it: ``(uid, start, end, label, origin)`` (formats.jsonl's)."""
USER_DATA_KEY = "annotator"
GROUPS = ("quotes", "cues", "speakers", "stance_evidence")
_IOB_IN, _IOB_OUT, _IOB_BEGIN = 1, 2, 3  # spaCy's ENT_IOB values: I, O, B


def doc_from_annotation(vocab: Vocab, text: str, tokens: Sequence[tuple[int, int]] | DocTokens,
                        annotation: Annotation, *, source: str = "") -> Doc:
    """Build a Doc whose text is exactly ``text``, with entities and the span groups."""
    rows = [(e.uid, e.start, e.end, e.label, e.origin) for e in annotation.entities]
    return doc_from_rows(vocab, text, tokens, rows, annotation, source=source)


def doc_from_rows(vocab: Vocab, text: str, tokens: Sequence[tuple[int, int]] | DocTokens,
                  entity_rows: Sequence[EntityRow], layers: Annotation, *, source: str = "") -> Doc:
    """doc_from_annotation with the entities as rows; ``layers`` gives the quotes and stances."""
    grid = _Grid(as_doc_tokens(text, tokens), source)
    doc = Doc(vocab, words=grid.words, spaces=grid.spaces)
    _set_entities(doc, grid, entity_rows, source)
    for name in GROUPS:
        doc.spans[name] = []
    for i, q in enumerate(layers.quotes):
        _add_quote(doc, grid, q, f"quotes[{i}]", source)
    evidence = doc.spans["stance_evidence"]
    for i, s in enumerate(layers.stances):
        evidence.append(grid.span(doc, s.evidence, s.polarity, f"stances[{i}].evidence", source, uid=s.uid))
    doc.user_data[USER_DATA_KEY] = _extras(entity_rows, layers)
    return doc


class _Grid:
    """A text's tokens as the Doc's words, and where each token lands among those words.

    The Doc's words are the tokens themselves, plus a whitespace word for any other whitespace
    between them (spacy_words); ``positions`` maps token indices to word indices (None when
    they are the same, as for any text a spaCy tokenizer split).
    """

    def __init__(self, tokens: DocTokens, source: str) -> None:
        self.tokens = tokens
        try:
            self.words, self.spaces = spacy_words(tokens)
        except FormatError as err:
            raise FormatError(err.message, source=source, field=err.field) from None
        self.positions: list[int] | None = None
        if not self._rebuilds_text():
            raise FormatError("tokens do not rebuild the text exactly", source=source, field="tokens")

    def _rebuilds_text(self) -> bool:
        """Whether the words and spaces give back the text exactly (and set ``positions``)."""
        starts, ends, text = self.tokens.starts, self.tokens.ends, self.tokens.text
        # Tokens non-empty and in order: 0 <= start < end <= next start ... <= len(text) (sorting a
        # sorted list is one pass).
        bounds = [0] * (2 * len(starts) + 2)
        bounds[1:-1:2], bounds[2:-1:2], bounds[-1] = starts, ends, len(text)
        if sorted(bounds) != bounds or not all(map(operator.lt, starts, ends)):
            return False
        if len(self.words) == len(starts):  # words are the tokens, the gaps single spaces or nothing
            return True
        lengths = list(map(len, self.words))
        word_starts = [0, *accumulate(map(operator.add, lengths, self.spaces))][:-1]
        self.positions = list(map(bisect.bisect_left, repeat(word_starts), starts))
        rebuilt = "".join([w + " " if space else w for w, space in zip(self.words, self.spaces)])
        return rebuilt == text

    def at(self, token: int) -> int:
        """The Doc index of a token."""
        return token if self.positions is None else self.positions[token]

    def span(self, doc: Doc, span: Span, label: str, fld: str, source: str, *, uid: str,
             kb_id: str = "") -> DocSpan:
        """The Doc span of the tokens a character range touches (the one token rule)."""
        first, last = self.tokens.token_range(span.start, span.end)
        if first > last:
            raise _off_boundaries(self.tokens.text, span.start, span.end, fld, source)
        return DocSpan(doc, self.at(first), self.at(last) + 1, label=label, kb_id=kb_id, span_id=uid)


def _off_boundaries(text: str, start: int, end: int, fld: str, source: str) -> FormatError:
    return FormatError(f"span [{start}, {end}) {text[start:end]!r} is not on token boundaries",
                       source=source, field=fld)


def _set_entities(doc: Doc, grid: _Grid, rows: Sequence[EntityRow], source: str) -> None:
    """Write the entities as the IOB, type and id token columns (every other token outside)."""
    uids, starts, ends, labels, _ = zip(*rows) if rows else ((),) * 5
    tokens = grid.tokens
    # An entity on token boundaries starts where its first token starts and ends where its last ends.
    first_list = list(map(bisect.bisect_left, repeat(tokens.starts), starts))
    last_list = list(map(bisect.bisect_left, repeat(tokens.ends), ends))
    starts_of, ends_of = [*tokens.starts, -1], [*tokens.ends, -1]  # past the last token: no entity there
    if not (all(map(operator.lt, starts, ends)) and list(map(starts_of.__getitem__, first_list)) == list(starts)
            and list(map(ends_of.__getitem__, last_list)) == list(ends)):
        for i, (start, end) in enumerate(zip(starts, ends)):
            if not tokens.is_aligned(start, end):
                raise _off_boundaries(tokens.text, start, end, f"entities[{i}]", source)
    firsts = numpy.array(first_list, dtype=numpy.int64)
    lasts = numpy.array(last_list, dtype=numpy.int64)
    if grid.positions is not None:
        positions = numpy.array(grid.positions, dtype=numpy.int64)
        firsts, lasts = positions[firsts], positions[lasts]
    _check_overlaps(firsts, lasts, source)
    columns = numpy.zeros((len(doc), 3), dtype=numpy.uint64)
    columns[:, 0] = _IOB_OUT
    strings = doc.vocab.strings
    hashes = {value: strings.add(value) for value in {*uids, *labels}}
    lengths = lasts - firsts + 1
    covered = numpy.repeat(firsts - numpy.cumsum(lengths) + lengths, lengths) + numpy.arange(lengths.sum())
    columns[covered, 0] = _IOB_IN
    columns[firsts, 0] = _IOB_BEGIN
    columns[covered, 1] = numpy.repeat(numpy.array([hashes[x] for x in labels], dtype=numpy.uint64), lengths)
    columns[covered, 2] = numpy.repeat(numpy.array([hashes[x] for x in uids], dtype=numpy.uint64), lengths)
    doc.from_array([ENT_IOB, ENT_TYPE, ENT_ID], cast(Ints2d, columns))


def _check_overlaps(firsts: Any, lasts: Any, source: str) -> None:
    """FormatError when two entities share a token (a token has one entity in spaCy)."""
    order = numpy.argsort(firsts, kind="stable")
    clash = numpy.flatnonzero(firsts[order][1:] <= lasts[order][:-1])
    if len(clash):
        a, b = sorted((int(order[clash[0]]), int(order[clash[0] + 1])))
        raise FormatError(f"entities cannot be set: entities[{a}] and entities[{b}] share a token",
                          source=source, field="entities")


def _add_quote(doc: Doc, grid: _Grid, q: Quote, fld: str, source: str) -> None:
    """Add a quote's content, cue and speaker to their span groups."""
    speaker = q.speaker_entity or ""
    doc.spans["quotes"].append(
        grid.span(doc, q.content, q.kind, f"{fld}.content", source, uid=q.uid, kb_id=speaker))
    if q.cue:
        doc.spans["cues"].append(grid.span(doc, q.cue, "CUE", f"{fld}.cue", source, uid=q.uid))
    if q.speaker:
        doc.spans["speakers"].append(
            grid.span(doc, q.speaker, "SPEAKER", f"{fld}.speaker", source, uid=q.uid, kb_id=speaker))


def _extras(entity_rows: Sequence[EntityRow], layers: Annotation) -> dict[str, dict[str, Any]]:
    """Per-uid values the Doc has no place for."""
    extras: dict[str, dict[str, Any]] = {uid: {"origin": origin} for uid, _, _, _, origin in entity_rows}
    for q in layers.quotes:
        extras[q.uid] = {"origin": q.origin, "confidence": q.confidence}
    for s in layers.stances:
        extras[s.uid] = {"origin": s.origin, "confidence": s.confidence, "holder": s.holder,
                         "holder_entity": s.holder_entity, "target": s.target,
                         "target_entity": s.target_entity}
    return extras


def annotation_from_doc(doc: Doc) -> Annotation:
    """The layers a Doc carries (see doc_from_annotation), back as an Annotation."""
    extras: dict[str, dict[str, Any]] = doc.user_data.get(USER_DATA_KEY, {})
    entities = [Entity(e.id_ or f"e{i + 1}", e.start_char, e.end_char, e.label_,
                       extras.get(e.id_, {}).get("origin", Origin.HUMAN))
                for i, e in enumerate(doc.ents)]
    groups = {name: doc.spans[name] if name in doc.spans else [] for name in GROUPS}
    cues = {s.id_: _span(s) for s in groups["cues"]}
    speakers = {s.id_: _span(s) for s in groups["speakers"]}
    quotes = [Quote(uid=s.id_, content=_span(s), kind=s.label_, cue=cues.get(s.id_),
                    speaker=speakers.get(s.id_), speaker_entity=s.kb_id_ or None,
                    confidence=extras.get(s.id_, {}).get("confidence"),
                    origin=extras.get(s.id_, {}).get("origin", Origin.HUMAN))
              for s in groups["quotes"]]
    stances = [_stance(s, extras.get(s.id_, {})) for s in groups["stance_evidence"]]
    return Annotation(entities=entities, quotes=quotes, stances=stances)


def _span(span: DocSpan) -> Span:
    """The character range of a Doc span."""
    return Span(span.start_char, span.end_char)


def _stance(span: DocSpan, extra: dict[str, Any]) -> Stance:
    """A Stance from its evidence span and extras."""
    return Stance(uid=span.id_, polarity=span.label_, evidence=_span(span),
                  holder=extra.get("holder", ""), holder_entity=extra.get("holder_entity"),
                  target=extra.get("target", ""), target_entity=extra.get("target_entity"),
                  confidence=extra.get("confidence"), origin=extra.get("origin", Origin.HUMAN))
