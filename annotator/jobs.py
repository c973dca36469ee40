"""Background jobs on Huey: SQLite storage by default, Redis when ANNOTATOR_HUEY_URL says redis://."""

from __future__ import annotations

from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

huey: Huey | None = None
_app: Flask | None = None


def make_huey(url: str, *, immediate: bool) -> Huey:
    """A Huey instance for the configured storage."""
    if url.startswith("redis://"):
        return RedisHuey("annotator", url=url, immediate=immediate)
    path = url.removeprefix("sqlite:///")
    return SqliteHuey("annotator", filename=path, immediate=immediate)


def init_app(app: Flask) -> None:
    """Create the queue for this app; tasks run inside its app context."""
    global huey, _app
    huey = make_huey(app.config["HUEY_URL"], immediate=bool(app.config["HUEY_IMMEDIATE"]))
    _app = app
    from . import tasks

    tasks.register(huey)
    app.extensions["huey"] = huey


def app_for_task() -> Flask:
    """The app whose context a task runs in."""
    if _app is None:
        raise RuntimeError("jobs.init_app was not called")
    return _app


def start_consumer(app: Flask, *, workers: int = 1) -> Any:
    """Run the job consumer in threads of this process (used by `annotator run`)."""
    consumer = app.extensions["huey"].create_consumer(workers=workers, worker_type="thread",
                                                      periodic=False, check_worker_health=False)
    consumer.start()
    return consumer
