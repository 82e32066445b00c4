"""Les chapitres : chacun s'exécute comme un simple script, et suit les règles du livre.

Les règles vérifiées sur le source, sans rien exécuter (palier rapide) : le plan commun,
au plus 12 % de la prose dans les solutions repliées, aucun `glue()` visible, et des
lignes de code visibles qui tiennent dans la colonne de la page (75 caractères, 68 dans
une solution, dont le cadre prend de la place).
"""

from __future__ import annotations

import builtins
import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from helpers import BOOK, CHAPTERS, names_in
from tp2_book import conventions

from tp2_src.logs import LOGDIR_ENV

#: Au-delà, une ligne de code défile horizontalement dans une fenêtre de 1280 px
#: (mesuré dans Chromium par tests/test_browser.py) ; moins dans le cadre d'une solution
#: ou d'un encadré facultatif.
MAX_CODE_LINE = 75
MAX_SOLUTION_CODE_LINE = 68
#: Part maximale de la prose d'un chapitre rangée dans les solutions repliées.
MAX_SOLUTION_SHARE = 0.12


def prose_words(chapter: Path) -> tuple[int, int]:
    """Mots de prose (cellules Markdown) : au total, et dans les solutions."""
    total = in_solutions = 0
    for text, in_solution in conventions.prose(chapter):
        words = len(re.findall(r"\w+", text))
        total += words
        in_solutions += words if in_solution else 0
    return total, in_solutions


def test_chapters_are_found() -> None:
    assert [c.name[:2] for c in CHAPTERS] == [f"{i:02d}" for i in range(1, len(CHAPTERS) + 1)]
    assert len(CHAPTERS) >= 2


@pytest.mark.usefixtures("executes_chapters")
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_as_plain_script(chapter: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(chapter)],
        cwd=tmp_path,  # hors du dépôt : tp2_src doit venir du paquet installé
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg", LOGDIR_ENV: str(tmp_path / "runs")},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert result.stdout.strip(), "le chapitre n'a rien affiché"


def test_no_straight_apostrophe_right_before_markup() -> None:
    """« l'**unité** » ou « l'{term}`…` » : MyST fait de l'apostrophe droite un guillemet
    fermant (« l”unité ») ; devant du balisage, la source écrit l'apostrophe typographique ’."""
    sources = [*CHAPTERS, *BOOK.glob("*.md")]
    found = [
        f"{source.name}:{number}: {line.strip()[:70]}"
        for source in sources
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\w'(\*\*|\{[a-z:]+\}`)", line)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_follows_the_book_outline(chapter: Path) -> None:
    """Même plan partout : objectifs (durée de lecture et parties de l'énoncé), sections,
    résumé, questions ; en-tête Jupytext."""
    notebook = jupytext.read(chapter)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for heading in ("Objectifs", "## Résumé", "## Questions"):
        assert heading in markdown, f"{chapter.name} : « {heading} » manque"
    # L'encadré d'ouverture dit la durée de lecture et ce que le chapitre couvre de l'énoncé.
    opening = markdown[: markdown.index("À la fin de ce chapitre")]
    assert "{reading-time}`" in opening and "**Énoncé**" in opening, f"{chapter.name} : durée ou énoncé"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "!pip" not in code and "\n%" not in code, "pas de commande magique dans un chapitre"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_lesson_is_in_the_body_not_in_the_solutions(chapter: Path) -> None:
    total, in_solutions = prose_words(chapter)
    assert total > 500
    share = in_solutions / total
    assert share <= MAX_SOLUTION_SHARE, f"{chapter.name} : {share:.0%} de la prose dans les solutions"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_visible_code_fits_the_column_and_hides_the_plumbing(chapter: Path) -> None:
    for exercise in conventions.exercises(chapter):  # le squelette, dans le cadre de l'exercice
        for line in (exercise.skeleton or "").splitlines():
            assert len(line) <= MAX_SOLUTION_CODE_LINE, f"{chapter.name} : squelette trop large\n{line}"
    for cell in conventions.read(chapter):
        if cell.cell_type != "code" or cell.hidden:
            continue
        source = cell.source
        assert not re.search(r"\bglue\(", source), f"{chapter.name} : glue() visible\n{source[:200]}"
        # Une solution ou un encadré facultatif : un cadre, donc une colonne plus étroite.
        framed = cell.in_solution or cell.optional is not None
        limit = MAX_SOLUTION_CODE_LINE if framed else MAX_CODE_LINE
        for line in source.splitlines():
            assert len(line) <= limit, f"{chapter.name} : ligne de {len(line)} car. (max {limit})\n{line}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_name_in_view_is_defined_in_view(chapter: Path) -> None:
    """Une cellule que le lecteur voit ne lit que des noms définis ou importés par des
    cellules visibles au-dessus d'elle, ou par le squelette d'un exercice (écrit dans son
    énoncé) : jamais par une cellule masquée ou par une solution repliée."""
    known = set(dir(builtins))
    skeletons = [e.skeleton for e in conventions.exercises(chapter) if e.skeleton]
    interface = {name for skeleton in skeletons for name in names_in(skeleton)[0]}
    problems = []
    for cell in conventions.read(chapter):
        if cell.cell_type != "code" or cell.hidden:
            continue
        defined, read = names_in(cell.source)
        if cell.in_solution:
            known |= defined & interface  # l'interface, définie par la solution
            continue
        missing = read - known - defined
        if missing:
            problems.append(f"{sorted(missing)} dans :\n{cell.source[:200]}")
        known |= defined
    assert not problems, f"{chapter.name} : noms lus sans être définis en vue\n" + "\n\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_survives_a_round_trip_through_a_notebook(chapter: Path) -> None:
    """Ouvrir un chapitre comme notebook puis l'enregistrer (Jupyter avec Jupytext,
    ``jupytext --sync``) rend exactement le même fichier : ni légende ni texte alternatif
    échappés en ``\\u00e9`` dans les en-têtes de cellule (``jupytext --test --to ipynb``)."""
    jupytext_cli = Path(sys.executable).with_name("jupytext")
    result = subprocess.run(
        [str(jupytext_cli), "--test", "--to", "ipynb", str(chapter)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
