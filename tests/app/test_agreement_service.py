"""Agreement figures from the database match small examples worked out by hand, stored figures included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import AgreementPair, AnnotationSet, Document
from annotator.services import agreement as figures
from annotator.services.annotations import (
    Op, apply_ops, ensure_seeded, gold_set, insert_annotation, set_status, user_set,
)
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from annotator.spans import Annotation, Entity, Span, Stance
from apptools import login, make_user

TEXT = "Ana Ruiz met Tom Lee in Paris on Monday. The tram, the bridge and the park were discussed."
#       0   4   8   13  17 20 24   29 33    39

# alice: Ana Ruiz PERSON, Tom Lee PERSON, Paris GPE                       (3 entities)
# bob:   Ruiz PERSON,     Tom Lee ORG,    Paris GPE, Monday DATE          (4 entities)
# Exact matches (start, end, label): Paris only -> tp 1, F1 = 2*1 / (3 + 4) = 2/7.
# Overlap with equal labels adds Ruiz ~ Ana Ruiz -> tp 2, F1 = 2*2 / 7 = 4/7.
# Per label, exact: GPE 1/1 -> F1 1.0; PERSON: alice 2, bob 1, none equal -> 0.0;
#   ORG (bob only) and DATE (bob only) -> 0.0. Overlap PERSON: tp 1 of 2 + 1 -> 2/3.
ALICE_ENTITIES = [Entity("a1", 0, 8, "PERSON"), Entity("a2", 13, 20, "PERSON"), Entity("a3", 24, 29, "GPE")]
BOB_ENTITIES = [Entity("b1", 4, 8, "PERSON"), Entity("b2", 13, 20, "ORG"), Entity("b3", 24, 29, "GPE"),
                Entity("b4", 33, 39, "DATE")]

# Stance units (holder, target) and polarity:   alice      bob
#   (ana, tram)                                favor      favor
#   (ana, bridge)                              against    against
#   (ana, park)                                against    favor
# Observed agreement 2/3. alice: favor 1, against 2; bob: favor 2, against 1.
# Expected = (1*2 + 2*1) / 3^2 = 4/9. kappa = (2/3 - 4/9) / (1 - 4/9) = (2/9) / (5/9) = 0.4.
# Krippendorff's alpha (nominal, 2 coders, 3 units, 6 values): coincidences favor-favor 2,
#   against-against 2, favor-against 1, against-favor 1; n_favor = 3, n_against = 3, n = 6.
#   D_o = 2 / 6; D_e = (3*3 + 3*3) / (6*5) = 18/30. alpha = 1 - (1/3) / (3/5) = 1 - 5/9 = 4/9.
POLARITIES = {"alice": ("favor", "against", "against"), "bob": ("favor", "against", "favor")}
TARGETS = ("tram", "bridge", "park")


def stances(name: str) -> list[Stance]:
    return [Stance(f"{name[0]}s{i}", polarity, Span(41, 90), holder="Ana Ruiz", target=target)
            for i, (target, polarity) in enumerate(zip(TARGETS, POLARITIES[name]))]


def finished(doc: Document, name: str, entities: list[Entity], seconds: int) -> AnnotationSet:
    aset = user_set(doc.id, find_user(name), create=True)
    db.session.flush()
    ops = [Op("upsert", "entities", e.uid, e) for e in entities]
    ops += [Op("upsert", "stances", s.uid, s) for s in stances(name)]
    apply_ops(aset, ops, user=None, expected_version=aset.version)
    set_status(aset, status="submitted", user=None, expected_version=aset.version)
    aset.active_ms = seconds * 1000
    return aset


@pytest.fixture
def doc(app: Flask) -> Document:
    dataset = get_or_create_dataset("team")
    doc_id = import_records(dataset, [Record(text=TEXT)], preannotate=False).document_ids[0]
    make_user("alice")
    make_user("bob")
    document = db.session.get(Document, doc_id)
    finished(document, "alice", ALICE_ENTITIES, 240)
    finished(document, "bob", BOB_ENTITIES, 360)
    db.session.commit()
    return document


def test_document_agreement_equals_hand_computed(doc: Document) -> None:
    overall = figures.document_figures(doc).overall()
    assert overall["entities_exact_f1"] == pytest.approx(2 / 7)
    assert overall["entities_overlap_f1"] == pytest.approx(4 / 7)
    assert overall["stance_kappa"] == pytest.approx(0.4)
    assert overall["stance_alpha"] == pytest.approx(4 / 9)
    assert overall["quotes_f1"] is None  # nobody marked a quote
    labels = figures.document_figures(doc).overall_labels()
    assert labels["GPE"]["exact_f1"] == 1.0
    assert labels["PERSON"] == {"exact_f1": 0.0, "overlap_f1": pytest.approx(2 / 3), "items": 3}


def test_stored_figures_pool_to_the_hand_computed_values(doc: Document) -> None:
    agreement = figures.dataset_figures(doc.dataset)
    overall, sizes = agreement.overall(), agreement.overall_sizes()
    assert overall["entities_exact_f1"] == pytest.approx(2 / 7) and sizes["entities_exact_f1"] == 6  # 1 + 3 + 2
    assert overall["entities_overlap_f1"] == pytest.approx(4 / 7)
    assert overall["stance_kappa"] == pytest.approx(0.4) and sizes["stance_kappa"] == 3
    assert overall["stance_alpha"] == pytest.approx(4 / 9) and sizes["stance_alpha"] == 3
    assert agreement.overall_labels()["PERSON"]["overlap_f1"] == pytest.approx(2 / 3)
    assert list(agreement.pairs) == [("alice", "bob")]
    assert agreement.baseline == {}  # no model set: no baseline


def test_gold_agreement_and_annotator_figures(doc: Document) -> None:
    gold = gold_set(doc.id, create=True)
    apply_ops(gold, [Op("upsert", "entities", e.uid, e) for e in ALICE_ENTITIES], user=None,
              expected_version=gold.version)
    set_status(gold, status="reviewed", user=None, expected_version=gold.version)
    db.session.commit()
    agreement = figures.dataset_figures(doc.dataset)
    assert agreement.overall()["entities_exact_f1"] == pytest.approx(2 / 7)
    people = {p.name: p for p in figures.annotator_figures(doc.dataset, agreement)}
    # alice equals gold (F1 1.0); bob shares Paris only: 2*1 / (3 + 4) = 2/7.
    assert people["alice"].gold_f1 == 1.0
    assert people["bob"].gold_f1 == pytest.approx(2 / 7)
    assert (people["alice"].done, people["alice"].median_seconds) == (1, 240)
    assert people["bob"].median_seconds == 360
    assert figures.coverage(doc.dataset) == figures.Coverage(1, 1, 1, 0)


def test_agreement_json_and_dashboard(doc: Document, client: FlaskClient) -> None:
    make_user("rita", "reviewer")
    login(client, "rita")
    data = client.get(f"/api/documents/{doc.id}/agreement").get_json()
    assert data["agreement"]["overall"]["stance_kappa"] == pytest.approx(0.4)
    assert data["agreement"]["pairs"][0]["a"] == "alice"
    dataset = client.get(f"/api/datasets/{doc.dataset_id}/agreement").get_json()
    assert dataset["agreement"]["overall"]["entities_overlap_f1"] == pytest.approx(4 / 7)
    assert dataset["agreement"]["items"]["entities_overlap_f1"] == 5  # tp 2, fp 2, fn 1
    assert dataset["coverage"] == {"documents": 1, "compared": 1, "with_gold": 0, "rejected": 0}
    page = client.get(f"/datasets/{doc.dataset_id}/dashboard").get_data(as_text=True)
    assert "<svg" in page and "0.29" in page and "0.57" in page and "alice · bob" in page
    assert "Quote cues agree" in page and "rejected document(s) left out" in page
    assert 'style="' not in page
    assert client.get(f"/datasets/{doc.dataset_id}/dashboard?scope=changed").status_code == 200


# Pre-annotation: the model proposes Ana Ruiz PERSON, Tom Lee PERSON, Paris GPE, Monday DATE.
# alice keeps all four untouched; bob keeps three and relabels Tom Lee as ORG.
#   All items, exact: alice 4, bob 4, shared 3 -> tp 3, fp 1, fn 1: F1 6/8 = 0.75 on 5 items.
#   Baseline: alice vs model 4 of 4 -> 1.0 (4 items); bob vs model tp 3, fp 1, fn 1 -> 0.75 (5 items).
#   Only changed items: Ana Ruiz, Paris, Monday are the model's and kept by both, so they are left
#   out; alice {Tom Lee PERSON} vs bob {Tom Lee ORG}: tp 0, fp 1, fn 1 -> F1 0.0 on 2 items;
#   baseline alice 1.0 (1 item), bob 0.0 (2 items).
MODEL = [Entity("m1", 0, 8, "PERSON", "model"), Entity("m2", 13, 20, "PERSON", "model"),
         Entity("m3", 24, 29, "GPE", "model"), Entity("m4", 33, 39, "DATE", "model")]


def pre_annotated(dataset_name: str) -> Document:
    dataset = get_or_create_dataset(dataset_name)
    doc_id = import_records(dataset, [Record(text=TEXT)], preannotate=False).document_ids[0]
    model = AnnotationSet(document_id=doc_id, kind="model", status="submitted", seeded=True)
    db.session.add(model)
    db.session.flush()
    insert_annotation(model.id, Annotation(entities=list(MODEL)))
    return db.session.get(Document, doc_id)


def seeded(doc: Document, name: str) -> AnnotationSet:
    aset = user_set(doc.id, find_user(name) or make_user(name), create=True)
    ensure_seeded(aset)
    db.session.flush()
    return aset


def test_untouched_model_items_and_the_model_baseline(app: Flask) -> None:
    doc = pre_annotated("pre")
    alice, bob = seeded(doc, "alice"), seeded(doc, "bob")
    apply_ops(bob, [Op("upsert", "entities", "m2", Entity("m2", 13, 20, "ORG"))], user=None,
              expected_version=bob.version)
    for aset in (alice, bob):
        set_status(aset, status="submitted", user=None, expected_version=aset.version)
    db.session.commit()
    everything = figures.dataset_figures(doc.dataset)
    assert everything.overall()["entities_exact_f1"] == 0.75
    assert everything.overall_sizes()["entities_exact_f1"] == 5
    assert everything.baseline["alice"].entities_exact.f1 == 1.0
    assert everything.baseline["alice"].sizes()["entities_exact_f1"] == 4
    assert everything.baseline["bob"].entities_exact.f1 == 0.75
    assert everything.baseline_overall()["entities_exact_f1"] == pytest.approx(0.875)
    changed = figures.dataset_figures(doc.dataset, scope="changed")
    assert changed.overall()["entities_exact_f1"] == 0.0
    assert changed.overall_sizes()["entities_exact_f1"] == 2
    assert changed.baseline["alice"].entities_exact.f1 == 1.0
    assert changed.baseline["alice"].sizes()["entities_exact_f1"] == 1
    assert changed.baseline["bob"].entities_exact.f1 == 0.0
    people = {p.name: p for p in figures.annotator_figures(doc.dataset, everything)}
    assert (people["alice"].model_f1, people["bob"].model_f1) == (1.0, 0.75)


def test_only_finished_sets_count_and_rejected_documents_are_left_out(app: Flask) -> None:
    doc = pre_annotated("pre")
    alice, bob = seeded(doc, "alice"), seeded(doc, "bob")
    set_status(alice, status="submitted", user=None, expected_version=alice.version)
    db.session.commit()
    # bob's untouched, unfinished copy of the model never counts: no pair yet.
    agreement = figures.dataset_figures(doc.dataset)
    assert agreement.pairs == {} and agreement.overall()["entities_exact_f1"] is None
    assert list(agreement.baseline) == ["alice"]
    set_status(bob, status="submitted", user=None, expected_version=bob.version, answer="reject")
    db.session.commit()
    assert figures.dataset_figures(doc.dataset).baseline == {}
    assert figures.coverage(doc.dataset) == figures.Coverage(0, 0, 0, 1)
    assert db.session.query(AgreementPair).count() == 0


def test_reopening_removes_a_set_from_the_stored_figures(doc: Document) -> None:
    alice = user_set(doc.id, find_user("alice"))
    set_status(alice, status="in_progress", user=None, expected_version=alice.version)
    db.session.commit()
    assert figures.dataset_figures(doc.dataset).pairs == {}
    set_status(alice, status="submitted", user=None, expected_version=alice.version)
    db.session.commit()
    assert figures.dataset_figures(doc.dataset).overall()["entities_exact_f1"] == pytest.approx(2 / 7)


def test_active_time_adds_capped_gaps_between_the_owners_saves(app: Flask, monkeypatch) -> None:
    doc = pre_annotated("pre")
    alice = seeded(doc, "alice")
    db.session.commit()
    start = figures.utcnow()
    moments = iter([start, start + timedelta(seconds=40), start + timedelta(minutes=30),
                    start + timedelta(minutes=31)])
    monkeypatch.setattr(figures, "utcnow", lambda: next(moments))
    user = find_user("alice")
    for _ in range(4):
        figures.record_activity(alice, user)
        db.session.commit()
        db.session.refresh(alice)
    # 0 (first save) + 40 s + capped 5 min (a break) + 60 s.
    assert alice.active_ms == (40 + 300 + 60) * 1000
    figures.record_activity(alice, find_user("bob") or make_user("bob"))  # someone else's save: not counted
    assert alice.active_ms == 400_000


def test_saving_records_active_time_without_moving_the_version(app: Flask, client: FlaskClient) -> None:
    doc = pre_annotated("pre")
    alice = seeded(doc, "alice")
    db.session.commit()
    login(client, "alice")
    for version in (alice.version, alice.version + 1):
        response = client.put(f"/api/sets/{alice.id}", json={"version": version, "ops": []})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["version"] == version + 1  # one save, one version
    db.session.expire_all()
    assert db.session.get(AnnotationSet, alice.id).last_active_at is not None


def test_signing_off_gold_keeps_the_annotators_submit_times(doc: Document) -> None:
    from annotator.services.review import mark_reviewed

    alice = user_set(doc.id, find_user("alice"))
    submitted = alice.submitted_at
    gold = gold_set(doc.id, create=True)
    db.session.commit()
    mark_reviewed(doc, user=make_user("rita", "reviewer"), expected_version=gold.version)
    db.session.commit()
    db.session.refresh(alice)
    assert alice.status == "reviewed" and alice.submitted_at == submitted
