"""Extensions Sphinx du livre (pas de la leçon) : chargées par ``_config.yml``.

- ``fresh_outputs`` : le cache d'exécution est vidé quand ``tp2_src``, ses données ou les
  versions installées changent — un livre construit n'est jamais périmé ;
- ``notebook_downloads`` : chaque chapitre téléchargeable en ``.ipynb`` ;
- ``offline`` : aucune référence à un serveur extérieur dans les pages ;
- ``french_exercises`` : sphinx-exercise, avec des titres de solution en bon français.
- ``accessibility`` : blocs qui débordent atteignables au clavier, noms accessibles en
  français (vérifié par axe-core dans ``tests/test_browser.py``).

Elles vivent dans le paquet installé pour que Sphinx les importe sans manipuler
``sys.path``.
"""
