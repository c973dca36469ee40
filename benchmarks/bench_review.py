"""Server time of the review page and of review actions on a long article.

Run: .venv/bin/python benchmarks/bench_review.py [--entities 1500 10000]
A 10,000-word article is stored in a temporary SQLite database with a model set and two
submitted annotator sets (the second relabels every 10th entity and leaves out every 20th),
plus 100 quotes each. Through Flask's test client we time GET /documents/<id>/review (median
of 5), a take through POST /api/documents/<id>/review/take (median of 20 different items) and
one "accept all agreed", in wall time and in this process's CPU time (what the server spends,
which a busy machine does not inflate). Targets, on CPU time: page < 300 ms and take < 100 ms
with 1,500 entities; page < 2 s with 10,000 entities.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import spacy
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from annotator import create_app
from annotator.db import db
from annotator.models import AnnotationSet, Document
from annotator.services.annotations import insert_annotation, user_set
from annotator.services.importer import get_or_create_dataset
from annotator.services.users import create_user
from annotator.spans import Annotation, Entity, Quote, Span

WORDS = 10_000
QUOTES = 100
PASSWORD = "benchmark password"
TARGETS = {1_500: (300.0, 100.0), 10_000: (2_000.0, None)}


def make_text() -> tuple[str, list[tuple[int, int]]]:
    """A long article in sentences of ten words, with spaCy's tokens."""
    vocab = "the council said on Monday that its plan for new tram lines would help the city".split()
    sentences = []
    for i in range(WORDS // 10):
        words = [vocab[(i + k) % len(vocab)] for k in range(10)]
        words[0] = words[0].capitalize()
        sentences.append(" ".join(words) + ".")
    doc = spacy.blank("en")(" ".join(sentences))
    return doc.text, [(t.idx, t.idx + len(t)) for t in doc]


def make_annotation(text: str, tokens: list[tuple[int, int]], entities: int, prefix: str) -> Annotation:
    """Single-word entities spread over the text and quotes whose speaker is one of them."""
    words = [t for t in tokens if text[t[0]:t[1]].isalpha()]
    step = max(1, len(words) // entities)
    ents = [Entity(f"{prefix}e{i}", *words[i * step], "ORG" if i % 3 else "PERSON") for i in range(entities)]
    quotes = []
    for i in range(QUOTES):
        base = i * (len(words) // QUOTES)
        quotes.append(Quote(f"{prefix}q{i}", Span(words[base + 3][0], words[base + 8][1]), "indirect",
                            cue=Span(*words[base + 2]), speaker=Span(*words[base + 1])))
    return Annotation(entities=ents, quotes=quotes)


def disagreeing(annotation: Annotation) -> Annotation:
    """A second annotator: every 10th entity relabelled, every 20th left out."""
    ents = [replace(e, uid="b" + e.uid, label="GPE" if i % 10 == 0 else e.label)
            for i, e in enumerate(annotation.entities) if i % 20 != 5]
    return Annotation(entities=ents, quotes=[replace(q, uid="b" + q.uid) for q in annotation.quotes])


def build(app: Flask, entities: int) -> int:
    """Store the article and its versions; return the document id."""
    with app.app_context():
        db.create_all()
        text, tokens = make_text()
        dataset = get_or_create_dataset("bench")
        dataset.annotators_per_doc = 2
        doc = Document(dataset_id=dataset.id, text=text, meta={}, content_hash="bench",
                       tokens=[list(t) for t in tokens])
        db.session.add(doc)
        db.session.flush()
        model = AnnotationSet(document_id=doc.id, kind="model", status="submitted", seeded=True)
        db.session.add(model)
        db.session.flush()
        alice = make_annotation(text, tokens, entities, "")
        insert_annotation(model.id, alice)
        create_user("rita", PASSWORD, role="reviewer")
        for name, annotation in (("alice", alice), ("bob", disagreeing(alice))):
            aset = user_set(doc.id, create_user(name, PASSWORD), create=True)
            assert aset is not None
            insert_annotation(aset.id, annotation)
            aset.seeded, aset.status = True, "submitted"
        db.session.commit()
        print(f"article: {len(text.split()):,} words, {entities:,} entities and {QUOTES} quotes per version")
        return doc.id


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(call: Callable[[], TestResponse]) -> tuple[TestResponse, float, float]:
    """A request's response, wall time and this process's CPU time (the server's work, whatever the load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = call()
    return response, time.perf_counter() - wall, time.process_time() - cpu


def time_page(client: FlaskClient, doc_id: int) -> float:
    walls, cpus = [], []
    for _ in range(5):
        response, wall, cpu = timed(lambda: client.get(f"/documents/{doc_id}/review"))
        walls.append(wall)
        cpus.append(cpu)
        assert response.status_code == 200, response.status_code
    print(f"review page: median {median_ms(walls):.0f} ms wall, {median_ms(cpus):.0f} ms CPU over 5 "
          f"({len(response.data) / 1024:.0f} KiB)")
    return median_ms(cpus)


def time_takes(client: FlaskClient, doc_id: int) -> float:
    version, walls, cpus = 0, [], []
    for i in range(20):
        body = {"version": version, "source": "alice", "layer": "entities", "uid": f"e{i * 7 + 1}"}
        response, wall, cpu = timed(lambda: client.post(f"/api/documents/{doc_id}/review/take", json=body))
        walls.append(wall)
        cpus.append(cpu)
        assert response.status_code == 200, response.get_data(as_text=True)
        version = response.get_json()["version"]
    print(f"take (API): median {median_ms(walls):.0f} ms wall, {median_ms(cpus):.0f} ms CPU over 20")
    response, wall, cpu = timed(lambda: client.post(f"/api/documents/{doc_id}/review/agreed", json={"version": version}))
    assert response.status_code == 200, response.get_data(as_text=True)
    print(f"accept all agreed: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU ({response.get_json()['message']})")
    _, wall, cpu = timed(lambda: client.get(f"/documents/{doc_id}/review"))
    print(f"review page with that gold: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")
    return median_ms(cpus)


def run(entities: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                          "HUEY_URL": f"sqlite:///{Path(tmp) / 'jobs.sqlite'}"})
        doc_id = build(app, entities)
        client = app.test_client()
        client.post("/login", data={"name": "rita", "password": PASSWORD})
        page = time_page(client, doc_id)
        take = time_takes(client, doc_id)
        page_target, take_target = TARGETS.get(entities, (None, None))
        ok = (page_target is None or page < page_target) and (take_target is None or take < take_target)
        print(f"targets (CPU time): page < {page_target} ms, take < {take_target} ms: {'met' if ok else 'MISSED'}")
        return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, nargs="+", default=[1_500, 10_000])
    for entities in parser.parse_args().entities:
        run(entities)


if __name__ == "__main__":
    main()
