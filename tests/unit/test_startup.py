"""The command line starts at once: building the app and its CLI imports no spaCy (issue 13.6)."""

import subprocess
import sys

HEAVY = ("spacy", "thinc", "numpy", "torch")


def _imported_after_start(tmp_path, roots: tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
    """Which of these top-level modules a fresh process has loaded after importing the CLI and building the app."""
    probe = (
        "import sys\n"
        "import annotator.cli\n"
        "from annotator import create_app\n"
        f"create_app({{'SECRET_KEY': 'x', 'DATABASE_URL': 'sqlite://', 'HUEY_URL': 'sqlite:///{tmp_path}/j.db'}})\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"ANNOTATOR_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin",
                              "PYTHONPATH": ":".join(p for p in sys.path if p)})
    return out.stdout.strip()


def test_cli_and_app_import_no_spacy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = _imported_after_start(tmp_path, HEAVY)
    assert found == "", f"building the app imports {found}"


LAZY = ("tqdm", "tarfile", "statistics", "huey", "psycopg", "alembic", "flask_migrate", "waitress")
"""Imported only by the commands (or jobs) that use them: progress bars, packing exports, the queue, migrations."""


def test_building_the_app_leaves_command_only_modules_unimported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = _imported_after_start(tmp_path, LAZY)
    assert found == "", f"building the app (every command's start) imports {found}"
