"""Import and export at scale: time and peak memory for 1,000, 5,000 and 20,000 generated articles.

Each article has ~614 words with spaCy-style tokens, 72 entities, 5 quotes and 4 stances, written
as gold in our JSONL. Every import and export runs as the real command in a child process
(`annotator import`, `annotator export`) on a fresh migrated database, and its peak memory is the
child's ru_maxrss. Prints, per size: import time and peak, export time and peak for JSONL, a
folder of spaCy shards and doccano, and the growth ratios between sizes (flat memory means
ratios near 1 while time grows with the size).

Targets (issue 16): import of 20,000 documents under 400 MB peak; spaCy export of 20,000 sets under
400 MB peak and within 2x the JSONL export's time.

Run: .venv/bin/python benchmarks/bench_scale.py [SIZES...] [--pg URL]
     (default sizes 1000 5000 20000; add 100000 when asked; --pg, or ANNOTATOR_TEST_DATABASE_URL as
     `make bench` sets it, runs on PostgreSQL too, in a throwaway database created on that server)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.formats.jsonl import dumps_task, task_from_annotation  # noqa: E402
from annotator.spans import Annotation, Entity, Quote, Span, Stance  # noqa: E402

WORDS = ("the council said plan would rail port vote city budget report official minister trade court "
         "ruling tariff steel strike union health agency warning federation week new after before "
         "against over under their its local national workers prices").split()
NAMES = (("Ana Ruiz", "PERSON"), ("Omar Diaz", "PERSON"), ("Marrenburg", "GPE"), ("Valdoria", "GPE"),
         ("the Steel Union", "ORG"), ("Nairobi", "GPE"), ("Monday", "DATE"), ("the Health Agency", "ORG"))
ANNOTATOR = [sys.executable, "-c", "from annotator.cli import main; main()"]


class Builder:
    """Builds a text and its token offsets together, the way spaCy would tokenize it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.tokens: list[tuple[int, int]] = []
        self.length = 0

    def token(self, word: str, *, space: bool = True) -> tuple[int, int]:
        """Append a token (with a space before it unless at the start or glued)."""
        if self.parts and space and not self.parts[-1].endswith("\n"):
            self.parts.append(" ")
            self.length += 1
        start = self.length
        self.parts.append(word)
        self.length += len(word)
        self.tokens.append((start, self.length))
        return start, self.length

    def words(self, text: str, *, glue_first: bool = False) -> tuple[int, int]:
        """Append several tokens; the span they cover."""
        spans = [self.token(w, space=not (glue_first and i == 0)) for i, w in enumerate(text.split())]
        return spans[0][0], spans[-1][1]

    @property
    def text(self) -> str:
        return "".join(self.parts)


def article(rng: random.Random, n: int) -> tuple[str, list[tuple[int, int]], Annotation]:
    """8 paragraphs of 4 sentences (~610 words), 71 names; 5 quotes and 4 stances."""
    b = Builder()
    b.words(f"Report {n} .")
    entities: list[Entity] = []
    quotes: list[Quote] = []
    stances: list[Stance] = []
    for p in range(8):
        for s in range(4):
            if p < 5 and s == 0:  # a quote: Name said “...” .
                name, label = rng.choice(NAMES[:2])
                who = b.words(name)
                entities.append(Entity(f"e{len(entities) + 1}", *who, label))
                cue = b.words("said")
                b.token("“")
                content = b.words(" ".join(rng.choice(WORDS) for _ in range(12)), glue_first=True)
                b.token("”", space=False)
                quotes.append(Quote(f"q{p + 1}", Span(*content), "direct", Span(*cue), Span(*who),
                                    entities[-1].uid))
            else:
                first = len(entities)
                start = b.length + 1
                for _ in range(3 if p < 5 else 2 if s else 1):
                    b.words(" ".join(rng.choice(WORDS) for _ in range(6)))
                    name, label = rng.choice(NAMES)
                    entities.append(Entity(f"e{len(entities) + 1}", *b.words(name), label))
                end = b.length
                if p >= 5 and s == 1 or p == 7 and s == 2:
                    stances.append(Stance(f"s{len(stances) + 1}", "against", Span(start, end), "",
                                          entities[first].uid, target="the plan"))
            b.token(".", space=False)
        b.token("\n\n", space=False)
    text = b.text
    return text, b.tokens, Annotation(entities=entities, quotes=quotes, stances=stances)


def write_file(path: Path, count: int) -> None:
    """Our JSONL, gold sets, ``count`` articles."""
    rng = random.Random(count)
    with path.open("wb") as fh:
        for n in range(count):
            text, tokens, annotation = article(rng, n)
            fh.write(dumps_task(task_from_annotation(text, {"n": n}, tokens, annotation, annotator_id="gold",
                                                     status="reviewed")))


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run the command in a child; (wall seconds, CPU seconds, peak MB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    probe = [sys.executable, "-c",
             "import resource, runpy, sys; sys.argv = sys.argv[1:]\n"
             "from annotator.cli import main\n"
             "try:\n    main()\nfinally:\n"
             "    print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
             "annotator", *args]
    done = subprocess.run(probe, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"annotator {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    peak = max(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("MAXRSS"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak / 1024


def environment(instance: Path, database: str | None) -> dict[str, str]:
    env = {**os.environ, "ANNOTATOR_INSTANCE_PATH": str(instance), "PYTHONPATH": str(ROOT)}
    env["ANNOTATOR_DATABASE_URL"] = database or f"sqlite:///{instance / 'bench.sqlite'}"
    return env


def pg_database(url: str, name: str) -> Iterator[str]:
    """A throwaway database on the server of ``url``."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def measure(size: int, source: Path, folder: Path, database: str | None) -> dict[str, tuple[float, float, float]]:
    """Import then export one file on a fresh database; each step's (wall, CPU, peak MB)."""
    instance = folder / f"instance-{size}"
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir()
    env = environment(instance, database)
    run(["db", "upgrade"], env)
    steps = {
        "import": ["import", str(source), "--dataset", "bench", "--as", "gold"],
        "export jsonl": ["export", "--dataset", "bench", "-o", str(folder / "out.jsonl")],
        "export spacy (shards)": ["export", "--dataset", "bench", "--format", "spacy", "-o", str(folder / "shards")],
        "export doccano": ["export", "--dataset", "bench", "--format", "doccano", "-o", str(folder / "out.doccano.jsonl")],
    }
    out: dict[str, tuple[float, float, float]] = {}
    for step, args in steps.items():
        out[step] = run(args, env)
        wall, cpu, peak = out[step]
        print(f"  {size:>6} documents, {step}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MB", flush=True)
    shutil.rmtree(folder / "shards", ignore_errors=True)
    return out


def report(backend: str, results: dict[int, dict[str, tuple[float, float, float]]]) -> None:
    """The table and the growth ratios."""
    sizes = sorted(results)
    print(f"\n{backend}: wall s / CPU s / peak MB of the command (child process)")
    for step in results[sizes[0]]:
        cells = "  ".join(f"{n:>6}: {w:6.1f} s {c:6.1f} cpu {m:5.0f} MB" for n in sizes
                          for w, c, m in [results[n][step]])
        print(f"  {step:<22} {cells}")
    for a, b in zip(sizes, sizes[1:]):
        grow = "  ".join(f"{step}: time x{results[b][step][1] / results[a][step][1]:.1f}, "
                         f"memory x{results[b][step][2] / results[a][step][2]:.2f}" for step in results[a])
        print(f"  {a} -> {b} (x{b / a:g} documents): {grow}")
    big = results[sizes[-1]]
    print(f"  at {sizes[-1]}: import peak {big['import'][2]:.0f} MB (target < 400), spaCy export peak "
          f"{big['export spacy (shards)'][2]:.0f} MB (target < 400), spaCy / JSONL export CPU time "
          f"{big['export spacy (shards)'][1] / big['export jsonl'][1]:.2f}x (target <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 20000])
    parser.add_argument("--pg", default=os.environ.get("ANNOTATOR_TEST_DATABASE_URL"),
                        help="a PostgreSQL URL (postgresql+psycopg://...) to run there too "
                             "(default: ANNOTATOR_TEST_DATABASE_URL, which `make bench` sets when PostgreSQL is installed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {}
        for size in args.sizes:
            files[size] = folder / f"articles-{size}.jsonl"
            start = time.perf_counter()
            write_file(files[size], size)
            print(f"generated {size} articles ({files[size].stat().st_size / 1e6:.0f} MB) "
                  f"in {time.perf_counter() - start:.1f} s", flush=True)
        report("SQLite", {n: measure(n, files[n], folder, None) for n in args.sizes})
        if args.pg:
            results = {}
            for n in args.sizes:
                for url in pg_database(args.pg, f"annotator_bench_{n}"):
                    results[n] = measure(n, files[n], folder, url)
            report("PostgreSQL", results)


if __name__ == "__main__":
    main()
