"""The suite collects in any mix of folders: no test imports helpers from a conftest module."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FROM_CONFTEST = re.compile(r"^\s*from conftest import", re.MULTILINE)


def test_no_test_imports_from_conftest() -> None:
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                 if FROM_CONFTEST.search(path.read_text(encoding="utf-8"))]
    assert not offenders, f"import shared helpers from apptools (or live_server), not conftest: {offenders}"
