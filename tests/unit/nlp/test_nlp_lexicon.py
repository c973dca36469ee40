"""Reporting-cue and stance lexicon files."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.nlp.lexicon import (CUES_FILE, LexiconError, StancePattern, cue_lexicon,
                                   parse_stance_line, read_cues, read_stances, stance_lexicon)


def test_shipped_cue_lexicon_is_large_and_lower_case() -> None:
    cues = cue_lexicon()
    assert len(cues.verbs) + len(cues.nouns) >= 150
    assert {"say", "stress", "declare", "claim", "note"} <= cues.verbs
    assert "statement" in cues.nouns and "statement" not in cues.verbs
    assert all(c == c.lower() for c in cues.verbs | cues.nouns)


def test_shipped_stance_lexicon_parses_with_both_polarities() -> None:
    lexicon = stance_lexicon()
    polarities = {p.polarity for group in lexicon.patterns.values() for p in group}
    assert polarities == {"favor", "against"}
    assert {"support", "reject", "condemn", "designate"} <= lexicon.lemmas()


@pytest.mark.parametrize("line, expected", [
    ("favor support _", StancePattern("support", "favor")),
    ("favor support", StancePattern("support", "favor")),
    ("favor ally with _", StancePattern("ally", "favor", "with")),
    ("against designate _ as terrorist", StancePattern("designate", "against", None, (("as", "terrorist"),))),
    ("AGAINST Blame on _", StancePattern("blame", "against", "on")),
])
def test_parse_stance_line(line: str, expected: StancePattern) -> None:
    assert parse_stance_line(line) == expected


@pytest.mark.parametrize("line", ["support _", "love support _", "favor", "favor ally with"])
def test_malformed_stance_line_raises(line: str) -> None:
    with pytest.raises(LexiconError):
        parse_stance_line(line)


def test_extra_files_extend_the_shipped_lexicons(tmp_path: Path) -> None:
    cues = tmp_path / "cues.txt"
    cues.write_text("# mine\ngrouse\nnoun: rant\n", encoding="utf-8")
    stances = tmp_path / "stances.txt"
    stances.write_text("favor cheer _\n", encoding="utf-8")
    merged = read_cues(CUES_FILE, cues)
    assert "grouse" in merged.verbs and "rant" in merged.nouns and "say" in merged.verbs
    assert read_stances(stances).patterns["cheer"] == (StancePattern("cheer", "favor"),)
    assert "cheer" in stance_lexicon(str(stances)).lemmas()
    assert "cheer" not in stance_lexicon().lemmas()


def test_that_only_cues_are_verbs_that_need_a_that_clause(tmp_path: Path) -> None:
    path = tmp_path / "cues.txt"
    path.write_text("# mine\nsay\nthat: find\nnoun: memo\n", encoding="utf-8")
    cues = read_cues(path)
    assert cues.verbs == {"say", "find"} and cues.that_only == {"find"} and cues.nouns == {"memo"}
    assert {"find", "learn"} <= cue_lexicon().that_only
