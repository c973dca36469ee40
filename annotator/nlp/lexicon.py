"""Reporting-cue and stance lexicons, read from the data files next to this module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from annotator.vocab import Polarity

DATA_DIR = Path(__file__).parent / "data"
CUES_FILE = DATA_DIR / "reporting_cues.txt"
STANCE_FILE = DATA_DIR / "stance_lexicon.txt"
POLARITIES = (Polarity.FAVOR, Polarity.AGAINST)
SLOT = "_"


class LexiconError(ValueError):
    """A lexicon line that does not follow the documented format."""


@dataclass(frozen=True)
class CueLexicon:
    """Reporting verbs and nouns, as sets of lower-case lemmas."""

    verbs: frozenset[str]
    nouns: frozenset[str]
    that_only: frozenset[str] = frozenset()  # verbs that report only with "that" ("found that ...")


@dataclass(frozen=True)
class StancePattern:
    """One stance predicate: lemma, polarity, target preposition and required phrases."""

    lemma: str
    polarity: str
    target_prep: str | None = None
    required: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StanceLexicon:
    """Stance patterns grouped by lemma."""

    patterns: dict[str, tuple[StancePattern, ...]]

    def lemmas(self) -> frozenset[str]:
        """Every predicate lemma in the lexicon."""
        return frozenset(self.patterns)


def _lines(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def read_cues(*paths: Path) -> CueLexicon:
    """Read reporting cues from files ("lemma", "noun: lemma" or "that: lemma" per line)."""
    verbs: set[str] = set()
    nouns: set[str] = set()
    that_only: set[str] = set()
    for path in paths:
        for _, line in _lines(path):
            if line.lower().startswith("noun:"):
                nouns.add(line[5:].strip().lower())
            elif line.lower().startswith("that:"):
                verbs.add(line[5:].strip().lower())
                that_only.add(line[5:].strip().lower())
            else:
                verbs.add(line.lower())
    return CueLexicon(frozenset(verbs), frozenset(nouns), frozenset(that_only))


def parse_stance_line(line: str, *, where: str = "") -> StancePattern:
    """Parse one "<polarity> <lemma> [words...]" line; raise LexiconError when malformed."""
    fields = line.lower().split()
    if len(fields) < 2 or fields[0] not in POLARITIES:
        raise LexiconError(f"{where}expected '<favor|against> <lemma> [words]', got {line!r}")
    polarity, lemma, rest = fields[0], fields[1], fields[2:]
    target_prep: str | None = None
    required: list[tuple[str, str]] = []
    i = 0
    if rest and rest[0] == SLOT:
        i = 1
    while i < len(rest):
        if i + 1 >= len(rest):
            raise LexiconError(f"{where}preposition {rest[i]!r} needs '_' or a word after it")
        prep, word = rest[i], rest[i + 1]
        if word == SLOT:
            target_prep = prep
        else:
            required.append((prep, word))
        i += 2
    return StancePattern(lemma, polarity, target_prep, tuple(required))


def read_stances(*paths: Path) -> StanceLexicon:
    """Read stance patterns from files in the documented format."""
    grouped: dict[str, list[StancePattern]] = {}
    for path in paths:
        for n, line in _lines(path):
            pattern = parse_stance_line(line, where=f"{path.name}:{n}: ")
            grouped.setdefault(pattern.lemma, []).append(pattern)
    return StanceLexicon({k: tuple(v) for k, v in grouped.items()})


@cache
def cue_lexicon(extra_path: str | None = None) -> CueLexicon:
    """The shipped reporting cues, plus those of an extra file when given (cached)."""
    paths = [CUES_FILE] + ([Path(extra_path)] if extra_path else [])
    return read_cues(*paths)


@cache
def stance_lexicon(extra_path: str | None = None) -> StanceLexicon:
    """The shipped stance patterns, plus those of an extra file when given (cached)."""
    paths = [STANCE_FILE] + ([Path(extra_path)] if extra_path else [])
    return read_stances(*paths)
