"""Killing the server or an import mid-way loses nothing acknowledged and leaves no half import."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from apptools import BACKENDS

BIN = Path(sys.executable).parent
PASSWORD = "crash horse battery"
ARTICLES = Path(__file__).resolve().parents[2] / "annotator" / "demo" / "articles"


class Instance:
    """A temporary instance folder with a migrated database, driven through the CLI."""

    def __init__(self, path: Path, database_url: str) -> None:
        self.path = path
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
        self.env.update(ANNOTATOR_INSTANCE_PATH=str(path), PYTHONUNBUFFERED="1",
                        ANNOTATOR_DATABASE_URL=database_url)

    def cli(self, *args: str, input: str | None = None) -> str:
        done = subprocess.run([str(BIN / "annotator"), *args], env=self.env, input=input, text=True,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, f"annotator {args} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def python(self, code: str) -> str:
        prelude = ("import sqlalchemy as sa\nfrom annotator import create_app\nfrom annotator.db import db\n"
                   "from annotator.models import *\napp = create_app()\napp.app_context().push()\n")
        done = subprocess.run([sys.executable, "-c", prelude + code], env=self.env, text=True,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, f"python failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout.strip()


def _empty_schema(url: str) -> None:
    """Drop every table (and Alembic's version row) of a PostgreSQL test database."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    """A migrated instance on SQLite (a file) or on this worker's PostgreSQL test database."""
    path = tmp_path / "instance"
    path.mkdir()
    if request.param == "sqlite":
        url = f"sqlite:///{path / 'annotator.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        _empty_schema(url)
    inst = Instance(path, url)
    inst.cli("db", "upgrade")
    yield inst
    if request.param != "sqlite":
        _empty_schema(url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(inst: Instance, port: int) -> subprocess.Popen[bytes]:
    """`annotator run` on a loopback port; returns once it answers."""
    log = open(inst.path / "server.log", "ab")
    process = subprocess.Popen([str(BIN / "annotator"), "run", "--host", "127.0.0.1", "--port", str(port),
                                "--job-workers", "0"], env=inst.env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (inst.path / "server.log").read_text()
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not start")


def big_jsonl(path: Path, count: int) -> Path:
    paragraphs = [p for f in sorted(ARTICLES.glob("*.txt")) for p in f.read_text().split("\n\n") if len(p) > 80]
    with path.open("w") as out:
        for i in range(count):
            text = f"Report {i}. " + paragraphs[i % len(paragraphs)]
            out.write(json.dumps({"text": text, "meta": {"n": i}}) + "\n")
    return path


@pytest.mark.parametrize("kill_in, count, options", [
    ("pre-annotating", 120, []),              # killed while spaCy works: nothing was written yet
    ("writing", 600, ["--no-preannotate"]),    # killed while rows are inserted or committed
])
def test_killed_import_leaves_nothing_or_everything(instance: Instance, tmp_path: Path, kill_in: str,
                                                    count: int, options: list[str]) -> None:
    source = big_jsonl(tmp_path / "big.jsonl", count)
    process = subprocess.Popen([str(BIN / "annotator"), "import", str(source), "--dataset", "big", *options],
                               env=instance.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    seen = b""
    while kill_in.encode() not in seen:
        chunk = process.stderr.read1(4096)  # type: ignore[attr-defined]
        assert chunk, f"the import ended before {kill_in!r}: {seen[-2000:]!r}"
        seen += chunk
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    found = instance.python(
        "ds = db.session.scalar(sa.select(Dataset).where(Dataset.name == 'big'))\n"
        "docs = 0 if ds is None else db.session.scalar(sa.select(sa.func.count(Document.id)).where(Document.dataset_id == ds.id))\n"
        "sets = db.session.scalar(sa.select(sa.func.count(AnnotationSet.id)))\n"
        "print(docs, sets)")
    docs, sets = map(int, found.split())
    expected_sets = 0 if options else count
    assert (docs, sets) in ((0, 0), (count, expected_sets)), found
    again = subprocess.run([str(BIN / "annotator"), "import", str(source), "--dataset", "big", "--no-preannotate"],
                           env=instance.env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert instance.python(
        "print(db.session.scalar(sa.select(sa.func.count(Document.id))))") == str(count)


@pytest.fixture
def token_and_set(instance: Instance) -> tuple[str, int]:
    """An annotator with an API token and an empty (seeded) set of one imported article."""
    instance.cli("user", "add", "anna", "--password-stdin", input=PASSWORD + "\n")
    instance.cli("import", str(ARTICLES / "01-marrenburg-council-tram-vote.txt"), "--dataset", "news")
    out = instance.python(
        "from annotator.services.tokens import issue_token\n"
        "from annotator.services.annotations import ensure_seeded, user_set\n"
        "anna = db.session.scalar(sa.select(User).where(User.name == 'anna'))\n"
        "doc = db.session.scalar(sa.select(Document))\n"
        "aset = user_set(doc.id, anna, create=True)\n"
        "ensure_seeded(aset)\n"
        "_, token = issue_token(anna, 'crash test')\n"
        "db.session.commit()\n"
        "print(token, aset.id)")
    token, set_id = out.split()
    return token, int(set_id)


def stance(i: int) -> dict[str, object]:
    return {"op": "upsert", "layer": "stances", "item": {
        "uid": f"crash-{i}", "polarity": "favor", "holder": "the council", "target": "the tram",
        "evidence": {"start": 0, "end": 10}}}


def test_killed_server_keeps_every_acknowledged_save(instance: Instance, token_and_set: tuple[str, int]) -> None:
    token, set_id = token_and_set
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/sets/{set_id}"
    headers = {"Authorization": f"Bearer {token}"}
    server = start_server(instance, port)
    acknowledged: list[int] = []
    stop = threading.Event()

    def save_until_refused() -> None:
        with requests.Session() as http:
            version = http.get(url, headers=headers, timeout=10).json()["version"]
            i = 0
            while not stop.is_set():
                try:
                    response = http.put(url, headers=headers, json={"version": version, "ops": [stance(i)]}, timeout=10)
                except requests.RequestException:
                    return
                if response.status_code == 200:
                    acknowledged.append(i)
                    version = response.json()["version"]
                i += 1

    saver = threading.Thread(target=save_until_refused)
    saver.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(acknowledged) >= 20, "the server acknowledged too few saves"
        os.kill(server.pid, signal.SIGKILL)  # while saves are in flight
        server.wait(timeout=30)
    finally:
        stop.set()
        saver.join(30)
        if server.poll() is None:
            server.kill()
    port = free_port()
    restarted = start_server(instance, port)
    try:
        payload = requests.get(f"http://127.0.0.1:{port}/api/sets/{set_id}", headers=headers, timeout=10).json()
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
    stored = {s["uid"] for s in payload["annotation"]["stances"]}
    missing = [i for i in acknowledged if f"crash-{i}" not in stored]
    assert not missing, f"acknowledged saves lost: {missing}"
    assert payload["version"] >= len(acknowledged) + 1
