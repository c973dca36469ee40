"""A dataset's speaker labels reach the editor: the speaker and holder keys offer those entities first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from editor_helpers import Keys, open_editor, seed_dataset, selected
from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SHOTS")


def speaker_label(page) -> str:  # type: ignore[no-untyped-def]
    """The label of the open quote's speaker entity."""
    return page.evaluate("""() => {
      const e = window.annotatorEditor, q = e.openQuote();
      return e.store.get('entities', q.speaker_entity).label;
    }""")


def test_speaker_cycling_follows_the_datasets_speaker_labels(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "orgs-speak", "sam")
    done = server.cli("dataset", "orgs-speak", "--speaker-labels", "ORG,GPE")
    assert "Speaker labels, most likely first: ORG GPE." in done.stdout
    log_in(page, server, "sam")
    open_editor(page, server, set_id)
    assert page.evaluate("window.annotatorEditor.vocab.speakerLabels") == ["ORG", "GPE"]
    keys = Keys(page)
    keys.find("US-Israeli")                    # the quote "US-Israeli project" (its cue "called", by a PERSON)
    keys.press("ArrowDown", "ArrowDown")
    assert selected(page)["uid"] == "m-q9"
    labels = []
    for _ in range(3):                         # s, s, s: only organisations and places come first
        keys.press("s")
        labels.append(speaker_label(page))
    assert set(labels) <= {"ORG", "GPE"}, labels
    expected = page.evaluate("""() => {
      const e = window.annotatorEditor, q = e.openQuote();
      const ents = e.store.all('entities');
      const cue = q.cue || q.content, here = e.context.sentenceOf(cue.start);
      return ents.filter((x) => ['ORG', 'GPE'].includes(x.label) && e.context.sentenceOf(x.start) === here
        && !(q.content.start <= x.start && x.end <= q.content.end)).length;
    }""")
    assert expected >= 1, "the cue's sentence has an organisation or a place"


def test_the_default_speaker_labels_put_people_first(server: LiveServer, page) -> None:
    set_id = seed_dataset(server, "people-speak", "pat")
    log_in(page, server, "pat")
    open_editor(page, server, set_id)
    assert page.evaluate("window.annotatorEditor.vocab.speakerLabels") == ["PERSON", "ORG", "NORP", "GPE"]
    keys = Keys(page)
    keys.find("US-Israeli")
    keys.press("ArrowDown", "ArrowDown", "s")
    assert speaker_label(page) == "PERSON"
    assert page.locator("#quote-speaker").inner_text() == "Iranian Foreign Minister Abbas Aragchi"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "editor-quote-selected.png"))
        keys.press("ArrowUp")                  # the entity before the quote
        page.screenshot(path=str(Path(SHOTS) / "editor-entity-selected.png"))
