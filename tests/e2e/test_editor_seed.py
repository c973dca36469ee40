"""Correcting the seed article's pre-annotation toward its gold with the keyboard only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from editor_helpers import SEED_MODEL, SEED_TEXT, Keys, api_set, open_editor, seed_dataset, selected, selection_text, wait_saved
from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SHOTS")
TEXT = SEED_TEXT


def span_of(text: str, nth: int = 0) -> tuple[int, int]:
    at = -1
    for _ in range(nth + 1):
        at = TEXT.index(text, at + 1)
    return at, at + len(text)


def entity_at(entities: list[dict], text: str, nth: int = 0) -> dict:
    start, end = span_of(text, nth)
    (found,) = [e for e in entities if e["start"] == start and e["end"] == end]
    return found


def test_keyboard_correction_of_the_seed_article(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "seed", "kim")
    log_in(page, server, "kim")
    open_editor(page, server, set_id)
    keys = Keys(page)

    keys.find("Shafaq")                       # "Shafaq" is a model entity: find selects it
    assert selected(page)["text"] == "Shafaq"
    keys.press("Shift+ArrowRight", "2")        # grow its end by one word; ORG
    assert selected(page)["text"] == "Shafaq news"

    keys.find("Aleppo")
    keys.press("3")                            # GPE
    keys.press("/", "Enter", "3")              # the find box keeps the words: the next Aleppo
    keys.find("HTS")
    assert selected(page) is None and selection_text(page) == "HTS"
    keys.press("2")
    keys.find("Tahrir")                        # inside the model's "Tahrir al-Sham" (PERSON)
    keys.press("Control+Shift+ArrowLeft", "2")  # grow its start: "Hayat Tahrir al-Sham", ORG
    assert selected(page)["text"] == "Hayat Tahrir al-Sham"

    keys.find("US-Israeli")                    # the quote "US-Israeli project": its speaker links "Iranian"
    keys.press("ArrowDown", "ArrowDown")      # the entity "US", then the quote
    assert selected(page)["uid"] == "m-q9"
    keys.press("s")                            # best speaker candidate: the PERSON nearest the cue
    assert page.locator("#quote-speaker").inner_text() == "Iranian Foreign Minister Abbas Aragchi"
    assert page.locator("#quote-entity option:checked").inner_text() == "Abbas Aragchi (PERSON)"

    keys.find("the result of")
    while selection_text(page) != "the result of a “US-Israeli project”":
        keys.press("Shift+ArrowRight")
        assert keys.count < 200
    keys.press("t", "h", "o", "a")             # new stance, holder, target, polarity "against"
    row = page.locator("#stance-list li[aria-selected=true]")
    assert row.locator(".holder").inner_text() == "Abbas Aragchi" and row.locator(".target").inner_text() == "US"
    assert row.locator(".polarity").inner_text() == "against"
    keys.press("Control+z")
    assert page.locator("#stance-list li[aria-selected=true] .polarity").inner_text() == "neutral"
    keys.press("Control+Shift+Z")
    assert page.locator("#stance-list li[aria-selected=true] .polarity").inner_text() == "against"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "editor-seed-corrected.png"))
    wait_saved(page)

    page.reload()
    page.wait_for_selector("body[data-editor-ready]")
    assert page.locator("#restore").is_hidden()
    keys.press("Control+Enter")                # submit
    page.wait_for_url("**/next")
    Path(os.environ.get("E2E_KEYCOUNT", "/dev/null")).write_text(str(keys.count))
    print(f"keystrokes for the seed correction: {keys.count}")

    got = api_set(page, server, set_id)
    assert got["status"] == "submitted"
    check_exact_edits(got["annotation"])


def check_exact_edits(got: dict) -> None:
    """The set is the pre-annotation plus exactly the edits made above."""
    model = {layer: {i["uid"]: i for i in SEED_MODEL[layer]} for layer in ("entities", "quotes", "stances")}
    ents = {e["uid"]: e for e in got["entities"]}
    changed = {uid: e for uid, e in ents.items() if model["entities"].get(uid) != e}
    want = {("Shafaq news", "ORG"), ("Aleppo", "GPE"), ("HTS", "ORG"), ("Hayat Tahrir al-Sham", "ORG")}
    assert {(TEXT[e["start"]:e["end"]], e["label"]) for e in changed.values()} == want
    assert len(changed) == 5 and all(e["origin"] == "human" for e in changed.values())
    assert set(model["entities"]) <= set(ents)
    quotes = {q["uid"]: q for q in got["quotes"]}
    assert {uid for uid, q in quotes.items() if model["quotes"].get(uid) != q} == {"m-q9"}
    aragchi = entity_at(got["entities"], "Abbas Aragchi")
    assert quotes["m-q9"]["speaker_entity"] == aragchi["uid"] and quotes["m-q9"]["origin"] == "human"
    assert (quotes["m-q9"]["speaker"]["start"], quotes["m-q9"]["speaker"]["end"]) == span_of("Iranian Foreign Minister Abbas Aragchi")
    stances = {s["uid"]: s for s in got["stances"]}
    new = [s for uid, s in stances.items() if uid not in model["stances"]]
    assert all(stances[uid] == s for uid, s in model["stances"].items())
    (stance,) = new
    assert stance["holder_entity"] == aragchi["uid"] and stance["target_entity"] == entity_at(got["entities"], "US")["uid"]
    assert stance["polarity"] == "against"
    assert (stance["evidence"]["start"], stance["evidence"]["end"]) == span_of("the result of a “US-Israeli project”")
