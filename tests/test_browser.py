"""Le livre construit, lu dans un vrai navigateur (Chromium sans écran), sans réseau extérieur.

Chaque page est servie sur 127.0.0.1 ; toute requête vers un autre hôte est bloquée et
comptée comme un échec. On vérifie que les formules sont rendues, que chaque image est
chargée, qu'aucune requête n'échoue et que la console ne signale aucune erreur. Des
captures d'écran (ordinateur et téléphone) sont écrites dans le dossier temporaire de
pytest (``screenshots/``, à côté de la copie du livre) pour relecture.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from helpers import CHAPTERS, serve
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = [
    "index.html",
    *(f"book/{c.stem}.html" for c in CHAPTERS),
    "book/recapitulatif.html",
    "book/glossaire.html",
]
WIDTHS = {"ordinateur": (1280, 900), "telephone": (390, 844)}

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("En CI, Chromium doit être installé (apt-get install chromium) : .ci/run le fait.")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium n'est pas installé (Debian : apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def server(built_book: Path) -> Iterator[str]:
    with serve(built_book) as url:
        yield url


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


def open_page(browser, url: str, viewport: tuple[int, int], init_script: str | None = None):
    """Ouvre ``url`` hors ligne ; renvoie la page et les problèmes relevés pendant le chargement.

    ``init_script`` est exécuté dans la page avant ses propres scripts."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    if init_script:
        context.add_init_script(init_script)
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
  // Les formules arrivent composées (KaTeX, à la construction) ; leurs polices chargées.
  await document.fonts.ready;
  const nodes = Array.from(document.querySelectorAll('span.math, div.math'));
  const katexFonts = Array.from(document.fonts).filter(f => f.family.startsWith('KaTeX'));
  return {
    math: nodes.length,
    rendered: nodes.filter(n => n.querySelector('.katex-html')).length,
    errors: document.querySelectorAll('.katex-error').length,
    fontsLoaded: katexFonts.filter(f => f.status === 'loaded').length,
    fontsFailed: katexFonts.filter(f => f.status === 'error').length,
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
        assert math["errors"] == 0, f"erreurs KaTeX : {math}"
        assert math["fontsFailed"] == 0, f"polices de KaTeX en échec : {math}"
        if math["math"]:
            assert math["fontsLoaded"] > 0, f"polices de KaTeX non chargées : {math}"
        broken = [i["src"] for i in images if not i["ok"]]
        assert not broken, f"images non chargées : {broken}"
        assert not problems, "\n".join(problems)
    finally:
        context.close()


FIGURES_STATE = """async () => {
  const result = [];
  for (const img of document.querySelectorAll('main img')) {
    // Une figure dans un onglet caché n'a pas de taille : on ouvre son onglet d'abord.
    const content = img.closest('.sd-tab-content');
    if (content && content.previousElementSibling) content.previousElementSibling.click();
    const figure = img.closest('figure');
    const svg = img.src.endsWith('.svg')
      ? new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml') : null;
    const root = svg && svg.documentElement;
    const viewWidth = root ? parseFloat(root.getAttribute('viewBox').split(/\\s+/)[2]) : null;
    const sizes = root ? Array.from(root.querySelectorAll('text, tspan'))
      .map(t => (t.getAttribute('style') || '').match(/font(?:-size)?:\\s*([\\d.]+)px/))
      .filter(m => m).map(m => parseFloat(m[1])) : [];
    result.push({
      src: img.getAttribute('src'),
      screenshot: figure !== null && figure.classList.contains('capture-ecran'),
      naturalWidth: img.naturalWidth,
      alt: img.getAttribute('alt') || '',
      width: img.getBoundingClientRect().width,
      viewWidth: viewWidth,
      texts: root ? root.querySelectorAll('text').length : 0,
      minFont: sizes.length ? Math.min(...sizes) : null,
      id: figure ? figure.id : null,
      number: figure ? (figure.querySelector('.caption-number') || {}).textContent : null,
      caption: figure ? (figure.querySelector('figcaption') || {}).textContent : null,
      // Les étapes d'un lecteur à onglets sont citées ensemble (« Fig. 3 à Fig. 14 »).
      cited: Array.from((img.closest('.sd-tab-set') || figure || img).querySelectorAll('figure[id]'))
        .concat(figure && figure.id ? [figure] : [])
        .map(f => document.querySelectorAll(`a[href="#${f.id}"]:not(.headerlink)`).length)
        .reduce((a, b) => a + b, 0),
    });
  }
  return result;
}"""


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("book/0")])
def test_every_figure_is_a_legible_captioned_svg(browser, server: str, path: str) -> None:
    """SVG à texte réel, aucun texte sous 11 px CSS dans une fenêtre de 1280 px, un numéro,
    une légende, un texte alternatif, et un renvoi depuis la prose. Seule exception : une
    capture d'écran d'un autre logiciel (classe ``capture-ecran``, la capture de
    TensorBoard), une image PNG, affichée sans réduction (son texte garde sa taille)."""
    context, page, problems = open_page(browser, server + path, WIDTHS["ordinateur"])
    try:
        figures = page.evaluate(FIGURES_STATE)
        for fig in figures:
            where = f"{path} : {fig['src']}"
            assert len(fig["alt"]) >= 40, f"{where} : texte alternatif absent ou trop court"
            assert fig["number"] and fig["number"].startswith("Fig."), f"{where} : figure sans numéro"
            assert fig["caption"] and len(fig["caption"]) > 40, f"{where} : légende absente"
            assert fig["cited"] >= 1, f"{where} : la prose ne renvoie pas à {fig['id']}"
            if fig["screenshot"]:
                assert fig["src"].endswith(".png"), f"{where} : une capture d'écran est un PNG"
                scale = fig["width"] / fig["naturalWidth"]
                assert scale >= 0.5, f"{where} : capture réduite à {scale:.0%}, texte illisible"
                continue
            assert fig["src"].endswith(".svg"), f"{where} n'est pas un SVG"
            assert fig["texts"] > 0, f"{where} : le texte n'est pas resté du texte"
            css_px = fig["minFont"] * fig["width"] / fig["viewWidth"]
            assert css_px >= 11, f"{where} : texte de {css_px:.1f} px à l'écran"
        assert not problems, "\n".join(problems)
    finally:
        context.close()


OVERFLOWS = """async () => {
  // Ouvre toutes les solutions repliées et tous les codes repliés, puis cherche les blocs
  // de code, de sortie ou de formules qu'il faudrait faire défiler (ou qui seraient coupés).
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('.dropdown, .toggle-hidden, .tag_hide-input').forEach(e => {
    e.classList.remove('toggle-hidden'); });
  const longest = text => text.split('\\n').reduce((a, b) => b.length > a.length ? b : a, '');
  return Array.from(document.querySelectorAll('main pre, main div.math > .katex-display'))
    .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
    .map(e => ({width: e.scrollWidth - e.clientWidth,
                line: e.tagName === 'PRE' ? longest(e.textContent)
                      : 'formule : ' + e.textContent.slice(0, 80)}));
}"""


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("book/0")])
def test_code_and_outputs_fit_the_column(browser, server: str, path: str) -> None:
    """Aucun bloc de code, de sortie ni de formule à faire défiler, solutions dépliées comprises."""
    context, page, problems = open_page(browser, server + path, WIDTHS["ordinateur"])
    try:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        page.wait_for_timeout(200)
        wide = page.evaluate(OVERFLOWS)
        assert not wide, f"{path} : {len(wide)} bloc(s) à faire défiler, par exemple {wide[:3]}"
    finally:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", ["index.html", "book/03_regression_lineaire.html"])
def test_screenshots_and_no_horizontal_overflow(
    browser, server: str, built_book: Path, path: str, width: str
) -> None:
    context, page, problems = open_page(browser, server + path, WIDTHS[width])
    try:
        page.evaluate(MATH_STATE)
        screenshots = built_book.parents[2] / "screenshots"
        screenshots.mkdir(parents=True, exist_ok=True)
        name = f"{Path(path).stem}-{width}.png"
        page.screenshot(path=str(screenshots / name), full_page=False)
        assert (screenshots / name).stat().st_size > 10_000
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


SEARCH_DONE = """() => {
  const summary = document.querySelector('#search-results p.search-summary');
  return summary !== null && summary.innerText.length > 0;
}"""


def search_links(browser, server: str, query: str) -> list[str]:
    """Les liens des résultats de la page de recherche du livre pour ``query`` (page et
    ancre, sans les paramètres de surlignage)."""
    context, page, problems = open_page(browser, server + "search.html?q=" + quote(query), (1280, 900))
    try:
        page.wait_for_function(SEARCH_DONE, timeout=20_000)
        links = page.eval_on_selector_all(
            "#search-results ul.search li > a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert not problems, "\n".join(problems)
        return [re.sub(r"\?[^#]*", "", link) for link in links]
    finally:
        context.close()


def search(browser, server: str, query: str) -> list[str]:
    """Les pages que la page de recherche du livre trouve pour ``query``."""
    return sorted({link.split("#")[0] for link in search_links(browser, server, query)})


@pytest.mark.parametrize(
    "variants",
    [
        ("dérivée", "derivee", "Dérivée", "DERIVEE"),
        ("rétropropagation", "retropropagation"),
        ("régression", "Regression"),
        ("époque", "epoque"),
    ],
    ids=lambda v: v[0],
)
def test_search_forgives_accents_and_case(browser, server: str, variants: tuple[str, ...]) -> None:
    """Sans accents ou en majuscules, la recherche trouve les mêmes pages (et au moins une)."""
    found = {query: search(browser, server, query) for query in variants}
    reference = found[variants[0]]
    assert reference, f"« {variants[0]} » ne trouve aucune page"
    for query, pages in found.items():
        assert pages == reference, f"« {query} » trouve {pages}, « {variants[0]} » trouve {reference}"


@pytest.mark.parametrize(
    ("variants", "entry"),
    [
        (("rétropropagation", "retropropagation", "RETROPROPAGATION"), "term-retropropagation"),
        (("différences finies", "differences finies"), "term-differences-finies"),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else v,
)
def test_search_finds_glossary_terms_without_accents(
    browser, server: str, variants: tuple[str, ...], entry: str
) -> None:
    """Un terme du glossaire est une entrée d'index, comparée telle quelle par Sphinx (hors du
    raciniseur) : sans accents aussi, la recherche donne son entrée du glossaire."""
    target = f"book/glossaire.html#{entry}"
    for query in variants:
        links = search_links(browser, server, query)
        assert target in links, f"« {query} » ne donne pas l'entrée du glossaire {target} : {links}"


WORDS = ["Dérivée", "dérivées", "derivee", "rétropropagation", "Époque", "façon", "cœur", "élève", "ÉTÉ"]


def test_index_and_query_fold_words_the_same_way(browser, server: str) -> None:
    """Le raciniseur JavaScript de la page de recherche et celui de l'index (Python) donnent
    la même racine à chaque mot, avec ou sans accents."""
    from tp2_book.french_search import SearchFrenchFolded

    python = SearchFrenchFolded({})
    context, page, problems = open_page(browser, server + "search.html", (1280, 900))
    try:
        stems = page.evaluate("ws => { const s = new Stemmer(); return ws.map(w => s.stemWord(w)); }", WORDS)
        assert stems == [python.stem(w) for w in WORDS]
        assert stems[0] == stems[1] == stems[2]
        assert not problems, "\n".join(problems)
    finally:
        context.close()


# --- Accessibilité : axe-core dans les deux thèmes, et blocs qui défilent au clavier --------

#: Chaque page du site ; index.html n'est qu'une redirection vers book/intro.html.
A11Y_PAGES = ["book/intro.html", *(p for p in PAGES if p != "index.html"), "search.html", "genindex.html"]
THEMES = ("light", "dark")
SERIOUS = ("serious", "critical")
#: Règles d'impact moindre qui font échouer le test quand même : « region » (tout le contenu
#: de la page dans un repère : bannière, navigation, principal…).
ALSO_FAILING = ("region",)
#: axe-core à sa version courante (paquet npm axe-core), copié dans les tests : voir
#: tests/vendor/README.md pour le mettre à jour.
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_MIN_VERSION = (4, 14)

OPEN_ALL = """async () => {
  // Déplie tout ce qui est replié : codes masqués (<details>) et solutions (sphinx-togglebutton).
  // Sur une machine chargée, les boutons de sphinx-togglebutton peuvent manquer encore :
  // on recommence jusqu'à ce que plus rien ne soit replié (10 s au plus).
  const folded = () => document.querySelectorAll('.toggle-hidden, details:not([open])').length;
  for (let attempt = 0; attempt < 50 && (attempt === 0 || folded() > 0); attempt++) {
    document.querySelectorAll('details:not([open])').forEach(d => d.open = true);
    document.querySelectorAll('button.toggle-button[aria-expanded="false"]').forEach(b => b.click());
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  await new Promise(resolve => setTimeout(resolve, 200));
  return folded();
}"""

# Les règles par défaut d'axe (WCAG 2.x A et AA, bonnes pratiques, dont
# label-content-name-mismatch depuis axe 4.14 : WCAG 2.5.3, le nom accessible d'un bouton
# contient son texte visible), plus ses règles « expérimentales », désactivées par défaut.
# Aucune règle n'est désactivée.
# Les règles AAA (color-contrast-enhanced, contraste de 7:1) restent hors du contrôle, comme
# par défaut : le livre vise le niveau AA.
AXE_RUN = """async () => {
  const experimental = axe.getRules(['experimental']).map(rule => [rule.ruleId, {enabled: true}]);
  const results = await axe.run(document, {
    resultTypes: ['violations'],
    rules: Object.fromEntries(experimental),
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)})),
  }));
}"""


def open_page_in_theme(browser, url: str, theme: str, viewport: tuple[int, int] = WIDTHS["ordinateur"]):
    """Comme ``open_page``, le thème choisi comme le fait le bouton de pydata-sphinx-theme :
    ``mode`` et ``theme`` dans localStorage, lus par la page avant son premier affichage."""
    script = f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');"
    return open_page(browser, url, viewport, init_script=script)


THEME_STATE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
  return {theme: document.documentElement.dataset.theme, mode: document.documentElement.dataset.mode,
          background: 0.2126 * r + 0.7152 * g + 0.0722 * b};
}"""


def format_violations(violations: list[dict], where: str) -> str:
    lines = [f"{where} : {len(violations)} violation(s) selon axe-core (graves, critiques ou {ALSO_FAILING})"]
    for v in violations:
        lines.append(f"- règle {v['id']} (impact {v['impact']}) : {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    élément {node['target']} : {node['html']}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … et {len(v['nodes']) - 5} autre(s) élément(s)")
    return "\n".join(lines)


def inject_axe(page) -> None:
    """axe-core injecté dans la page (aucune requête réseau), à sa version courante."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    version = page.evaluate("axe.version")
    found = tuple(int(n) for n in version.split(".")[:2])
    assert found >= AXE_MIN_VERSION, f"axe-core {version} : tests/vendor/axe.min.js est à mettre à jour"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", A11Y_PAGES)
def test_axe_finds_no_serious_violation(browser, server: str, path: str, theme: str) -> None:
    """axe-core, solutions et codes repliés dépliés : aucune violation « serious » ni
    « critical », ni « region », en thème clair comme en thème sombre."""
    context, page, problems = open_page_in_theme(browser, server + path, theme)
    try:
        state = page.evaluate(THEME_STATE)
        assert state["theme"] == state["mode"] == theme, f"{path} : thème {state} au lieu de {theme}"
        # Luminance du fond de la page : sombre en thème sombre, claire en thème clair.
        assert (state["background"] < 80) == (theme == "dark"), f"{path} : fond de page {state}"
        assert page.evaluate(OPEN_ALL) == 0, f"{path} : un bloc replié n'a pas pu être déplié"
        # Les problèmes de la page, relevés avant axe : pour lire les feuilles de style, axe
        # les télécharge à nouveau et résout mal leurs @import (« ../basic.css » de
        # styles/theme.css demandé à la racine du site : 404) ; le navigateur, lui, non.
        assert not problems, "\n".join(problems)
        inject_axe(page)
        violations = page.evaluate(AXE_RUN)
        failing = [v for v in violations if v["impact"] in SERIOUS or v["id"] in ALSO_FAILING]
        assert not failing, format_violations(failing, f"{path} (thème {theme})")
    finally:
        context.close()


THEME_BUTTON_RUN = """async () => {
  const results = await axe.run('.theme-switch-button', {
    runOnly: ['label-content-name-mismatch', 'button-name'], resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)}))}));
}"""


@pytest.mark.parametrize("mode", [*THEMES, "auto"])
def test_theme_button_is_named_by_what_it_shows(browser, server: str, mode: str) -> None:
    """Le bouton de thème, dans chacun de ses trois modes (« auto », celui du système, est
    celui d'un premier visiteur) : son nom accessible contient tout son texte visible."""
    script = f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
    context, page, problems = open_page(browser, server + "book/intro.html", WIDTHS["ordinateur"], script)
    try:
        assert page.evaluate("document.documentElement.dataset.mode") == mode
        inject_axe(page)
        violations = page.evaluate(THEME_BUTTON_RUN)
        assert not violations, format_violations(violations, f"bouton de thème (mode {mode})")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


SCROLLABLES_READY = """() => Array.from(document.querySelectorAll(
    'main pre, main .cell_output > .output, main .pst-scrollable-table-container'))
  .filter(e => e.offsetParent !== null
               && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
  .every(e => e.tabIndex >= 0)"""

SCROLLABLE_STATE = """() => Array.from(document.querySelectorAll(
    'main pre, main .cell_output > .output, main .pst-scrollable-table-container'))
  .filter(e => e.offsetParent !== null
               && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
  .map(e => {
    e.focus();
    return {tabIndex: e.tabIndex, focused: document.activeElement === e,
            role: e.getAttribute('role'), label: e.getAttribute('aria-label'),
            text: e.textContent.trim().slice(0, 60)};
  })"""


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", [p for p in A11Y_PAGES if p.startswith("book/")])
def test_scrollable_blocks_are_keyboard_reachable(browser, server: str, path: str, width: str) -> None:
    """Chaque bloc de code ou de sortie qui déborde (à l'horizontale ou à la verticale),
    solutions dépliées comprises, est dans l'ordre de tabulation (tabIndex ≥ 0), prend le
    focus, et porte un rôle et un nom pour le lecteur d'écran."""
    context, page, problems = open_page(browser, server + path, WIDTHS[width])
    try:
        assert page.evaluate(OPEN_ALL) == 0, f"{path} : un bloc replié n'a pas pu être déplié"
        # Le script de la page met à jour les blocs peu après chaque changement (50 ms) :
        # sur une machine chargée, on lui en laisse le temps (l'assertion dit sinon lesquels).
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(SCROLLABLES_READY, timeout=5000)
        blocks = page.evaluate(SCROLLABLE_STATE)
        unreachable = [b for b in blocks if b["tabIndex"] < 0 or not b["focused"]]
        where = f"{path} ({width})"
        assert not unreachable, f"{where} : blocs qui débordent hors de portée du clavier : {unreachable[:3]}"
        unnamed = [b for b in blocks if b["role"] != "region" or not b["label"]]
        assert not unnamed, f"{where} : blocs qui débordent sans rôle ni nom : {unnamed[:3]}"
        labels = [b["label"] for b in blocks]
        assert len(set(labels)) == len(labels), f"{where} : noms en double : {labels}"
        if width == "telephone" and path.startswith("book/0"):
            assert blocks, f"{path} : aucun bloc ne déborde sur téléphone ? (le test ne vérifierait rien)"
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_the_main_line_is_read_in_one_lab_session(browser, server: str) -> None:
    """La ligne principale (prose affichée à l'arrivée, hors encadrés repliés, code, sorties,
    formules et légendes ; ``benchmarks/main_line.py``) : au plus ``WORDS_PER_CHAPTER``
    mots par chapitre et ``WORDS_IN_ALL`` en tout. Les encadrés repliés comptent bien en
    dehors : la prose qu'ils contiennent, dépliés, s'ajoute."""
    from main_line import WORDS_IN_ALL, WORDS_PER_CHAPTER, main_line_words

    counts, unfolded = {}, {}
    for chapter in CHAPTERS:
        url = server + f"book/{chapter.stem}.html"
        context, page, problems = open_page(browser, url, WIDTHS["ordinateur"])
        try:
            counts[chapter.stem] = main_line_words(page)
            page.evaluate("""() => document.querySelectorAll('.tp2-optional button.toggle-button')
                .forEach(b => b.click())""")
            page.wait_for_timeout(300)
            unfolded[chapter.stem] = main_line_words(page)
            assert not problems, "\n".join(problems)
        finally:
            context.close()
    over = {k: v for k, v in counts.items() if v > WORDS_PER_CHAPTER}
    assert not over, f"chapitres au-delà de {WORDS_PER_CHAPTER} mots : {over}"
    assert sum(counts.values()) <= WORDS_IN_ALL, f"{sum(counts.values())} mots en tout : {counts}"
    assert all(v > 1000 for v in counts.values()), f"mesure suspecte : {counts}"
    assert all(unfolded[k] > counts[k] for k in counts), f"encadrés dépliés : {unfolded}, repliés : {counts}"


STEPPER_STATE = """async () => {
  const figure = document.querySelector('figure.tp2-stepper');
  const visible = Array.from(figure.querySelectorAll(':scope > .tp2-step'))
    .filter(s => getComputedStyle(s).visibility === 'visible');
  const img = visible.length === 1 ? visible[0].querySelector('img') : null;
  let smallest = null;
  if (img) {
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml');
    const viewWidth = parseFloat(svg.documentElement.getAttribute('viewBox').split(/\\s+/)[2]);
    const sizes = Array.from(svg.querySelectorAll('text, tspan'))
      .map(t => (t.getAttribute('style') || '').match(/font(?:-size)?:\\s*([\\d.]+)px/))
      .filter(m => m).map(m => parseFloat(m[1]));
    smallest = Math.min(...sizes) * img.getBoundingClientRect().width / viewWidth;
  }
  return {
    smallest: smallest,
    status: figure.querySelector('.tp2-stepper-status').textContent,
    visible: visible.length,
    src: img ? img.getAttribute('src') : null,
    imgWidth: img ? img.getBoundingClientRect().width : 0,
    height: figure.getBoundingClientRect().height,
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_backward_pass_is_stepped_through(browser, server: str, width: str) -> None:
    """La passe arrière du chapitre 1 : une figure, une étape visible à la fois, des boutons
    et les flèches du clavier pour changer d'étape, sans que la page bouge ; sur un
    téléphone, l'étape garde une largeur où son texte se lit (elle défile dans son cadre)."""
    context, page, problems = open_page(browser, server + f"book/{CHAPTERS[0].stem}.html", WIDTHS[width])
    try:
        # La hauteur de la figure est celle de sa plus grande étape, une fois les images lues.
        page.wait_for_function(
            "Array.from(document.querySelectorAll('figure.tp2-stepper img')).every(i => i.complete)"
        )
        first = page.evaluate(STEPPER_STATE)
        count = int(first["status"].split()[-1])
        assert first["status"] == f"Étape 1 sur {count}" and count >= 10 and first["visible"] == 1
        assert page.get_by_role("button", name="Étape précédente").is_disabled()
        page.get_by_role("button", name="Étape suivante").click()
        second = page.evaluate(STEPPER_STATE)
        assert second["status"] == f"Étape 2 sur {count}" and second["visible"] == 1
        assert second["src"] != first["src"] and second["height"] == first["height"]
        page.locator("figure.tp2-stepper").press("End")
        assert page.evaluate(STEPPER_STATE)["status"] == f"Étape {count} sur {count}"
        assert page.get_by_role("button", name="Étape suivante").is_disabled()
        page.locator("figure.tp2-stepper").press("ArrowLeft")
        assert page.evaluate(STEPPER_STATE)["status"] == f"Étape {count - 1} sur {count}"
        smallest = first["smallest"]
        assert smallest >= 10, f"texte de l'étape à {smallest:.1f} px à la largeur {width}"
        assert first["pageWidth"] <= WIDTHS[width][0], "la page déborde de l'écran"
        assert not problems, "\n".join(problems)
    finally:
        context.close()
