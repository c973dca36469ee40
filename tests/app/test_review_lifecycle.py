"""Review rules end to end: only finished work votes, one check for every gold write, the lifecycle."""

from __future__ import annotations

import spacy
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.formats.docbin import doc_from_annotation
from annotator.models import AuditEvent, Document, annotation_of
from annotator.services.annotations import gold_set, user_set
from annotator.services.users import find_user
from annotator.checks import validate
from apptools import login
from test_review import ALICE, BOB, annotate, entity, gold_version, setup_document


def review_as_rita(client: FlaskClient) -> None:
    client.post("/logout")
    login(client, "rita")


def gold_entities(doc: Document) -> set[tuple[int, int, str]]:
    gold = gold_set(doc.id)
    return set() if gold is None else {(e.start, e.end, e.label) for e in annotation_of(gold.id).entities}


def test_one_submitted_and_one_untouched_agree_on_nothing(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)  # bob never opened his set
    review_as_rita(client)
    page = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    assert 'class="row agreed' not in page and "agreed-badge" not in page
    assert "bob <small>new · not counted" in page
    answer = client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 0}, follow_redirects=True)
    assert "Nothing is agreed yet: 1 of the 2 finished annotations needed; still open: bob (new)" in answer.get_data(as_text=True)
    assert gold_set(doc.id) is None


def test_unfinished_edits_never_reach_the_merge(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    client.post("/logout")
    login(client, "bob")
    bobs = user_set(doc.id, find_user("bob"))
    assert client.put(f"/api/sets/{bobs.id}", json={"version": bobs.version, "ops": BOB}).status_code == 200
    review_as_rita(client)
    page = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    assert ">DATE<" not in page and "bob <small>in progress · not counted" in page
    taken = client.post(f"/documents/{doc.id}/review/take", follow_redirects=True,
                        data={"gold_version": 0, "source": "bob", "layer": "entities", "uid": "b4"})
    assert "no finished version named &#39;bob&#39;" in taken.get_data(as_text=True)


def test_one_annotator_per_document_makes_their_set_the_proposal(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    doc.dataset.annotators_per_doc = 1
    db.session.commit()
    annotate(client, "alice", doc, ALICE)
    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 0})
    assert gold_entities(doc) == {(0, 8, "PERSON"), (13, 20, "PERSON"), (24, 29, "GPE")}


def test_accept_agreed_takes_exactly_the_shared_items_and_undoes_in_one_step(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/take",
                data={"gold_version": 0, "source": "bob", "layer": "entities", "uid": "b4"})
    client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": gold_version(doc)})
    assert gold_entities(doc) == {(0, 8, "PERSON"), (24, 29, "GPE"), (33, 39, "DATE")}
    again = client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": gold_version(doc)},
                        follow_redirects=True)
    assert "already in the gold; nothing was added" in again.get_data(as_text=True)

    client.post(f"/documents/{doc.id}/review/undo", data={"gold_version": gold_version(doc)})
    assert gold_entities(doc) == {(33, 39, "DATE")}  # the accept is gone, the earlier take stays
    gold = gold_set(doc.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.set_id == gold.id, AuditEvent.action == "undo")) == 1
    client.post(f"/documents/{doc.id}/review/undo", data={"gold_version": gold_version(doc)})
    assert gold_entities(doc) == set()


def test_colliding_take_is_refused_and_replace_swaps_it(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/take",
                data={"gold_version": 0, "source": "alice", "layer": "entities", "uid": "a2"})
    clash = client.post(f"/documents/{doc.id}/review/take", follow_redirects=True,
                        data={"gold_version": gold_version(doc), "source": "bob", "layer": "entities", "uid": "b2"})
    assert "overlaps the PERSON entity &#39;Tom Lee&#39;" in clash.get_data(as_text=True)
    assert gold_entities(doc) == {(13, 20, "PERSON")}
    client.post(f"/documents/{doc.id}/review/take", data={
        "gold_version": gold_version(doc), "source": "bob", "layer": "entities", "uid": "b2", "replace": "1"})
    assert gold_entities(doc) == {(13, 20, "ORG")}
    gold = annotation_of(gold_set(doc.id).id)
    validate(gold, doc.text, labels=doc.dataset.entity_labels)
    spacy_doc = doc_from_annotation(spacy.blank("en").vocab, doc.text, doc.tokens, gold)
    assert [(e.text, e.label_) for e in spacy_doc.ents] == [("Tom Lee", "ORG")]


def test_review_actions_need_the_gold_version(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    review_as_rita(client)
    for action in ("take", "remove", "agreed", "done", "undo", "reopen"):
        assert client.post(f"/documents/{doc.id}/review/{action}", data={}).status_code == 400, action
    stale = client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 3}, follow_redirects=True)
    assert "changed elsewhere" in stale.get_data(as_text=True) and gold_set(doc.id) is None


def test_reviewed_sets_are_read_only_until_a_reviewer_reopens(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    annotate(client, "bob", doc, BOB)
    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 0})
    client.post(f"/documents/{doc.id}/review/done", data={"gold_version": gold_version(doc)})
    refused = client.post(f"/documents/{doc.id}/review/take", follow_redirects=True,
                          data={"gold_version": gold_version(doc), "source": "bob", "layer": "entities", "uid": "b4"})
    assert "reopen the document" in refused.get_data(as_text=True)

    client.post("/logout")
    login(client, "alice")
    alices = user_set(doc.id, find_user("alice"))
    edit = client.put(f"/api/sets/{alices.id}", json={"version": alices.version, "ops": [entity("z", 33, 39, "DATE")]})
    assert edit.status_code == 409 and "reviewed and is read-only" in edit.get_json()["error"]
    assert client.post(f"/api/sets/{alices.id}/status",
                       json={"version": alices.version, "status": "in_progress"}).status_code == 409
    assert client.get(f"/annotate/{alices.id}").status_code == 409

    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/reopen", data={"gold_version": gold_version(doc)})
    db.session.refresh(alices)
    assert alices.status == "submitted" and gold_set(doc.id).status == "in_progress"
    history = client.get(f"/documents/{doc.id}/history").get_data(as_text=True)
    assert "→ in_progress" in history and "→ submitted" in history
    client.post("/logout")
    login(client, "alice")
    assert client.put(f"/api/sets/{alices.id}", json={"version": alices.version,
                                                      "ops": [entity("z", 33, 39, "DATE")]}).status_code == 200


def test_restore_needs_write_access(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE)
    review_as_rita(client)
    alices = user_set(doc.id, find_user("alice"))
    before = annotation_of(alices.id)
    answer = client.post(f"/sets/{alices.id}/restore", data={"version": 1, "set_version": alices.version})
    assert answer.status_code == 403
    assert annotation_of(alices.id) == before


def test_gold_item_left_out_by_a_later_submission_is_flagged(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    annotate(client, "alice", doc, ALICE + [entity("a4", 33, 39, "DATE")])
    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/take",
                data={"gold_version": 0, "source": "alice", "layer": "entities", "uid": "a4"})
    page = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    assert "disputed" not in page
    annotate(client, "bob", doc, [entity("b1", 0, 8, "PERSON")])  # submitted after the take, no Monday
    review_as_rita(client)
    page = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    assert page.count("⚑ disputed") == 1 and 'class="row disagree disputed"' in page


def test_removing_a_stance_holder_entity_keeps_the_stance_valid(app: Flask, client: FlaskClient) -> None:
    doc = setup_document()
    doc.dataset.annotators_per_doc = 1
    db.session.commit()
    stance = {"op": "upsert", "layer": "stances", "item": {
        "uid": "s1", "polarity": "favor", "evidence": {"start": 0, "end": 20}, "holder_entity": "a1",
        "target": "the meeting"}}
    annotate(client, "alice", doc, ALICE + [stance])
    review_as_rita(client)
    client.post(f"/documents/{doc.id}/review/agreed", data={"gold_version": 0})
    gold = annotation_of(gold_set(doc.id).id)
    holder = next(e.uid for e in gold.entities if e.start == 0)
    removed = client.post(f"/documents/{doc.id}/review/remove", follow_redirects=True,
                          data={"gold_version": gold_version(doc), "layer": "entities", "uid": holder})
    assert "Removed from gold." in removed.get_data(as_text=True)
    (kept,) = annotation_of(gold_set(doc.id).id).stances
    assert kept.holder_entity is None and kept.holder == "Ana Ruiz"
