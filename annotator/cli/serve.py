"""`annotator run`: serve the app with waitress and run the job consumer beside it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..jobs import start_consumer


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--job-workers", default=1, show_default=True, type=int,
              help="Background job threads (imports from the web page); 0 to run them elsewhere.")
@with_appcontext
def run_command(host: str, port: int, threads: int, job_workers: int) -> None:
    """Serve on HOST:PORT with waitress (a production WSGI server)."""
    from waitress import serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    consumer = start_consumer(app, workers=job_workers) if job_workers else None
    click.echo(f"Serving annotator on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        serve(app, host=host, port=port, threads=threads, ident="annotator")
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
