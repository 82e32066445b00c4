"""Ce que les tentatives de chaque chapitre partagent : la forme d'une tentative, la
solution du livre lue dans le chapitre, et les variantes écrites à partir d'elle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tp2_book import conventions
from tp2_book.settings import BOOK


@dataclass(frozen=True)
class Attempt:
    """Le contenu d'une cellule d'exercice, tel qu'un étudiant l'a écrit, et son verdict."""

    exercise: str  # l'étiquette de l'exercice (:label:)
    name: str  # ce que l'étudiant a tenté
    code: str  # la cellule de l'exercice
    expected: str | None  # None : accepté ; sinon, un motif du message d'échec (sa cause)

    def __post_init__(self) -> None:
        # Un motif nomme une cause : pas d'alternative « a|b » hors d'un groupe.
        if self.expected is not None and _top_level_alternative(self.expected):
            raise ValueError(f"{self.exercise} : {self.name} : motif à alternatives {self.expected!r}")


def _top_level_alternative(pattern: str) -> bool:
    depth, escaped = 0, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


@cache
def _solutions() -> dict[str, str]:
    found = {}
    for chapter in sorted(BOOK.glob("[0-9][0-9]_*.py")):
        for exercise in conventions.exercises(chapter):
            if exercise.solution:
                found[exercise.label] = exercise.solution
    return found


def book_solution(label: str) -> str:
    """La cellule de la solution de l'exercice ``label``, lue dans son chapitre."""
    return _solutions()[label]


def mutate(code: str, *changes: tuple[str, str]) -> str:
    """``code`` où chaque ``(avant, après)`` remplace un texte qui doit s'y trouver : une
    variante qui ne change rien serait la solution elle-même."""
    for before, after in changes:
        count = code.count(before)
        if count == 0:
            raise ValueError(f"texte absent de la solution : {before!r}")
        code = code.replace(before, after)
    return code


def drop(code: str, *lines: str) -> str:
    """``code`` sans les lignes qui, une fois nettoyées, valent ``lines``."""
    kept, missing = [], set(lines)
    for line in code.splitlines(keepends=True):
        if line.strip() in lines:
            missing.discard(line.strip())
            continue
        kept.append(line)
    if missing:
        raise ValueError(f"lignes absentes de la solution : {sorted(missing)}")
    return "".join(kept)


def without_comments(code: str) -> str:
    """``code`` sans commentaires de fin de ligne (ce qu'un étudiant n'écrit pas)."""
    return re.sub(r"  # .*$", "", code, flags=re.MULTILINE)
