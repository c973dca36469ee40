"""Background jobs on Huey: SQLite storage by default, Redis when ANNOTATOR_HUEY_URL says redis://.

The queue lives in app.extensions["huey"] and the task handles in app.extensions["annotator.tasks"];
there is no module-level app or queue, so several apps (tests) never share one.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

from . import tasks


def make_huey(url: str, *, immediate: bool) -> Huey:
    """A Huey instance for the configured storage."""
    if url.startswith("redis://"):
        return RedisHuey("annotator", url=url, immediate=immediate)
    path = url.removeprefix("sqlite:///")
    return SqliteHuey("annotator", filename=path, immediate=immediate)


def init_app(app: Flask) -> None:
    """Create the queue for this app and declare its tasks."""
    huey = make_huey(app.config["HUEY_URL"], immediate=bool(app.config["HUEY_IMMEDIATE"]))
    app.extensions["huey"] = huey
    app.extensions["annotator.tasks"] = tasks.register(app, huey)


def app_tasks(app: Flask | None = None) -> tasks.Tasks:
    """The task handles of an app (the current one by default)."""
    found: tasks.Tasks = (app or current_app).extensions["annotator.tasks"]
    return found


def start_consumer(app: Flask, *, workers: int = 1) -> Any:
    """Run the job consumer in threads of this process (used by `annotator run`, which owns the signals)."""
    from huey.consumer import Consumer

    class QuietConsumer(Consumer):  # type: ignore[misc]
        def _set_signal_handlers(self) -> None:
            """`annotator run` handles SIGTERM and Ctrl+C itself, then stops the consumer."""

    consumer = QuietConsumer(app.extensions["huey"], workers=workers, worker_type="thread", periodic=False,
                             check_worker_health=False, max_delay=1.0,
                             shutdown_timeout=float(app.config["JOB_STOP_SECONDS"]))
    consumer.start()
    return consumer
