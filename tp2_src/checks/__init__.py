"""Les vérifications de l'édition étudiant : une par exercice de code, inscrite au registre.

Dans l'édition étudiant des notebooks, chaque exercice de code demande d'écrire une
fonction (ou une classe) ; la cellule qui suit le juge ainsi ::

    from tp2_src.checks import check
    check("ex-4a", globals())

La vérification cherche la fonction dans ``globals()`` et l'appelle elle-même (voir
``grading``) : sur des données qu'elle choisit, avec des valeurs de taux, de moment, de
taille de mini-batch que le chapitre n'utilise pas, elle relève chaque pas (passe
arrière, valeurs et gradients des paramètres) pour juger la **méthode** demandée, puis
juge le résultat. Elle ne lit aucune variable que d'autres cellules pourraient changer,
ne modifie rien du notebook (générateur aléatoire compris) et peut être relancée à tout
moment. Un échec lève ``CheckError`` avec un message en français qui dit la cause et
quoi faire ; un succès affiche une ligne « ✅ ».

Un module par chapitre (``function_graph``, ``autograd``, ``linear_regression``,
``optimizers``, ``modules``) ; ``common`` et ``descent`` sont ce qu'ils partagent.
"""

from tp2_src.checks import (
    autograd,
    function_graph,
    linear_regression,
    modules,
    optimizers,
)
from tp2_src.checks.grading import CheckError
from tp2_src.checks.registry import EXERCISES, Exercise, check

__all__ = ["EXERCISES", "CheckError", "Exercise", "check"]
del autograd, function_graph, linear_regression, modules, optimizers
