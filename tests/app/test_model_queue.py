"""A queue ordered by the model's uncertainty: least sure first, unscored last, skipping wraps round."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from annotator.db import db
from annotator.models import Document
from annotator.services import queue
from annotator.services.assignment import assign
from annotator.services.importer import Record, get_or_create_dataset, import_records
from apptools import make_user


def test_uncertainty_order_and_skipping(app: Flask) -> None:
    dataset = get_or_create_dataset("ordered")
    ids = import_records(dataset, [Record(f"Article number {n}.") for n in range(4)], preannotate=False).document_ids
    ann = make_user("ann")
    for doc_id in ids:
        assign(db.session.get(Document, doc_id), ann)
    for doc_id, value in zip(ids, (0.1, 0.9, None, 0.5)):
        db.session.execute(sa.update(Document).where(Document.id == doc_id).values(uncertainty=value))
    db.session.commit()

    def walk() -> list[int]:
        order, current = [], queue.next_set(dataset, ann)
        while current is not None and current.document_id not in order:
            order.append(current.document_id)
            current = queue.next_set(dataset, ann, after_document=current.document_id)
        return order

    assert walk() == ids  # import order by default
    dataset.queue_order = "uncertainty"
    db.session.commit()
    assert walk() == [ids[1], ids[3], ids[0], ids[2]]
    assert queue.next_set(dataset, ann, after_document=ids[2]).document_id == ids[1]  # wraps round
