"""Stored per-document agreement equals a full recomputation after any sequence of work (hypothesis)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.db import db
from annotator.models import AgreementDocument, AgreementLabel, AgreementPair, AgreementValue, AnnotationSet
from annotator.models_agreement import TOTALS, AgreementSet
from annotator.services import agreement_store
from annotator.services.annotations import Op, apply_ops, gold_set, set_status, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.review import mark_reviewed, reopen
from annotator.spans import Entity, Quote, Span, Stance
from apptools import make_user

TEXT = "Ana Ruiz met Tom Lee in Paris on Monday. “We will win,” Ana said. The tram plan would fail, Tom said."
WORDS = [(0, 3), (4, 8), (13, 16), (17, 20), (24, 29), (33, 39), (42, 53), (55, 58), (59, 63), (70, 79)]
LABELS = ("PERSON", "ORG", "GPE")
PEOPLE = ("alice", "bob", "cy")
ACTIONS = ("entity", "delete", "quote", "stance", "submit", "reopen", "reject", "gold", "review")


def _rows(document_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of a document, without ids and times, sorted."""
    found = {}
    for model in (AgreementPair, AgreementLabel, AgreementValue, AgreementSet, AgreementDocument):
        columns = [c for c in model.__table__.columns if c.name not in ("id", "computed_at")]
        found[model.__tablename__] = sorted(
            tuple(round(v, 9) if isinstance(v, float) else v for v in row)
            for row in db.session.execute(sa.select(*columns).where(model.document_id == document_id)))
    return found


def _totals_match_the_documents(dataset_id: int) -> None:
    """Each dataset total equals the sum of the per-document rows (zero totals may stay)."""
    for table, total, keys, columns in TOTALS:
        key_columns = [getattr(table, k) for k in keys]
        summed = {tuple(row[:len(keys)]): [round(float(v), 6) for v in row[len(keys):]]
                  for row in db.session.execute(sa.select(*key_columns, *[sa.func.sum(getattr(table, c))
                                                                          for c in columns])
                                                .where(table.dataset_id == dataset_id).group_by(*key_columns))}
        kept = {tuple(row[:len(keys)]): [round(float(v), 6) for v in row[len(keys):]]
                for row in db.session.execute(sa.select(*[getattr(total, k) for k in keys],
                                                        *[getattr(total, c) for c in columns])
                                              .where(total.dataset_id == dataset_id))}
        assert {k: v for k, v in kept.items() if any(v)} == {k: v for k, v in summed.items() if any(v)}, \
            total.__tablename__


def _act(document_id: int, action: str, who: int, n: int) -> None:
    """One piece of work on the document: an edit, a status change, gold work or sign-off."""
    aset = user_set(document_id, make_or_find(PEOPLE[who]), create=True)
    start, end = WORDS[n % len(WORDS)]
    if action == "entity":
        op = Op("upsert", "entities", f"e{n}", Entity(f"e{n}", start, end, LABELS[n % 3]))
    elif action == "delete":
        op = Op("delete", "entities", f"e{n}")
    elif action == "quote":
        op = Op("upsert", "quotes", f"q{n % 2}", Quote(f"q{n % 2}", Span(42 + n % 3, 53), cue=Span(59, 63),
                                                          speaker=Span(55, 58) if n % 2 else None))
    elif action == "stance":
        op = Op("upsert", "stances", f"s{n % 2}", Stance(f"s{n % 2}", ("favor", "against")[n % 2], Span(70, 79),
                                                           holder="Tom", target="the tram" if n % 3 else "plan"))
    else:
        return _status(document_id, aset, action)
    apply_ops(aset, [op], user=None, expected_version=aset.version, check=False)


def _status(document_id: int, aset: AnnotationSet, action: str) -> None:
    if action in ("submit", "reject"):
        set_status(aset, status="submitted", user=None, expected_version=aset.version,
                   answer="reject" if action == "reject" else "accept")
    elif action == "reopen":
        set_status(aset, status="in_progress", user=None, expected_version=aset.version)
    elif action == "gold":
        gold = gold_set(document_id, create=True)
        apply_ops(gold, [Op("upsert", "entities", "g", Entity("g", 0, 8, "PERSON"))], user=None,
                  expected_version=gold.version, check=False)
    else:
        gold = gold_set(document_id, create=True)
        rita = make_or_find("rita", "reviewer")
        if gold.status == "reviewed":  # signed-off gold is read-only: the reviewer reopens it
            reopen(gold.document, user=rita, expected_version=gold.version)
        else:
            mark_reviewed(gold.document, user=rita, expected_version=gold.version)


def make_or_find(name: str, role: str = "annotator") -> Any:
    from annotator.services.users import find_user

    return find_user(name) or make_user(name, role)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.integers(0, 20)),
                      min_size=1, max_size=14))
def test_stored_figures_equal_a_full_recomputation(app: Flask, steps: list[tuple[str, int, int]]) -> None:
    dataset = get_or_create_dataset("prop")
    doc_id = import_records(dataset, [Record(text=f"{TEXT} {len(steps)} {id(steps)}")],
                            preannotate=False).document_ids[0]
    db.session.commit()
    for action, who, n in steps:
        _act(doc_id, action, who, n)
        db.session.commit()
        stored = _rows(doc_id)
        _totals_match_the_documents(dataset.id)
        agreement_store.store([doc_id])
        db.session.flush()
        assert _rows(doc_id) == stored, (action, who, n)
        _totals_match_the_documents(dataset.id)
        db.session.rollback()


def test_recompute_command_rebuilds_the_stored_figures(app: Flask) -> None:
    dataset = get_or_create_dataset("cli")
    ids = import_records(dataset, [Record(text=f"{TEXT} {i}") for i in range(3)], preannotate=False).document_ids
    dataset_id = dataset.id
    for doc_id in ids:
        for who in range(2):
            _act(doc_id, "entity", who, doc_id + who)
            _act(doc_id, "submit", who, 0)
    db.session.commit()
    before = [_rows(doc_id) for doc_id in ids]
    for model in (AgreementPair, AgreementLabel, AgreementValue, AgreementSet, AgreementDocument):
        db.session.execute(sa.delete(model))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["agreement", "recompute", "--dataset", "cli", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "Recomputed agreement of 3 document(s)" in result.output
    assert [_rows(doc_id) for doc_id in ids] == before
    _totals_match_the_documents(dataset_id)
    assert app.test_cli_runner().invoke(args=["agreement", "recompute", "--dataset", "nope"]).exit_code == 1


def test_imported_finished_work_is_stored_like_any_other(app: Flask) -> None:
    """Bulk imports (two annotators' submitted sets, then reviewed gold) mark their documents too."""
    dataset = get_or_create_dataset("imported")
    for name in ("alice", "bob"):
        make_or_find(name)
    ann = {name: Entity("e1", 0, 8, label) for name, label in (("alice", "PERSON"), ("bob", "ORG"))}
    from annotator.spans import Annotation
    import_records(dataset, [Record(text=TEXT, tokens=None, annotation=Annotation(entities=[ann[name]]),
                                    annotator_id=name, status="submitted") for name in ann],
                   preannotate=False)
    db.session.commit()
    doc_id = db.session.scalar(sa.select(AnnotationSet.document_id))
    stored = _rows(doc_id)
    assert stored["agreement_documents"] and stored["agreement_documents"][0][2] == 2  # two finished annotators
    assert stored["agreement_pairs"], "the two imported versions were compared"
    agreement_store.store([doc_id])
    db.session.flush()
    assert _rows(doc_id) == stored
    _totals_match_the_documents(dataset.id)
