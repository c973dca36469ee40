"""Browser: a reviewer adjudicates in place with the keyboard (take, replace, accept, undo, filter, save)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHOTS = Path("/tmp/shots")
PASSWORD = "e2e horse battery staple"
SETUP = """
from annotator.models import Document
from annotator.services.annotations import Op, apply_ops, set_status, user_set
from annotator.services.importer import Record, get_or_create_dataset, import_records
from annotator.services.users import find_user
from annotator.spans import Entity, Span, Stance

text = "Ana Ruiz met Tom Lee in Paris on Monday. She said the new tram line was a good idea."
dataset = get_or_create_dataset("Review e2e")
dataset.annotators_per_doc = 2
doc_id = import_records(dataset, [Record(text=text)], preannotate=False).document_ids[0]
versions = {
    "rv-alice": [Entity("a1", 0, 8, "PERSON"), Entity("a2", 13, 20, "PERSON"), Entity("a3", 24, 29, "GPE")],
    "rv-bob": [Entity("b1", 0, 8, "PERSON"), Entity("b2", 13, 20, "ORG"), Entity("b3", 24, 29, "GPE"),
               Entity("b4", 33, 39, "DATE")],
}
for name, entities in versions.items():
    aset = user_set(doc_id, find_user(name), create=True)
    stance = Stance(name[3] + "s1", "favor", Span(41, 84), holder="Ana Ruiz", target="tram line")
    ops = [Op("upsert", "entities", e.uid, e) for e in entities] + [Op("upsert", "stances", stance.uid, stance)]
    apply_ops(aset, ops, user=find_user(name), expected_version=aset.version)
    set_status(aset, status="submitted", user=find_user(name), expected_version=aset.version)
db.session.commit()
print(json.dumps({"document": doc_id, "dataset": dataset.id}))
"""
GOLD = """
from annotator.models import annotation_of
from annotator.services.annotations import gold_set
gold = gold_set({document})
print(json.dumps({{"status": gold.status, "entities": sorted([e.start, e.end, e.label]
                  for e in annotation_of(gold.id).entities), "stances": len(annotation_of(gold.id).stances)}}))
"""


def in_gold(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts of the merged alternatives now marked as in the gold."""
    return sorted(page.locator(".alt.in-gold .what").all_inner_texts())


@pytest.mark.e2e
def test_review_in_place_with_the_keyboard(server, page) -> None:  # type: ignore[no-untyped-def]
    for name, role in (("rv-alice", "annotator"), ("rv-bob", "annotator"), ("rv-rita", "reviewer")):
        server.add_user(name, role, PASSWORD)
    ids = json.loads(server.python("import json\n" + SETUP).strip().splitlines()[-1])
    page.goto(server.url("/login"))
    page.fill("input[name=name]", "rv-rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(server.url(f"/documents/{ids['document']}/review"))
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page
    assert page.locator(".row.disagree").count() == 2  # Tom Lee (PERSON or ORG, one row) and Monday
    assert page.locator(".row.disagree .alt").count() == 3
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-before.png"), full_page=True)

    page.keyboard.press("?")
    keys = page.locator("#key-map tr[data-action]")
    assert page.locator("#help").is_visible() and keys.count() >= 12
    assert len(set(keys.evaluate_all("rows => rows.map(r => r.dataset.key)"))) == keys.count()
    page.keyboard.press("Escape")

    page.keyboard.press("n")  # the first disagreement: Tom Lee
    page.keyboard.press("1")  # alice's PERSON
    page.wait_for_selector("#message[data-kind=success]")
    assert in_gold(page) == ["Tom Lee"]
    page.keyboard.press("2")  # bob's ORG overlaps it: refused, replace offered
    page.wait_for_selector("#message >> text=Press r to take it in their place")
    page.keyboard.press("r")
    page.wait_for_selector(".alt.in-gold .tag.label-ORG")
    assert page.locator(".alt.in-gold .tag.label-PERSON").count() == 0
    page.keyboard.press("n")  # Monday
    page.keyboard.press("t")
    page.wait_for_selector(".alt.in-gold >> text=Monday")
    assert page.locator("#gold-text mark").count() == 2

    page.keyboard.press("a")
    page.wait_for_selector("#message >> text=Accepted every agreed item (3 added")
    assert in_gold(page) == ["Ana Ruiz", "Ana Ruiz → tram line", "Monday", "Paris", "Tom Lee"]
    page.keyboard.press("u")
    page.wait_for_selector("#message >> text=Undone")
    assert in_gold(page) == ["Monday", "Tom Lee"]
    page.keyboard.press("a")
    page.wait_for_selector("#message >> text=Accepted every agreed item")
    assert page.locator("#gold-text mark").count() == 4
    page.keyboard.press("d")
    assert page.locator(".row.agreed").first.is_hidden() and page.locator(".row.disagree").first.is_visible()
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)

    page.keyboard.press("s")
    page.wait_for_selector("#gold-state >> text=reviewed")
    assert page.evaluate("window.stillTheSamePage") is True
    gold = json.loads(server.python("import json\n" + GOLD.format(document=ids["document"])).strip())
    assert gold == {"status": "reviewed", "stances": 1,
                    "entities": [[0, 8, "PERSON"], [13, 20, "ORG"], [24, 29, "GPE"], [33, 39, "DATE"]]}

    page.goto(server.url(f"/documents/{ids['document']}/review?view=side"))
    assert page.locator(".review-columns .column").count() == 3  # alice, bob, gold
    page.screenshot(path=str(SHOTS / "review-side.png"), full_page=True)
    page.goto(server.url(f"/documents/{ids['document']}/history"))
    assert page.locator("table.history tbody tr").count() > 5
    page.screenshot(path=str(SHOTS / "history.png"), full_page=True)

    page.goto(server.url(f"/datasets/{ids['dataset']}/dashboard"))
    assert page.locator("svg.chart rect").count() >= 2
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)


@pytest.mark.e2e
def test_admin_assigns_by_button(server, page) -> None:  # type: ignore[no-untyped-def]
    server.add_user("rv-admin", "admin", PASSWORD)
    server.add_user("rv-carl", "annotator", PASSWORD)
    created = server.python(
        "from annotator.services.importer import Record, get_or_create_dataset, import_records\n"
        "dataset = get_or_create_dataset('Assign e2e')\n"
        "import_records(dataset, [Record(text=f'Story {i} from Lima.') for i in range(3)], preannotate=False)\n"
        "db.session.commit()\nprint(dataset.id)\n")
    dataset_id = int(created.strip().splitlines()[-1])
    page.goto(server.url("/login"))
    page.fill("input[name=name]", "rv-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.click("text=Admin")
    assert page.locator("table.table tbody tr", has_text="rv-carl").count() == 1
    page.screenshot(path=str(SHOTS / "admin-users.png"), full_page=True)
    page.goto(server.url(f"/admin/datasets/{dataset_id}/assign"))
    page.click("text=Assign automatically")
    page.wait_for_selector(".flash.success >> text=new assignment")
    assert "0 assignment(s) still missing" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "admin-assign.png"), full_page=True)
