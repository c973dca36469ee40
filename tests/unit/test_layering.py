"""The pure modules never import Flask or the database layer."""

import subprocess
import sys

import pytest

PURE = ["annotator.spans", "annotator.checks", "annotator.vocab", "annotator.render", "annotator.nlp", "annotator.formats", "annotator.agreement"]
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
