"""No edit lost or hidden: refused edits, an expired session, two tabs' backups, a merge over a deletion,
and Delete acting on the selected item only."""

from __future__ import annotations

import pytest

from editor_helpers import Keys, api_set, open_editor, seed_dataset, selected, wait_saved
from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e


def words(page, text: str, n: int = 0) -> None:
    """Select words through the editor (as arrow keys or a drag would)."""
    page.evaluate("""([text, n]) => {
      const ed = window.annotatorEditor;
      let at = -1; for (let i = 0; i <= n; i++) at = ed.text.indexOf(text, at + 1);
      if (at < 0) throw new Error('not found: ' + text);
      ed.selectText({start: at, end: at + text.length});
    }""", [text, n])


def labels(got: dict, text: str) -> list[tuple[str, str]]:
    return [(text[e["start"]:e["end"]], e["label"]) for e in got["annotation"]["entities"]]


def test_a_refused_edit_is_kept_and_shown_while_the_others_save(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "refuse", "rae")
    log_in(page, server, "rae")
    open_editor(page, server, set_id)
    text = page.evaluate("window.annotatorEditor.text")
    server.python(  # an admin drops EVENT from the labels while the page is open
        "import sqlalchemy as sa\nfrom annotator.models import Dataset\n"
        "ds = db.session.scalar(sa.select(Dataset).where(Dataset.name == 'refuse'))\n"
        "ds.entity_labels = [x for x in ds.entity_labels if x != 'EVENT']\ndb.session.commit()\n")
    page.evaluate("window.annotatorEditor.queue.delay = 2000")  # both edits go in one batch
    words(page, "civil war")
    page.keyboard.press("7")  # EVENT: refused by the server
    words(page, "Press TV")
    page.keyboard.press("2")  # ORG
    page.evaluate("window.annotatorEditor.queue.flush()")
    page.wait_for_selector("#save-state[data-state=refused]")
    assert "1 edit(s) refused" in page.locator("#save-state").inner_text()
    refused = page.locator("#article mark.refused")
    page.wait_for_function(  # the paragraph re-renders once the answer is in: read the settled mark
        "() => { const m = document.querySelector('#article mark.refused'); return !!m && m.textContent.startsWith('civil war'); }")
    assert "unknown label 'EVENT'" in refused.get_attribute("title")
    got = api_set(page, server, set_id)
    assert ("Press TV", "ORG") in labels(got, text) and not any(t == "civil war" for t, _ in labels(got, text))
    assert page.locator("#save-state").inner_text() != "Saved"

    refused.click()
    assert "unknown label" in page.locator("#entity-origin").inner_text()
    page.keyboard.press("5")  # LOC: accepted, the refusal goes
    wait_saved(page)
    assert page.locator("#article mark.refused").count() == 0
    assert ("civil war", "LOC") in labels(api_set(page, server, set_id), text)


def test_an_expired_session_keeps_every_edit_and_saves_after_logging_in_again(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "expire", "eve")
    log_in(page, server, "eve")
    open_editor(page, server, set_id)
    text = page.evaluate("window.annotatorEditor.text")
    page.evaluate("window.annotatorEditor.queue.retryMs = 500")
    page.context.clear_cookies()  # the session is gone (expired, or logged out elsewhere)
    keys = Keys(page)
    keys.find("HTS")
    keys.press("2")
    keys.find("Press TV")
    keys.press("2")
    page.wait_for_selector("#save-state[data-state=signed-out]")
    assert page.locator("#save-state").inner_text() == "Signed out: log in again in another tab; your edits are kept"
    assert page.locator("#login-again").is_visible()
    keys.find("civil war")
    keys.press("5")  # still editing while signed out
    assert page.evaluate("window.annotatorEditor.queue.unsent().length") == 3
    backup = page.evaluate("Object.entries(localStorage).filter(([k]) => k.startsWith('annotator:unsaved:'))")
    assert len(backup) == 1 and '"HTS"' not in backup[0][1] and backup[0][1].count('"op":"upsert"') == 3

    other = page.context.new_page()
    log_in(other, server, "eve")
    wait_saved(page)
    got = labels(api_set(other, server, set_id), text)
    assert {("HTS", "ORG"), ("Press TV", "ORG"), ("civil war", "LOC")} <= set(got)


def test_two_tabs_never_delete_each_others_backup(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "tabs", "tom")
    log_in(page, server, "tom")
    first, second = page, page.context.new_page()
    for tab in (first, second):
        tab.route("**/api/sets/*", lambda route: route.abort() if route.request.method == "PUT" else route.continue_())
        open_editor(tab, server, set_id)
    words(first, "HTS")
    first.keyboard.press("2")
    words(second, "Press TV")
    second.keyboard.press("2")
    for tab in (first, second):
        tab.wait_for_selector("#save-state[data-state=offline]")
    keys = first.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('annotator:unsaved:')).sort()")
    assert len(keys) == 2, "one backup per tab"
    first.unroute("**/api/sets/*")
    first.evaluate("window.annotatorEditor.queue.flush()")
    wait_saved(first)
    left = first.evaluate("Object.entries(localStorage).filter(([k]) => k.startsWith('annotator:unsaved:'))")
    assert len(left) == 1 and "Press TV" not in left[0][1]
    assert left[0][0] == second.evaluate("window.annotatorEditor.backup.key"), "the second tab's backup is still there"
    assert first.locator("#restore").is_hidden()


def test_a_merge_drops_links_to_entities_the_other_tab_deleted(server: LiveServer, new_page) -> None:
    set_id = seed_dataset(server, "merge", "max")
    first, second = new_page(), new_page()
    for tab in (first, second):
        log_in(tab, server, "max")
        open_editor(tab, server, set_id)
    # First tab: delete "Iranian" (2460), which quote m-q9 links to as its speaker; unlink when asked.
    words(first, "Iranian Foreign")
    first.keyboard.press("Shift+ArrowLeft")   # "Iranian": words equal to an entity...
    first.keyboard.press("ArrowRight")
    first.keyboard.press("ArrowLeft")         # ...select the entity when reached by an arrow
    assert selected(first)["text"] == "Iranian"
    first.keyboard.press("Delete")
    assert first.locator("#ask").is_visible() and "link to “Iranian”" in first.locator("#ask-text").inner_text()
    first.keyboard.press("Enter")
    wait_saved(first)
    # Second tab (stale): change the quote's kind; its op still links the deleted entity.
    second.evaluate("window.annotatorEditor.selectItem('quotes', 'm-q9')")
    second.keyboard.press("k")
    second.wait_for_selector("#save-state[data-state=conflict]")
    second.keyboard.press("Enter")  # "apply my edits on top of theirs" has the focus
    wait_saved(second)
    assert "1 link(s) to entities they deleted were dropped" in second.locator("#message").inner_text()
    quote = {q["uid"]: q for q in api_set(second, server, set_id)["annotation"]["quotes"]}["m-q9"]
    assert quote["kind"] == "direct" and quote["speaker_entity"] is None
    second.keyboard.press("Control+z")  # undo survives the merge
    wait_saved(second)
    assert {q["uid"]: q for q in api_set(second, server, set_id)["annotation"]["quotes"]}["m-q9"]["kind"] == "mixed"


def test_delete_acts_on_the_selected_item_only(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "delete", "del")
    log_in(page, server, "del")
    open_editor(page, server, set_id)
    page.locator("#article mark.ent", has_text="Damascus").first.click()
    page.locator("#quote-list li[data-uid=m-q2]").click()  # open a quote after clicking an entity
    assert selected(page)["uid"] == "m-q2"
    page.keyboard.press("Delete")
    assert page.locator("#quote-list li[data-uid=m-q2]").count() == 0
    assert page.locator("#article mark.ent", has_text="Damascus").count() == 1
    page.locator("#quote-list li[data-uid=m-q3]").click()
    words(page, "rumours of a coup")  # words selected while a quote is open
    page.keyboard.press("Delete")
    page.keyboard.press("Backspace")
    assert page.locator("#quote-list li[data-uid=m-q3]").count() == 1
    wait_saved(page)
    quotes = {q["uid"] for q in api_set(page, server, set_id)["annotation"]["quotes"]}
    assert "m-q2" not in quotes and "m-q3" in quotes
