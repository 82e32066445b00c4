"""Extension Sphinx locale : un site sans violation grave d'accessibilité (axe-core).

Vérifié par ``tests/test_browser.py`` (axe-core dans Chromium, thèmes clair et sombre, sur
chaque page). Ce que la configuration et les gabarits (``book/_templates``) ne peuvent pas
régler se règle ici :

- ``tp2-accessibilite.js`` (dans ``static/``) rend chaque bloc de code ou de sortie qui
  déborde atteignable au clavier, y compris dans une solution dépliée après le chargement,
  et donne des noms français aux boutons de thème et de solution (voir ce fichier).
- ``tp2-lisibilite.css`` : le haut des formules n'est plus rogné, et une formule reste sur
  la ligne de sa ponctuation (voir l'extension ``typography``).

Le nom anglais du résumé des cellules de code repliées (MyST-NB) est retiré des pages par
la passe ``html_pass`` (étape ``summary_names``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "static"
SCRIPT = "tp2-accessibilite.js"
STYLESHEET = "tp2-lisibilite.css"


def add_static_path(app: Sphinx, config: Any) -> None:
    """Le dossier ``static/`` de l'extension rejoint ceux du site (copié dans ``_static``)."""
    config.html_static_path = [
        *config.html_static_path,
        str(STATIC),
    ]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_static_path)
    app.add_js_file(SCRIPT, loading_method="defer")
    app.add_css_file(STYLESHEET)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
