"""Handing documents out: even and deterministic, by hand, moving work, and the CLI command."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask

from annotator.db import db
from annotator.models import AnnotationSet, AuditEvent, Dataset, Document, annotation_of
from annotator.services import assignment
from annotator.services.annotations import model_set, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from apptools import make_user


def dataset_with(n_docs: int, per_doc: int) -> Dataset:
    dataset = get_or_create_dataset("team")
    dataset.annotators_per_doc = per_doc
    import_records(dataset, [Record(text=f"Article {i} about Paris.") for i in range(n_docs)], preannotate=False)
    db.session.commit()
    return dataset


def holders_by_name(dataset: Dataset) -> dict[int, set[str]]:
    names = {u.id: u.name for u in assignment.annotators()}
    return {doc: {names[u] for u in users} for doc, users in assignment.holders(dataset).items()}


@pytest.mark.parametrize(("n_docs", "per_doc", "people", "expected_load"), [
    (5, 2, 3, [4, 3, 3]),   # 10 assignments over 3 people: as even as can be
    (4, 1, 2, [2, 2]),
    (3, 3, 2, [3, 3]),      # more wanted than people: everybody gets every document
])
def test_auto_assign_is_even_distinct_and_deterministic(app: Flask, n_docs: int, per_doc: int, people: int,
                                                        expected_load: list[int]) -> None:
    dataset = dataset_with(n_docs, per_doc)
    for name in ("ann", "ben", "cat")[:people]:
        make_user(name)
    made = assignment.auto_assign(dataset, assignment.annotators())
    db.session.commit()
    assert made == sum(expected_load)
    held = holders_by_name(dataset)
    assert all(len(names) == min(per_doc, people) for names in held.values()) and len(held) == n_docs
    load = Counter(name for names in held.values() for name in names)
    assert sorted(load.values(), reverse=True) == expected_load
    assert assignment.auto_assign(dataset, assignment.annotators()) == 0  # nothing left to do


def test_auto_assign_least_loaded_first_in_name_order(app: Flask) -> None:
    dataset = dataset_with(3, 1)
    for name in ("ben", "ann"):
        make_user(name)
    assignment.auto_assign(dataset, assignment.annotators())
    assert [sorted(names) for _, names in sorted(holders_by_name(dataset).items())] == [["ann"], ["ben"], ["ann"]]


def test_assign_seeds_with_model_items(app: Flask) -> None:
    dataset = get_or_create_dataset("seeded")
    doc_id = import_records(dataset, [Record(text="Ana Ruiz visited Paris on Monday.")]).document_ids[0]
    make_user("ann")
    aset = assignment.assign(db.session.get(Document, doc_id), find_user("ann"))
    model = model_set(doc_id)
    assert aset.seeded and annotation_of(aset.id).entities == annotation_of(model.id).entities != []


def test_move_unfinished_work_keeps_edits_and_is_audited(app: Flask) -> None:
    dataset = dataset_with(1, 1)
    for name in ("ann", "ben"):
        make_user(name)
    assignment.auto_assign(dataset, assignment.annotators())
    aset = db.session.scalar(sa.select(AnnotationSet).where(AnnotationSet.kind == "annotator"))
    assignment.move(aset, find_user("ben"), by=None)
    db.session.commit()
    assert user_set(aset.document_id, find_user("ben")).id == aset.id
    assert user_set(aset.document_id, find_user("ann")) is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "move"))
    assert (event.before, event.after) == ({"owner": "ann"}, {"owner": "ben"})
    with pytest.raises(assignment.AssignmentError):
        assignment.move(aset, find_user("ben"), by=None)  # ben already has it
    aset.status = "submitted"
    with pytest.raises(assignment.AssignmentError):
        assignment.move(aset, find_user("ann"), by=None)  # finished work stays


def test_assign_command(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    dataset = dataset_with(2, 2)
    for name in ("ann", "ben", "cat"):
        make_user(name)
    result = runner.invoke(args=["assign", "--dataset", "team", "--annotators", "ann,cat"])
    assert result.exit_code == 0, result.output
    assert "Made 4 new assignment(s)" in result.output
    assert set().union(*holders_by_name(dataset).values()) == {"ann", "cat"}
    assert runner.invoke(args=["assign", "--dataset", "nope"]).exit_code != 0
    bad = runner.invoke(args=["assign", "--dataset", "team", "--annotators", "zed"])
    assert bad.exit_code != 0 and "zed" in bad.output
