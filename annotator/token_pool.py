"""A pipeline's tokenizer in a helper process: importing spaCy and tokenising overlap the caller's work.

An import of texts without tokens needs spaCy's token offsets, and importing spaCy alone takes
longer than reading and writing a thousand articles. ``TokenPool`` forks one helper process that
starts importing spaCy and loading the tokenizer (``nlp.tokenizer.load_tokenizer``, the same
tokens as in process) at once, and tokenises texts in batches as the caller submits them; each
``submit`` returns a function that gives the text's offsets (waiting if need be), in order.
Pure: nothing here imports spaCy (``annotator.nlp`` does, so this module lives outside it).
Fork before opening database connections or starting threads (the command line does it first).
"""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Callable
from multiprocessing.pool import ApplyResult

Pairs = list[tuple[int, int]]
BATCH = 32
"""Texts sent to the helper at once: few enough that it starts early, enough to amortise the exchange."""


def _warm(name: str | None) -> bool:
    """In the helper: import spaCy and load the tokenizer (when named) before the first text arrives;
    False when the pipeline is missing."""
    from annotator.nlp.pipeline import ModelNotInstalled
    from annotator.nlp.tokenizer import load_tokenizer

    try:
        if name is not None:
            load_tokenizer(name)
    except ModelNotInstalled:
        return False
    return True


def _offsets(name: str, texts: list[str]) -> list[bytes]:
    """In the helper: each text's token offsets as one flat array (start, end, start, end, ...) of int64."""
    from annotator.nlp.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(name)
    out = []
    for text in texts:
        columns = tokenizer(text).to_array(["IDX", "LENGTH"]).astype("int64")
        columns[:, 1] += columns[:, 0]
        out.append(columns.tobytes())
    return out


def pairs_of(flat: bytes) -> Pairs:
    """(start, end) pairs of a flat offset array."""
    values = array("q")
    values.frombytes(flat)
    return list(zip(values[0::2], values[1::2]))


class TokenPool:
    """Token offsets of texts from one helper process, started on creation; a context manager.

    Started without a pipeline's name, the helper imports spaCy at once and loads the tokenizer
    when ``load`` names it (the command line starts one before it knows the settings).
    """

    deferred = True
    """Offsets arrive later: callers check and store them after the rest of their work."""

    def __init__(self, name: str | None, *, batch: int = BATCH) -> None:
        self.name, self.batch = name or "", batch
        self._pool = multiprocessing.get_context("fork").Pool(1)
        self._warming: ApplyResult[bool] | None = self._pool.apply_async(_warm, (name,))
        self._texts: list[str] = []
        self._futures: list[ApplyResult[list[bytes]]] = []

    def load(self, name: str) -> None:
        """Name the pipeline whose tokenizer to use, before the first text (the helper loads it now)."""
        assert not self._futures and not self._texts, "load before submitting texts"
        self.name, self._warming = name, self._pool.apply_async(_warm, (name,))

    def submit(self, text: str) -> Callable[[], Pairs]:
        """Queue a text; the returned function gives its offsets (ModelNotInstalled from the helper)."""
        index = len(self._futures) * self.batch + len(self._texts)
        self._texts.append(text)
        if len(self._texts) >= self.batch:
            self._send()
        return lambda: self._result(index)

    def _send(self) -> None:
        """Send the queued texts as one batch."""
        if self._texts:
            self._futures.append(self._pool.apply_async(_offsets, (self.name, self._texts)))
            self._texts = []

    def _result(self, index: int) -> Pairs:
        """The offsets of the index-th text submitted."""
        if index >= len(self._futures) * self.batch:
            self._send()
        if self._warming is not None:
            if not self._warming.get():  # a missing pipeline is reported as such, not as a broken batch
                from annotator.nlp.pipeline import ModelNotInstalled  # spaCy is installed: the pipeline is not

                raise ModelNotInstalled(self.name)
            self._warming = None
        return pairs_of(self._futures[index // self.batch].get()[index % self.batch])

    def close(self) -> None:
        """Stop the helper at once (whatever it still does is dropped)."""
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> TokenPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
