"""spaCy Docs and DocBin files from annotation sets, for training with ``spacy train``.

Entities go to ``doc.ents`` (uid as the span id); quotes to span groups ``quotes`` (label =
kind, kb_id = speaker entity uid), ``cues`` and ``speakers`` (span id = quote uid); stance
evidence to ``stance_evidence`` (label = polarity). Quote and stance spans widen to whole
tokens; entities must already be on token boundaries. Origins, confidences and stance holders
and targets ride along in ``doc.user_data["annotator"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from spacy.tokens import Doc, DocBin
from spacy.tokens import Span as DocSpan
from spacy.vocab import Vocab

from annotator.formats.errors import FormatError
from annotator.formats.tokens import DocTokens, as_doc_tokens
from annotator.spans import Annotation, Entity, Quote, Span, Stance

USER_DATA_KEY = "annotator"
GROUPS = ("quotes", "cues", "speakers", "stance_evidence")


def doc_from_annotation(vocab: Vocab, text: str, tokens: Sequence[tuple[int, int]] | DocTokens,
                        annotation: Annotation, *, source: str = "") -> Doc:
    """Build a Doc whose text is exactly ``text``, with entities and the span groups."""
    dt = as_doc_tokens(text, tokens)
    doc = Doc(vocab, words=[text[s:e] for s, e in dt.pairs], spaces=dt.spaces())
    if doc.text != text:
        raise FormatError("tokens do not rebuild the text exactly", source=source, field="tokens")
    ents = [_char_span(doc, e.span, e.label, f"entities[{i}]", source, uid=e.uid, strict=True)
            for i, e in enumerate(annotation.entities)]
    try:
        doc.ents = ents
    except ValueError as err:
        raise FormatError(f"entities cannot be set: {err}", source=source,
                          field="entities") from None
    for name in GROUPS:
        doc.spans[name] = []
    for i, q in enumerate(annotation.quotes):
        _add_quote(doc, q, f"quotes[{i}]", source)
    for i, s in enumerate(annotation.stances):
        doc.spans["stance_evidence"].append(
            _char_span(doc, s.evidence, s.polarity, f"stances[{i}].evidence", source, uid=s.uid))
    doc.user_data[USER_DATA_KEY] = _extras(annotation)
    return doc


def _add_quote(doc: Doc, q: Quote, fld: str, source: str) -> None:
    """Add a quote's content, cue and speaker to their span groups."""
    speaker = q.speaker_entity or ""
    doc.spans["quotes"].append(
        _char_span(doc, q.content, q.kind, f"{fld}.content", source, uid=q.uid, kb_id=speaker))
    if q.cue:
        doc.spans["cues"].append(_char_span(doc, q.cue, "CUE", f"{fld}.cue", source, uid=q.uid))
    if q.speaker:
        doc.spans["speakers"].append(
            _char_span(doc, q.speaker, "SPEAKER", f"{fld}.speaker", source, uid=q.uid,
                       kb_id=speaker))


def _char_span(doc: Doc, span: Span, label: str, fld: str, source: str, *, uid: str,
               kb_id: str = "", strict: bool = False) -> DocSpan:
    """A Doc span for a character range; strict for entities, widened otherwise."""
    mode = "strict" if strict else "expand"
    result = doc.char_span(span.start, span.end, label=label, kb_id=kb_id, span_id=uid,
                           alignment_mode=mode)
    if result is None:
        raise FormatError(f"span [{span.start}, {span.end}) "
                          f"{doc.text[span.start:span.end]!r} is not on token boundaries",
                          source=source, field=fld)
    return result


def _extras(annotation: Annotation) -> dict[str, dict[str, Any]]:
    """Per-uid values the Doc has no place for."""
    extras: dict[str, dict[str, Any]] = {e.uid: {"origin": e.origin} for e in annotation.entities}
    for q in annotation.quotes:
        extras[q.uid] = {"origin": q.origin, "confidence": q.confidence}
    for s in annotation.stances:
        extras[s.uid] = {"origin": s.origin, "confidence": s.confidence, "holder": s.holder,
                         "holder_entity": s.holder_entity, "target": s.target,
                         "target_entity": s.target_entity}
    return extras


def annotation_from_doc(doc: Doc) -> Annotation:
    """The layers a Doc carries (see doc_from_annotation), back as an Annotation."""
    extras: dict[str, dict[str, Any]] = doc.user_data.get(USER_DATA_KEY, {})
    entities = [Entity(e.id_ or f"e{i + 1}", e.start_char, e.end_char, e.label_,
                       extras.get(e.id_, {}).get("origin", "human"))
                for i, e in enumerate(doc.ents)]
    groups = {name: doc.spans[name] if name in doc.spans else [] for name in GROUPS}
    cues = {s.id_: _span(s) for s in groups["cues"]}
    speakers = {s.id_: _span(s) for s in groups["speakers"]}
    quotes = [Quote(uid=s.id_, content=_span(s), kind=s.label_, cue=cues.get(s.id_),
                    speaker=speakers.get(s.id_), speaker_entity=s.kb_id_ or None,
                    confidence=extras.get(s.id_, {}).get("confidence"),
                    origin=extras.get(s.id_, {}).get("origin", "human"))
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
                  confidence=extra.get("confidence"), origin=extra.get("origin", "human"))


class DocBinWriter:
    """Write Docs to one ``.spacy`` file, or to numbered shards when the path is a folder.

    One file holds every Doc in memory until closed; a folder (an existing directory or a path
    without the ``.spacy`` suffix) keeps at most ``shard_size`` Docs in memory, writing
    ``<folder name>-000.spacy``, ``-001``, ... ``spacy train`` reads such a folder as a corpus.
    """

    def __init__(self, path: str | Path, *, shard_size: int = 1000) -> None:
        self.path = Path(path)
        self.sharded = self.path.is_dir() or self.path.suffix != ".spacy"
        self.shard_size = shard_size
        self.written: list[Path] = []
        self.count = 0
        self._bin = DocBin(store_user_data=True)

    def add(self, doc: Doc) -> None:
        """Add one Doc, flushing a full shard to disk."""
        self._bin.add(doc)
        self.count += 1
        if self.sharded and len(self._bin) >= self.shard_size:
            self._flush()

    def close(self) -> list[Path]:
        """Write what is left; return the files written."""
        if len(self._bin) or not self.written:
            self._flush()
        return self.written

    def _flush(self) -> None:
        """Write the current DocBin to its file and start a new one."""
        if self.sharded:
            self.path.mkdir(parents=True, exist_ok=True)
            target = self.path / f"{self.path.name}-{len(self.written):03d}.spacy"
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            target = self.path
        self._bin.to_disk(target)
        self.written.append(target)
        self._bin = DocBin(store_user_data=True)

    def __enter__(self) -> DocBinWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
