"""Extension Sphinx locale : le menu de téléchargement de chaque page.

Le thème (sphinx-book-theme) propose déjà le ``.py`` source ; il n'offre le notebook que
pour les chapitres écrits en Markdown. Le menu de chaque page reçoit ici trois entrées :
« .ipynb » (édition complète), « .ipynb (étudiant) » et « kit (.zip) ». Les fichiers
qu'elles nomment sont écrits par ``download_files``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from tp2_book.editions import STUDENT_SUFFIX
from tp2_book.settings import KIT_NAME


def add_notebook_download(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    """Annonce au thème le notebook complet ``_sources/<page>.ipynb`` d'un chapitre ``.py``."""
    if (
        doctree is not None
        and Path(app.srcdir, pagename + ".py").is_file()
    ):
        context["ipynb_source"] = pagename + ".ipynb"


def add_student_downloads(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    """Ajoute l'édition étudiant et le kit au menu de téléchargement construit par le thème."""
    group = next(
        (
            b
            for b in context.get("header_buttons", [])
            if b.get("label") == "download-buttons"
        ),
        None,
    )
    if group is None:
        return
    pathto = context["pathto"]
    extra = []
    if context.get("ipynb_source"):
        extra.append(
            {
                "type": "link",
                "url": f"{pathto('_sources', 1)}/{pagename}{STUDENT_SUFFIX}.ipynb",
                "text": ".ipynb (étudiant)",
                "tooltip": "Le notebook sans les solutions, avec une vérification après chaque question",
                "icon": "fas fa-pen",
                "label": "download-student-notebook-button",
            }
        )
    extra.append(
        {
            "type": "link",
            "url": pathto(f"{KIT_NAME}.zip", 1),
            "text": "kit (.zip)",
            "tooltip": "Les deux éditions des notebooks et tp2_src, pour travailler hors du dépôt",
            "icon": "fas fa-box-archive",
            "label": "download-kit-button",
        }
    )
    group["buttons"][1:1] = extra  # après « .ipynb », avant « .py »


def setup(app: Sphinx) -> dict[str, Any]:
    # Priorité 500 : avant les boutons du thème (501), qui lisent ``ipynb_source`` ;
    # 502 : après eux, pour compléter leur menu.
    app.connect(
        "html-page-context", add_notebook_download, priority=500
    )
    app.connect(
        "html-page-context", add_student_downloads, priority=502
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
