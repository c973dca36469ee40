"""A live `annotator run` server for browser tests, and helpers to drive it (imported by conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
E2E_PASSWORD = "e2e horse battery staple"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A running server and its environment: run CLI commands or Python against the same database."""

    base_url: str
    instance_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `annotator ARGS...` in the server's environment; raise with its output on failure."""
        done = subprocess.run([str(BIN / "annotator"), *args], env=self.env, input=input, text=True,
                              capture_output=True, timeout=300)
        if done.returncode != 0:
            raise AssertionError(f"annotator {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def python(self, code: str) -> str:
        """Run Python in an app context of the server's app (`app` and `db` are defined); return stdout."""
        prelude = ("from annotator import create_app\nfrom annotator.db import db\n"
                   "app = create_app()\napp.app_context().push()\n")
        done = subprocess.run([sys.executable, "-c", prelude + code], env=self.env, text=True,
                              capture_output=True, timeout=300)
        if done.returncode != 0:
            raise AssertionError(f"python failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def add_user(self, name: str, role: str = "annotator", password: str = E2E_PASSWORD) -> None:
        """Create an account through the CLI."""
        self.cli("user", "add", name, "--role", role, "--password-stdin", input=password + "\n")

    def assign(self, dataset: str, user: str) -> list[int]:
        """Give a user (seeded) sets of every document of a dataset; return the set ids in document order."""
        out = self.python(
            "import sqlalchemy as sa\n"
            "from annotator.models import Dataset, Document, User\n"
            "from annotator.services.annotations import ensure_seeded, user_set\n"
            f"ds = db.session.scalar(sa.select(Dataset).where(Dataset.name == {dataset!r}))\n"
            f"who = db.session.scalar(sa.select(User).where(User.name == {user!r}))\n"
            "docs = db.session.scalars(sa.select(Document).where(Document.dataset_id == ds.id).order_by(Document.id))\n"
            "sets = [user_set(d.id, who, create=True) for d in docs]\n"
            "[ensure_seeded(s) for s in sets]\n"
            "db.session.commit()\n"
            "print(' '.join(str(s.id) for s in sets))\n")
        return [int(x) for x in out.split()]

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base_url + path


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s:\n{log.read_text()}")


def log_in(page: object, server: LiveServer, name: str, password: str = E2E_PASSWORD) -> None:
    """Log in through the login form."""
    page.goto(server.url("/login"))  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit], input[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(lambda url: "/login" not in url)  # type: ignore[attr-defined]
