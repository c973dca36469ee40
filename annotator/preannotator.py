"""Pure: the pre-annotator, every spaCy setting in one object, built once from the app's settings.

``create_app`` builds one (``Preannotator.from_settings``) and keeps it in
``app.extensions["annotator.preannotator"]``; services receive it (``services.preannotation.current``
fetches the app's one) and nothing else reads the spaCy settings. It names the pipeline a dataset
pre-annotates with, gives the tokenizer, loads pipelines (``nlp.load_pipeline``'s LRU cache) and warms
a worker up. spaCy is imported on first use, so building it (and the command line) costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from annotator.vocab import DEFAULT_LABELS, NEW_DATASET_LABELS

if TYPE_CHECKING:  # spaCy where used: the command line starts at once
    from spacy.language import Language

    from annotator.nlp import PreAnnotated

C = TypeVar("C")
Pairs = list[tuple[int, int]]
SETTINGS = ("SPACY_MODEL", "SPACY_BATCH_SIZE", "SPACY_N_PROCESS", "CUES_LEXICON", "STANCE_LEXICON",
            "PREANNOTATE_CHUNK_SIZE", "PREANNOTATE_CHUNK_TIMEOUT", "PREANNOTATE_LOCAL_WORK", "DEFAULT_LABELS",
            "LABEL_MAP", "MODELS_FOLDER")
"""The settings only ``Preannotator.from_settings`` reads (a layering test holds every other module to it)."""
WARM_UP_TEXT = "“We are ready,” the mayor said on Monday."


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to pre-annotate like a dataset asks (picklable, no database)."""

    model: str
    labels: tuple[str, ...]
    label_map: tuple[tuple[str, str], ...] = ()
    cues_path: str | None = None
    stances_path: str | None = None
    batch_size: int = 64
    n_process: int = 1


def run(settings: Settings, items: Sequence[tuple[str, C]]) -> Iterator[tuple[PreAnnotated, C]]:
    """Pre-annotate texts in this process with the settings' pipeline, carrying each one's context along."""
    from annotator import nlp

    pipeline = nlp.load_pipeline(settings.model)
    return nlp.preannotate(pipeline, items, labels=settings.labels, label_map=dict(settings.label_map) or None,
                           batch_size=settings.batch_size, n_process=settings.n_process,
                           cues_path=settings.cues_path, stances_path=settings.stances_path)


@dataclass(frozen=True)
class Preannotator:
    """The spaCy settings of one app: the default pipeline, lexicons, batching, chunks and new-dataset defaults."""

    model: str
    batch_size: int = 64
    n_process: int = 1
    cues_path: str | None = None
    stances_path: str | None = None
    chunk_size: int = 0
    """Batches with more plain texts than this go to the job queue in chunks of it (0: never)."""
    chunk_timeout: float = 900.0
    local_work: bool = True
    new_labels: tuple[str, ...] = NEW_DATASET_LABELS
    label_map: tuple[tuple[str, str], ...] = ()
    models_folder: str = "models"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], instance_path: str) -> Preannotator:
        """Build it from an app's settings (config.defaults names each one); the only reader of them."""
        return cls(model=str(settings["SPACY_MODEL"]), batch_size=int(settings["SPACY_BATCH_SIZE"]),
                   n_process=int(settings["SPACY_N_PROCESS"]), cues_path=settings["CUES_LEXICON"] or None,
                   stances_path=settings["STANCE_LEXICON"] or None,
                   chunk_size=int(settings.get("PREANNOTATE_CHUNK_SIZE") or 0),
                   chunk_timeout=float(settings.get("PREANNOTATE_CHUNK_TIMEOUT", 900)),
                   local_work=bool(settings.get("PREANNOTATE_LOCAL_WORK", True)),
                   new_labels=tuple(settings["DEFAULT_LABELS"]),
                   label_map=tuple(sorted(dict(settings["LABEL_MAP"]).items())),
                   models_folder=str(settings.get("MODELS_FOLDER") or os.path.join(instance_path, "models")))

    def pipeline(self, chosen: str | None = None) -> str:
        """The pipeline a dataset pre-annotates with: its chosen one, else the configured default."""
        return chosen or self.model

    def settings(self, *, model: str | None = None, labels: Sequence[str] = DEFAULT_LABELS,
                 label_map: Mapping[str, str] | None = None) -> Settings:
        """Settings for one batch: a pipeline (the default one unless given), labels and label map."""
        return Settings(model=self.pipeline(model), labels=tuple(labels),
                        label_map=tuple(sorted((label_map or {}).items())), cues_path=self.cues_path,
                        stances_path=self.stances_path, batch_size=self.batch_size, n_process=self.n_process)

    def load(self, model: str | None = None) -> Language:
        """A pipeline (the default one unless named), kept loaded by nlp.load_pipeline; ModelNotInstalled if missing."""
        from annotator.nlp import load_pipeline

        return load_pipeline(self.pipeline(model))

    def tokens(self, text: str) -> Pairs:
        """The token offsets of a text from the default pipeline's tokenizer alone; ModelNotInstalled if missing."""
        from annotator.nlp.tokenizer import token_offsets

        return next(token_offsets(self.model, [text]))

    def warm_up(self, model: str | None = None) -> None:
        """Load a pipeline and the lexicons into this process (a job worker's start), so its first batch is fast."""
        list(run(self.settings(model=model), [(WARM_UP_TEXT, None)]))
