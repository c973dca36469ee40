"""Chunks built by several processes come back whole and in order; a helper's failure fails the export."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence

import pytest

from annotator.services.export_workers import Built, ExportWorkerFailed, built_in_order

CHUNKS = [[1, 2], [3, 4], [5, 6], [7], [8, 9], [10]]


def build(chunk: Sequence[int]) -> Built:
    """Each chunk's ids as text, tagged with the process that built it."""
    return Built([f"{list(chunk)}@{os.getpid()};".encode(), b"second part"], len(chunk), [f"left out {chunk[0]}"])


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_chunks_come_back_in_order_from_every_process(workers: int) -> None:
    built = list(built_in_order(CHUNKS, build, workers))
    assert [b.parts[0].decode().split("@")[0] for b in built] == [str(c) for c in CHUNKS]
    assert all(b.parts[1] == b"second part" for b in built)
    assert [b.written for b in built] == [len(c) for c in CHUNKS]
    assert [b.skipped for b in built] == [[f"left out {c[0]}"] for c in CHUNKS]
    builders = {b.parts[0].decode().split("@")[1] for b in built}
    assert len(builders) == min(workers, len(CHUNKS))
    assert not multiprocessing.active_children()


def test_start_runs_in_each_helper_before_its_chunks() -> None:
    started: list[int] = []

    def tagged(chunk: Sequence[int]) -> Built:
        return Built([f"{started}".encode()], len(chunk))

    built = list(built_in_order(CHUNKS, tagged, 2, start=lambda: started.append(os.getpid())))
    assert [b.parts for b in built[0::2]] == [[b"[]"]] * 3  # this process never runs start
    assert all(b.parts != [b"[]"] for b in built[1::2])


def failing(chunk: Sequence[int]) -> Built:
    """Chunk [3, 4] (a helper's with 2 workers) and [5, 6] (this process's) fail."""
    if chunk[0] in (3, 5):
        raise ValueError(f"chunk {chunk[0]} is broken")
    return build(chunk)


def test_a_helper_error_fails_the_export_with_its_traceback() -> None:
    with pytest.raises(ExportWorkerFailed, match="ValueError: chunk 3 is broken"):
        list(built_in_order(CHUNKS, failing, 2))
    assert not multiprocessing.active_children()


def test_an_error_here_stops_the_helpers() -> None:
    with pytest.raises(ValueError, match="chunk 5 is broken"):
        list(built_in_order([[1], [2], [5], [4]], failing, 2))
    assert not multiprocessing.active_children()


def test_a_helper_that_dies_fails_the_export() -> None:
    def dying(chunk: Sequence[int]) -> Built:
        if chunk[0] == 3:
            os._exit(3)
        return build(chunk)

    with pytest.raises(ExportWorkerFailed, match="exit code 3"):
        list(built_in_order(CHUNKS, dying, 2))


def test_stopping_early_stops_the_helpers() -> None:
    chunks = built_in_order([[i] for i in range(50)], build, 3)
    assert next(chunks).written == 1
    chunks.close()
    assert not multiprocessing.active_children()
