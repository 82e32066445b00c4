"""Le livre construit, lu dans un vrai navigateur (Chromium sans écran), sans réseau extérieur.

Chaque page est servie sur 127.0.0.1 ; toute requête vers un autre hôte est bloquée et
comptée comme un échec. On vérifie que les formules sont rendues, que chaque image est
chargée, qu'aucune requête n'échoue et que la console ne signale aucune erreur. Des
captures d'écran (ordinateur et téléphone) sont écrites dans ``_build/screenshots`` pour
relecture.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import CHAPTERS, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = ["index.html", *(f"book/{c.stem}.html" for c in CHAPTERS), "book/glossaire.html"]
WIDTHS = {"ordinateur": (1280, 900), "telephone": (390, 844)}

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("En CI, Chromium doit être installé (apt-get install chromium) : .ci/run le fait.")
pytestmark = [
    pytest.mark.book,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium n'est pas installé (Debian : apt-get install chromium)"
    ),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server(built_book: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def open_page(browser, url: str, viewport: tuple[int, int]):
    """Ouvre ``url`` hors ligne ; renvoie la page et les problèmes relevés pendant le chargement."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    problems: list[str] = []

    def only_local(route) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", None):
            route.continue_()
        else:
            problems.append(f"requête vers l'extérieur bloquée : {route.request.url}")
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("requestfailed", lambda r: problems.append(f"requête échouée : {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status} : {r.url}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console : {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"erreur JavaScript : {e}"))
    page.goto(url, wait_until="networkidle")
    return context, page, problems


MATH_STATE = """async () => {
  const nodes = document.querySelectorAll('.math, span.math, div.math');
  if (nodes.length === 0) return {math: 0, rendered: 0, errors: 0};
  await window.MathJax.startup.promise;
  return {
    math: nodes.length,
    rendered: document.querySelectorAll('mjx-container').length,
    errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  };
}"""

IMAGES_STATE = """() => Array.from(document.images).map(
  img => ({src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0}))"""


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline(browser, server: str, path: str) -> None:
    context, page, problems = open_page(browser, server + path, WIDTHS["ordinateur"])
    try:
        page.wait_for_load_state("load")
        math = page.evaluate(MATH_STATE)
        images = page.evaluate(IMAGES_STATE)
        assert page.evaluate("document.documentElement.lang") == "fr"
        if path.startswith("book/0"):
            assert math["math"] > 0, "un chapitre contient des formules"
            assert page.locator("button.copybtn").count() > 0, "boutons de copie du code"
        assert math["rendered"] >= math["math"], f"formules non rendues : {math}"
        assert math["errors"] == 0, f"erreurs MathJax : {math}"
        broken = [i["src"] for i in images if not i["ok"]]
        assert not broken, f"images non chargées : {broken}"
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_chapter_figures_are_loaded(browser, server: str) -> None:
    context, page, problems = open_page(browser, server + f"book/{CHAPTERS[0].stem}.html", (1280, 900))
    try:
        images = page.evaluate(IMAGES_STATE)
        figures = [i for i in images if "_images/" in (i["src"] or "")]
        assert len(figures) >= 2 and all(i["ok"] for i in figures), figures
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", ["index.html", "book/03_regression_lineaire.html"])
def test_screenshots_and_no_horizontal_overflow(browser, server: str, path: str, width: str) -> None:
    context, page, problems = open_page(browser, server + path, WIDTHS[width])
    try:
        page.evaluate(MATH_STATE)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{Path(path).stem}-{width}.png"
        page.screenshot(path=str(SCREENSHOTS / name), full_page=False)
        assert (SCREENSHOTS / name).stat().st_size > 10_000
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} déborde horizontalement de {overflow} px à la largeur {width}"
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_dark_mode_is_available(browser, server: str) -> None:
    context, page, _ = open_page(browser, server + "index.html", WIDTHS["ordinateur"])
    try:
        page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
        assert page.locator(".theme-switch-button").count() > 0
    finally:
        context.close()
