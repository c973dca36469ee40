"""Pre-annotation in chunks on the job queue: speed with 1 and 2 worker processes, memory per worker.

Usage: .venv/bin/python benchmarks/bench_workers.py [--articles 160] [--chunk 10] [--workers 1 2]

A throw-away instance (SQLite database and SQLite job queue) imports the demo articles, made
unique and repeated to --articles texts. For each worker count, `annotator worker --workers N`
runs beside the importing process, which only hands out chunks and waits (PREANNOTATE_LOCAL_WORK
off), so all pre-annotation happens in the workers. Workers are warmed up first (spaCy loaded).
Prints wall time, articles/s, the speed-up of each count over 1 (target: 2 workers >= 1.8x)
and the peak resident memory of each worker process (target < 600 MB). The machine's other
load skews wall times: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import create_app  # noqa: E402
from annotator.db import db  # noqa: E402
from annotator.services.importer import Record, get_or_create_dataset, import_records  # noqa: E402

DEMO = ROOT / "annotator" / "demo" / "articles"


def texts(n: int, tag: str) -> list[str]:
    """n distinct article texts built from the demo articles."""
    base = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    return [f"{base[i % len(base)]}\n(Edition {tag}-{i}.)" for i in range(n)]


def start_workers(folder: Path, huey_url: str, workers: int) -> subprocess.Popen[bytes]:
    """`annotator worker` with its own instance folder, sharing the job queue."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANNOTATOR_INSTANCE_PATH": str(folder / "worker"),
           "ANNOTATOR_HUEY_URL": huey_url, "ANNOTATOR_DATABASE_URL": f"sqlite:///{folder / 'worker.sqlite'}"}
    return subprocess.Popen([sys.executable, "-c", "from annotator.cli import main; main()", "worker",
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL)


def children(pid: int) -> list[int]:
    """Process ids of a process's children (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        raw = (task / "children").read_text().split() if (task / "children").exists() else []
        found += [int(p) for p in raw]
    return found


def peak_mb(pid: int) -> float:
    """Peak resident memory of a process in MB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(app: object, workers: int, n: int, folder: Path, huey_url: str) -> tuple[float, list[float]]:
    """Seconds to import n plain texts with that many worker processes; each worker's peak MB."""
    proc = start_workers(folder, huey_url, workers)
    try:
        with app.app_context():  # type: ignore[attr-defined]
            size = app.config["PREANNOTATE_CHUNK_SIZE"]  # type: ignore[attr-defined]
            app.config["PREANNOTATE_CHUNK_SIZE"] = 1  # type: ignore[attr-defined]  # one text per chunk:
            import_records(get_or_create_dataset(f"warm-{workers}"),  # every worker loads spaCy now
                           [Record(t) for t in texts(3 * workers, f"warm{workers}")])
            db.session.commit()
            app.config["PREANNOTATE_CHUNK_SIZE"] = size  # type: ignore[attr-defined]
            records = [Record(t) for t in texts(n, f"run{workers}")]
            start = time.perf_counter()
            result = import_records(get_or_create_dataset(f"run-{workers}"), records)
            db.session.commit()
            seconds = time.perf_counter() - start
            assert result.imported == n
        return seconds, [peak_mb(pid) for pid in children(proc.pid)]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    """Time each worker count and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=160)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        huey_url = f"sqlite:///{folder / 'jobs.sqlite'}"
        os.environ["ANNOTATOR_INSTANCE_PATH"] = str(folder / "main")
        app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'main.sqlite'}", "HUEY_URL": huey_url,
                          "HUEY_IMMEDIATE": False, "PREANNOTATE_CHUNK_SIZE": args.chunk,
                          "PREANNOTATE_LOCAL_WORK": False, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
        times: dict[int, float] = {}
        print(f"{args.articles} articles in chunks of {args.chunk}; {os.cpu_count()} CPU(s)")
        print(f"{'workers':>7} {'seconds':>8} {'articles/s':>11} {'speed-up':>9}  peak MB per worker")
        for workers in args.workers:
            seconds, peaks = run(app, workers, args.articles, folder, huey_url)
            times[workers] = seconds
            first = times[args.workers[0]]
            print(f"{workers:7d} {seconds:8.1f} {args.articles / seconds:11.2f} {first / seconds:9.2f}x  "
                  + ", ".join(f"{mb:.0f}" for mb in peaks))
        if 1 in times and 2 in times:
            print(f"ratio 2 workers / 1: {times[1] / times[2]:.2f}x (target >= 1.8)")


if __name__ == "__main__":
    main()
