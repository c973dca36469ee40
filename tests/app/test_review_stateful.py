"""Stateful property test: random review actions on random versions keep the gold valid and exportable.

Hypothesis builds two annotators' versions and a model version of one article (entities on
random token spans with random labels, quotes whose speakers link to them, stances), then
drives random sequences of take (with or without replace), remove, accept-all-agreed, undo,
sign-off and reopen through the review service, as the views call it. After every step the
gold passes the one check (annotator.checks) and becomes a spaCy Doc and a DocBin with a
blank pipeline.
"""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from spacy.tokens import DocBin

from annotator.agreement import Collision
from annotator.db import db
from annotator.formats.docbin import doc_from_annotation
from annotator.models import ITEM_MODELS, AnnotationSet, AuditEvent, Document, annotation_of
from annotator.services import review
from annotator.services.annotations import (
    VersionConflict, check_annotation, gold_set, insert_annotation, user_set,
)
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from annotator.spans import Annotation, Entity, Quote, Span, SpanError, Stance
from apptools import make_user

TEXT = ("Ana Ruiz met Tom Lee in Paris on Monday. She said the new tram line was a good idea. "
        "Bob Jones of Acme Corp disagreed, and the council in Lima will vote in May.")
LABELS = ["PERSON", "ORG", "GPE", "DATE"]
VOCAB = spacy.blank("en").vocab
REFUSALS = (Collision, SpanError, review.ReviewRefused, ValueError)


@st.composite
def versions(draw: Any, tokens: list[tuple[int, int]], prefix: str) -> Annotation:
    """One annotator's version: non-overlapping entities of 1-3 tokens, quotes and stances linking them."""
    starts = sorted(draw(st.sets(st.integers(0, len(tokens) - 1), min_size=3, max_size=24)))
    entities: list[Entity] = []
    for n, first in enumerate(starts):
        last = min(len(tokens) - 1, first + draw(st.integers(0, 2)))
        if entities and tokens[first][0] < entities[-1].end:
            continue
        entities.append(Entity(f"{prefix}e{n}", tokens[first][0], tokens[last][1], draw(st.sampled_from(LABELS))))
    quotes, stances = [], []
    for n in range(draw(st.integers(0, 2))):
        first = draw(st.integers(0, len(tokens) - 2))
        content = (tokens[first][0], tokens[min(len(tokens) - 1, first + draw(st.integers(1, 6)))][1])
        speaker = draw(st.sampled_from(entities)) if entities and draw(st.booleans()) else None
        quotes.append(Quote(f"{prefix}q{n}", Span(*content), draw(st.sampled_from(["direct", "indirect"])),
                            speaker=speaker.span if speaker else None,
                            speaker_entity=speaker.uid if speaker else None))
        holder = speaker.uid if speaker else None
        stances.append(Stance(f"{prefix}s{n}", draw(st.sampled_from(["favor", "against", "neutral"])),
                              Span(*content), holder="" if holder else "someone", holder_entity=holder,
                              target=draw(st.sampled_from(["the tram", "the vote"]))))
    return Annotation(entities, quotes, stances)


def setup_document() -> int:
    """An article with three empty versions: model, alice, bob (two annotators per document)."""
    dataset = get_or_create_dataset("stateful", labels=LABELS)
    dataset.annotators_per_doc = 2
    doc_id = import_records(dataset, [Record(text=TEXT)], preannotate=False).document_ids[0]
    db.session.add(AnnotationSet(document_id=doc_id, kind="model", status="submitted", seeded=True))
    for name in ("alice", "bob"):
        make_user(name)
        user_set(doc_id, find_user(name), create=True)
    make_user("rita", "reviewer")
    db.session.commit()
    return doc_id


class ReviewMachine(RuleBasedStateMachine):
    """Random review sessions on random versions of one document."""

    doc_id = 0
    outcomes: dict[str, int] = {}

    def __init__(self) -> None:
        super().__init__()
        db.session.rollback()  # whatever an earlier example left behind
        self.doc = db.session.get(Document, self.doc_id)
        self.rita = find_user("rita")
        gold = gold_set(self.doc.id)
        if gold is not None:  # a fresh start: no gold, nor its items or history
            _clear(gold)
            db.session.execute(db.delete(AuditEvent).where(AuditEvent.set_id == gold.id))
            db.session.execute(db.delete(AnnotationSet).where(AnnotationSet.id == gold.id))
        self.tokens = [(s, e) for s, e in self.doc.tokens]
        db.session.commit()
        self.sets = review.document_sets(self.doc)  # model, alice, bob

    @initialize(data=st.data(), bob_done=st.booleans())
    def annotate(self, data: st.DataObject, bob_done: bool) -> None:
        """Give the model, alice and bob fresh random versions; bob may still be working."""
        for name, aset in self.sets.items():
            _clear(aset)
            insert_annotation(aset.id, data.draw(versions(self.tokens, name[0])))
            if aset.kind == "annotator":
                aset.status = "submitted" if name == "alice" or bob_done else "in_progress"
        db.session.commit()

    def _version(self) -> int:
        gold = gold_set(self.doc.id)
        return gold.version if gold is not None else 0

    def _run(self, action: Any, **kwargs: Any) -> None:
        try:
            action(self.doc, user=self.rita, expected_version=self._version(), **kwargs)
        except REFUSALS as err:
            db.session.rollback()
            self._count(f"{action.__name__} refused: {type(err).__name__}")
        except VersionConflict as err:  # never: every call names the current version
            raise AssertionError(err) from None
        else:
            db.session.commit()
            self._count(f"{action.__name__} done" + (" with replace" if kwargs.get("replace") else ""))

    def _count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @rule(data=st.data(), replace=st.booleans())
    def take(self, data: st.DataObject, replace: bool) -> None:
        name = data.draw(st.sampled_from(sorted(self.sets)))
        version = annotation_of(self.sets[name].id)
        items = [("entities", i.uid) for i in version.entities] + [("quotes", i.uid) for i in version.quotes] + \
                [("stances", i.uid) for i in version.stances]
        if items:
            layer, uid = data.draw(st.sampled_from(items))
            self._run(review.take_item, source=name, layer=layer, uid=uid, replace=replace)

    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        gold = gold_set(self.doc.id)
        current = annotation_of(gold.id) if gold else Annotation()
        items = [("entities", i.uid) for i in current.entities] + [("quotes", i.uid) for i in current.quotes] + \
                [("stances", i.uid) for i in current.stances]
        if items:
            layer, uid = data.draw(st.sampled_from(items))
            self._run(review.remove_item, layer=layer, uid=uid)

    @rule()
    def accept_agreed(self) -> None:
        self._run(review.accept_agreed)

    @rule()
    def undo(self) -> None:
        self._run(review.undo)

    @rule()
    def sign_off(self) -> None:
        self._run(review.mark_reviewed)

    @rule()
    def reopen(self) -> None:
        self._run(review.reopen)

    @invariant()
    def gold_validates_and_exports(self) -> None:
        gold = gold_set(self.doc.id)
        if gold is None:
            return
        annotation = annotation_of(gold.id)
        check_annotation(self.doc, annotation)
        spacy_doc = doc_from_annotation(VOCAB, self.doc.text, self.doc.tokens, annotation)
        assert len(spacy_doc.ents) == len(annotation.entities)
        assert len(DocBin(docs=[spacy_doc], store_user_data=True).to_bytes()) > 0


def _clear(aset: AnnotationSet) -> None:
    """Delete every item of a set."""
    for model in ITEM_MODELS.values():
        db.session.execute(db.delete(model).where(model.set_id == aset.id))


@pytest.mark.parametrize("examples", [25])
def test_random_review_sessions_keep_gold_valid(app: Flask, examples: int) -> None:
    ReviewMachine.doc_id = setup_document()
    run_state_machine_as_test(ReviewMachine, settings=settings(
        max_examples=examples, stateful_step_count=15, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    seen = ReviewMachine.outcomes
    # The sessions did reach the interesting paths: takes, collisions refused and replaced, undo.
    for outcome in ("take_item done", "take_item refused: Collision", "take_item done with replace",
                    "accept_agreed done", "undo done", "remove_item done"):
        assert seen.get(outcome, 0) > 0, f"{outcome} never happened: {sorted(seen.items())}"
