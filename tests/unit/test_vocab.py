"""The vocabulary: one definition of each word, which every other module and the page data use."""

from __future__ import annotations

import json
import re

import pytest

from annotator.nlp import marks
from annotator.vocab import (
    CLOSING_MARKS, DOUBLE_QUOTE_PAIRS, OPENING_MARKS, QuoteKind, QuoteMark, Status, guess_quote_kind,
    vocabulary_for_page,
)


def test_members_are_their_strings() -> None:
    assert Status.IN_PROGRESS == "in_progress" and json.dumps([QuoteKind.MIXED]) == '["mixed"]'


def test_quote_finding_uses_the_double_marks() -> None:
    found = set(marks.OPENING | marks.CLOSING | {marks.STRAIGHT})
    assert found == {m for pair in DOUBLE_QUOTE_PAIRS for m in pair}
    assert all(m in QuoteMark.__members__.values() for m in found)


@pytest.mark.parametrize("text, kind", [
    ("He said \u201cno\u201d today", QuoteKind.DIRECT), ("She said \u201eja\u201c", QuoteKind.DIRECT),
    ("He said \u2018no\u2019", QuoteKind.DIRECT), ("He said no today", QuoteKind.INDIRECT),
    ("He said \u201cno today", QuoteKind.INDIRECT),
])
def test_guess_quote_kind_needs_a_mark_on_both_sides(text: str, kind: QuoteKind) -> None:
    start = text.index("said ") + 5 + (text[text.index("said ") + 5] in OPENING_MARKS)
    end = start + 2 if text[start:start + 2] in ("no", "ja") else start
    assert guess_quote_kind(text, start, end) == kind


def test_page_vocabulary_is_json_with_the_datasets_words() -> None:
    words = json.loads(json.dumps(vocabulary_for_page(["ORG", "PERSON", "DATE"], ["pro", "contra"])))
    assert words["labels"] == ["ORG", "PERSON", "DATE"] and words["polarities"] == ["pro", "contra"]
    assert words["speakerLabels"] == ["PERSON", "ORG"]
    assert words["quoteMarks"] == {"opening": OPENING_MARKS, "closing": CLOSING_MARKS}
    assert words["statuses"] == ["new", "in_progress", "submitted", "reviewed"]
    assert words["jobStatus"] == {"QUEUED": "queued", "RUNNING": "running", "DONE": "done", "FAILED": "failed"}


# No second home for a word: statuses, set kinds, roles, answers, origins, quote kinds, polarities, export
# scopes, queue orders and job statuses and kinds are written as literals only in annotator/vocab.py; everything
# else names the enum member.
import ast  # noqa: E402
from pathlib import Path  # noqa: E402

from annotator import vocab  # noqa: E402

PACKAGE = Path(vocab.__file__).resolve().parent
ROOT = PACKAGE.parent
ENUMS = (vocab.Status, vocab.SetKind, vocab.Role, vocab.Answer, vocab.Origin, vocab.QuoteKind, vocab.Polarity,
         vocab.ExportScope, vocab.QueueOrder, vocab.JobStatus, vocab.JobKind)
WORDS: dict[str, set[str]] = {}
for _enum in ENUMS:
    for _member in _enum:
        if _member is not vocab.ExportScope.ALL:  # "all" is too common a word to police
            WORDS.setdefault(_member.value, set()).add(_enum.__name__)
FIELDS = {"status", "kind", "role", "answer", "origin", "polarity", "only", "target", "queue_order"}
NOT_VOCABULARY = {  # (module, line text) that holds one of the words with another meaning
    ("formats/detect.py", '"annotator"'): "our format's name and Prodigy view id",
}


def _word(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value in WORDS else None


def _field(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None


def _siblings(line: int, items: list[ast.expr | None]) -> list[tuple[int, str | None]]:
    """The words among a collection's items (or a mapping's keys) when two of them are of one enum."""
    words = [w for w in map(_word, filter(None, items)) if w]
    kinds = [k for w in words for k in WORDS[w]]
    return [(line, w) for w in words] if any(kinds.count(k) >= 2 for k in kinds) else []


def _assigned(node: ast.Assign) -> list[tuple[int, str | None]]:
    """Words assigned to a field, also pairwise (``job.status, job.message = "running", ...``)."""
    pairs: list[tuple[ast.expr, ast.expr]] = []
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                and len(target.elts) == len(node.value.elts):
            pairs += zip(target.elts, node.value.elts)
        else:
            pairs.append((target, node.value))
    return [(node.lineno, _word(value)) for target, value in pairs if _field(target) in FIELDS]


def _literal_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Vocabulary words written as string literals where they act as vocabulary (line, word)."""
    found: list[tuple[int, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if not all(isinstance(s, ast.Constant) for s in sides):
                found += [(node.lineno, _word(s)) for s in sides]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            found += _siblings(node.lineno, list(node.elts))
        elif isinstance(node, ast.Dict):
            found += _siblings(node.lineno, list(node.keys))
        elif isinstance(node, ast.Assign):
            found += _assigned(node)
        elif isinstance(node, ast.keyword) and node.arg in FIELDS:
            found.append((node.lineno, _word(node.value)))
        elif isinstance(node, ast.IfExp):
            found += [(node.lineno, _word(node.body)), (node.lineno, _word(node.orelse))]
        elif isinstance(node, ast.BoolOp) and any(_field(v) in FIELDS for v in node.values):
            found += [(node.lineno, _word(v)) for v in node.values]
        elif isinstance(node, ast.Call) and _field(node.func) == "mapped_column":  # a column's default
            found += [(k.lineno, _word(k.value)) for k in node.keywords if k.arg in ("default", "server_default")]
        elif isinstance(node, ast.Call) and _field(node.func) == "get" and len(node.args) == 2 \
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in FIELDS:
            found.append((node.lineno, _word(node.args[1])))
        elif isinstance(node, ast.AnnAssign) and node.value is not None and _field(node.target) in FIELDS:
            found.append((node.lineno, _word(node.value)))
        elif isinstance(node, ast.arguments):
            pairs = list(zip((node.posonlyargs + node.args)[::-1], node.defaults[::-1]))
            pairs += [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults) if d is not None]
            found += [(d.lineno, _word(d)) for a, d in pairs if a.arg in FIELDS]
    return sorted({(line, word) for line, word in found if word})


def _allowed(module: str, line: str) -> bool:
    return any(module == m and text in line for m, text in NOT_VOCABULARY)


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts
                                        and p.name != "vocab.py"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_vocabulary_words_are_not_written_twice(path: Path) -> None:
    module, lines = str(path.relative_to(PACKAGE)), path.read_text().splitlines()
    found = [f"line {n}: {word!r} ({' or '.join(sorted(WORDS[word]))})" for n, word in _literal_uses(ast.parse("\n".join(lines)))
             if not _allowed(module, lines[n - 1])]
    assert not found, f"annotator/{module} spells vocabulary words itself; use annotator.vocab:\n" + "\n".join(found)


def test_the_scan_sees_each_way_a_word_is_written() -> None:
    probe = ('if s.status == "reviewed": pass\nq.where(k.in_(("submitted", "reviewed")))\nf(kind="gold")\n'
             'x = "reviewed" if g else "submitted"\ny = s.answer or "accept"\nz = d.get("origin", "human")\n'
             'def f(role="admin"): pass\nclass A:\n    polarity: str = "favor"\n'
             'job.status = "running"\njob.status, job.total = "queued", 0\nR = {"train": t, "evaluate": e}\n'
             'order: Mapped[str] = mapped_column(default="import", server_default="import")\n')
    assert [line for line, _ in _literal_uses(ast.parse(probe))] == [1, 2, 2, 3, 4, 4, 5, 6, 7, 9, 10, 11, 12, 12, 13]


def test_the_scan_leaves_other_meanings_of_a_word_alone() -> None:
    probe = ('values = {"done": done, "total": total, "message": m}\njob.done = job.total\n'
             'paths.update({"train": a, "dev": b})\nmessage = "running…"\nfound = ("done", n)\n')
    assert _literal_uses(ast.parse(probe)) == []


WEB_WORDS = re.compile(r"""(?<![\w-])(?:status|answer|origin|kind|name|role)\s*(?:===?|!==?|:)\s*["'](%s)["']"""
                       % "|".join(re.escape(w) for w in WORDS))
# A word as an item of a list or a key of a mapping (``["done", "failed"]``, ``{'train': 'Training'}``): vocabulary
# when another word of the same enum shares the line, as in the Python scan.
WEB_ITEMS = re.compile(r"""["'](%s)["']\s*(?=[,:\])}])""" % "|".join(re.escape(w) for w in WORDS))


def _web_uses(line: str) -> list[str]:
    """The vocabulary words a line of a script or template spells out."""
    items = [m.group(1) for m in WEB_ITEMS.finditer(line)]
    kinds = [k for w in items for k in WORDS[w]]
    listed = [f"{w!r} among {items}" for w in items if any(kinds.count(k) >= 2 for k in WORDS[w])]
    return [m.group(0) for m in WEB_WORDS.finditer(line)] + listed[:1]


def test_the_web_scan_sees_lists_and_mappings_of_words() -> None:
    assert _web_uses('const FINISHED = new Set(["done", "failed"]);') and _web_uses("{'train': 'T', 'evaluate': 'E'}")
    assert _web_uses('bar.value = job.status === "done" ? max : n;')
    assert not _web_uses('save: () => review.post("done"),') and not _web_uses('{"done": 3, "total": 4}')


@pytest.mark.parametrize("path", sorted([*ROOT.glob("static/js/*.js"), *ROOT.glob("templates/**/*.html")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_browser_takes_vocabulary_from_the_page_data(path: Path) -> None:
    found = [f"line {n}: {use}" for n, line in enumerate(path.read_text().splitlines(), 1) for use in _web_uses(line)]
    assert not found, f"{path.relative_to(ROOT)} spells vocabulary words itself (use the page's vocab data):\n" \
        + "\n".join(found)
