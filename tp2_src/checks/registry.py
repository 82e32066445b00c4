"""Le registre des exercices de code : une étiquette, un nom, un titre, une vérification.

Le registre est la seule source du titre d'un exercice de code : le chapitre écrit
``{exercise}`` sans titre, avec son ``:label:``, et la machinerie du livre y met
« nom — titre » (page, PDF et notebooks) ; la vérification signe ses messages du nom.
Le kit ne contient aucune source de chapitre : c'est ce registre qui voyage avec lui.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tp2_src.checks.grading import CheckError

#: La signature d'une vérification : le nom de l'exercice (qui signe les messages), puis
#: les noms du notebook (``globals()``).
Check = Callable[[str, Any], None]


@dataclass(frozen=True)
class Exercise:
    """Un exercice de code et sa vérification."""

    label: str  # l'étiquette du chapitre (:label:), par exemple « ex-4a »
    name: str  # « Exercice 4.a », « Question 1.1 »
    title: str  # ce qu'il demande, en quelques mots
    run: Check

    @property
    def heading(self) -> str:
        """Le titre affiché : « Exercice 4.a — la boucle corrigée… »."""
        return f"{self.name} — {self.title}"


#: Les exercices de code, par étiquette, dans l'ordre des chapitres.
EXERCISES: dict[str, Exercise] = {}


def exercise(
    label: str, name: str, title: str
) -> Callable[[Check], Check]:
    """Inscrit la vérification décorée sous ``label``."""

    def register(run: Check) -> Check:
        if label in EXERCISES:
            raise ValueError(f"l'étiquette {label} est déjà inscrite")
        EXERCISES[label] = Exercise(label, name, title, run)
        return run

    return register


def check(label: str, namespace: Any) -> None:
    """Juge l'exercice ``label`` sur les noms du notebook : ``check("ex-4a", globals())``.

    Un succès affiche une ligne « ✅ » ; un échec lève ``CheckError``, un message en
    français qui dit la cause et quoi faire.
    """
    entry = EXERCISES.get(label)
    if entry is None:
        known = ", ".join(EXERCISES)
        raise CheckError(
            f"« {label} » n'est l'étiquette d'aucun exercice de code (connues : {known})."
        )
    entry.run(entry.name, namespace)
