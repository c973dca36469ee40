"""Pre-annotation in chunks on the job queue: speed with 1 and 2 worker processes, memory per worker.

Usage: .venv/bin/python benchmarks/bench_workers.py [--articles 160] [--chunk 10] [--workers 1 2] [--no-ceiling]

A throw-away instance (SQLite database and SQLite job queue) imports the demo articles, made
unique and repeated to --articles texts. For each worker count, `annotator worker --workers N`
runs beside the importing process, which only hands out chunks and waits (PREANNOTATE_LOCAL_WORK
off), so all pre-annotation happens in the workers. Each worker process loads spaCy as it starts;
timing begins once every worker is loaded and idle.

Prints per worker count: wall time, articles/s, the importing process's CPU seconds, each worker's
CPU seconds and peak resident memory (target < 600 MB), and the 1-minute load average before and
after. Then the ratio of wall times, 1 worker over 2 (target >= 1.8), and, as evidence that does
not depend on the machine's other load, the split of the CPU work: the busiest of the 2 workers'
CPU seconds against the 1 worker's (the best wall-time ratio an idle 2-core machine allows).
Last, the machine's own ceiling for this work: the same texts through spaCy's `nlp.pipe` alone, in 1 and
then 2 spawned processes (no queue, no database), timed from a common start once both have loaded; the
ratio of those wall times is what 2 workers could at best reach here.
Other load inflates wall times: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
    """Process ids of a consumer's worker processes (Linux /proc): Huey starts its scheduler process first."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        raw = (task / "children").read_text().split() if (task / "children").exists() else []
        found += [int(p) for p in raw]
    return sorted(found, key=lambda p: int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[19]))[1:]


def peak_mb(pid: int) -> float:
    """Peak resident memory of a process in MB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a live process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wait_until_idle(proc: subprocess.Popen[bytes], workers: int, timeout: float = 300) -> list[int]:
    """The worker processes' ids, once all have started, loaded spaCy and gone idle."""
    deadline, last = time.monotonic() + timeout, -1.0
    while time.monotonic() < deadline:
        time.sleep(1)
        pids = children(proc.pid)
        used = sum(cpu_seconds(pid) for pid in pids)
        if len(pids) == workers and used > 0.5 * workers and used - last < 0.05 * workers:
            return pids
        last = used
    raise SystemExit(f"{workers} worker(s) did not start within {timeout:.0f} s")


def warm_up(app: Any, workers: int) -> None:
    """A small import through the workers first: this process's one-off costs stay out of the timing."""
    pre = app.extensions["annotator.preannotator"]
    app.extensions["annotator.preannotator"] = replace(pre, chunk_size=1)
    import_records(get_or_create_dataset(f"warm-{workers}"), [Record(t) for t in texts(2 * workers, "warm")])
    db.session.commit()
    app.extensions["annotator.preannotator"] = pre


@dataclass
class Run:
    """One timed import."""

    seconds: float
    main_cpu: float
    worker_cpu: list[float]
    peaks: list[float]
    load: tuple[float, float]


def run(app: object, workers: int, n: int, folder: Path, huey_url: str) -> Run:
    """Import n plain texts with that many worker processes: wall time, CPU seconds, peak MB, load."""
    proc = start_workers(folder, huey_url, workers)
    try:
        pids = wait_until_idle(proc, workers)
        with app.app_context():  # type: ignore[attr-defined]
            warm_up(app, workers)
            records = [Record(t) for t in texts(n, f"run{workers}")]
            before, load, cpu = {pid: cpu_seconds(pid) for pid in pids}, os.getloadavg()[0], own_cpu()
            start = time.perf_counter()
            result = import_records(get_or_create_dataset(f"run-{workers}"), records)
            db.session.commit()
            seconds = time.perf_counter() - start
            assert result.imported == n
            return Run(seconds, own_cpu() - cpu, [cpu_seconds(pid) - before[pid] for pid in pids],
                       [peak_mb(pid) for pid in pids], (load, os.getloadavg()[0]))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def report(runs: dict[int, Run], articles: int) -> None:
    """The ratio of wall times and the split of CPU work, 1 worker against 2, with their targets."""
    if 1 not in runs or 2 not in runs:
        return
    one, two = runs[1], runs[2]
    print(f"ratio 2 workers / 1 (wall): {one.seconds / two.seconds:.2f}x (target >= 1.8; "
          f"load {one.load[0]:.1f}-{two.load[1]:.1f} on {os.cpu_count()} CPU(s))")
    busiest = max(two.worker_cpu)
    print(f"CPU split: 1 worker {sum(one.worker_cpu):.1f} s; 2 workers {' + '.join(f'{c:.1f}' for c in two.worker_cpu)} s"
          f" -> busiest {busiest:.1f} s, ratio {sum(one.worker_cpu) / busiest:.2f}x (target >= 1.8); "
          f"importing process {two.main_cpu:.1f} s")
    print(f"CPU per article: {sum(one.worker_cpu) / articles * 1000:.0f} ms (1 worker), "
          f"{sum(two.worker_cpu) / articles * 1000:.0f} ms (2 workers)")
    worst = max(max(r.peaks) for r in runs.values())
    print(f"peak memory per worker: {worst:.0f} MB (target < 600)")


def _pipe_alone(texts_: list[str], model: str, start: Any, out: Any) -> None:
    """One process of the ceiling run: load spaCy, wait for the common start, pipe its texts, report seconds."""
    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(texts_[:4]))
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts_, batch_size=10):
        pass
    out.put((time.perf_counter() - began, time.process_time() - cpu))


def ceiling(n: int, model: str) -> float:
    """Wall-time ratio of spaCy alone on n texts in 1 process against the same texts split over 2."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    walls = {}
    for procs in (1, 2):
        all_texts, start, out = texts(n, f"ceiling{procs}"), context.Barrier(procs + 1), context.Queue()
        workers = [context.Process(target=_pipe_alone, args=(all_texts[i::procs], model, start, out))
                   for i in range(procs)]
        for worker in workers:
            worker.start()
        start.wait()
        results = [out.get() for _ in workers]
        for worker in workers:
            worker.join()
        walls[procs] = max(wall for wall, _ in results)
        cpus = ", ".join(f"{cpu:.1f}" for _, cpu in results)
        print(f"spaCy alone, {procs} process(es): {walls[procs]:.1f} s (CPU s {cpus})")
    print(f"machine ceiling, 2 processes / 1 (wall): {walls[1] / walls[2]:.2f}x")
    return walls[1] / walls[2]


def main() -> None:
    """Time each worker count and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=160)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-ceiling", action="store_true", help="skip spaCy alone in 1 and 2 processes")
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
        runs: dict[int, Run] = {}
        print(f"{args.articles} articles in chunks of {args.chunk}; {os.cpu_count()} CPU(s)")
        print(f"{'workers':>7} {'seconds':>8} {'articles/s':>11} {'speed-up':>9} {'main CPU s':>10}  "
              "CPU s per worker  peak MB per worker  load before-after")
        for workers in args.workers:
            runs[workers] = r = run(app, workers, args.articles, folder, huey_url)
            first = runs[args.workers[0]].seconds
            print(f"{workers:7d} {r.seconds:8.1f} {args.articles / r.seconds:11.2f} {first / r.seconds:9.2f}x "
                  f"{r.main_cpu:10.1f}  {', '.join(f'{c:.1f}' for c in r.worker_cpu):16}  "
                  f"{', '.join(f'{mb:.0f}' for mb in r.peaks):18}  {r.load[0]:.1f}-{r.load[1]:.1f}")
        report(runs, args.articles)
        if not args.no_ceiling:
            ceiling(args.articles, str(app.extensions["annotator.preannotator"].model))


if __name__ == "__main__":
    main()
