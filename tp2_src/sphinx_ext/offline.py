"""Extension Sphinx locale : un site sans aucune référence à un serveur extérieur.

Jupyter Book charge toujours sphinx-thebe (exécution du code sur un serveur Binder) ;
nous ne l'utilisons pas, mais il ajoute à chaque page l'adresse de thebe sur un CDN, et
son script deux fois après une reconstruction incrémentale (erreur JavaScript
« THEBE_JS_URL has already been declared »). On retire ces fichiers des pages.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _is_thebe(asset: Any) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Enlève de la page les scripts et feuilles de style de sphinx-thebe."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_thebe_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
