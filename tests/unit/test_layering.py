"""The pure modules never import Flask or the database layer."""

import subprocess
import sys

import pytest

PURE = ["annotator.spans", "annotator.tokens", "annotator.token_pool", "annotator.preannotator", "annotator.checks", "annotator.vocab", "annotator.render", "annotator.nlp", "annotator.formats", "annotator.agreement"]
FORBIDDEN = ["flask", "flask_sqlalchemy", "sqlalchemy", "annotator.models", "annotator.db", "annotator.services"]


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_web_or_database_code(module: str) -> None:
    probe = (
        "import sys, importlib\n"
        "sys.modules['annotator'] = type(sys)('annotator')\n"
        "sys.modules['annotator'].__path__ = [__import__('os').path.join(%r, 'annotator')]\n"
        "importlib.import_module(%r)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_sqlalchemy', 'sqlalchemy') or m in %r)))\n"
    )
    import annotator, os
    root = os.path.dirname(os.path.dirname(annotator.__file__))
    out = subprocess.run([sys.executable, "-c", probe % (root, module, FORBIDDEN)], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"{module} pulls in {out}"


# Entry points talk to services: the views (and the CLI) never touch the models or build queries.

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "annotator"
DATABASE_MODULES = ("annotator.models", "annotator.models_", "sqlalchemy", "flask_sqlalchemy")
DB_HELPERS = {"committing", "roll_back"}  # what an entry point may take from annotator.db
QUERY_CALLS = {"select", "get_or_404", "first_or_404", "one_or_404", "execute", "scalars", "scalar", "get",
               "refresh", "commit", "rollback"}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines inside `if TYPE_CHECKING:` blocks (imports for annotations only, never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _absolute(module: str | None, level: int, package: str) -> str:
    """`from ..models import X` in annotator.views as annotator.models."""
    if level == 0:
        return module or ""
    parts = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join(parts + ([module] if module else []))


def _database_uses(path: Path) -> list[str]:
    """Runtime imports of the database layer, and session or query calls, in one entry-point module."""
    tree = ast.parse(path.read_text(), str(path))
    typing_only = _type_checking_lines(tree)
    package = "annotator." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno not in typing_only:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [_absolute(node.module, node.level, package)])
            for name in names:
                if name.startswith(DATABASE_MODULES):
                    found.append(f"line {node.lineno}: imports {name}")
                if name == "annotator.db" and isinstance(node, ast.ImportFrom):
                    extra = {a.name for a in node.names} - DB_HELPERS
                    if extra:
                        found.append(f"line {node.lineno}: takes {sorted(extra)} from annotator.db")
            if isinstance(node, ast.ImportFrom) and _absolute(node.module, node.level, package) == "annotator":
                if any(a.name in ("models", "db") for a in node.names):
                    found.append(f"line {node.lineno}: imports a database module")
        if isinstance(node, ast.Attribute) and node.attr == "session" and isinstance(node.value, ast.Name) \
                and node.value.id == "db":
            found.append(f"line {node.lineno}: uses db.session")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if name in QUERY_CALLS and owner in ("", "db", "sa", "session") and name != "get" or \
                    (name == "get" and owner in ("db", "session")):
                found.append(f"line {node.lineno}: calls {owner + '.' if owner else ''}{name}()")
    return found


ENTRY_POINTS = sorted([*PACKAGE.glob("views/**/*.py"), *PACKAGE.glob("cli/*.py"), PACKAGE / "security.py"])


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_entry_points_reach_the_database_only_through_services(path: Path) -> None:
    found = _database_uses(path)
    assert not found, f"{path.relative_to(PACKAGE.parent)} talks to the database itself:\n" + "\n".join(found)


def test_the_scan_sees_a_view_that_queries(tmp_path: Path) -> None:
    bad = PACKAGE / "views" / "_probe_not_a_view.py"
    source = ("import sqlalchemy as sa\nfrom ..db import db\nfrom ..models import User\n"
              "def f():\n    return db.session.scalars(sa.select(User))\n")
    bad.write_text(source)
    try:
        found = " ".join(_database_uses(bad))
    finally:
        bad.unlink()
    for expected in ("imports sqlalchemy", "annotator.db", "imports annotator.models", "db.session", "select()"):
        assert expected in found


APP_MAKERS = {"Flask", "create_app", "_create_app", "_get_current_object"}


def _module_level_apps(path: Path) -> list[str]:
    """Module-level assignments of an app, and functions that rebind a module global."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for call in ast.walk(node.value):
                if isinstance(call, ast.Call):
                    func = call.func
                    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                    if name in APP_MAKERS:
                        found.append(f"line {node.lineno}: module-level {name}()")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"line {node.lineno}: global {', '.join(node.names)}")
    return found


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_keeps_an_app_in_a_global(path: Path) -> None:
    found = _module_level_apps(path)
    assert not found, f"{path.relative_to(PACKAGE.parent)} keeps an app (or other state) in a module global:\n" \
        + "\n".join(found) + "\nKeep per-app state in app.extensions."


def test_the_scan_sees_an_app_in_a_global(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from flask import current_app\nAPP = current_app._get_current_object()\n"
                     "def f():\n    global APP\n    APP = None\n")
    assert len(_module_level_apps(probe)) == 2


def test_jobs_and_tasks_live_in_app_extensions() -> None:
    from annotator import create_app
    from annotator.jobs import app_tasks, queue

    first, second = create_app({"TESTING": True}), create_app({"TESTING": True})
    assert first.extensions["annotator.jobs"] is not second.extensions["annotator.jobs"]
    assert app_tasks(first) is not app_tasks(second)
    assert queue(first) is not queue(second)


def test_every_json_route_is_on_the_api_blueprint() -> None:
    from annotator import create_app

    app = create_app({"TESTING": True})
    for rule in app.url_map.iter_rules():
        on_api = rule.endpoint.startswith("api.")
        assert on_api == rule.rule.startswith("/api/"), f"{rule.rule} ({rule.endpoint}): JSON routes live on the api blueprint"
    answers_json = [path.relative_to(PACKAGE) for path in PACKAGE.glob("views/*.py")
                    if path.name != "__init__.py" and "jsonify" in path.read_text()]
    assert not answers_json, f"{answers_json} answer JSON outside views/api/"


def test_forms_live_in_the_forms_package() -> None:
    """One forms home per blueprint (annotator/forms/<blueprint>.py): no view defines a form."""
    for path in PACKAGE.glob("views/**/*.py"):
        tree = ast.parse(path.read_text(), str(path))
        forms = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                 and any("Form" in ast.unparse(base) for base in node.bases)]
        assert not forms, f"{path.relative_to(PACKAGE)} defines {forms}; move them to annotator/forms/"


# One commit helper: db.committing() (and roll_back() for the error handlers) are the only commit and rollback.
KNOWN_TRANSACTION_SITES = {
    "services/annotations.py": "a stale flush is rolled back to read the set's current version for the 409",
    "services/model_jobs.py": "model jobs save their log as they run (to move onto committing())",
}


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_commit_and_rollback_only_through_the_helper(path: Path) -> None:
    relative = str(path.relative_to(PACKAGE))
    if relative == "db.py" or relative in KNOWN_TRANSACTION_SITES:
        return
    tree = ast.parse(path.read_text(), str(path))
    calls = [f"line {node.lineno}: {node.func.attr}()" for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("commit", "rollback")]
    assert not calls, f"{relative} commits or rolls back by hand (use db.committing()):\n" + "\n".join(calls)


# One Preannotator built from settings: only its builder (and config.defaults, which names them) reads spaCy settings.
SETTINGS_HOMES = {"preannotator.py", "config.py"}


def _settings_read(path: Path) -> list[str]:
    """String constants naming a spaCy setting (a config read like config["SPACY_MODEL"] or .get("...")) in one module."""
    from annotator.preannotator import SETTINGS

    tree = ast.parse(path.read_text(), str(path))
    return [f"line {node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in SETTINGS]


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts
                                        and str(p.relative_to(PACKAGE)) not in SETTINGS_HOMES),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_preannotator_reads_spacy_settings(path: Path) -> None:
    found = _settings_read(path)
    assert not found, f"{path.relative_to(PACKAGE.parent)} reads spaCy settings itself:\n" + "\n".join(found) + \
        "\nAsk the app's Preannotator (services.preannotation.current(), or the one passed in)."


def test_the_scan_sees_a_settings_read(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from flask import current_app\nname = current_app.config['SPACY_MODEL']\n"
                     "size = current_app.config.get('PREANNOTATE_CHUNK_SIZE', 0)\n")
    assert len(_settings_read(probe)) == 2


def test_every_setting_has_a_default_and_reaches_the_preannotator(tmp_path: Path) -> None:
    from annotator.config import defaults
    from annotator.preannotator import SETTINGS, Preannotator

    settings = defaults(str(tmp_path))
    assert set(SETTINGS) <= set(settings)
    changed = {**settings, "SPACY_MODEL": "other", "SPACY_BATCH_SIZE": 7, "SPACY_N_PROCESS": 3,
               "CUES_LEXICON": "c.txt", "STANCE_LEXICON": "s.txt", "PREANNOTATE_CHUNK_SIZE": 9,
               "PREANNOTATE_CHUNK_TIMEOUT": 11, "PREANNOTATE_LOCAL_WORK": False, "DEFAULT_LABELS": ["ORG"],
               "LABEL_MAP": {"PER": "PERSON"}, "MODELS_FOLDER": "/m"}
    built, plain = Preannotator.from_settings(changed, str(tmp_path)), Preannotator.from_settings(settings, str(tmp_path))
    differs = [f for f in built.__dataclass_fields__ if getattr(built, f) != getattr(plain, f)]
    assert sorted(differs) == sorted(built.__dataclass_fields__), "a setting does not reach the Preannotator"
    assert plain.models_folder == str(tmp_path / "models")


def test_the_preannotator_is_built_once_per_app_from_its_settings() -> None:
    from annotator import create_app
    from annotator.preannotator import Preannotator

    first = create_app({"TESTING": True, "SPACY_MODEL": "first_model", "PREANNOTATE_CHUNK_SIZE": 5})
    second = create_app({"TESTING": True})
    made = first.extensions["annotator.preannotator"]
    assert isinstance(made, Preannotator) and made is not second.extensions["annotator.preannotator"]
    assert (made.model, made.chunk_size, made.pipeline(None), made.pipeline("mine")) == \
        ("first_model", 5, "first_model", "mine")
    with first.app_context():
        from annotator.services.preannotation import current

        assert current() is made
