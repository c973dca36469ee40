"""Start-up, import, export and edit speed on synthetic data: 1,000 articles of ~600 words with 73k spans.

Whole commands (issue 13.6), each timed in a child process, best of three: `annotator --help` and
`annotator user add` within 2.5x of `python -c "import flask, sqlalchemy"`; `annotator import` of
1,000 pre-annotated doccano articles (73k spans, no tokens in the file) <= 1.5 s; `annotator
export` of them as JSONL <= 1.0 s. Wall time and the child's CPU time are both printed: on a
busy machine wall time mostly measures the queue for a core. The import's CPU time includes its
tokenizer helper process (annotator.token_pool), which runs beside it on the second core.
In process: export <= 0.5 s, import of annotated JSONL <= 1 s, a single-span edit <= 5 ms; then
export throughput and peak memory on 20,000 documents. Run: .venv/bin/python benchmarks/bench_data.py
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import spacy
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator import create_app  # noqa: E402
from annotator.db import db  # noqa: E402
from annotator.formats.doccano import doccano_from_annotation  # noqa: E402
from annotator.formats.jsonl import dumps_task, task_from_annotation  # noqa: E402
from annotator.models import AnnotationSet, Dataset, EntitySpan  # noqa: E402
from annotator.services.annotations import Op, apply_ops  # noqa: E402
from annotator.services.exporter import MAX_WORKERS, export_stream  # noqa: E402
from annotator.services.importer import Record, get_or_create_dataset, import_records  # noqa: E402
from annotator.services.sources import read_path  # noqa: E402
from annotator.spans import Annotation, Entity, Quote, Span, Stance  # noqa: E402

WORDS = ("the council said plan would rail port vote city budget report official minister trade "
         "court ruling tariff steel strike union health agency warning federation week").split()
NAMES = ("Ana Ruiz", "Berlin", "Marrenburg", "Valdoria", "Eskaria", "Nairobi", "Santa Lucia", "Norvania")
LABELS = ("PERSON", "GPE", "GPE", "GPE", "GPE", "GPE", "GPE", "GPE")
NLP = spacy.blank("en")


def article(rng: random.Random, n: int) -> tuple[str, Annotation]:
    """About 600 words with 73 entity names, one quote and one stance."""
    parts: list[str] = [f"Report {n}:"]
    names: list[tuple[int, int, str]] = []
    length = len(parts[0])
    for i in range(73):
        words = " ".join(rng.choice(WORDS) for _ in range(6))
        name_index = rng.randrange(len(NAMES))
        start = length + 1 + len(words) + 1
        names.append((start, start + len(NAMES[name_index]), LABELS[name_index]))
        piece = f"{words} {NAMES[name_index]}{'.' if i % 4 == 3 else ''}"
        parts.append(piece)
        length += 1 + len(piece)
    text = " ".join(parts) + " officials said."
    entities = [Entity(f"e{i + 1}", s, e, label) for i, (s, e, label) in enumerate(names)]
    first, second = entities[0], entities[1]
    quote = Quote("q1", Span(first.end + 1, second.start - 1), "indirect", None, first.span, first.uid)
    stance = Stance("s1", "against", Span(first.start, second.end), "", first.uid, target="the plan")
    return text, Annotation(entities=entities, quotes=[quote], stances=[stance])


def write_jsonl(path: Path, count: int, offset: int = 0) -> int:
    """Write `count` gold-annotated articles in our JSONL; return how many spans they hold."""
    rng, spans = random.Random(offset), 0
    with path.open("wb") as fh:
        for n in range(offset, offset + count):
            text, annotation = article(rng, n)
            tokens = [(t.idx, t.idx + len(t)) for t in NLP.make_doc(text)]
            fh.write(dumps_task(task_from_annotation(text, {"n": n}, tokens, annotation, annotator_id="gold")))
            spans += len(annotation.entities)
    return spans


def records(count: int, offset: int) -> list[Record]:
    """Gold-annotated articles as import records, without a file."""
    rng, out = random.Random(offset), []
    for n in range(offset, offset + count):
        text, annotation = article(rng, n)
        tokens = [(t.idx, t.idx + len(t)) for t in NLP.make_doc(text)]
        out.append(Record(text=text, meta={"n": n}, tokens=tokens, annotation=annotation, annotator_id="gold"))
    return out


def timed_import(path: Path, dataset: Dataset) -> tuple[float, float]:
    """Wall and CPU seconds of importing a file (committed)."""
    start, cpu = time.perf_counter(), time.process_time()
    import_records(dataset, read_path(path, labels=dataset.entity_labels), target="gold")
    db.session.commit()
    return time.perf_counter() - start, time.process_time() - cpu


def timed_export(dataset: Dataset) -> tuple[float, int, int, float]:
    """Wall seconds, lines, bytes and CPU seconds of exporting a dataset's gold."""
    start, cpu, count, size = time.perf_counter(), time.process_time(), 0, 0
    for line in export_stream(dataset, fmt="annotator", only="gold"):
        count, size = count + 1, size + len(line)
    return time.perf_counter() - start, count, size, time.process_time() - cpu


def edit_time(dataset: Dataset, edits: int = 200) -> tuple[float, float]:
    """Mean wall and CPU seconds per single-span upsert through apply_ops, committed like the API does."""
    aset = db.session.scalar(sa.select(AnnotationSet).where(AnnotationSet.kind == "gold").limit(1))
    assert aset is not None
    rows = list(db.session.scalars(sa.select(EntitySpan).where(EntitySpan.set_id == aset.id)))
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(edits):
        value = rows[i % len(rows)].to_value()
        label = "GPE" if value.label == "PERSON" else "PERSON"
        apply_ops(aset, [Op("upsert", "entities", value.uid, Entity(value.uid, value.start, value.end, label))],
                  user=None, expected_version=aset.version)
        db.session.commit()
    return (time.perf_counter() - start) / edits, (time.process_time() - cpu) / edits


ROOT = Path(__file__).resolve().parents[1]


def child(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, float]:
    """(wall, CPU) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(args: list[str], env: dict[str, str], runs: int = 3) -> tuple[float, float]:
    """Best wall and best CPU time of a few runs."""
    times = [child(args, env) for _ in range(runs)]
    return min(t[0] for t in times), min(t[1] for t in times)


def write_doccano(path: Path, count: int) -> int:
    """Pre-annotated doccano JSONL (no tokens), as another tool would export it; spans written."""
    rng, spans = random.Random(3), 0
    with path.open("wb") as fh:
        for n in range(count):
            text, annotation = article(rng, n)
            fh.write(dumps_task(doccano_from_annotation(text, annotation, record_id=n)))
            spans += len(annotation.entities)
    return spans


def commands() -> None:
    """Start-up and whole-command import and export, against their targets."""
    annotator = [sys.executable, "-c", "from annotator.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "ANNOTATOR_INSTANCE_PATH": str(folder), "PYTHONPATH": str(ROOT),
               "ANNOTATOR_DATABASE_URL": f"sqlite:///{folder / 'cmd.sqlite'}",
               # Bytecode cached as after any install (in the temporary folder: the checkout stays clean);
               # otherwise every run compiles the package from source while flask and sqlalchemy do not.
               "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"load: {load()}; child processes use a bytecode cache (PYTHONPYCACHEPREFIX)")
        child([*annotator, "db", "upgrade"], env)  # untimed: also fills the bytecode cache
        base = best([sys.executable, "-c", "import flask, sqlalchemy"], env)
        print(f"start-up: python -c 'import flask, sqlalchemy' {base[0]:.2f} s wall, {base[1]:.2f} s CPU")
        for name, args, stdin in (("annotator --help", ["--help"], ""),
                                  ("annotator user add", ["user", "add", "--password-stdin", "bench-user"],
                                   "a-long-password\n")):
            wall, cpu = _user_add(annotator, env, stdin) if "user" in args else best([*annotator, *args], env)
            print(f"start-up: {name}: {wall:.2f} s wall ({wall / base[0]:.1f}x), {cpu:.2f} s CPU "
                  f"({cpu / base[1]:.1f}x) (target <= 2.5x)")
        spans = write_doccano(folder / "doccano.jsonl", 1000)
        imports = []
        for run in range(3):
            imports.append(child([*annotator, "import", str(folder / "doccano.jsonl"), "--dataset", f"d{run}",
                                  "--as", "gold"], env))
        print(f"command: annotator import of 1000 doccano articles ({spans} spans, no tokens): "
              f"{min(i[0] for i in imports):.2f} s wall, {min(i[1] for i in imports):.2f} s CPU with its tokenizer "
              f"helper process, which imports spaCy alongside (target <= 1.5 s wall)")
        for workers in ("1", str(min(os.cpu_count() or 1, MAX_WORKERS))):
            wall, cpu = best([*annotator, "export", "--dataset", "d0", "-o", str(folder / "out.jsonl"),
                              "--workers", workers], env)
            print(f"command: annotator export of them as JSONL, --workers {workers}: {wall:.2f} s wall, "
                  f"{cpu:.2f} s CPU, helpers included (target <= 1.0 s wall)")
        print(f"load: {load()} (wall times above this machine's core count are mostly queueing)")


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes): wall times on a loaded machine are queueing."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def _user_add(annotator: list[str], env: dict[str, str], stdin: str) -> tuple[float, float]:
    """`annotator user add` three times, with a new name each time."""
    times = [child([*annotator, "user", "add", "--password-stdin", f"bench-{i}"], env, stdin) for i in range(3)]
    return min(t[0] for t in times), min(t[1] for t in times)


def main() -> None:
    commands()
    print(f"load: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}", "SECRET_KEY": "bench",
                          "HUEY_IMMEDIATE": True, "HUEY_URL": f"sqlite:///{folder / 'jobs.sqlite'}"})
        with app.app_context():
            db.create_all()
            spans = write_jsonl(folder / "a.jsonl", 1000)
            dataset = get_or_create_dataset("bench")
            db.session.commit()
            seconds, cpu = timed_import(folder / "a.jsonl", dataset)
            print(f"import: 1000 annotated documents, {spans} spans in {seconds:.2f} s, {cpu:.2f} s CPU (target <= 1 s)")
            seconds, count, _, cpu = timed_export(dataset)
            print(f"export: {count} annotation sets in {seconds:.2f} s, {cpu:.2f} s CPU (target <= 0.5 s)")
            wall, cpu = edit_time(dataset)
            print(f"edit: one span through apply_ops with {spans} spans stored: "
                  f"{wall * 1000:.2f} ms, {cpu * 1000:.2f} ms CPU (target <= 5 ms)")
            for batch in range(1, 20):  # the rest straight from memory: this part is not timed
                import_records(dataset, records(1000, offset=batch * 1000), target="gold")
                db.session.commit()
            seconds, count, size, _ = timed_export(dataset)
            print(f"export: {count} documents in {seconds:.2f} s = {count / seconds:,.0f} documents/s, "
                  f"{size / seconds / 1e6:.0f} MB/s")
            tracemalloc.start()
            timed_export(dataset)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"export: peak Python memory while exporting {count} documents: {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
