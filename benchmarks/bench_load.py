"""Load test: 20 annotators saving edits at once against `annotator run` (waitress) on 127.0.0.1.

Usage: .venv/bin/python benchmarks/bench_load.py [--seconds 60] [--users 20] [--threads 8]
       [--database-url postgresql+psycopg://...]   (default: SQLite in a temporary instance)

Each simulated annotator logs in through the form with its own session, takes the CSRF token from a
page, and saves one stance at a time to its own assigned set (PUT /api/sets/<id>), reading the set
back (GET) after every --read-every saves. At the end every acknowledged save (HTTP 200) must be in
the database; the script exits 1 if one is missing or any request failed. It reports p50/p95/max of
saves and reads. Only loopback traffic.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "load horse battery staple"
ARTICLES = ROOT / "annotator" / "demo" / "articles"


@dataclass
class Annotator:
    """One simulated person: name, set, and what happened to their saves."""

    name: str
    set_id: int
    latencies: list[float] = field(default_factory=list)
    reads: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(env: dict[str, str], users: int) -> list[Annotator]:
    """Migrate, then create the annotators, import the demo articles and give each a set."""
    subprocess.run([str(BIN / "annotator"), "db", "upgrade"], env=env, check=True, capture_output=True)
    os.environ.update(env)
    from annotator import create_app
    from annotator.db import db
    from annotator.services.annotations import ensure_seeded, user_set
    from annotator.services.importer import Record, get_or_create_dataset, import_records
    from annotator.services.users import create_user

    app = create_app()
    with app.app_context():
        texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))]
        dataset = get_or_create_dataset("Load test")
        doc_ids = import_records(dataset, [Record(text=t) for t in texts]).document_ids
        people = []
        for i in range(users):
            user = create_user(f"load{i:02d}", PASSWORD)
            aset = user_set(doc_ids[i % len(doc_ids)], user, create=True)
            assert aset is not None
            ensure_seeded(aset)
            people.append(Annotator(user.name, aset.id))
        db.session.commit()
        db.engine.dispose()
    return people


def start_server(env: dict[str, str], port: int, threads: int) -> subprocess.Popen[bytes]:
    """`annotator run` on 127.0.0.1; returns once it answers."""
    process = subprocess.Popen([str(BIN / "annotator"), "run", "--host", "127.0.0.1", "--port", str(port),
                                "--threads", str(threads), "--job-workers", "0"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited early")
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start within 60 s")


def read_back(http: requests.Session, url: str, person: Annotator) -> None:
    """Read the set, as the editor does on load; a failure counts as an error."""
    started = time.perf_counter()
    try:
        response = http.get(url, timeout=60)
    except requests.RequestException as err:
        person.errors.append(f"read {type(err).__name__}")
        return
    person.reads.append(time.perf_counter() - started)
    if response.status_code != 200:
        person.errors.append(f"read HTTP {response.status_code}")


def work(base: str, person: Annotator, until: float, read_every: int = 5) -> None:
    """Log in, then save one new stance after another until the time is up."""
    http = requests.Session()
    try:
        form = http.get(f"{base}/login", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        http.post(f"{base}/login", data={"name": person.name, "password": PASSWORD, "csrf_token": token},
                  timeout=30).raise_for_status()
        page = http.get(f"{base}/", timeout=30).text
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        url = f"{base}/api/sets/{person.set_id}"
        version = http.get(url, timeout=30).json()["version"]
    except (requests.RequestException, AttributeError, KeyError) as err:
        person.errors.append(f"login: {err}")
        return
    i = 0
    while time.monotonic() < until:
        uid = f"{person.name}-{i}"
        body = {"version": version, "ops": [{"op": "upsert", "layer": "stances", "item": {
            "uid": uid, "polarity": "favor", "holder": person.name, "target": "the load test",
            "evidence": {"start": 0, "end": 20}}}]}
        started = time.perf_counter()
        try:
            response = http.put(url, json=body, headers={"X-CSRFToken": csrf}, timeout=60)
        except requests.RequestException as err:
            person.errors.append(type(err).__name__)
            continue
        person.latencies.append(time.perf_counter() - started)
        if response.status_code == 200:
            person.acknowledged.append(uid)
            version = response.json()["version"]
        else:
            person.errors.append(f"HTTP {response.status_code}")
            if response.status_code == 409:
                version = response.json()["current"]["version"]
        i += 1
        if read_every and i % read_every == 0:
            read_back(http, url, person)


def lost_saves(people: list[Annotator]) -> list[str]:
    """Acknowledged saves that are not in the database."""
    import sqlalchemy as sa

    from annotator import create_app
    from annotator.db import db
    from annotator.models import StanceItem

    with create_app().app_context():
        missing = []
        for person in people:
            stored = set(db.session.scalars(sa.select(StanceItem.uid).where(StanceItem.set_id == person.set_id)))
            missing += [uid for uid in person.acknowledged if uid not in stored]
        db.engine.dispose()
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="How long the annotators keep saving.")
    parser.add_argument("--users", type=int, default=20, help="Simulated annotators.")
    parser.add_argument("--threads", type=int, default=8, help="Waitress worker threads.")
    parser.add_argument("--read-every", type=int, default=5, help="Read the set back after every N saves.")
    parser.add_argument("--database-url", help="Database to use (default: SQLite in a temporary instance).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="annotator-load-") as instance:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
        env.update(ANNOTATOR_INSTANCE_PATH=instance,
                   ANNOTATOR_DATABASE_URL=args.database_url or f"sqlite:///{instance}/annotator.sqlite")
        people = prepare(env, args.users)
        port = free_port()
        server = start_server(env, port, args.threads)
        try:
            until = time.monotonic() + args.seconds
            workers = [threading.Thread(target=work, args=(f"http://127.0.0.1:{port}", p, until, args.read_every))
                       for p in people]
            began = time.monotonic()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.monotonic() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
        missing = lost_saves(people)
    latencies = sorted(t for p in people for t in p.latencies)
    saves = sum(len(p.acknowledged) for p in people)
    errors = [e for p in people for e in p.errors]
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.users} annotators, {args.seconds:.0f} s, waitress with {args.threads} threads, {backend}")
    print(f"acknowledged saves: {saves} ({saves / elapsed:.1f}/s)")
    report("save", latencies)
    report("read", sorted(t for p in people for t in p.reads))
    print(f"errors: {len(errors)}" + (f" ({', '.join(sorted(set(errors))[:5])})" if errors else ""))
    print(f"acknowledged saves missing from the database: {len(missing)}")
    return 1 if missing or errors or not saves else 0


def report(what: str, latencies: list[float]) -> None:
    """Print p50, p95 and the maximum of sorted latencies."""
    if not latencies:
        return
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"{what} latency p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms ({len(latencies)} requests)")


if __name__ == "__main__":
    sys.exit(main())
