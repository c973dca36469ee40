"""Read paths at scale: dataset list, dataset page, document page, agreement dashboard and its JSON.

Generates datasets of 1,000, 5,000 and 20,000 documents (100,000 with --huge) straight into the
database with bulk inserts: each document is a ~600-word article with 72 entities, 5 quotes and
4 stances pre-annotated by "the model", three submitted annotator sets (each changing a few model
items) and a reviewed gold set, plus the stored per-document agreement those versions give (computed
once with the real code for the article, then written for every document). Then it times each page
in-process (median of 5 after a warm-up) and measures the Python memory a request allocates at its
peak (tracemalloc), and prints growth ratios against the smallest size.

    python benchmarks/bench_scale_reads.py [--sizes 1000,5000,20000] [--huge] [--pg URL] [--no-sqlite]
                                           [--keep FOLDER]

PostgreSQL runs too when --pg or ANNOTATOR_TEST_DATABASE_URL names a server (scratch databases
"bench_scale_reads_<size>" are created there and dropped afterwards, or kept with --keep). At 100,000 documents only every
tenth document gets item rows (the pages read one document's items; stored agreement covers all).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

LABELS = ["PERSON", "ORG", "GPE", "DATE"]
NAMES = ["Ana Ruiz", "Tom Lee", "Paris", "Monday", "Acme Corp", "Berlin", "Mia Chen", "the United Nations",
         "Friday", "Lagos"]
FILLER = ("officials said the plan would change how the city works and residents asked for more time "
          "before the vote while critics warned that costs could rise again next year").split()
RUNS = 5


def article(seed: int) -> tuple[str, list[tuple[int, int]], dict[str, Any]]:
    """A ~600-word article with its tokens and the model's items (72 entities, 5 quotes, 4 stances)."""
    rng = random.Random(seed)
    words: list[str] = []
    entities: list[tuple[int, int, str]] = []
    quotes: list[tuple[int, int, int, int, int, int]] = []
    text = ""
    while len(entities) < 72:
        for _ in range(6):
            text += rng.choice(FILLER) + " "
        name = NAMES[len(entities) % len(NAMES)]
        entities.append((len(text), len(text) + len(name), LABELS[NAMES.index(name) % 4]))
        text += name + " "
        if len(entities) % 14 == 0 and len(quotes) < 5:
            start = len(text) + 1
            body = " ".join(rng.choice(FILLER) for _ in range(9))
            text += f"“{body},” "
            cue = len(text)
            text += "said "
            speaker = entities[-1]
            quotes.append((start, start + len(body), cue, cue + 4, speaker[0], speaker[1]))
    text = text.strip() + "."
    tokens, pos = [], 0
    for word in text.replace("“", "“ ").replace(",”", " ,”").split():
        start = text.index(word, pos)
        tokens.append((start, start + len(word)))
        pos = start + len(word)
    words = text.split()
    assert len(words) > 500
    return text, tokens, {"entities": entities, "quotes": quotes}


def numbered(tokens: list[tuple[int, int]], length: int, n: int) -> list[tuple[int, int]]:
    """The tokens of the article's text followed by " (n)": "(", the number and ")" as spaCy splits them."""
    digits = len(str(n))
    return [*tokens, (length + 1, length + 2), (length + 2, length + 2 + digits),
            (length + 2 + digits, length + 3 + digits)]


def versions(items: dict[str, Any]) -> dict[str, Any]:
    """Model, three annotators (each changing a few items) and gold, as pure annotations."""
    from annotator.spans import Annotation, Entity, Quote, Span, Stance

    starts = [x[0] for x in items["entities"]]

    def make(change: int) -> Annotation:
        """Annotator `change` relabels every twelfth entity from its own offset and deletes one."""
        ents = [Entity(f"e{i}", s, e, LABELS[(LABELS.index(lab) + 1) % 4] if change and i % 12 == change else lab,
                       "model") for i, (s, e, lab) in enumerate(items["entities"]) if not (change and i == change)]
        kept = {x.uid for x in ents}
        quotes = []
        for i, (s, e, cs, ce, ss, se) in enumerate(items["quotes"]):
            link = f"e{starts.index(ss)}"
            quotes.append(Quote(f"q{i}", Span(s, e), "indirect" if change == 2 and i == 0 else "direct",
                                Span(cs, ce), Span(ss, se), link if link in kept else None))
        stances = [Stance(f"s{i}", ("favor", "against", "neutral")[(i + change) % 3 if i == change else i % 3],
                          q.content, holder="speaker" if q.speaker_entity is None else "",
                          holder_entity=q.speaker_entity, target=f"topic {i}") for i, q in enumerate(quotes[:4])]
        return Annotation(entities=ents, quotes=quotes, stances=stances)

    return {"model": make(0), "annotators": [make(1), make(2), make(3)], "gold": make(0)}


def insert(conn: Any, table: sa.Table, rows: Iterable[dict[str, Any]], chunk: int = 20_000) -> None:
    """Bulk-insert rows in chunks (executemany; fast on both SQLite and psycopg 3)."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def generate(app: Any, size: int) -> tuple[int, int]:
    """Write a dataset of `size` documents with sets, items and stored agreement; return (dataset, a doc)."""
    from annotator.db import db
    from annotator.models import (
        AgreementDocument, AgreementLabel, AgreementPair, AgreementValue, AnnotationSet, Dataset, Document,
        EntitySpan, QuoteItem, StanceItem, User, content_hash, utcnow,
    )
    from annotator.models_agreement import TOTALS, AgreementSet
    from annotator.services.agreement_store import Versions, _sums, figures_of, rows_of

    text, tokens, items = article(7)
    v = versions(items)
    now = utcnow()
    with app.app_context():
        users = []
        hashed = User(name="x")
        hashed.set_password("benchmark-password")
        for name, role in (("ann1", "annotator"), ("ann2", "annotator"), ("ann3", "annotator"),
                           ("rita", "reviewer")):
            user = User(name=name, role=role, password_hash=hashed.password_hash)
            db.session.add(user)
            users.append(user)
        dataset = Dataset(name=f"scale {size}", entity_labels=LABELS, annotators_per_doc=3)
        db.session.add(dataset)
        db.session.commit()
        dataset_id, user_ids = dataset.id, [u.id for u in users[:3]]
        doc = Versions(1, dataset_id, text, [list(t) for t in tokens],
                       {str(uid): ann for uid, ann in zip(user_ids, v["annotators"])}, v["model"], v["gold"])
        stored: dict[type, list[dict[str, Any]]] = {m: [] for m in (AgreementPair, AgreementLabel, AgreementValue)}
        units = {}
        for scope in ("all", "changed"):
            agreement = figures_of(doc, scope)
            units[scope] = agreement.units
            rows_of(doc, scope, agreement, stored)  # type: ignore[arg-type]
        conn = db.session.connection()
        every = 10 if size > 20_000 else 1
        insert(conn, Document.__table__, ({
            "id": i + 1, "dataset_id": dataset_id, "text": f"{text} ({i})", "meta": {"title": f"Article {i}"},
            "content_hash": content_hash(f"{text} ({i})"), "tokens": numbered(tokens, len(text), i), "created_at": now}
            for i in range(size)), chunk=2000)
        kinds = [("model", None, "submitted"), *[("annotator", u, "submitted") for u in user_ids],
                 ("gold", None, "reviewed")]
        insert(conn, AnnotationSet.__table__, ({
            "id": i * 5 + k + 1, "document_id": i + 1, "kind": kind, "user_id": uid, "status": status,
            "answer": None if kind == "model" else "accept", "seeded": True, "version": 2, "created_at": now,
            "updated_at": now, "started_at": now, "submitted_at": now,
            "active_ms": 60_000 + (i * 7 + k * 13) % 240_000, "last_active_at": now}
            for i in range(size) for k, (kind, uid, status) in enumerate(kinds)))
        annotations = [v["model"], *v["annotators"], v["gold"]]
        for model, layer in ((EntitySpan, "entities"), (QuoteItem, "quotes"), (StanceItem, "stances")):
            insert(conn, model.__table__, ({"set_id": i * 5 + k + 1, **model.columns(item)}
                                           for i in range(0, size, every) for k, ann in enumerate(annotations)
                                           for item in getattr(ann, layer)))
        for model, rows in stored.items():
            insert(conn, model.__table__, ({**row, "document_id": i + 1, "dataset_id": dataset_id}
                                           for i in range(size) for row in rows))
        set_rows = [{"document_id": i + 1, "dataset_id": dataset_id, "user_id": uid, "finished": 1,
                     "seconds": (60_000 + (i * 7 + k * 13) % 240_000) // 1000, "n": 1}
                    for i in range(size) for k, (kind, uid, _) in enumerate(kinds) if kind == "annotator"]
        insert(conn, AgreementSet.__table__, set_rows)
        for table, total, keys, columns in TOTALS:  # what the stores of every document would have summed
            if table is AgreementSet:
                sums = _sums(set_rows, keys, columns)
            else:
                sums = {key: [v * size for v in values] for key, values in _sums(
                    [{**row, "dataset_id": dataset_id} for row in stored[table]], keys, columns).items()}
            insert(conn, total.__table__, [{**dict(zip(keys, key)), **dict(zip(columns, values))}
                                           for key, values in sums.items()])
        insert(conn, AgreementDocument.__table__, ({
            "document_id": i + 1, "dataset_id": dataset_id, "annotators": 3, "rejected": False, "has_gold": True,
            "units_all": units["all"], "units_changed": units["changed"], "computed_at": now} for i in range(size)))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        return dataset_id, size // 2 + 1


def measure(client: Any, url: str) -> tuple[float, float]:
    """Median milliseconds of RUNS requests after one warm-up, and peak MB allocated by one request."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return statistics.median(times), peak / 1e6


def run_size(url: str, size: int, *, keep: bool = False) -> dict[str, tuple[float, float]]:
    """Build a fresh database of one size (or reuse one kept by an earlier --keep run) and time every page."""
    from annotator import create_app
    from annotator.db import db

    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "TESTING": False,
                      "SECRET_KEY": "benchmark", "RATELIMIT_ENABLED": False})
    with app.app_context():
        found = _kept(db, size) if keep else None
        if found is None:
            db.drop_all()
            db.create_all()
    if found is None:
        started = time.perf_counter()
        dataset_id, doc_id = generate(app, size)
        print(f"  generated {size:,} documents in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        dataset_id, doc_id = found
        print(f"  reusing the kept database of {size:,} documents", flush=True)
    client = app.test_client()
    response = client.post("/login", data={"name": "rita", "password": "benchmark-password"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    pages = {
        "dataset list": "/",
        "dataset page 1": f"/datasets/{dataset_id}",
        "dataset page mid": f"/datasets/{dataset_id}?page={max(1, size // 200)}",
        "document page": f"/documents/{doc_id}",
        "dashboard": f"/datasets/{dataset_id}/dashboard",
        "dashboard JSON": f"/api/datasets/{dataset_id}/agreement",
        "JSON changed only": f"/api/datasets/{dataset_id}/agreement?scope=changed",
    }
    results = {name: measure(client, page) for name, page in pages.items()}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def _kept(db: Any, size: int) -> tuple[int, int] | None:
    """(dataset id, a document id) of a complete database of this size left by an earlier --keep run."""
    try:
        row = db.session.execute(sa.text("SELECT id FROM datasets WHERE name = :n"), {"n": f"scale {size}"}).first()
        count = db.session.execute(sa.text("SELECT count(*) FROM agreement_documents")).scalar()
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None
    return (row[0], size // 2 + 1) if row is not None and count == size else None


def report(backend: str, sizes: Sequence[int], results: dict[int, dict[str, tuple[float, float]]]) -> None:
    """Print one table per backend: ms and MB per size, and the growth against the smallest size."""
    first = sizes[0]
    print(f"\n{backend}: median ms (peak MB allocated by the request); growth = time / time at {first:,}")
    header = "".join(f"{size:>22,}" for size in sizes)
    print(f"{'page':<20}{header}   growth")
    for page in results[first]:
        cells = "".join(f"{results[s][page][0]:>12.1f} ({results[s][page][1]:>5.1f} MB)" for s in sizes)
        growth = " ".join(f"{results[s][page][0] / results[first][page][0]:.2f}x" for s in sizes[1:])
        print(f"{page:<20}{cells}   {growth}")


def backend_urls(args: argparse.Namespace) -> list[tuple[str, Callable[[int], str], Callable[[int], None]]]:
    """(name, database URL for a size, clean up a size) for SQLite and, when given, PostgreSQL.

    With --keep the databases stay (one per size: SQLite files in --keep's folder, PostgreSQL databases
    bench_scale_reads_<size>) and a later --keep run times them again without generating them anew.
    """
    found: list[tuple[str, Callable[[int], str], Callable[[int], None]]] = []
    keep = args.keep
    if not args.no_sqlite:
        folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
        folder.mkdir(parents=True, exist_ok=True)
        found.append(("SQLite", lambda n: f"sqlite:///{folder}/bench-{n}.sqlite",
                      lambda n: None if keep else _rm(folder / f"bench-{n}.sqlite")))
    pg = args.pg or os.environ.get("ANNOTATOR_TEST_DATABASE_URL")
    if pg:
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")

        def name(n: int) -> str:
            return f"bench_scale_reads_{n}"

        def fresh(n: int) -> str:
            with admin.connect() as conn:
                exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": name(n)}).first()
                if not (keep and exists):
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name(n)} WITH (FORCE)"))
                    conn.execute(sa.text(f"CREATE DATABASE {name(n)}"))
            return sa.engine.make_url(pg).set(database=name(n)).render_as_string(hide_password=False)

        def drop(n: int) -> None:
            if not keep:
                with admin.connect() as conn:
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name(n)} WITH (FORCE)"))

        found.append(("PostgreSQL", fresh, drop))
    return found


def _rm(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated document counts")
    parser.add_argument("--huge", action="store_true", help="add 100,000 documents")
    parser.add_argument("--pg", help="a PostgreSQL URL (default: ANNOTATOR_TEST_DATABASE_URL)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--keep", metavar="FOLDER",
                        help="keep the generated databases (SQLite files in FOLDER) and reuse them on the next run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([100_000] if args.huge else [])
    for backend, fresh, cleanup in backend_urls(args):
        print(f"== {backend}", flush=True)
        results = {}
        for size in sizes:
            results[size] = run_size(fresh(size), size, keep=bool(args.keep))
            cleanup(size)
        report(backend, sizes, results)


if __name__ == "__main__":
    main()
