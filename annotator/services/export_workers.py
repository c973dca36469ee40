"""An export built by several processes: chunk k by process k % workers, written in order.

A line format's lines depend only on their own set, and a spaCy shard only on its own Docs, so
chunks of sets can be built side by side and written one after the other. The caller's process
builds every ``workers``-th chunk itself; forked helper processes build the others, each sending
its chunks back over a pipe in order. Forked once the app is loaded (nothing is imported twice),
holding no database connection (db.release_for_fork). A failing helper fails the export with
its error. Knows nothing of the database: ``build`` and ``start`` come from the caller.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess


@dataclass
class Built:
    """One chunk's output: its parts (bytes to write in order: lines, or one shard each), how many
    sets it wrote, and the sets it left out (named, why)."""

    parts: list[bytes]
    written: int
    skipped: list[str] = field(default_factory=list)


Build = Callable[[Sequence[int]], Built]


class ExportWorkerFailed(RuntimeError):
    """A helper process failed or stopped: the export is incomplete."""


def built_in_order(chunks: Sequence[Sequence[int]], build: Build, workers: int,
                   start: Callable[[], None] = lambda: None) -> Iterator[Built]:
    """``build(chunk)`` of every chunk, in order, with ``workers`` processes (this one included);
    ``start`` runs first in each helper (e.g. to drop connections inherited from the parent)."""
    workers = max(1, min(workers, len(chunks)))
    helpers: list[tuple[BaseProcess, Connection]] = []
    try:
        gc.freeze()  # what exists now is never scanned by the helpers' collector: fewer pages copied
        try:
            for index in range(1, workers):
                helpers.append(_fork(chunks[index::workers], build, start))
        finally:
            gc.unfreeze()
        for k, chunk in enumerate(chunks):
            yield build(chunk) if k % workers == 0 else _receive(*helpers[k % workers - 1])
    finally:
        for process, conn in helpers:
            conn.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _fork(chunks: Sequence[Sequence[int]], build: Build, start: Callable[[], None]) -> tuple[BaseProcess, Connection]:
    """Start a helper building ``chunks``; (the process, the end to receive from)."""
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_serve, args=(send, chunks, build, start), name="annotator-export", daemon=True)
    process.start()
    send.close()
    return process, receive


def _serve(send: Connection, chunks: Sequence[Sequence[int]], build: Build, start: Callable[[], None]) -> None:
    """In a helper: build each chunk and send it; on an error, send its traceback and stop."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # told to stop (the export ended): stop at once
    try:
        start()
        for chunk in chunks:
            built = build(chunk)
            send.send(("ok", len(built.parts), built.written, built.skipped))
            for part in built.parts:
                send.send_bytes(part)  # unpickled: no copy made on either side
    except BaseException:  # noqa: BLE001 - the parent reports it; this process ends here
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


def _receive(process: BaseProcess, conn: Connection) -> Built:
    """The helper's next chunk; ExportWorkerFailed with its traceback, or when it died."""
    try:
        tag, *value = conn.recv()
        if tag != "ok":
            raise ExportWorkerFailed(f"an export helper process failed:\n{value[0]}")
        count, written, skipped = value
        return Built([conn.recv_bytes() for _ in range(count)], written, skipped)
    except EOFError:
        process.join(timeout=5)
        raise ExportWorkerFailed(f"an export helper process stopped (exit code {process.exitcode})") from None
