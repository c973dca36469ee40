"""Types: mypy passes on the package, and --strict on the pure modules (fully typed)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ["annotator/spans.py", "annotator/tokens.py", "annotator/token_pool.py", "annotator/preannotator.py", "annotator/checks.py", "annotator/vocab.py", "annotator/render.py", "annotator/nlp", "annotator/formats", "annotator/agreement"]


def test_pure_modules_pass_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *PURE],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_passes_mypy() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "annotator"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
