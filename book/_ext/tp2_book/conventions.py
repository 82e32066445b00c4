"""Les règles d'écriture d'un chapitre ``book/NN_sujet.py``, lues en un seul endroit.

Les éditions des notebooks, les tests et le test du PDF lisent les chapitres par ce module.

Un chapitre est un fichier Jupytext (format « percent »). Une question de l'énoncé y
est un bloc ``{exercise}`` (titre « Question 1.1 — … », ``:label:``), suivi de sa
solution :

- en prose seule, dans un bloc ``{solution} <label>`` ;
- ou avec du code, entre ``{solution-start} <label>`` et ``{solution-end}`` : là, chaque
  cellule de code porte le tag ``solution`` et suit son **squelette**, une cellule brute
  ``tags=["skeleton", "remove-cell"]`` (ce que l'édition étudiant montre à la place), et
  précède sa **vérification**, ``tags=["check", "remove-cell"]`` (une fonction de
  ``tp2_src.checks``, masquée dans le livre, montrée dans l'édition étudiant).

Les autres tags : ``remove-cell`` et ``remove-input`` masquent une cellule du livre (valeur
collée, assertion de la prose, tracé d'une figure) ; ``setup`` garde une cellule masquée
dans l'édition étudiant (réglages dont les cellules suivantes ont besoin) ; ``timing``
signale une cellule qui affiche des durées mesurées, qui changent d'une exécution à l'autre.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jupytext

SOLUTION, SKELETON, CHECK, SETUP, TIMING = "solution", "skeleton", "check", "setup", "timing"
#: Les tags qui masquent une cellule (ou son code) dans les pages du livre.
HIDDEN = frozenset({"remove-cell", "remove-input"})
#: Une directive MyST : sa clôture (``` ou :::), son nom, son argument.
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$")
#: Le titre d'une question et son étiquette, dans un bloc ``{exercise}``.
EXERCISE = re.compile(r"^```\{exercise\} (?P<title>.+)\n:label: (?P<label>\S+)$", re.MULTILINE)


def chapters(book: Path) -> list[Path]:
    """Les chapitres ``NN_sujet.py`` du dossier ``book``, dans l'ordre du livre."""
    return sorted(book.glob("[0-9][0-9]_*.py"))


@dataclass(frozen=True)
class Cell:
    """Une cellule d'un chapitre, et ce que les règles ci-dessus en disent."""

    index: int
    cell_type: str  # "markdown", "code" ou "raw"
    source: str
    tags: frozenset[str]
    in_solution: bool  # entre {solution-start} et {solution-end}

    @property
    def hidden(self) -> bool:
        """Le lecteur du livre ne voit pas son code."""
        return bool(self.tags & HIDDEN)

    def has(self, tag: str) -> bool:
        return tag in self.tags


def closes(line: str, fence: str) -> bool:
    """La ligne ferme-t-elle un bloc ouvert par ``fence`` (même caractère, au moins aussi long) ?"""
    text = line.strip()
    return len(text) >= len(fence) and set(text) == {fence[0]}


class SolutionGate:
    """Dit, ligne après ligne et d'une cellule de prose à la suivante, si la prose est dans
    une solution : dans un bloc ``{solution}`` (clôtures comprises), ou entre
    ``{solution-start}`` et ``{solution-end}`` (directives comprises)."""

    def __init__(self) -> None:
        self.gated = False  # entre {solution-start} et {solution-end}

    def lines(self, markdown: str) -> list[tuple[str, bool]]:
        """(ligne, dans une solution) pour chaque ligne de la cellule ``markdown``."""
        result = []
        block: str | None = None  # clôture du bloc {solution} ou {solution-*} ouvert
        for line in markdown.splitlines():
            text = line.strip()
            if block is not None:
                if closes(text, block):
                    block = None
                result.append((line, True))
                continue
            directive = DIRECTIVE.match(text)
            name = directive.group(2) if directive else ""
            if name in ("solution", "solution-start", "solution-end"):
                block = directive.group(1)
                if name != "solution":
                    self.gated = name == "solution-start"
                result.append((line, True))
            else:
                result.append((line, self.gated))
        return result


def read(chapter: Path) -> list[Cell]:
    """Les cellules du chapitre, avec leurs tags et leur place (dans une solution ou non)."""
    cells = []
    gate = SolutionGate()
    for index, cell in enumerate(jupytext.read(chapter, fmt="py:percent").cells):
        inside = gate.gated
        if cell.cell_type == "markdown":
            gate.lines(cell.source)
        tags = frozenset(cell.metadata.get("tags", []))
        cells.append(Cell(index, cell.cell_type, cell.source, tags, inside))
    return cells


def prose(chapter: Path) -> Iterator[tuple[str, bool]]:
    """Chaque ligne de prose du chapitre (sans les lignes d'option ``:clé:`` ni les
    clôtures), et si elle est dans une solution."""
    gate = SolutionGate()
    for cell in read(chapter):
        if cell.cell_type != "markdown":
            continue
        for line, in_solution in gate.lines(cell.source):
            text = line.strip()
            if not text.startswith((":", "```")):
                yield text, in_solution


def visible_code(chapter: Path) -> list[tuple[str, bool]]:
    """Les cellules de code dont le lecteur voit le source, et si elles sont dans une solution."""
    return [(c.source, c.in_solution) for c in read(chapter) if c.cell_type == "code" and not c.hidden]


@dataclass(frozen=True)
class Exercise:
    """Une question du chapitre : son étiquette, son titre, et si une solution y répond."""

    label: str
    title: str
    solved: bool


def exercises(chapter: Path) -> list[Exercise]:
    """Les blocs ``{exercise}`` du chapitre, dans l'ordre."""
    markdown = "\n".join(c.source for c in read(chapter) if c.cell_type == "markdown")
    solved = set(re.findall(r"^```\{solution(?:-start)?\} (\S+)$", markdown, re.MULTILINE))
    return [
        Exercise(m.group("label"), m.group("title").strip(), m.group("label") in solved)
        for m in EXERCISE.finditer(markdown)
    ]
