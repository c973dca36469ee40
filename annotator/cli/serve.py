"""`annotator run`: serve the app with waitress, run the job consumer beside it, stop cleanly.

The first SIGTERM or Ctrl+C stops taking connections, lets in-flight requests finish (for up to
SERVER_STOP_SECONDS), stops the job workers (JOB_STOP_SECONDS) and exits 0; a second one exits
at once. Connection limit and idle timeouts come from the SERVER_* settings.
"""

from __future__ import annotations

import glob
import os
import signal
import threading
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..jobs import start_consumer


def _stop_signals() -> threading.Event:
    """An event set by the first SIGTERM or SIGINT; a second one ends the process at once."""
    stop = threading.Event()

    def handle(signum: int, _frame: Any) -> None:
        if stop.is_set():
            os._exit(128 + signum)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def _more_file_handles() -> None:
    """Raise the open-file limit to the hard limit, so the connection limit can be reached."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def _private_database(app: Flask) -> None:
    """SQLite files made by an older version may be readable by others: make them the owner's only."""
    url = str(app.config["DATABASE_URL"])
    if url.startswith("sqlite:///"):
        for path in glob.glob(glob.escape(url.removeprefix("sqlite:///")) + "*"):
            os.chmod(path, 0o600)


def _socket_map(server: Any) -> dict[int, Any]:
    """The dispatchers of a waitress server (one listener, or several)."""
    return server.map if hasattr(server, "map") else server._map


def _serve_until(server: Any, stop: threading.Event) -> None:
    """Run waitress's event loop until the stop event is set."""
    socket_map = _socket_map(server)
    while not stop.is_set():
        server.asyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)


def _drain(server: Any, seconds: float) -> None:
    """Stop listening, finish in-flight requests (up to `seconds`), close every connection."""
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer
    from waitress.wasyncore import dispatcher

    socket_map = _socket_map(server)
    server.asyncore.loop(timeout=0.05, map=socket_map, use_poll=True, count=1)  # take what already arrived
    for listener in [d for d in socket_map.values() if isinstance(d, BaseWSGIServer)]:
        dispatcher.close(listener)  # the listening socket only; its wake-up pipe stays for replies
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for channel in [d for d in list(socket_map.values()) if isinstance(d, HTTPChannel)]:
            if not channel.requests and not channel.total_outbufs_len:  # idle: nothing owed to it
                channel.handle_close()
        if not any(isinstance(d, HTTPChannel) for d in socket_map.values()):
            break
        server.asyncore.loop(timeout=0.1, map=socket_map, use_poll=True, count=1)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=max(deadline - time.monotonic(), 0.1))
    server.asyncore.close_all(socket_map)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--job-workers", default=1, show_default=True, type=int,
              help="Background job threads (imports from the web page); 0 to run them elsewhere.")
@with_appcontext
def run_command(host: str, port: int, threads: int, job_workers: int) -> None:
    """Serve on HOST:PORT with waitress (a production WSGI server) until SIGTERM or Ctrl+C."""
    from waitress import create_server

    from ..services.job_runs import fail_abandoned_jobs  # imported when serving: the CLI starts at once

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    _private_database(app)
    failed = fail_abandoned_jobs()
    if failed:
        click.echo(f"Marked {failed} job(s) failed: the process running them had stopped.")
    _more_file_handles()
    server = create_server(
        app, host=host, port=port, threads=threads, ident="annotator",
        connection_limit=int(config["SERVER_CONNECTION_LIMIT"]),
        channel_timeout=int(config["SERVER_CHANNEL_TIMEOUT"]),
        cleanup_interval=int(config["SERVER_CLEANUP_INTERVAL"]))
    stop = _stop_signals()
    consumer = start_consumer(app, workers=job_workers) if job_workers else None
    click.echo(f"Serving annotator on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        _serve_until(server, stop)
        click.echo("Stopping: finishing the requests in progress…")
        _drain(server, float(config["SERVER_STOP_SECONDS"]))
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
    click.echo("Stopped.")
