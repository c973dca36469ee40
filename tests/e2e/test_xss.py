"""Browser: hostile article text shows as text and never runs, on the document page and in the editor."""

from __future__ import annotations

from pathlib import Path

import pytest

from live_server import LiveServer, log_in

pytestmark = pytest.mark.e2e

HOSTILE = (
    "Mayor <script>alert('script')</script> Ana Ruiz spoke in Paris on Monday.\n\n"
    "She wrote \" onmouseover=\"alert('attr')\" x=\" and <img src=x onerror=alert('img')> "
    "and linked javascript:alert('link') in her note.\n"
)
VISIBLE = ["<script>alert('script')</script>", "\" onmouseover=\"alert('attr')\"",
           "<img src=x onerror=alert('img')>", "javascript:alert('link')"]


@pytest.fixture(scope="module")
def hostile(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """A reader (reviewer) and an annotator, and the hostile article imported with the CLI."""
    source: Path = tmp_path_factory.mktemp("xss") / "hostile.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    server.add_user("xss-reviewer", "reviewer")
    server.add_user("xss-annotator")
    server.cli("import", str(source), "--dataset", "XSS")
    (set_id,) = server.assign("XSS", "xss-annotator")
    document = int(server.python(
        "import sqlalchemy as sa\nfrom annotator.models import AnnotationSet\n"
        f"print(db.session.get(AnnotationSet, {set_id}).document_id)"))
    return {"set": set_id, "document": document}


def _watch(page: object) -> list[str]:
    """Collect every dialog (alert, confirm, prompt) the page opens; dismiss it."""
    fired: list[str] = []

    def on_dialog(dialog: object) -> None:
        fired.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)  # type: ignore[attr-defined]
    return fired


def _poke(page: object) -> None:
    """Hover over and click the article's text, where injected handlers would sit."""
    for selector in ("mark", "img", "a", "[onmouseover]", "[onerror]"):
        for element in page.locator(selector).all()[:20]:  # type: ignore[attr-defined]
            try:
                element.hover(timeout=1000)
            except Exception:  # noqa: BLE001 - hidden or detached elements cannot be hovered; fine
                pass
    page.wait_for_timeout(300)  # type: ignore[attr-defined]


def _assert_inert(page: object, fired: list[str]) -> None:
    text = page.locator("main").inner_text()  # type: ignore[attr-defined]
    for piece in VISIBLE:
        assert piece in text, f"{piece!r} is not shown as text"
    assert fired == [], f"dialogs fired: {fired}"
    assert page.locator("main script").count() == page.locator(  # type: ignore[attr-defined]
        "main script[type='application/json'], main script[type='module'][src]").count()
    assert page.locator("[onmouseover], [onerror], a[href^='javascript:']").count() == 0  # type: ignore[attr-defined]


def test_document_page_shows_hostile_text_as_text(server: LiveServer, hostile: dict[str, int], page: object) -> None:
    fired = _watch(page)
    log_in(page, server, "xss-reviewer")
    page.goto(server.url(f"/documents/{hostile['document']}"))  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    _poke(page)
    _assert_inert(page, fired)


def test_editor_shows_hostile_text_as_text(server: LiveServer, hostile: dict[str, int], page: object) -> None:
    fired = _watch(page)
    log_in(page, server, "xss-annotator")
    page.goto(server.url(f"/annotate/{hostile['set']}"))  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.wait_for_function(  # the editor renders the text with JavaScript
        "() => document.querySelector('main') && document.querySelector('main').innerText.includes('javascript:alert')")
    _poke(page)
    _assert_inert(page, fired)


def test_injected_inline_script_is_blocked_by_the_policy(server: LiveServer, hostile: dict[str, int],
                                                         page: object) -> None:
    """Even if markup slipped through, the Content-Security-Policy stops inline script from running."""
    fired = _watch(page)
    log_in(page, server, "xss-reviewer")
    page.goto(server.url(f"/documents/{hostile['document']}"))  # type: ignore[attr-defined]
    page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = "alert('inline')"; document.body.append(s);
        const i = document.createElement('img'); i.setAttribute('onerror', "alert('handler')"); i.src = 'x:';
        document.body.append(i);
    }""")
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert fired == []
