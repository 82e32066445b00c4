"""Extension Sphinx locale : chaque chapitre téléchargeable en ``.py`` et en ``.ipynb``.

Le thème (sphinx-book-theme) propose déjà le ``.py`` source ; il n'offre le notebook que
pour les chapitres écrits en Markdown. Pour nos chapitres ``.py`` (Jupytext), on génère
le notebook à la construction, sans sorties, à partir du ``.py`` — la seule source — et
on l'annonce au thème, qui ajoute l'entrée « .ipynb » à son menu de téléchargement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jupytext
from sphinx.application import Sphinx


def add_notebook_download(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Écrit ``_sources/<page>.ipynb`` pour un chapitre ``.py`` et le signale au thème."""
    source = Path(app.srcdir, pagename + ".py")
    if doctree is None or not source.is_file():
        return
    notebook = jupytext.read(source, fmt="py:percent")
    target = Path(app.outdir, "_sources", pagename + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
    context["ipynb_source"] = pagename + ".ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Priorité 500 : avant les boutons du thème (501), qui lisent ``ipynb_source``.
    app.connect("html-page-context", add_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
