"""The editor in Chromium: label, relabel, delete, quote, stance, undo/redo, submit, export; conflicts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e

ARTICLE = ('Mayor Ana Ruiz said the tram plan would help Marrenburg.\n'
           '"We will build it this year," Ruiz told reporters on Monday.\n'
           'The opposition leader Boris Lenk rejected the plan, calling it "a waste of money."\n')
SHOTS = os.environ.get("E2E_SHOTS")

SELECT_JS = """([needle, nth, from, to]) => {
  const root = document.getElementById('article');
  let start = -1;
  const text = root.textContent;
  for (let i = 0; i <= nth; i++) start = text.indexOf(needle, start + 1);
  const a = start + from, b = start + (to === null ? needle.length : to);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let pos = 0, node;
  while ((node = walker.nextNode())) {
    const end = pos + node.length;
    if (a >= pos && a < end) range.setStart(node, a - pos);
    if (b > pos && b <= end) range.setEnd(node, b - pos);
    pos = end;
  }
  const sel = window.getSelection();
  sel.removeAllRanges(); sel.addRange(range);
  root.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
  return window.getSelection().toString();
}"""


def select(page, needle: str, nth: int = 0, cut: tuple[int, int | None] = (0, None)) -> str:
    """Select (part of) the nth occurrence of a text as a mouse would; return the snapped selection."""
    return page.evaluate(SELECT_JS, [needle, nth, cut[0], cut[1]])


def mark(page, text: str):
    """The entity mark whose text is exactly this."""
    return page.locator("#article mark.ent").filter(has_text=text).filter(
        has=page.locator(f"xpath=self::*[normalize-space(.)='{text}']"))


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture(scope="module")
def article(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("articles") / "tram.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def wait_saved(page) -> None:
    page.wait_for_selector("#save-state[data-state=saved]")


def test_annotate_submit_and_export(server: LiveServer, page, article: Path) -> None:
    server.cli("import", str(article), "--dataset", "flow")
    server.add_user("ann")
    server.assign("flow", "ann")
    log_in(page, server, "ann")
    page.get_by_role("link", name="flow").first.click()
    page.get_by_role("link", name="Start annotating · Next").click()
    page.wait_for_selector("body[data-editor-ready]")
    assert "0 of 1 done" in page.locator("#progress").inner_text()

    assert select(page, "Ana Ruiz", cut=(1, 6)) == "Ana Ruiz"  # "na Ru" snaps to the whole tokens
    page.keyboard.press("1")
    assert mark(page, "Ana Ruiz").get_attribute("data-label") == "PERSON"
    select(page, "Ruiz", nth=1)
    page.keyboard.press("1")

    mark(page, "Marrenburg").click()
    page.keyboard.press("5")
    assert mark(page, "Marrenburg").get_attribute("data-label") == "LOC"
    assert "origin-model" not in mark(page, "Marrenburg").get_attribute("class")

    mark(page, "Monday").click()
    page.keyboard.press("Delete")
    assert mark(page, "Monday").count() == 0

    assert select(page, 'Marrenburg.\n"We', cut=(3, 14)) == 'Marrenburg.\n"We'  # across a line break
    page.keyboard.press("Escape")
    mark(page, "Boris Lenk").click()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.getSelection().toString()") == "rejected"
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("window.getSelection().toString()") == "rejected the"
    page.keyboard.press("Escape")

    select(page, "this year", cut=(0, 4))
    page.keyboard.press("2")
    assert "overlaps the DATE span" in page.locator("#message").inner_text()

    select(page, "We will build it this year,")
    page.keyboard.press("q")
    select(page, "Ruiz", nth=1)
    page.keyboard.press("s")
    select(page, "told")
    page.keyboard.press("c")
    assert page.locator("#quote-speaker").inner_text() == "Ruiz"
    assert page.locator("#quote-cue").inner_text() == "told"
    page.hover("#article .seg.cue")
    assert page.locator("#article .seg.spk.hl").count() >= 1
    shot(page, "editor-quote")

    select(page, "rejected the plan")
    page.keyboard.press("t")
    page.focus("#stance-holder")  # the full entity list is built when the select is used
    page.select_option("#stance-holder", label="Boris Lenk (PERSON)")
    page.fill("#stance-topic", "tram plan")
    page.locator("#stance-topic").dispatch_event("change")
    page.keyboard.press("Escape") if page.evaluate("document.activeElement.id") == "stance-topic" else None
    page.keyboard.press("a")
    item = page.locator("#stance-list li[aria-selected=true]")
    assert "against" in item.inner_text()
    page.keyboard.press("Control+z")
    assert "neutral" in page.locator("#stance-list li.origin-human").inner_text()
    page.keyboard.press("Control+Shift+Z")
    assert "against" in page.locator("#stance-list li.origin-human").inner_text()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    shot(page, "editor-help")
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    assert page.locator("#guidelines").is_visible()
    page.keyboard.press("g")

    wait_saved(page)
    assert page.locator("#set-status").inner_text() == "in progress"
    shot(page, "editor-done-editing")
    page.keyboard.press("Shift+A")  # no longer a submit key: nothing happens
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/next")
    assert "Your queue is done" in page.content()

    lines = server.cli("export", "--dataset", "flow", "--only", "submitted", "-o", "-").stdout.splitlines()
    (task,) = [json.loads(line) for line in lines if line.strip()]
    text = task["text"]
    assert task["answer"] == "accept" and task["_status"] == "submitted"
    spans = {(text[s["start"]:s["end"]], s["label"], s["origin"]) for s in task["spans"]}
    assert {("Ana Ruiz", "PERSON", "human"), ("Ruiz", "PERSON", "human"), ("Marrenburg", "LOC", "human")} <= spans
    assert not any(s[0] == "Monday" for s in spans)
    (quote,) = [q for q in task["quotes"] if q["origin"] == "human"]
    assert quote["content"]["text"] == "We will build it this year," and quote["kind"] == "direct"
    assert quote["speaker"]["text"] == "Ruiz" and quote["cue"]["text"] == "told"
    speaker = task["spans"][quote["speaker_entity"]]
    assert text[speaker["start"]:speaker["end"]] == "Ruiz"
    (stance,) = [s for s in task["stances"] if s["origin"] == "human"]
    assert stance["polarity"] == "against" and stance["evidence"]["text"] == "rejected the plan"
    assert stance["target"]["text"] == "tram plan" and stance["target"]["entity"] is None
    holder = task["spans"][stance["holder"]["entity"]]
    assert text[holder["start"]:holder["end"]] == "Boris Lenk"


def test_conflicting_save_keeps_local_edits(server: LiveServer, new_page, article: Path) -> None:
    server.cli("import", str(article), "--dataset", "clash")
    server.add_user("cat")
    (set_id,) = server.assign("clash", "cat")
    first, second = new_page(), new_page()
    for page in (first, second):
        log_in(page, server, "cat")
        page.goto(server.url(f"/annotate/{set_id}"))
        page.wait_for_selector("body[data-editor-ready]")

    select(first, "tram plan")
    first.keyboard.press("7")
    wait_saved(first)

    select(second, "reporters")
    second.keyboard.press("2")
    second.wait_for_selector("#save-state[data-state=conflict]")
    assert second.locator("#conflict").is_visible()
    assert "unsaved edit" in second.locator("#conflict").inner_text()
    assert mark(second, "reporters").get_attribute("data-label") == "ORG"
    second.click("#conflict-show")
    assert "EVENT    tram plan" in second.locator("#conflict-server").inner_text()
    shot(second, "editor-conflict")

    second.click("#conflict-merge")
    wait_saved(second)
    assert mark(second, "tram plan").get_attribute("data-label") == "EVENT"
    saved = second.request.get(server.url(f"/api/sets/{set_id}")).json()
    labels = {(ARTICLE[e["start"]:e["end"]], e["label"]) for e in saved["annotation"]["entities"]}
    assert {("tram plan", "EVENT"), ("reporters", "ORG")} <= labels


def test_unsaved_edits_survive_a_lost_connection_and_a_reload(server: LiveServer, new_page, article: Path) -> None:
    server.cli("import", str(article), "--dataset", "offline")
    server.add_user("dan")
    (set_id,) = server.assign("offline", "dan")
    page = new_page()
    log_in(page, server, "dan")
    page.route("**/api/sets/*", lambda route: route.abort() if route.request.method == "PUT" else route.continue_())
    page.goto(server.url(f"/annotate/{set_id}"))
    page.wait_for_selector("body[data-editor-ready]")
    select(page, "reporters")
    page.keyboard.press("2")
    page.wait_for_selector("#save-state[data-state=offline]")
    assert "edits are kept" in page.locator("#save-state").inner_text()

    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" while edits are unsent
    page.reload()
    page.wait_for_selector("body[data-editor-ready]")
    assert page.locator("#restore").is_visible() and page.locator("#restore-count").inner_text() == "1"
    page.unroute("**/api/sets/*")
    page.keyboard.press("Enter")
    assert "Restored 1 edit" in page.locator("#message").inner_text()
    wait_saved(page)
    saved = page.request.get(server.url(f"/api/sets/{set_id}")).json()
    assert ("reporters", "ORG") in {(ARTICLE[e["start"]:e["end"]], e["label"]) for e in saved["annotation"]["entities"]}
    assert not page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('annotator:unsaved:'))")
