"""Helpers for the editor's browser tests: the seed article set-up, a key counter, reading the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from live_server import LiveServer

DATA = Path(__file__).resolve().parents[1] / "data"
SEED_TEXT = (DATA / "seed-article.txt").read_text(encoding="utf-8")
SEED_MODEL = json.loads((DATA / "seed-article.model.json").read_text(encoding="utf-8"))


def seed_dataset(server: LiveServer, dataset: str, user: str) -> int:
    """Import the seed article with its stored pre-annotation; give `user` a seeded set; return its id."""
    server.cli("import", str(DATA / "seed-article.txt"), "--dataset", dataset)
    server.python(
        "import json, sqlalchemy as sa\n"
        "from annotator.models import AnnotationSet, Dataset, Document\n"
        "from annotator.services.annotations import model_set, replace_annotation\n"
        "from annotator.spans import Annotation\n"
        f"ds = db.session.scalar(sa.select(Dataset).where(Dataset.name == {dataset!r}))\n"
        "doc = db.session.scalar(sa.select(Document).where(Document.dataset_id == ds.id))\n"
        "aset = model_set(doc.id)\n"
        f"target = Annotation.from_dict(json.load(open({str(DATA / 'seed-article.model.json')!r})), origin='model')\n"
        "replace_annotation(aset, target, user=None, expected_version=aset.version)\n"
        "db.session.commit()\n")
    server.add_user(user)
    (set_id,) = server.assign(dataset, user)
    return set_id


class Keys:
    """page.keyboard that counts keystrokes (a typed character is one)."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def find(self, text: str) -> None:
        """`/`, the words, Enter."""
        self.press("/")
        self.type(text)
        self.press("Enter")


def selected(page: Any) -> dict[str, str] | None:
    """The one selected item: its uid and text (None when words or nothing are selected)."""
    return page.evaluate("""() => {
      const all = document.querySelectorAll('[aria-selected=true]');
      if (all.length > 1) throw new Error('more than one selected element');
      const e = all[0];
      return e ? {uid: e.dataset.uid, text: e.textContent, tag: e.tagName} : null;
    }""")


def selection_text(page: Any) -> str:
    return page.evaluate("window.getSelection().toString()")


def wait_saved(page: Any, timeout: float = 30_000) -> None:
    """Wait for "Saved"; on a timeout say what the page shows instead."""
    try:
        page.wait_for_selector("#save-state[data-state=saved]", timeout=timeout)
    except Exception as err:
        state = page.locator("#save-state").inner_text()
        raise AssertionError(f"not saved: the page says {state!r}; message: {page.locator('#message').inner_text()!r}") from err


def api_set(page: Any, server: LiveServer, set_id: int) -> dict[str, Any]:
    return page.request.get(server.url(f"/api/sets/{set_id}")).json()


def open_editor(page: Any, server: LiveServer, set_id: int) -> None:
    page.goto(server.url(f"/annotate/{set_id}"))
    page.wait_for_selector("body[data-editor-ready]")
