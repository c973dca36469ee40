"""Agreement figures from the database match a small example worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from annotator.db import db
from annotator.models import Document
from annotator.services import agreement as figures
from annotator.services.annotations import Op, apply_ops, gold_set, set_status, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from annotator.spans import Entity, Span, Stance
from conftest import login, make_user

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


def finished(doc: Document, name: str, entities: list[Entity], minutes: int) -> None:
    aset = user_set(doc.id, find_user(name), create=True)
    db.session.flush()
    ops = [Op("upsert", "entities", e.uid, e) for e in entities]
    ops += [Op("upsert", "stances", s.uid, s) for s in stances(name)]
    apply_ops(aset, ops, user=None, expected_version=aset.version)
    set_status(aset, status="submitted", user=None, expected_version=aset.version)
    aset.submitted_at = aset.started_at + timedelta(minutes=minutes)


@pytest.fixture
def doc(app: Flask) -> Document:
    dataset = get_or_create_dataset("team")
    doc_id = import_records(dataset, [Record(text=TEXT)], preannotate=False).document_ids[0]
    make_user("alice")
    make_user("bob")
    document = db.session.get(Document, doc_id)
    finished(document, "alice", ALICE_ENTITIES, 4)
    finished(document, "bob", BOB_ENTITIES, 6)
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
    assert labels["PERSON"] == {"exact_f1": 0.0, "overlap_f1": pytest.approx(2 / 3)}


def test_gold_agreement_and_annotator_figures(doc: Document) -> None:
    gold = gold_set(doc.id, create=True)
    apply_ops(gold, [Op("upsert", "entities", e.uid, e) for e in ALICE_ENTITIES], user=None,
              expected_version=gold.version)
    set_status(gold, status="reviewed", user=None, expected_version=gold.version)
    db.session.commit()
    agreement, against_gold = figures.dataset_figures(doc.dataset)
    assert agreement.overall()["entities_exact_f1"] == pytest.approx(2 / 7)
    people = {p.name: p for p in figures.annotator_figures(doc.dataset, against_gold)}
    # alice equals gold (F1 1.0); bob shares Paris only: 2*1 / (3 + 4) = 2/7.
    assert people["alice"].gold_f1 == 1.0
    assert people["bob"].gold_f1 == pytest.approx(2 / 7)
    assert (people["alice"].done, people["alice"].median_seconds) == (1, 240)
    assert people["bob"].median_seconds == 360


def test_agreement_json_and_dashboard(doc: Document, client: FlaskClient) -> None:
    make_user("rita", "reviewer")
    login(client, "rita")
    data = client.get(f"/api/documents/{doc.id}/agreement").get_json()
    assert data["agreement"]["overall"]["stance_kappa"] == pytest.approx(0.4)
    assert data["agreement"]["pairs"][0]["a"] == "alice"
    dataset = client.get(f"/api/datasets/{doc.dataset_id}/agreement").get_json()
    assert dataset["agreement"]["overall"]["entities_overlap_f1"] == pytest.approx(4 / 7)
    page = client.get(f"/datasets/{doc.dataset_id}/dashboard").get_data(as_text=True)
    assert "<svg" in page and "0.29" in page and "0.57" in page and "alice · bob" in page
    assert 'style="' not in page
