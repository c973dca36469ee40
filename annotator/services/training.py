"""Training the entity recognizer on a dataset's reviewed gold with spaCy's own training machinery.

The gold becomes two DocBins (train and held-out dev, split by document with a seed); the config
starts from spaCy's generated one and sources every component of the base pipeline, so the
recognizer starts from the base weights and the tagger and parser the quote and stance rules
need come along frozen. spaCy's training loop does the rest; the result is scored on the dev
share with our own evaluation and registered as the dataset's next model version.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import spacy
import sqlalchemy as sa
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..db import db
from ..formats.docbin import DocBinWriter, doc_from_annotation
from ..models import Dataset, Document, ModelVersion
from ..nlp import load_pipeline
from .evaluation import GoldDoc, evaluate_model, reviewed_gold
from .preannotation import pipeline_name

TRAINED = "ner"
SPANS_KEY = "quote_parts"
"""Where the trained span categoriser puts quote contents (QUOTE), cues (CUE) and speakers (SPEAKER)."""
CANDIDATES_KEY = "quote_candidates"
"""Where spaCy's span finder puts the candidate spans the categoriser labels (quote contents are long)."""
SPAN_PARTS = (("quotes", "QUOTE"), ("cues", "CUE"), ("speakers", "SPEAKER"))
Progress = Callable[[int], None]


class Stream(Protocol):
    """Where spaCy writes its log: a file, a terminal or a job's log."""

    def write(self, s: str, /) -> int:
        """Write text."""

    def flush(self) -> None:
        """Push out what was written."""


class TrainingError(ValueError):
    """Training that cannot start: too little gold, or an output folder in the way."""


@dataclass(frozen=True)
class Options:
    """What `annotator train` was asked for."""

    output: Path
    base: str | None = None
    dev_share: float = 0.2
    seed: int = 0
    max_steps: int = 1000
    eval_every: int = 200
    spancat: bool = False


def split(ids: Sequence[int], dev_share: float, seed: int) -> tuple[list[int], list[int]]:
    """Documents for training and for the held-out dev share: shuffled by the seed, at least one each."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    n_dev = min(len(order) - 1, max(1, round(len(order) * dev_share)))
    return sorted(order[n_dev:]), sorted(order[:n_dev])


@spacy.registry.callbacks("annotator.copy_lookups.v1")
def copy_lookups(base: str) -> Callable[[Language], Language]:
    """After initialising, give the new pipeline the base's lookup tables (lexeme norms feed the NER)."""
    def copy(nlp: Language) -> Language:
        source = load_pipeline(base).vocab.lookups
        for name in source.tables:
            if not nlp.vocab.lookups.has_table(name):
                nlp.vocab.lookups.add_table(name, dict(source.get_table(name).items()))
        return nlp
    return copy


def write_config(base: str, folder: Path, options: Options) -> Path:
    """spaCy's generated NER config, every component sourced from the base, all but NER frozen."""
    from spacy.cli.init_config import init_config

    pipeline = load_pipeline(base)
    config = init_config(lang=str(pipeline.lang), pipeline=[TRAINED], optimize="efficiency")
    names = list(pipeline.pipe_names)
    config["nlp"]["pipeline"] = names
    config["components"] = {name: {"source": base} for name in names}
    config["paths"].update({"train": str(folder / "train.spacy"), "dev": str(folder / "dev.spacy")})
    config["system"]["seed"] = options.seed
    config["training"].update({
        "frozen_components": [n for n in names if n != TRAINED], "annotating_components": [],
        "max_steps": options.max_steps, "max_epochs": 0, "patience": 0,
        "eval_frequency": max(1, min(options.eval_every, options.max_steps)),
        "score_weights": {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None}})
    config["initialize"]["after_init"] = {"@callbacks": "annotator.copy_lookups.v1", "base": base}
    if options.spancat:
        _add_span_components(config)
    path = folder / "config.cfg"
    config.to_disk(path)
    return path


def _add_span_components(config: Any) -> None:
    """spaCy's span finder (candidate boundaries) and span categoriser (their labels) for quote parts.

    Both come from spaCy's own factories and default configs; each has its own tok2vec (the base's is
    frozen). The finder annotates during training, so the categoriser learns on its candidates.
    """
    from spacy.cli.init_config import init_config
    from spacy.pipeline.span_finder import DEFAULT_SPAN_FINDER_MODEL

    spancat = init_config(lang="en", pipeline=["spancat"], optimize="efficiency")["components"]["spancat"]
    spancat["model"]["tok2vec"] = copy.deepcopy(DEFAULT_SPAN_FINDER_MODEL["tok2vec"])
    spancat["model"]["tok2vec"]["encode"]["width"] = spancat["model"]["tok2vec"]["embed"]["width"]
    spancat.update({"spans_key": SPANS_KEY,
                    "suggester": {"@misc": "spacy.preset_spans_suggester.v1", "spans_key": CANDIDATES_KEY}})
    finder = {"factory": "span_finder", "spans_key": CANDIDATES_KEY, "threshold": 0.5, "max_length": 80,
              "model": copy.deepcopy(DEFAULT_SPAN_FINDER_MODEL)}
    finder["model"]["tok2vec"]["encode"]["width"] = finder["model"]["tok2vec"]["embed"]["width"]
    config["nlp"]["pipeline"] = [*config["nlp"]["pipeline"], "span_finder", "spancat"]
    config["components"].update({"span_finder": finder, "spancat": spancat})
    config["training"]["annotating_components"] = ["span_finder"]
    config["training"]["score_weights"].update({
        "ents_f": 0.5, f"spans_{SPANS_KEY}_f": 0.5, f"spans_{SPANS_KEY}_p": 0.0, f"spans_{SPANS_KEY}_r": 0.0,
        f"spans_{CANDIDATES_KEY}_f": 0.0, f"spans_{CANDIDATES_KEY}_p": 0.0, f"spans_{CANDIDATES_KEY}_r": 0.0,
        "spans_sc_f": None, "spans_sc_p": None, "spans_sc_r": None})  # the factory's default key, unused here


def add_quote_parts(doc: Doc) -> Doc:
    """The gold quote contents, cues and speakers as one labelled span group (and the finder's unlabelled one)."""
    parts = [Span(doc, s.start, s.end, label=label) for group, label in SPAN_PARTS for s in doc.spans[group]]
    doc.spans[SPANS_KEY] = parts
    doc.spans[CANDIDATES_KEY] = [Span(doc, s.start, s.end) for s in parts]
    return doc


def write_docbins(base: str, gold: Sequence[GoldDoc], folder: Path, dev_ids: set[int], *,
                  spancat: bool = False) -> tuple[int, int]:
    """train.spacy and dev.spacy from the gold, on the documents' own tokens (with the quote parts'
    span groups when ``spancat``); their sizes."""
    vocab = load_pipeline(base).vocab
    tokens = {doc_id: pairs for doc_id, pairs in db.session.execute(
        sa.select(Document.id, Document.tokens).where(Document.id.in_([g.document_id for g in gold])))}
    with DocBinWriter(folder / "train.spacy") as train, DocBinWriter(folder / "dev.spacy") as dev:
        for g in gold:
            pairs = [(start, end) for start, end in tokens[g.document_id]]
            doc = doc_from_annotation(vocab, g.text, pairs, g.gold,
                                      source=f"document {g.document_id}")
            if spancat:
                add_quote_parts(doc)
            (dev if g.document_id in dev_ids else train).add(doc)
    return train.count, dev.count


def _prepare_output(output: Path) -> Path:
    """An empty output folder (an existing non-empty one is refused)."""
    if output.exists() and any(output.iterdir()):
        raise TrainingError(f"{output}: the output folder exists and is not empty; choose a new one")
    output.mkdir(parents=True, exist_ok=True)
    return output.resolve()


def run_spacy_training(config_path: Path, output: Path, log: Stream, err: Stream | None) -> Path:
    """spaCy's init_nlp and training loop; the best pipeline's folder."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train
    from spacy.util import load_config

    overrides = {"training.logger.progress_bar": err is not None}
    nlp = init_nlp(load_config(config_path, overrides=overrides), use_gpu=-1)
    train(nlp, output, use_gpu=-1, stdout=log, stderr=err or log)  # type: ignore[arg-type]
    return output / "model-best"


def train_dataset(dataset: Dataset, options: Options, log: Stream, err: Stream | None = None) -> ModelVersion:
    """Train on the dataset's reviewed gold and register the result (the caller commits).

    spaCy's table of steps and scores goes to ``log``; with ``err`` (a terminal) its progress bar too.
    """
    gold = reviewed_gold(dataset)
    if len(gold) < 2:
        raise TrainingError(f"dataset {dataset.name!r} has {len(gold)} document(s) with reviewed gold; "
                            "training needs at least 2 (one is held out to score the result)")
    base = options.base or pipeline_name(dataset)
    load_pipeline(base)  # ModelNotInstalled before anything is written
    output = _prepare_output(options.output)
    train_ids, dev_ids = split([g.document_id for g in gold], options.dev_share, options.seed)
    n_train, n_dev = write_docbins(base, gold, output, set(dev_ids), spancat=options.spancat)
    log.write(f"{n_train} training and {n_dev} held-out document(s); base {base}\n")
    model_path = run_spacy_training(write_config(base, output, options), output, log, err)
    dev_gold = [g for g in gold if g.document_id in set(dev_ids)]
    scores = {"dev": evaluate_model(dataset, str(model_path), dev_gold).to_dict(),
              "base_dev": evaluate_model(dataset, base, dev_gold).to_dict(),
              "spacy": _spacy_scores(model_path), "seed": options.seed, "max_steps": options.max_steps}
    if options.spancat:
        scores["spancat"] = score_spancat(model_path, output / "dev.spacy")
    return _register(dataset, model_path, base, n_train, n_dev, scores)


def _spacy_scores(model_path: Path) -> dict[str, Any]:
    """spaCy's own dev scores of the best pipeline (from its meta.json)."""
    meta = spacy.util.load_meta(model_path / "meta.json")
    performance = meta.get("performance", {})
    return {k: performance.get(k) for k in ("ents_f", "ents_p", "ents_r")}


def score_spancat(model_path: Path, dev_path: Path) -> dict[str, Any]:
    """The trained span categoriser on the held-out share: precision, recall and F1, overall and per label
    (exact spans, spaCy's scorer), with the number of gold spans per label."""
    from spacy.scorer import Scorer
    from spacy.tokens import DocBin
    from spacy.training import Example

    nlp = spacy.load(model_path)
    gold = list(DocBin().from_disk(dev_path).get_docs(nlp.vocab))
    predicted = nlp.pipe(nlp.make_doc(doc.text) for doc in gold)
    examples = [Example(p, g) for p, g in zip(predicted, gold)]
    scores = Scorer.score_spans(examples, f"spans_{SPANS_KEY}", getter=lambda doc, key: doc.spans.get(SPANS_KEY, []),
                                allow_overlap=True)
    counts = {label: sum(s.label_ == label for g in gold for s in g.spans[SPANS_KEY]) for _, label in SPAN_PARTS}
    prefix = f"spans_{SPANS_KEY}_"
    return {"p": scores[prefix + "p"], "r": scores[prefix + "r"], "f": scores[prefix + "f"],
            "per_label": scores[prefix + "per_type"], "gold_spans": counts, "documents": len(gold)}


def _register(dataset: Dataset, path: Path, base: str, n_train: int, n_dev: int,
              scores: dict[str, Any]) -> ModelVersion:
    """The dataset's next model version."""
    number = (db.session.scalar(sa.select(sa.func.max(ModelVersion.number))
                                .where(ModelVersion.dataset_id == dataset.id)) or 0) + 1
    version = ModelVersion(dataset_id=dataset.id, number=number, path=str(path), base=base,
                           train_docs=n_train, dev_docs=n_dev, scores=scores)
    db.session.add(version)
    db.session.flush()
    return version
