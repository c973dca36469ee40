"""Background jobs on Huey: SQLite storage by default, Redis when ANNOTATOR_HUEY_URL says redis://.

The queue and its task handles live in app.extensions["annotator.jobs"] (a JobQueue); there is no
module-level app or queue, so several apps (tests) never share one. Huey is imported and the queue
opened on first use: Huey's storage module imports psycopg, a quarter of a second that commands
which never enqueue a job (`annotator --help`, `user add`, imports) should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from . import tasks

if TYPE_CHECKING:
    from huey import Huey


def make_huey(url: str, *, immediate: bool) -> Huey:
    """A Huey instance for the configured storage."""
    from huey import RedisHuey, SqliteHuey

    if url.startswith("redis://"):
        return RedisHuey("annotator", url=url, immediate=immediate)
    path = url.removeprefix("sqlite:///")
    return SqliteHuey("annotator", filename=path, immediate=immediate)


class JobQueue:
    """One app's Huey queue and task handles, created on first use."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._huey: Huey | None = None
        self._tasks: tasks.Tasks | None = None

    @property
    def huey(self) -> Huey:
        """The queue, opened (and its tasks declared) the first time it is asked for."""
        if self._huey is None:
            huey = make_huey(self.app.config["HUEY_URL"], immediate=bool(self.app.config["HUEY_IMMEDIATE"]))
            self._tasks = tasks.register(self.app, huey)
            self._huey = huey
        return self._huey

    @property
    def handles(self) -> tasks.Tasks:
        """The task handles (call one to enqueue it)."""
        if self._tasks is None:
            self.huey  # noqa: B018  (declares the tasks)
        assert self._tasks is not None
        return self._tasks


def init_app(app: Flask) -> None:
    """Give this app its (lazily opened) job queue."""
    app.extensions["annotator.jobs"] = JobQueue(app)


def queue(app: Flask | None = None) -> Huey:
    """The Huey queue of an app (the current one by default)."""
    jobs: JobQueue = (app or current_app).extensions["annotator.jobs"]
    return jobs.huey


def app_tasks(app: Flask | None = None) -> tasks.Tasks:
    """The task handles of an app (the current one by default)."""
    jobs: JobQueue = (app or current_app).extensions["annotator.jobs"]
    return jobs.handles


def start_consumer(app: Flask, *, workers: int = 1) -> Any:
    """Run the job consumer in threads of this process (used by `annotator run`, which owns the signals)."""
    from huey.consumer import Consumer

    class QuietConsumer(Consumer):  # type: ignore[misc]
        def _set_signal_handlers(self) -> None:
            """`annotator run` handles SIGTERM and Ctrl+C itself, then stops the consumer."""

    consumer = QuietConsumer(queue(app), workers=workers, worker_type="thread", periodic=False,
                             check_worker_health=False, max_delay=1.0,
                             shutdown_timeout=float(app.config["JOB_STOP_SECONDS"]))
    consumer.start()
    return consumer
