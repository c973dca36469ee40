"""spaCy Docs and DocBin files from annotation sets, and training on them with spacy train."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.cli.train import train
from spacy.language import Language
from spacy.tokens import Doc, DocBin, _serialize
from spacy.util import load_config_from_str, load_model_from_config

from annotator.formats.docbin import DocBinWriter, annotation_from_doc, doc_from_annotation
from annotator.formats.errors import FormatError
from annotator.formats.tokens import parse_doc_tokens, parse_tokens
from annotator.spans import Annotation, Entity, Span

Tokenize = Callable[[str], list[tuple[int, int]]]

TRAIN_CONFIG = """
[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["ner"]
batch_size = 8

[components]

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 8
maxout_pieces = 2
use_upper = true

[components.ner.model.tok2vec]
@architectures = "spacy.HashEmbedCNN.v2"
pretrained_vectors = null
width = 8
depth = 1
embed_size = 100
window_size = 1
maxout_pieces = 2
subword_features = false

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}

[training]
max_epochs = 1
max_steps = 4
eval_frequency = 2
seed = 0
"""


def test_doc_rebuilds_the_text_with_entities_and_span_groups(
        nlp: Language, tokenize: Tokenize, text: str, annotation: Annotation) -> None:
    doc = doc_from_annotation(nlp.vocab, text, tokenize(text), annotation)
    assert doc.text == text
    assert [(e.text, e.label_, e.id_) for e in doc.ents] == [
        ("Akbari", "PERSON", "e1"), ("Iran", "GPE", "e2"), ("Assad", "PERSON", "e3")]
    assert [(s.text, s.label_, s.kb_id_) for s in doc.spans["quotes"]] == [
        ("the army knows.", "direct", "e1")]
    assert [s.text for s in doc.spans["cues"]] == ["said"]
    assert [s.text for s in doc.spans["speakers"]] == ["Akbari"]
    assert [(s.text, s.label_) for s in doc.spans["stance_evidence"]] == [
        ("Iran backs Assad", "favor"), ("Iran backs Assad", "against")]
    assert annotation_from_doc(doc) == annotation


def test_whitespace_tokens_keep_the_text_exact(nlp: Language, tokenize: Tokenize) -> None:
    text = "Akbari  spoke.\n\nThen  he left. "
    annotation = Annotation(entities=[Entity("e1", 0, 6, "PERSON")])
    assert doc_from_annotation(nlp.vocab, text, tokenize(text), annotation).text == text


def test_quote_spans_widen_to_whole_tokens(nlp: Language, tokenize: Tokenize, text: str,
                                           annotation: Annotation) -> None:
    quote = replace(annotation.quotes[0], content=Span(19, 30))
    doc = doc_from_annotation(nlp.vocab, text, tokenize(text), replace(annotation, quotes=[quote]))
    assert doc.spans["quotes"][0].text == "the army knows"


def test_entity_off_token_boundaries_is_an_error(nlp: Language, tokenize: Tokenize,
                                                 text: str) -> None:
    annotation = Annotation(entities=[Entity("e1", 0, 6, "PERSON"), Entity("e2", 35, 37, "GPE")])
    with pytest.raises(FormatError) as caught:
        doc_from_annotation(nlp.vocab, text, tokenize(text), annotation, source="export")
    assert str(caught.value) == ("export, field entities[1]: span [35, 37) 'Ir' is not on token "
                                 "boundaries")


def test_overlapping_entities_are_an_error(nlp: Language, tokenize: Tokenize, text: str) -> None:
    annotation = Annotation(entities=[Entity("e1", 35, 45, "ORG"), Entity("e2", 35, 39, "GPE")])
    with pytest.raises(FormatError, match="field entities: entities cannot be set"):
        doc_from_annotation(nlp.vocab, text, tokenize(text), annotation)


@pytest.mark.parametrize("seed", range(6))
def test_entity_columns_equal_spacys_own_ents_setter(nlp: Language, seed: int) -> None:
    """The entity token columns written in bulk are those doc.ents = spans writes, whitespace tokens too."""
    rng = random.Random(seed)
    text = " ".join(rng.choice(["Iran", "said", "New York", "the", "\n\n", "army", "  ", "Assad", "."])
                    for _ in range(60))
    tokens = [(t.idx, t.idx + len(t)) for t in nlp.make_doc(text) if not t.is_space]  # gaps as in files
    picks = sorted(rng.sample(range(len(tokens)), 12))
    entities, last = [], -1
    for n, i in enumerate(picks):
        j = min(i + rng.randrange(3), len(tokens) - 1)
        if i > last and (n + 1 == len(picks) or j < picks[n + 1]):
            entities.append(Entity(f"e{n}", tokens[i][0], tokens[j][1], rng.choice(["GPE", "PERSON", "ORG"])))
            last = j
    doc = doc_from_annotation(nlp.vocab, text, tokens, Annotation(entities=entities))
    reference = Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    reference.ents = [reference.char_span(e.start, e.end, label=e.label, span_id=e.uid) for e in entities]
    attrs = ["ENT_IOB", "ENT_TYPE", "ENT_ID", "ENT_KB_ID"]
    assert doc.text == text and (doc.to_array(attrs) == reference.to_array(attrs)).all()
    assert annotation_from_doc(doc).entities == entities


def test_overlap_error_names_both_entities(nlp: Language, tokenize: Tokenize, text: str) -> None:
    annotation = Annotation(entities=[Entity("e1", 0, 6, "PERSON"), Entity("e2", 35, 45, "ORG"),
                                      Entity("e3", 40, 45, "GPE")])
    with pytest.raises(FormatError, match=r"entities\[1\] and entities\[2\] share a token"):
        doc_from_annotation(nlp.vocab, text, tokenize(text), annotation)


def test_overlapping_tokens_do_not_rebuild_the_text(nlp: Language) -> None:
    with pytest.raises(FormatError, match="tokens do not rebuild the text exactly"):
        doc_from_annotation(nlp.vocab, "abc", [(0, 2), (1, 3)], Annotation())  # overlapping


def test_writer_to_one_file_loads_back(tmp_path: Path, nlp: Language, tokenize: Tokenize,
                                       text: str, annotation: Annotation) -> None:
    with DocBinWriter(tmp_path / "train.spacy") as writer:
        for _ in range(3):
            writer.add(doc_from_annotation(nlp.vocab, text, tokenize(text), annotation))
    assert writer.written == [tmp_path / "train.spacy"]
    assert (tmp_path / "train.spacy").read_bytes()[:2] == b"\x78\x01"  # zlib header of level 1 (fastest)
    assert _serialize.zlib is zlib  # spaCy's own DocBins compress as before
    docs = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(nlp.vocab))
    assert len(docs) == 3
    assert all(annotation_from_doc(doc) == annotation for doc in docs)


def test_writer_to_a_folder_writes_bounded_shards(tmp_path: Path, nlp: Language,
                                                  tokenize: Tokenize, text: str,
                                                  annotation: Annotation) -> None:
    with DocBinWriter(tmp_path / "export", shard_size=2) as writer:
        for _ in range(5):
            writer.add(doc_from_annotation(nlp.vocab, text, tokenize(text), annotation))
    names = sorted(p.name for p in (tmp_path / "export").iterdir())
    assert names == ["export-000.spacy", "export-001.spacy", "export-002.spacy"]
    sizes = [len(DocBin().from_disk(tmp_path / "export" / n)) for n in names]
    assert sizes == [2, 2, 1]


def test_spacy_train_runs_one_epoch_on_an_export(tmp_path: Path, nlp: Language,
                                                 tokenize: Tokenize, text: str,
                                                 annotation: Annotation) -> None:
    with DocBinWriter(tmp_path / "corpus", shard_size=4) as writer:
        for _ in range(6):
            writer.add(doc_from_annotation(nlp.vocab, text, tokenize(text), annotation))
    config = tmp_path / "config.cfg"
    filled = load_model_from_config(load_config_from_str(TRAIN_CONFIG), auto_fill=True).config
    filled.to_disk(config)
    corpus = str(tmp_path / "corpus")
    train(config, tmp_path / "model", overrides={"paths.train": corpus, "paths.dev": corpus})
    trained = (tmp_path / "model" / "model-last")
    assert (trained / "ner").is_dir()
    assert "PERSON" in (trained / "ner" / "moves").read_text(encoding="utf-8", errors="replace")


PIECES = ["Iran", "said", ".", "“", "\n\n", "  ", "\n", "Assad", "backs", ","]


@settings(max_examples=150, deadline=None)
@given(picks=st.lists(st.sampled_from(PIECES), min_size=1, max_size=14), data=st.data())
def test_import_accepts_exactly_the_tokens_the_spacy_export_can_write(nlp: Language, picks: list[str],
                                                                      data: st.DataObject) -> None:
    """Random texts and token lists (tokens left out, shifted, merged, out of order): the import's token
    check and the DocBin build accept the same ones, and refuse left-out text with the same message."""
    text = " ".join(picks)
    pairs = [(t.idx, t.idx + len(t)) for t in nlp.make_doc(text)]
    for _ in range(data.draw(st.integers(0, 3))):
        i = data.draw(st.integers(0, len(pairs) - 1))
        start, end = pairs[i]
        change = data.draw(st.sampled_from(["drop", "shift", "merge", "swap", "empty"]))
        if change == "drop":
            del pairs[i]
        elif change == "shift":
            pairs[i] = (start + data.draw(st.integers(-1, 1)), end + data.draw(st.integers(-1, 1)))
        elif change == "merge" and i + 1 < len(pairs):
            pairs[i:i + 2] = [(start, pairs[i + 1][1])]
        elif change == "empty":
            pairs[i] = (start, start)
        elif change == "swap" and i + 1 < len(pairs):
            pairs[i], pairs[i + 1] = pairs[i + 1], pairs[i]
        if not pairs:
            return
    dicts = [{"text": text[s:e] if 0 <= s < e <= len(text) else "", "start": s, "end": e} for s, e in pairs]
    refusals = []
    for parse in (parse_doc_tokens, parse_tokens):  # what imports call; the pairs form must agree
        try:
            parse(dicts, text, source="f", line=1)
        except FormatError as err:
            refusals.append(err.message)
    try:
        doc_from_annotation(nlp.vocab, text, pairs, Annotation())
    except FormatError as err:
        refusals.append(err.message)
    assert len(refusals) in (0, 3), (pairs, refusals)
    if refusals and "leave out" in refusals[0]:
        assert refusals[0] == refusals[1] == refusals[2]
