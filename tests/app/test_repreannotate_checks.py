"""Re-pre-annotation writes a model set only when the new output passes the one item check (annotator.checks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from annotator.db import db
from annotator.nlp import PreAnnotated
from annotator.models import Document, annotation_of
from annotator.preannotator import Settings
from annotator.services import preannotation
from annotator.services.annotations import model_set
from annotator.services.import_check import ImportFailed
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.repreannotate import repreannotate, summary
from annotator.spans import Annotation, Entity
from annotator.vocab import Origin

GOOD = "Ana Ruiz spoke in Paris on Monday."
BAD = "Bo Lee spoke in Rome on Tuesday."
TOKENS = {GOOD: [(0, 3), (4, 8), (9, 14), (15, 17), (18, 23), (24, 26), (27, 33), (33, 34)],
          BAD: [(0, 2), (3, 6), (7, 12), (13, 15), (16, 20), (21, 23), (24, 31), (31, 32)]}
WRONG = {  # what a broken pipeline could give for BAD, and the field the check names
    "unknown label": (Entity("m-e0", 0, 6, "WIZARD", Origin.MODEL), "entities[0].label"),
    "off token boundaries": (Entity("m-e0", 0, 4, "PERSON", Origin.MODEL), "entities[0]"),
    "outside the text": (Entity("m-e0", 20, 90, "GPE", Origin.MODEL), "entities[0]"),
}


def _pipeline(bad: Entity | None = None) -> Any:
    """preannotation.run stand-in: the name at the start of each text as a PERSON, but `bad` for BAD when given."""
    def run(settings: Settings, items: Sequence[tuple[str, Any]]) -> Iterator[tuple[PreAnnotated, Any]]:
        for text, context in items:
            entity = bad if bad and text == BAD else Entity("m-e0", 0, TOKENS[text][1][1], "PERSON", Origin.MODEL)
            yield PreAnnotated(TOKENS[text], Annotation(entities=[entity])), context
    return run


@pytest.mark.parametrize("case", sorted(WRONG))
def test_bad_model_output_is_refused_and_reported(app: Flask, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    monkeypatch.setattr(preannotation, "run", _pipeline())
    dataset = get_or_create_dataset("checked")
    ids = import_records(dataset, [Record(GOOD), Record(BAD)]).document_ids
    db.session.commit()
    before = {doc_id: annotation_of(model_set(doc_id).id) for doc_id in ids}
    dataset.entity_labels = ["PERSON", "GPE"]
    bad, field = WRONG[case]
    monkeypatch.setattr(preannotation, "run", _pipeline(bad))
    result = repreannotate(dataset)
    db.session.commit()
    assert (result.updated, result.kept) == (1, 0)
    assert len(result.refused) == 1 and result.refused[0].startswith(f"document {ids[1]}: {field}:")
    assert annotation_of(model_set(ids[1]).id) == before[ids[1]]  # nothing of the bad output was written
    assert annotation_of(model_set(ids[0]).id) == before[ids[0]]  # the same output, rewritten
    assert f"document {ids[1]}" in summary(result) and "failed the item check" in summary(result)


@pytest.mark.parametrize("case", sorted(WRONG))
def test_import_refuses_bad_model_output_naming_the_record(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                            case: str) -> None:
    """An import's pre-annotation goes through the same check: nothing is written, the record is named."""
    bad, field = WRONG[case]
    monkeypatch.setattr(preannotation, "run", _pipeline(bad))
    dataset = get_or_create_dataset("checked-import", labels=["PERSON", "GPE"])
    db.session.commit()
    with pytest.raises(ImportFailed) as refused:
        import_records(dataset, [Record(GOOD, source="news.txt", line=1), Record(BAD, source="news.txt", line=2)])
    db.session.rollback()
    assert str(refused.value).startswith(f"news.txt, line 2, field {field}: the pipeline's pre-annotation")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
