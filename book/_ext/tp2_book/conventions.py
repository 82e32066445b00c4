"""Les règles d'écriture d'un chapitre ``book/NN_sujet.py``, lues en un seul endroit.

Les éditions des notebooks, les tests et le test du PDF lisent les chapitres par ce module.

Un chapitre est un fichier Jupytext (format « percent »). Un exercice y est un bloc
``{exercise}`` (titre « Question 1.1 — … » pour une question de l'énoncé, « Exercice 3.a
— … » pour un exercice du livre ; option ``:label:``), suivi de sa solution. Un exercice
de code ne s'écrit pas de titre : il le reçoit du registre des vérifications
(``tp2_src.checks.EXERCISES``), seule source de son nom et de son titre, à la lecture du
chapitre (``reads``, que Jupyter Book utilise aussi). La solution :

- en prose seule, dans un bloc ``{solution} <label>`` : une question écrite ;
- ou avec du code, entre ``{solution-start} <label>`` et ``{solution-end}`` : un exercice
  de code. Son **squelette** (ce que l'étudiant complète) est le bloc de code ``python``
  écrit dans l'énoncé de l'exercice (le bloc ``{exercise}`` s'ouvre alors avec quatre
  accents graves) ; la solution est l'unique cellule de code ``tags=["solution"]`` de la
  région, suivie de sa **vérification**, ``tags=["check", "remove-cell"]`` (une fonction
  de ``tp2_src.checks``, masquée dans le livre, montrée dans l'édition étudiant, où le
  squelette remplace la solution).

Les autres tags : ``remove-cell`` et ``remove-input`` masquent une cellule du livre (valeur
collée, assertion de la prose, tracé d'une figure) ; ``setup`` garde une cellule masquée
dans l'édition étudiant (réglages dont les cellules suivantes ont besoin) ; ``timing``
signale une cellule qui affiche des durées mesurées, qui changent d'une exécution à l'autre.

Un **encadré facultatif** (« Pour aller plus loin », replié dans la page, extension
``optional``) s'ouvre par ``{optional-start} <titre>`` et se ferme par ``{optional-end}``,
chacun dans une cellule de prose ; les cellules entre les deux, prose et code, sont dans
l'encadré (``Cell.optional``). Il ne contient aucun titre de section, et la ligne
principale (tout ce qui est hors des encadrés) n'a besoin d'aucun de ses résultats.

Le **code d'une leçon rangé dans** ``tp2_src`` est montré sur la page qui l'enseigne par
``{literalinclude} ../tp2_src/<module>.py`` avec l'option ``:pyobject: <nom>`` (la
fonction ou la classe entière) ; les notebooks reçoivent le même code, en clair
(``included_source``). Un chapitre n'importe de ``tp2_src`` que ce qu'une page a montré
avant, ou ce qui n'est pas la leçon (vérifications, affichage, style des figures, graine
et matériel, lecture du fichier de données, dossiers et lecteur des journaux).

Un bloc ``{only} notebook`` n'apparaît que dans les notebooks (Sphinx ne l'écrit dans
aucune page), un bloc ``{only} html`` que dans les pages du livre : une phrase qui parle de
la page web (un onglet, une cellule masquée) ou du dépôt a sa version pour le notebook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode

SOLUTION, CHECK, SETUP, TIMING = (
    "solution",
    "check",
    "setup",
    "timing",
)
#: Le titre d'un encadré facultatif, dans les trois éditions (page, PDF, notebooks).
OPTIONAL_PREFIX = "Pour aller plus loin : "
#: Les deux lignes qui bornent un encadré dans les notebooks (``{title}`` : son titre).
OPTIONAL_OPENING = (
    "> **"
    + OPTIONAL_PREFIX
    + "{title}** · *encadré facultatif, jusqu'à « Fin de l'encadré »*"
)
OPTIONAL_CLOSING = "> *Fin de l'encadré « {title} ».*"
#: Le tag que porte, dans l'édition étudiant, la cellule du squelette.
SKELETON = "skeleton"
#: Les tags qui masquent une cellule (ou son code) dans les pages du livre.
HIDDEN = frozenset({"remove-cell", "remove-input"})
#: Une directive MyST : sa clôture (``` ou :::), son nom, son argument.
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$")
#: Un bloc de code Python dans la prose : le squelette d'un exercice.
PYTHON_FENCE = re.compile(r"^(`{3,})python\s*$")


def included_source(
    source_dir: Path, path: str, pyobject: str
) -> str:
    """Le code qu'un ``{literalinclude} path`` avec ``:pyobject: pyobject`` montre dans la page.

    ``path`` est relatif au dossier du chapitre (``source_dir``) ; ``pyobject`` nomme une
    fonction ou une classe du module, ou ``Classe.méthode``. Les lignes sont celles que
    Sphinx montre (de la ligne ``def`` ou ``class``, décorateurs compris, à la dernière
    ligne du corps ; ``tests/test_lesson_in_view.py`` le vérifie contre Sphinx), lues avec
    la seule bibliothèque standard : ``nox -s lab`` écrit les notebooks sans Sphinx. Lève
    ``ValueError`` si le fichier ou l'objet n'existe pas.
    """
    import ast

    file = (source_dir / path).resolve()
    if not file.is_file():
        raise ValueError(
            f"{{literalinclude}} : fichier introuvable {file}"
        )
    text = file.read_text(encoding="utf-8")
    body = ast.parse(text).body
    node = None
    for part in pyobject.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(
                    n,
                    ast.FunctionDef
                    | ast.AsyncFunctionDef
                    | ast.ClassDef,
                )
                and n.name == part
            ),
            None,
        )
        if node is None:
            raise ValueError(
                f"{{literalinclude}} : {pyobject!r} n'est pas défini dans {file}"
            )
        body = node.body
    start = min(
        [node.lineno, *(d.lineno for d in node.decorator_list)]
    )
    return "\n".join(text.splitlines()[start - 1 : node.end_lineno])


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
    exercise: (
        str | None
    )  # l'étiquette de la solution en cours ({solution-start} … {solution-end})
    optional: str | None = (
        None  # le titre de l'encadré facultatif en cours, s'il y en a un
    )

    @property
    def in_solution(self) -> bool:
        return self.exercise is not None

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
        self.exercise: str | None = (
            None  # l'étiquette de la solution-start ouverte
        )

    @property
    def gated(self) -> bool:
        return self.exercise is not None

    def lines(self, markdown: str) -> list[tuple[str, bool]]:
        """(ligne, dans une solution) pour chaque ligne de la cellule ``markdown``."""
        result = []
        block: str | None = (
            None  # clôture du bloc {solution} ou {solution-*} ouvert
        )
        for line in markdown.splitlines():
            text = line.strip()
            if block is not None:
                if closes(text, block):
                    block = None
                result.append((line, True))
                continue
            directive = DIRECTIVE.match(text)
            name = directive.group(2) if directive else ""
            if name in (
                "solution",
                "solution-start",
                "solution-end",
            ):
                block = directive.group(1)
                if name == "solution-start":
                    self.exercise = (
                        directive.group(3).strip() or "?"
                    )
                elif name == "solution-end":
                    self.exercise = None
                result.append((line, True))
            else:
                result.append((line, self.gated))
        return result


class OptionalGate:
    """Dit, ligne après ligne et d'une cellule de prose à la suivante, si la prose est dans
    un encadré facultatif (``{optional-start}`` … ``{optional-end}``, directives comprises)."""

    def __init__(self) -> None:
        self.title: str | None = (
            None  # le titre de l'encadré ouvert
        )

    def lines(self, markdown: str) -> list[tuple[str, str | None]]:
        """(ligne, titre de l'encadré qui la contient, ou None) pour chaque ligne de ``markdown``."""
        result = []
        for line in markdown.splitlines():
            directive = DIRECTIVE.match(line.strip())
            name = directive.group(2) if directive else ""
            if name == "optional-start":
                self.title = directive.group(3).strip() or "?"
            result.append((line, self.title))
            if name == "optional-end":
                self.title = None
        return result


#: La ligne d'ouverture d'un bloc ``{exercise}`` sans titre (``# ````{exercise}``).
_UNTITLED = re.compile(r"^(# )(`{3,}|:{3,})\{exercise\}\s*$")


def titled(text: str, where: str = "le chapitre") -> str:
    """La source ``text`` d'un chapitre où chaque exercice de code reçoit son titre du
    registre ; un exercice de code titré dans le chapitre, ou sans titre et sans
    vérification inscrite, est une erreur (le titre n'a qu'une source)."""
    from tp2_src.checks import (
        EXERCISES,
    )  # importe torch : seulement pour lire un chapitre

    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        opening = DIRECTIVE.match(line.removeprefix("# ").strip())
        if not opening or opening.group(2) != "exercise":
            continue
        label = next(
            (
                m.group(1)
                for later in lines[i + 1 : i + 6]
                if (m := re.match(r"^# :label:\s*(\S+)", later))
            ),
            "",
        )
        untitled = _UNTITLED.match(line.rstrip("\n"))
        if label in EXERCISES and not untitled:
            raise ValueError(
                f"{where} : l'exercice {label} a un titre dans le chapitre ; son titre "
                "vient du registre (tp2_src.checks) : écrivez {exercise} sans titre."
            )
        if untitled:
            if label not in EXERCISES:
                raise ValueError(
                    f"{where} : l'exercice sans titre « {label} » n'est pas inscrit au "
                    "registre des vérifications (tp2_src.checks)."
                )
            lines[i] = (
                f"{untitled.group(1)}{untitled.group(2)}{{exercise}} {EXERCISES[label].heading}\n"
            )
    return "".join(lines)


#: L'appel qui règle un chapitre (``tp2_src.style.setup_chapter``) ; il colle
#: l'environnement d'exécution que cite ``EXECUTION_NOTE``.
SETUP_CALL = "setup_chapter()"

#: La note de fin de chaque chapitre qui appelle ``SETUP_CALL`` : écrite ici une fois,
#: ajoutée à la page par le lecteur (``reads``), pas recopiée dans les chapitres.
EXECUTION_NOTE = """\
```{admonition} Exécution de ce chapitre
:class: note
Les sorties de ce chapitre ont été calculées avec {glue:md}`environnement`. Livre construit
à partir du dernier commit, daté du {{ date_construction }}.
```"""


def reads(text: str, fmt: str = "py:percent") -> NotebookNode:
    """Le notebook d'un chapitre, exercices titrés, suivi de ``EXECUTION_NOTE`` s'il
    appelle ``SETUP_CALL`` : le lecteur de Jupyter Book (``nb_custom_formats`` de
    ``_config.yml``) et de ce module."""
    notebook = jupytext.reads(titled(text), fmt=fmt)
    if any(
        cell.cell_type == "code"
        and any(
            line.strip().startswith(SETUP_CALL)
            for line in cell.source.splitlines()
        )
        for cell in notebook.cells
    ):
        notebook.cells.append(
            nbformat.v4.new_markdown_cell(EXECUTION_NOTE)
        )
    return notebook


def read(chapter: Path) -> list[Cell]:
    """Les cellules du chapitre, avec leurs tags et leur place (dans une solution, dans un
    encadré facultatif, ou non). Analysé une fois par texte du chapitre."""
    chapter = Path(chapter)
    return list(
        _read(chapter.name, chapter.read_text(encoding="utf-8"))
    )


@lru_cache(maxsize=32)
def _read(name: str, text: str) -> tuple[Cell, ...]:
    cells = []
    gate, optional = SolutionGate(), OptionalGate()
    notebook = jupytext.reads(titled(text, name), fmt="py:percent")
    for index, cell in enumerate(notebook.cells):
        inside, box = gate.exercise, optional.title
        if cell.cell_type == "markdown":
            gate.lines(cell.source)
            optional.lines(cell.source)
        tags = frozenset(cell.metadata.get("tags", []))
        cells.append(
            Cell(
                index,
                cell.cell_type,
                cell.source,
                tags,
                inside,
                box,
            )
        )
    return tuple(cells)


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


#: Vitesse de lecture d'une prose technique, en mots par minute (la durée annoncée en tête
#: de chaque chapitre, ``{reading-time}``).
READING_SPEED = 200
#: Les blocs dont le texte n'est pas lu sur la ligne principale : figures (légende et texte
#: alternatif), formules, code, valeurs collées, encadrés repliés.
_NOT_MAIN_LINE = (
    "glue:figure",
    "figure",
    "stepper",
    "math",
    "glue:md",
    "literalinclude",
    "dropdown",
)


def main_line_words(chapter: Path) -> int:
    """Les mots de la ligne principale du chapitre, lus dans sa source : la prose hors des
    solutions, des encadrés facultatifs ou repliés, des figures, des formules et du code
    (c'est, à quelques pour cent près, ce que ``benchmarks/main_line.py`` compte sur la page
    rendue)."""
    solutions, optional = SolutionGate(), OptionalGate()
    count = 0
    for cell in read(chapter):
        if cell.cell_type != "markdown":
            continue
        fences: list[
            tuple[str, bool]
        ] = []  # les blocs ouverts : clôture, et s'il est lu
        in_math = False  # entre deux lignes $$
        for (line, in_solution), (_, box) in zip(
            solutions.lines(cell.source),
            optional.lines(cell.source),
            strict=True,
        ):
            text = line.strip()
            if text.startswith("$$") or in_math:
                if text.count("$$") % 2 == 1:
                    in_math = not in_math
                continue
            if fences and closes(text, fences[-1][0]):
                fences.pop()
                continue
            directive = DIRECTIVE.match(text)
            fence = re.match(r"^(`{3,}|:{3,})", text)
            if directive or fence:
                name = directive.group(2) if directive else "code"
                fences.append(
                    (
                        fence.group(1),
                        name not in _NOT_MAIN_LINE
                        and name != "code",
                    )
                )
                continue
            if fences and re.match(r"^:class:.*\bdropdown\b", text):
                fences[-1] = (
                    fences[-1][0],
                    False,
                )  # un encadré replié
            hidden = (
                in_solution
                or box
                or any(not read for _, read in fences)
            )
            if (
                hidden
                or text.startswith(":")
                or re.match(r"^\([\w-]+\)=$", text)
            ):
                continue
            text = re.sub(
                r"\$[^$]+\$", " ", text
            )  # les formules en ligne
            count += sum(
                1
                for token in text.split()
                if re.search(r"\w", token)
            )
    return count


def reading_minutes(chapter: Path) -> int:
    """La durée de lecture de la ligne principale, en minutes entières (au moins 1)."""
    return max(1, round(main_line_words(chapter) / READING_SPEED))


def reading_text(chapter: Path) -> str:
    """« 12 min » : ce que le rôle ``{reading-time}`` écrit, dans la page et les notebooks."""
    return f"{reading_minutes(chapter)} min"


def visible_code(chapter: Path) -> list[tuple[str, bool]]:
    """Les cellules de code dont le lecteur voit le source, et si elles sont dans une solution."""
    return [
        (c.source, c.in_solution)
        for c in read(chapter)
        if c.cell_type == "code" and not c.hidden
    ]


@dataclass(frozen=True)
class Exercise:
    """Un exercice du chapitre : son étiquette, son titre, et ce qui l'accompagne."""

    label: str
    title: str
    solved: bool  # une solution (prose ou code) y répond
    skeleton: str | None = (
        None  # le code à compléter, écrit dans l'énoncé
    )
    solution: str | None = None  # la cellule de code de la solution
    check: str | None = None  # la cellule de vérification

    @property
    def written(self) -> bool:
        """Une question écrite : la réponse est de la prose, sans code."""
        return self.solution is None


def exercise_blocks(
    markdown: str,
) -> Iterator[tuple[str, str, str | None]]:
    """(étiquette, titre, squelette) de chaque bloc ``{exercise}`` de la prose ``markdown``."""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        directive = DIRECTIVE.match(lines[i].strip())
        if not directive or directive.group(2) != "exercise":
            i += 1
            continue
        fence, title = (
            directive.group(1),
            directive.group(3).strip(),
        )
        label, skeleton, code = "", None, None
        i += 1
        while i < len(lines) and not closes(lines[i], fence):
            text = lines[i].strip()
            if code is not None:
                if closes(text, code[0]):
                    skeleton, code = "\n".join(code[1]), None
                else:
                    code[1].append(lines[i])
            elif option := re.match(r"^:label:\s*(\S+)", text):
                label = option.group(1)
            elif fenced := PYTHON_FENCE.match(text):
                code = (fenced.group(1), [])
            i += 1
        yield label, title, skeleton
        i += 1


def exercises(chapter: Path) -> list[Exercise]:
    """Les exercices du chapitre, dans l'ordre, avec leur squelette, leur solution et leur
    vérification."""
    cells = read(chapter)
    markdown = "\n".join(
        c.source for c in cells if c.cell_type == "markdown"
    )
    solved = set(
        re.findall(
            r"^`{3,}\{solution(?:-start)?\} (\S+)$",
            markdown,
            re.MULTILINE,
        )
    )
    found = []
    for label, title, skeleton in exercise_blocks(markdown):
        codes = [
            c
            for c in cells
            if c.exercise == label and c.cell_type == "code"
        ]
        solution = next(
            (c.source for c in codes if c.has(SOLUTION)), None
        )
        check = next(
            (c.source for c in codes if c.has(CHECK)), None
        )
        found.append(
            Exercise(
                label,
                title,
                label in solved,
                skeleton,
                solution,
                check,
            )
        )
    return found
