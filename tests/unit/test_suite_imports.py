"""The suite collects in any mix of folders: no test imports helpers from a conftest module."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_imports_from_conftest() -> None:
    offenders = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                 if "from conftest import" in path.read_text(encoding="utf-8")
                 and path.name != "test_suite_imports.py"]
    assert not offenders, f"import shared helpers from apptools (or live_server), not conftest: {offenders}"
