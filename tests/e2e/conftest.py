"""Browser-test fixtures: a live `annotator run` server on a temporary instance, and Chromium pages.

Helpers live in live_server.py (import them from there: `from live_server import LiveServer, log_in`);
they are re-exported here for older imports; the shared app helpers are in ../apptools.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from live_server import (  # noqa: F401  (re-exported)
    BIN, CHROMIUM_ARGS, E2E_PASSWORD, LiveServer, _wait_until_up, free_port, log_in,
)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`annotator run` (waitress) on a free port, with a migrated SQLite database in a temp instance."""
    instance = tmp_path_factory.mktemp("instance")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
    env.update(ANNOTATOR_INSTANCE_PATH=str(instance),
               ANNOTATOR_DATABASE_URL=f"sqlite:///{instance / 'annotator.sqlite'}",
               PYTHONUNBUFFERED="1")
    port = free_port()
    live = LiveServer(f"http://127.0.0.1:{port}", instance, env)
    live.cli("db", "upgrade")
    log = instance / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "annotator"), "run", "--host", "127.0.0.1", "--port", str(port), "--job-workers", "0"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(live.base_url, process, log)
        yield live
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("the browser tests need Debian's 'chromium' package (make test installs it as root)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[Callable[[], object]]:
    """Open pages, each in its own browser context (own cookies); all closed after the test."""
    contexts = []

    def make() -> object:
        context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], object]) -> object:
    """One page in a fresh browser context."""
    return new_page()
