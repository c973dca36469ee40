"""The `?` overlay is the key map: every row's key, pressed, does what the row says."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from editor_helpers import api_set, open_editor, seed_dataset, selected, selection_text
from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e

JS_HELPERS = """
window.t = {
  ed: () => window.annotatorEditor,
  ent(text, n = 0) {
    const ed = window.annotatorEditor;
    return ed.store.sorted('entities').filter((e) => ed.text.slice(e.start, e.end) === text)[n];
  },
  pickEntity(text, n = 0) { window.annotatorEditor.selectItem('entities', this.ent(text, n).uid); },
  pickItem(layer, uid) { window.annotatorEditor.selectItem(layer, uid); },
  words(text, n = 0) {
    const ed = window.annotatorEditor;
    let at = -1; for (let i = 0; i <= n; i++) at = ed.text.indexOf(text, at + 1);
    if (at < 0) throw new Error(`no ${text} #${n}`);
    ed.selectText({ start: at, end: at + text.length }, true);
  },
  label(uid) { const e = window.annotatorEditor.store.get('entities', uid); return e && e.label; },
  quote(uid) { return window.annotatorEditor.store.get('quotes', uid); },
  selectedStance() { return window.annotatorEditor.selectedStance(); },
  order(layer) { return window.annotatorEditor.store.inOrder().filter((x) => !layer || x.layer === layer).map((x) => x.uid); },
};
"""


class Walk:
    """Runs one check per key map row, on the seed article."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.vocab = page.evaluate("window.annotatorEditor.vocab")

    def js(self, code: str, *args: Any) -> Any:
        return self.page.evaluate(code, *args)

    def press(self, key: str) -> None:
        """Press a key written in the key map's notation (Ctrl+, Alt+, Shift+ prefixes)."""
        *mods, name = key.split("+") if key != "+" else ["+"]
        chord = [{"Ctrl": "Control"}.get(m, m) for m in mods]
        self.page.keyboard.press("+".join([*chord, name]))

    def sel_uid(self) -> str | None:
        s = selected(self.page)
        return s["uid"] if s else None

    def ent_text(self) -> str:
        return selected(self.page)["text"]


def checks(w: Walk) -> dict[str, Callable[[str], None]]:
    """For each action: set up, press the row's key, check the effect."""
    page = w.page

    def next_item(key: str, dir: int = 1, layer: str | None = None, start: str = "m-e3") -> None:
        order = w.js(f"t.order({layer!r})" if layer else "t.order()")
        w.js(f"t.pickItem({layer or 'entities'!r}, {start!r})")
        w.press(key)
        assert w.sel_uid() == order[order.index(start) + dir]

    def word(key: str, dir: int) -> None:
        w.js("t.words('Ambassador')" if dir > 0 else "t.words('to', 0)")
        w.press(key)
        assert selection_text(page) == ("to" if dir > 0 else "Ambassador")

    def find(key: str) -> None:
        w.press(key)
        assert page.locator("#find").is_visible() and page.evaluate("document.activeElement.id") == "find-input"
        page.keyboard.press("Escape")
        assert page.locator("#find").is_hidden()

    def open_item(key: str) -> None:
        w.js("t.pickItem('quotes', 'm-q2'); t.ed().open = null; t.ed().refreshBoxes()")
        assert page.locator("#quote-box").is_hidden()
        w.press(key)
        assert page.locator("#quote-box").is_visible() and "This sedition" in page.locator("#quote-text").inner_text()

    def escape(key: str) -> None:
        w.js("t.pickItem('quotes', 'm-q2')")
        w.press(key)
        assert w.sel_uid() is None and page.locator("#quote-box").is_hidden()

    def edge(key: str, start_text: str, want: str) -> None:
        w.js(f"t.pickEntity({start_text!r})")
        w.press(key)
        assert w.ent_text() == want

    def delete(key: str) -> None:
        uid = w.js("t.ent('December 1').uid")
        w.js(f"t.pickItem('entities', {uid!r})")
        w.press(key)
        assert w.js(f"t.label({uid!r})") is None and w.js("t.ent('Syria').uid")

    def new_quote(key: str) -> None:
        w.js("t.words('Recent reports on social media')")
        before = page.locator("#quote-list li[data-uid]").count()
        w.press(key)
        assert page.locator("#quote-list li[data-uid]").count() == before + 1
        assert page.locator("#quote-list li[aria-selected=true] q").inner_text() == "Recent reports on social media"

    def speaker(key: str, dir: int) -> None:
        w.js("t.pickItem('quotes', 'm-q9')")
        before = w.js("t.quote('m-q9').speaker_entity")
        w.press(key)
        after = w.js("t.quote('m-q9').speaker_entity")
        assert after != before
        if dir > 0:
            assert after == w.js("t.ent('Abbas Aragchi').uid")

    def cue(key: str) -> None:
        w.js("t.pickItem('quotes', 'm-q2'); t.words('said', 1)")
        w.press(key)
        assert page.locator("#quote-cue").inner_text() == "said"
        assert w.js("t.ed().text.slice(t.quote('m-q2').cue.start - 3, t.quote('m-q2').cue.end)") == "he said"

    def kind(key: str) -> None:
        w.js("t.pickItem('quotes', 'm-q2')")
        kinds = w.vocab["quoteKinds"]
        before = w.js("t.quote('m-q2').kind")
        w.press(key)
        assert w.js("t.quote('m-q2').kind") == kinds[(kinds.index(before) + 1) % len(kinds)]

    def new_stance(key: str) -> None:
        w.js("t.words('seized control of large parts of Aleppo')")
        w.press(key)
        assert page.locator("#stance-box").is_visible() and "New stance" in page.locator("#stance-title").inner_text()

    def pick(key: str, role: str, dir: int) -> None:
        if not w.js("t.selectedStance()"):
            w.js("t.words('seized control of large parts of Aleppo'); t.ed().newStance()")
        before = w.js(f"t.selectedStance().{role}_entity")
        w.press(key)
        after = w.js(f"t.selectedStance().{role}_entity")
        assert after and after != before

    def polarity(key: str, name: str) -> None:
        w.js("t.pickItem('stances', 'm-s1')")
        w.press(key)
        assert w.js("t.selectedStance().polarity") == name
        assert page.locator("#stance-list li[aria-selected=true] .polarity").inner_text() == name

    def label(key: str, n: int) -> None:
        w.js("t.pickEntity('Turkey')")
        w.press(key)
        assert w.js("t.ent('Turkey').label") == w.vocab["labels"][n - 1]

    def undo(key: str) -> None:
        w.js("t.pickEntity('Turkey')")
        page.keyboard.press("4")
        page.keyboard.press("3")
        w.press(key)
        assert w.js("t.ent('Turkey').label") == "NORP"

    def redo(key: str) -> None:
        w.press(key)
        assert w.js("t.ent('Turkey').label") == "GPE"

    def reject(key: str) -> None:
        w.press(key)
        assert page.locator("#ask").is_visible() and "Reject" in page.locator("#ask-text").inner_text()
        page.keyboard.press("Escape")
        assert page.locator("#ask").is_hidden()

    def overlay(key: str, box: str) -> None:
        w.press(key)
        assert page.locator(box).is_visible()
        w.press(key)
        assert page.locator(box).is_hidden()

    table: dict[str, Callable[[str], None]] = {
        "next-item": next_item, "prev-item": lambda k: next_item(k, -1),
        "next-in-layer": lambda k: next_item(k, 1, "quotes", "m-q2"),
        "prev-in-layer": lambda k: next_item(k, -1, "quotes", "m-q2"),
        "next-word": lambda k: word(k, 1), "prev-word": lambda k: word(k, -1),
        "find": find, "open-item": open_item, "escape": escape,
        "grow-end": lambda k: edge(k, "Shafaq", "Shafaq news"),
        "shrink-end": lambda k: edge(k, "Shafaq news", "Shafaq"),
        "grow-start": lambda k: edge(k, "Tahrir al-Sham", "Hayat Tahrir al-Sham"),
        "shrink-start": lambda k: edge(k, "Hayat Tahrir al-Sham", "Tahrir al-Sham"),
        "delete-item": delete, "new-quote": new_quote,
        "speaker-next": lambda k: speaker(k, 1), "speaker-prev": lambda k: speaker(k, -1),
        "set-cue": cue, "cycle-kind": kind, "new-stance": new_stance,
        "holder-next": lambda k: pick(k, "holder", 1), "holder-prev": lambda k: pick(k, "holder", -1),
        "target-next": lambda k: pick(k, "target", 1), "target-prev": lambda k: pick(k, "target", -1),
        "undo": undo, "redo": redo, "reject": reject,
        "guidelines": lambda k: overlay(k, "#guidelines"), "help": lambda k: overlay(k, "#help"),
    }
    for n in range(1, 10):
        table[f"label-{n}"] = lambda k, n=n: label(k, n)
    for p in w.vocab["polarities"]:
        table[f"polarity-{p['name']}"] = lambda k, name=p["name"]: polarity(k, name)
    return table


def test_every_key_in_the_overlay_does_what_it_says(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "keymap", "kai")
    log_in(page, server, "kai")
    open_editor(page, server, set_id)
    page.evaluate(JS_HELPERS)
    rows = page.locator("#key-map tr[data-action]").evaluate_all(
        "rows => rows.map((r) => [r.dataset.action, r.dataset.key])")
    actions = [a for a, _ in rows]
    assert len(actions) == len(set(actions)) and len({k for _, k in rows}) == len(rows), "one row per action and key"
    for must in ("next-item", "prev-item", "delete-item", "grow-end", "shrink-end", "grow-start", "shrink-start",
                 "label-1", "undo", "redo", "submit"):
        assert must in actions
    walk = Walk(page)
    table = checks(walk)
    last = {"skip", "submit"}
    for action, key in rows:
        if action in last:
            continue
        assert action in table, f"no check for the key map row {action!r}: add one"
        table[action](key)
        assert not page.locator("#ask").is_visible(), f"{action} left a question open"

    skip_key = dict(rows)["skip"]
    with page.expect_navigation():
        walk.press(skip_key)
    page.wait_for_selector("body[data-editor-ready]")
    assert "/annotate/" in page.url
    submit_key = dict(rows)["submit"]
    walk.press(submit_key)
    page.wait_for_url("**/next")
    assert api_set(page, server, set_id)["status"] == "submitted"
