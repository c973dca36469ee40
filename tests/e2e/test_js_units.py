"""The editor's JavaScript modules tested on their own, in Chromium (tests/js/*.test.js).

The files are served from the checkout on a made-up origin through Playwright's request routing:
no server and nothing beyond the browser the other browser tests use.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://js-units.test"
FILES = sorted(p.name for p in (ROOT / "tests" / "js").glob("*.test.js"))


def serve(route) -> None:  # type: ignore[no-untyped-def]
    path = route.request.url[len(ORIGIN):].split("?")[0]
    if path == "/run.html":
        return route.fulfill(body="<!doctype html><meta charset=utf-8><title>js units</title>", content_type="text/html")
    file = (ROOT / path.lstrip("/")).resolve()
    if ROOT not in file.parents or not file.is_file():
        return route.fulfill(status=404, body="not found")
    kind = "text/javascript" if file.suffix == ".js" else mimetypes.guess_type(file.name)[0] or "text/plain"
    return route.fulfill(body=file.read_bytes(), content_type=kind)


def test_there_are_js_unit_tests() -> None:
    assert {"model.test.js", "saving.test.js", "render.test.js"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_js_module(page, name: str) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/run.html")
    results = page.evaluate(f"""async () => {{
      await import('/tests/js/{name}');
      const {{ run }} = await import('/tests/js/harness.js');
      return run();
    }}""")
    assert not errors, errors
    assert results, f"{name} registered no tests"
    failed = [f"{r['name']}: {r['error']}" for r in results if not r["ok"]]
    assert not failed, "\n\n".join(failed)
    print(f"{name}: {len(results)} tests passed")
