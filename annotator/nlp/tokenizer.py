"""A pipeline's tokenizer alone, loaded cheaply: token offsets of texts without the pipeline's components.

Token boundaries come from spaCy (one offset convention). Texts that arrive without tokens (an
annotated import) need only the tokenizer, so this reads the pipeline's serialised tokenizer
rules (``<pipeline>/tokenizer``: prefixes, suffixes, infixes, special cases, URL and token
matches) into a bare ``Tokenizer``: 0.08 s, where loading the pipeline without its components
takes 0.5 s and with them 0.8 s. A pipeline whose config names another tokenizer factory is
loaded with all its components excluded, so the tokens are always the pipeline's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from spacy.tokenizer import Tokenizer
from spacy.util import get_model_meta, get_package_path, is_package, load_config
from spacy.vocab import Vocab

from annotator.nlp.pipeline import ModelNotInstalled

SPACY_TOKENIZER = "spacy.Tokenizer.v1"
Pairs = list[tuple[int, int]]


def _data_path(name: str) -> Path | None:
    """The folder holding a pipeline's config.cfg: an installed package's data folder, or a path."""
    if is_package(name):
        package = get_package_path(name)
        meta = get_model_meta(package)
        return package / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    path = Path(name)
    return path if (path / "config.cfg").is_file() else None


@cache
def load_tokenizer(name: str) -> Callable[[str], Any]:
    """The named pipeline's tokenizer (text to Doc), loaded once per process; ModelNotInstalled if missing."""
    try:
        path = _data_path(name)
        if path is not None and (path / "tokenizer").exists():
            config = load_config(path / "config.cfg")
            if config["nlp"]["tokenizer"].get("@tokenizers") == SPACY_TOKENIZER:
                tokenizer: Callable[[str], Any] = Tokenizer(Vocab()).from_disk(path / "tokenizer")
                return tokenizer
        if path is None and not is_package(name):
            raise ModelNotInstalled(name)
        meta = get_model_meta(path) if path is not None else {}
        return spacy.load(name, exclude=list(meta.get("components", []))).tokenizer
    except (OSError, ImportError, KeyError, ValueError) as error:
        raise ModelNotInstalled(name) from error


def token_offsets(name: str, texts: Iterable[str]) -> Iterator[Pairs]:
    """The (start, end) character offsets of every token of each text, in order."""
    tokenizer = load_tokenizer(name)
    for text in texts:
        columns = tokenizer(text).to_array(["IDX", "LENGTH"])  # no Python object per token
        starts: list[int] = columns[:, 0].tolist()
        yield list(zip(starts, [s + n for s, n in zip(starts, columns[:, 1].tolist())]))
