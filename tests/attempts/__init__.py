"""Un corpus de tentatives d'étudiants, justes et fausses, pour chaque exercice de code,
rangé comme les vérifications : un module par chapitre.

Chaque tentative est le contenu de la cellule de l'exercice, telle qu'un étudiant l'a
écrite ; ``expected`` vaut ``None`` si la vérification doit l'accepter, sinon un motif du
message d'échec (en français) qu'elle doit afficher : la cause de l'erreur. « La solution
du livre » est lue dans le chapitre ; bien des tentatives en sont des variantes
(``mutate``). Le corpus sert deux fois : dans ``test_checks.py`` (palier rapide, dans le
processus des tests) et dans ``test_kit.py`` (dans les notebooks de l'édition étudiant,
installés depuis le kit).

``CONTEXT`` donne, pour chaque chapitre, les noms que le notebook a définis avant les
exercices (imports, données) : ce dont une tentative a besoin pour tourner hors du notebook.
"""

from __future__ import annotations

from attempts import autograd, function_graph, linear_regression, modules, optimizers
from attempts.corpus import Attempt

_MODULES = (function_graph, autograd, linear_regression, optimizers, modules)

#: Toutes les tentatives, chapitre par chapitre.
ATTEMPTS: list[Attempt] = [a for m in _MODULES for a in m.ATTEMPTS]
#: Les noms définis avant les exercices, par chapitre.
CONTEXT: dict[str, str] = {m.CHAPTER: m.CONTEXT for m in _MODULES}
#: Le chapitre de chaque exercice.
CHAPTER: dict[str, str] = {a.exercise: m.CHAPTER for m in _MODULES for a in m.ATTEMPTS}

__all__ = ["ATTEMPTS", "CHAPTER", "CONTEXT", "Attempt"]
