"""La machinerie du livre : extensions Sphinx, éditions des notebooks, kit de l'étudiant.

Ce paquet sert à construire le livre ; il n'est jamais livré aux étudiants (le kit ne
contient que ``tp2_src``). Jupyter Book le charge depuis ``book/_ext`` (``sphinx:
local_extensions`` de ``_config.yml``) et appelle ``setup`` ci-dessous, qui charge les
extensions de ``EXTENSIONS`` dans cet ordre :

- ``french_exercises`` : sphinx-exercise, avec des titres de solution en bon français ;
- ``optional`` : les encadrés facultatifs « Pour aller plus loin », repliés dans la page,
  qui s'étendent sur plusieurs cellules (``{optional-start}`` … ``{optional-end}``) ;
- ``stepper`` : une figure que le lecteur parcourt étape par étape (la passe arrière du
  chapitre 1), en séquence dans le PDF ;
- ``reading_time`` : la durée de lecture de la ligne principale, en tête des chapitres
  (``{reading-time}``) ;
- ``french_search`` : une recherche insensible aux accents et à la casse ;
- ``notebook_downloads`` : le menu de téléchargement de chaque page (deux éditions, kit) ;
- ``download_files`` : les deux éditions de chaque chapitre et le kit, écrites dans le site ;
- ``formulas`` : les formules composées à la construction par KaTeX (HTML et MathML), sans
  script de formules dans les pages ;
- ``offline`` : un site léger, sans aucune requête vers un autre serveur ;
- ``fresh_outputs`` : le cache d'exécution vidé quand ``tp2_src``, ses données ou les
  versions installées changent — un livre construit n'est jamais périmé ;
- ``parallel_execute`` : les chapitres à exécuter le sont en parallèle, un par cœur ;
- ``build_date`` : la date du livre est celle du dernier commit ;
- ``accessibility`` : noms accessibles en français, blocs qui défilent atteignables au
  clavier (vérifié par axe-core) ;
- ``typography`` : espaces fines insécables, formules soudées à leur ponctuation ;
- ``valid_html`` : une page de redirection ``index.html`` que le vérificateur HTML du W3C
  accepte ;
- ``html_pass`` : la seule passe qui retouche les pages écrites, ses étapes dans une liste
  ordonnée (``STEPS``).

Les autres modules ne sont pas des extensions : ``settings`` (les faits et réglages de la
machinerie — racine du livre, noms du kit, du PDF et des dossiers des éditions, version de
Python, options de construction — et la copie du livre, le poids du site, le dossier LaTeX ;
lu aussi par nox, les tests et le banc d'essai), ``conventions`` (la lecture des chapitres :
solutions, squelettes, vérifications), ``markdown`` (la prose MyST rendue lisible dans
Jupyter), ``editions`` (les notebooks des deux éditions) et ``kit`` (le zip de l'étudiant). Les
commandes des sessions nox ``lab`` et ``tensorboard_capture`` sont à côté, dans
``book/_ext/tp2_tools`` : ce ne sont pas des extensions.
"""

from __future__ import annotations

from typing import Any

#: Les extensions Sphinx du livre, dans leur ordre de chargement.
EXTENSIONS = (
    "french_exercises",
    "optional",
    "stepper",
    "reading_time",
    "french_search",
    "notebook_downloads",
    "download_files",
    "formulas",
    "offline",
    "fresh_outputs",
    "parallel_execute",
    "build_date",
    "accessibility",
    "typography",
    "valid_html",
    "html_pass",
)


def setup(app: Any) -> dict[str, Any]:
    for name in EXTENSIONS:
        app.setup_extension(f"{__name__}.{name}")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
