"""The merged review rows as HTML, built in Python (a template loop is too slow for 10,000 items).

Every text fragment goes through markupsafe's ``escape``, as Jinja's autoescape would do.
A row holds the alternatives for one span (entities), passage (quotes) or holder and target
(stances); each alternative carries the merged index of its item, the version and uid a take
copies from, and its gold uid when it is in the gold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..agreement import NOT_ANNOTATORS, MergedItem
from ..render import segments
from ..spans import Annotation
from ..vocab import SetKind


@dataclass(frozen=True)
class Alternative:
    """One merged item as a review row shows it: what it says, who has it, what taking it takes."""

    index: int
    item: MergedItem
    text: Mapping[str, str]
    source: str | None


def _source_chip(name: str, colours: Mapping[str, int]) -> str:
    cls = f"src-{colours[name]}" if name in colours else f"src-{escape(name)}"
    return f'<span class="src {cls}">{escape(name)}</span>'


def _body(layer: str, text: Mapping[str, str], nth: int | None, disputed: bool) -> str:
    tag = escape(text["tag"])
    extra = f" label-{tag}" if layer == "entities" else (f" polarity polarity-{tag}" if layer == "stances" else "")
    what = f"<q>{escape(text['text'])}</q>" if layer == "quotes" else escape(text["text"])
    return "".join((
        f'<span class="nth">{nth}</span>' if nth else "",
        f'<span class="tag tag-{layer}{extra}">{tag}</span> <span class="what">{what}</span>',
        f'<div class="detail">{escape(text["detail"])}</div>' if text["detail"] else "",
        '<div class="flag">⚑ disputed: a later submission leaves this out</div>' if disputed else ""))


def _alternative(layer: str, alt: Alternative, nth: int | None, colours: Mapping[str, int],
                 disputed: bool) -> str:
    item = alt.item
    voters = [s for s in item.sources if s not in NOT_ANNOTATORS]
    classes = ["alt"]
    if SetKind.GOLD in item.sources:
        classes.append("in-gold")
    if len(voters) == 1 and voters[0] in colours:
        classes.append(f"only-{colours[voters[0]]}")
    if alt.source is None:
        classes.append("gold-only")
    attrs = f' data-i="{alt.index}"'
    if alt.source is not None:
        attrs += f' data-source="{escape(alt.source)}" data-uid="{escape(item.uids[alt.source])}"'
    if SetKind.GOLD in item.uids:
        attrs += f' data-gold="{escape(item.uids["gold"])}"'
    chips = "".join(_source_chip(s, colours) for s in item.sources if s != SetKind.GOLD)
    return "".join((
        f'<div class="{" ".join(classes)}"{attrs}><div class="row-body">',
        _body(layer, alt.text, nth, disputed),
        f'</div><div class="row-side"><span class="sources">{chips}</span>',
        '<span class="badge agreed-badge">agreed</span>' if item.agreed else "",
        '<button type="button" class="small take" data-action="take">Take</button>' if alt.source else "",
        '<button type="button" class="small danger remove" data-action="remove">Remove</button></div></div>'))


def render_rows(layer: str, rows: Sequence[Sequence[Alternative]], colours: Mapping[str, int],
                disputed: frozenset[str]) -> Markup:
    """The <li> rows of one layer."""
    out = []
    for row in rows:
        flagged = any(alt.item.key in disputed for alt in row)
        agreed = len(row) == 1 and row[0].item.agreed and not flagged
        numbered = len(row) > 1
        out.append(f'<li class="row {"agreed" if agreed else "disagree"}{" disputed" if flagged else ""}" '
                   f'tabindex="0" data-layer="{layer}">')
        out.extend(_alternative(layer, alt, n if numbered else None, colours, alt.item.key in disputed)
                   for n, alt in enumerate(row, 1))
        out.append("</li>")
    return Markup("".join(out) or '<li class="empty">None in any finished version.</li>')


def gold_html(text: str, gold: Annotation) -> Markup:
    """The article with the gold's entities as <mark> and its quote parts as classes."""
    out = []
    for seg in segments(text, gold):
        piece, roles = escape(seg.text), " ".join(seg.classes)
        if seg.label:
            label = escape(seg.label)
            out.append(f'<mark class="ent label-{label} {roles}" data-label="{label}">{piece}</mark>')
        elif roles:
            out.append(f'<span class="{roles}">{piece}</span>')
        else:
            out.append(str(piece))
    return Markup("".join(out))
