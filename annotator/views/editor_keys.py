"""The editor's key map: one list that the `?` overlay shows and the editor script binds.

Keys are written as `KeyboardEvent.key` with `Ctrl+`, `Alt+` and `Shift+` prefixes; `Shift+` is
written only for letters and named keys (for `?` the shift is part of the key). Letters pressed
with Caps Lock on count as the plain letter, so no Shift chord can be produced by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..vocab import vocabulary_for_page


class Key(NamedTuple):
    """One row of the key map."""

    action: str
    key: str
    text: str
    group: str


FIXED: tuple[Key, ...] = (
    Key("next-item", "ArrowDown", "select the next item in reading order", "Move"),
    Key("prev-item", "ArrowUp", "select the previous item", "Move"),
    Key("next-in-layer", "Shift+ArrowDown", "next item of the same layer (entity, quote, stance)", "Move"),
    Key("prev-in-layer", "Shift+ArrowUp", "previous item of the same layer", "Move"),
    Key("next-word", "ArrowRight", "select the next word (a word that is an entity selects the entity)", "Move"),
    Key("prev-word", "ArrowLeft", "select the previous word", "Move"),
    Key("find", "/", "find text; Enter selects it (or the entity it is in)", "Move"),
    Key("open-item", "Enter", "open the selected quote or stance in the side panel", "Move"),
    Key("escape", "Escape", "close panels and clear the selection", "Move"),
    Key("grow-end", "Shift+ArrowRight", "grow the end of the selection or selected item by one word", "Span"),
    Key("shrink-end", "Shift+ArrowLeft", "shrink its end by one word", "Span"),
    Key("grow-start", "Ctrl+Shift+ArrowLeft", "grow its start by one word", "Span"),
    Key("shrink-start", "Ctrl+Shift+ArrowRight", "shrink its start by one word", "Span"),
    Key("delete-item", "Delete", "delete the selected item (never another one)", "Span"),
    Key("new-quote", "q", "new quote from the selected words", "Quote"),
    Key("speaker-next", "s", "quote: next speaker candidate (nearest its cue, people and organisations "
        "first); with words selected, the open quote's speaker is those words", "Quote"),
    Key("speaker-prev", "Shift+S", "quote: previous speaker candidate", "Quote"),
    Key("set-cue", "c", "open quote: its cue is the selected words", "Quote"),
    Key("cycle-kind", "k", "quote: cycle its kind", "Quote"),
    Key("new-stance", "t", "new stance with the selected words as evidence", "Stance"),
    Key("holder-next", "h", "stance: next holder entity (nearest the evidence)", "Stance"),
    Key("holder-prev", "Shift+H", "stance: previous holder entity", "Stance"),
    Key("target-next", "o", "stance: next target entity (nearest the evidence)", "Stance"),
    Key("target-prev", "Shift+O", "stance: previous target entity", "Stance"),
    Key("undo", "Ctrl+z", "undo", "Edit"),
    Key("redo", "Ctrl+Shift+Z", "redo", "Edit"),
    Key("submit", "Ctrl+Enter", "accept: submit and go to the next document", "Document"),
    Key("reject", "Shift+R", "reject as unfit (asks to confirm with Enter)", "Document"),
    Key("skip", "Shift+N", "skip: next document without submitting (comes back at the end)", "Document"),
    Key("guidelines", "g", "show or hide the guidelines", "Document"),
    Key("help", "?", "show or hide these keys", "Document"),
)


def polarity_keys(polarities: Sequence[str]) -> list[tuple[str, str]]:
    """A free lowercase letter for each polarity, its first free letter where possible."""
    taken = {k.key for k in FIXED if len(k.key) == 1}
    out = []
    for name in polarities:
        letter = next((c for c in name.lower() if c.isalpha() and c not in taken), None)
        if letter is None:
            letter = next(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in taken)
        taken.add(letter)
        out.append((name, letter))
    return out


def key_map(labels: Sequence[str], polarities: Sequence[str]) -> list[Key]:
    """Every key of the editor for a dataset: the fixed ones, labels 1-9 and the polarity keys."""
    rows = list(FIXED)
    rows += [Key(f"label-{i}", str(i), f"label the selection (or relabel the item) {name}", "Label")
             for i, name in enumerate(labels[:9], start=1)]
    rows += [Key(f"polarity-{name}", letter, f"stance: polarity {name}", "Stance")
             for name, letter in polarity_keys(polarities)]
    return rows


def vocabulary(labels: Sequence[str], polarities: Sequence[str], speaker_labels: Sequence[str] = ()) -> dict[str, object]:
    """The names the editor script may use (from annotator.vocab), with each polarity's key."""
    words = vocabulary_for_page(labels, polarities, speaker_labels)
    return {**words, "polarities": [{"name": n, "key": k} for n, k in polarity_keys(polarities)]}
