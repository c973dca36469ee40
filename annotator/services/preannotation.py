"""Pre-annotation for a dataset with its chosen pipeline, in this process or in chunks on the job queue.

A large batch is cut into chunks that run as separate jobs, so every worker process on every
machine sharing the queue (Redis) takes part. The process that asked waits for them and works
on chunks nobody has taken yet, so it never waits on an idle queue. Claims, results and errors
pass through the queue's key-value storage. A chunk that fails is retried by the queue; when it
keeps failing the whole batch fails (the caller then writes nothing, so a file imports all or
nothing) and names the records of that chunk.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app

from ..checks import validate
from ..models import Dataset
from ..spans import Annotation
from ..tokens import DocTokens
from ..preannotator import Preannotator, Settings, run

if TYPE_CHECKING:  # spaCy (and Huey, which imports psycopg) where used: the command line starts at once
    from huey import Huey

    from ..nlp import PreAnnotated

C = TypeVar("C")
log = logging.getLogger(__name__)
Progress = Callable[[int], None]


class ChunkFailed(RuntimeError):
    """A chunk of texts that could not be pre-annotated, even after retries."""


KEY = "annotator.preannotator"


def current() -> Preannotator:
    """The current app's pre-annotator (built once in create_app): where every service fetches it."""
    preannotator: Preannotator = current_app.extensions[KEY]
    return preannotator


def pipeline_name(dataset: Dataset, preannotator: Preannotator | None = None) -> str:
    """The dataset's chosen pipeline, or the configured default."""
    return (preannotator or current()).pipeline(dataset.spacy_model)


def settings_for(dataset: Dataset, *, model: str | None = None,
                 preannotator: Preannotator | None = None) -> Settings:
    """Pre-annotation settings for a dataset (its pipeline unless ``model`` is given)."""
    return (preannotator or current()).settings(model=model or dataset.spacy_model, labels=dataset.entity_labels,
                                                label_map=dataset.label_map)


def check_output(dataset: Dataset, text: str, tokens: list[tuple[int, int]], annotation: Annotation) -> None:
    """The one item check on a pipeline's output before it is stored (its tokens, the dataset's
    vocabulary): every path that writes a model set calls this; SpanError says what fails."""
    validate(annotation, text, labels=dataset.entity_labels or None,
             polarities=dataset.stance_polarities or None, bounds=DocTokens(text, tokens))


def preannotate(dataset: Dataset, items: Sequence[tuple[str, C]], *, progress: Progress | None = None,
                model: str | None = None, first: int = 0,
                preannotator: Preannotator | None = None) -> Iterator[tuple[PreAnnotated, C]]:
    """Pre-annotate texts for a dataset: in chunks on the job queue when there are many.

    ``first`` counts the texts before these (a file's earlier batches), so errors name the right ones.
    """
    pre = preannotator or current()
    settings = settings_for(dataset, model=model, preannotator=pre)
    if pre.chunk_size <= 0 or len(items) <= pre.chunk_size:
        for done, pair in enumerate(run(settings, items), 1):
            if progress:
                progress(done)
            yield pair
        return
    from ..jobs import queue

    yield from Chunks(queue(), settings, items, pre, first).results(progress)


POLL_FIRST, POLL_MAX, ERROR_CHECK = 0.01, 0.2, 1.0
"""Seconds between looks for the next chunk's result (backing off), and between looks for failed chunks."""


def equal_chunks(items: Sequence[C], size: int) -> list[Sequence[C]]:
    """Items cut into as few chunks as ``size`` allows, of equal length (give or take one), so no worker
    is left with a short last chunk while the others wait."""
    count = -(-len(items) // size)
    step, extra = divmod(len(items), count)
    bounds = [n * step + min(n, extra) for n in range(count + 1)]
    return [items[a:b] for a, b in zip(bounds, bounds[1:])]


class Chunks:
    """One batch of texts split into chunks on the job queue; results() gathers them."""

    def __init__(self, huey: Huey, settings: Settings, items: Sequence[tuple[str, Any]], preannotator: Preannotator,
                 first: int = 0) -> None:
        self.huey, self.settings, self.key = huey, settings, f"preannotate:{secrets.token_hex(8)}"
        self.first = first
        self.chunks = equal_chunks(items, preannotator.chunk_size)
        self.timeout, self.local_work = preannotator.chunk_timeout, preannotator.local_work
        self.seen: dict[int, float] = {}
        self.taken: set[int] = set()  # chunks someone claimed (here or elsewhere)
        self.done_here = 0

    def results(self, progress: Progress | None) -> Iterator[tuple[PreAnnotated, Any]]:
        """Queue every chunk, then yield the results in input order, working on unclaimed chunks meanwhile."""
        from ..jobs import app_tasks

        self.huey.put(f"{self.key}:open", "1")
        try:
            for n, chunk in enumerate(self.chunks):
                app_tasks().preannotate_chunk(self.key, n, self.settings, [text for text, _ in chunk])
            yield from self._gather(progress)
        finally:
            self.huey.delete(f"{self.key}:open")
            for n in range(len(self.chunks)):
                for suffix in ("claim", "result", "error"):
                    self.huey.delete(f"{self.key}:{n}:{suffix}")

    def _gather(self, progress: Progress | None) -> Iterator[tuple[PreAnnotated, Any]]:
        """Yield results in input order as chunks finish; run an unclaimed chunk here while the next is not ready.

        Only the next chunk's result is looked for (one cheap query, backing off while it runs), so the
        waiting process leaves the CPU to the workers; failed chunks are looked for every ERROR_CHECK s.
        """
        pending, wait, errors_checked = set(range(len(self.chunks))), POLL_FIRST, time.monotonic()
        for n in range(len(self.chunks)):
            while not self._has(n, "result"):
                if time.monotonic() - errors_checked > ERROR_CHECK:
                    self._check_errors(pending)
                    errors_checked = time.monotonic()
                if self._work_on(pending):
                    continue
                time.sleep(wait)
                wait = min(wait * 1.5, POLL_MAX)
            self._check_errors({n})
            wait = POLL_FIRST
            pending.discard(n)
            for pre, (_, context) in zip(self.huey.get(f"{self.key}:{n}:result"), self.chunks[n]):
                yield pre, context
            if progress:
                progress(sum(len(c) for c in self.chunks[:n + 1]))

    def _has(self, n: int, suffix: str) -> bool:
        """Whether chunk n has a result (or an error) stored, without reading it."""
        return bool(self.huey.storage.has_data_for_key(f"{self.key}:{n}:{suffix}"))

    def _check_errors(self, pending: set[int]) -> None:
        """ChunkFailed naming the records when a pending chunk failed for good."""
        for n in sorted(pending):
            if self._has(n, "error"):
                error = self.huey.get(f"{self.key}:{n}:error", peek=True)
                raise ChunkFailed(f"pre-annotating {self._where(n)} failed: {error}")

    def _work_on(self, pending: set[int]) -> bool:
        """Take one chunk nobody has claimed (or whose worker went quiet) and run it here; whether it did."""
        now = time.monotonic()
        for n in sorted(pending):
            stale = now - self.seen.setdefault(n, now) > self.timeout
            if n in self.taken and not stale:
                continue
            if (self.local_work and claim(self.huey, self.key, n)) or stale:
                self.taken.add(n)
                self._run_here(n)
                return True
            self.taken.add(n)
        return False

    def _run_here(self, n: int) -> None:
        """Run chunk n in this process and store its result like a worker would."""
        try:
            store(self.huey, self.key, n, self.settings, [text for text, _ in self.chunks[n]])
        except Exception as err:
            log.exception("pre-annotation chunk %s/%s failed", self.key, n)
            raise ChunkFailed(f"pre-annotating {self._where(n)} failed: {type(err).__name__}: {err}") from err
        self.seen[n] = time.monotonic()
        self.done_here += 1

    def _where(self, n: int) -> str:
        """Which records a chunk holds, counted from 1."""
        first = self.first + sum(len(c) for c in self.chunks[:n]) + 1
        return f"texts {first} to {first + len(self.chunks[n]) - 1}"


def claim(huey: Huey, key: str, n: int) -> bool:
    """Claim chunk n of a batch; False when someone already has it."""
    return bool(huey.put_if_empty(f"{key}:{n}:claim", "1"))


def store(huey: Huey, key: str, n: int, settings: Settings, texts: list[str]) -> None:
    """Pre-annotate one chunk and put its results where the batch's owner finds them."""
    results = [pre for pre, _ in run(settings, [(text, None) for text in texts])]
    huey.put(f"{key}:{n}:result", results)


def run_chunk(huey: Huey, key: str, n: int, settings: Settings, texts: list[str], *, last_try: bool) -> None:
    """A queued chunk: run it unless claimed or its batch is over; on its last failing try, report why."""
    if not claim(huey, key, n):
        return
    if huey.get(f"{key}:open", peek=True) is None:
        huey.delete(f"{key}:{n}:claim")
        return
    try:
        store(huey, key, n, settings, texts)
    except Exception as err:
        log.exception("pre-annotation chunk %s/%s failed", key, n)
        if last_try:
            huey.put(f"{key}:{n}:error", f"{type(err).__name__}: {err}")
        else:
            huey.delete(f"{key}:{n}:claim")  # free it for the retry
        raise
