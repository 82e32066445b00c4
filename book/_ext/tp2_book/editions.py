"""Les deux éditions des notebooks d'un chapitre, tirées de sa source ``book/NN_sujet.py``.

- l'**édition complète** : le chapitre tel quel, solutions comprises ;
- l'**édition étudiant** : chaque cellule de solution y est remplacée par son squelette,
  suivi de la cellule de vérification qui juge le code de l'étudiant
  (``tp2_src.checks``) ; la prose des solutions et les cellules qui ne servent qu'au livre
  (``remove-cell`` sans ``check`` ni ``setup``) en sont retirées.

Les règles de la source sont celles de ``conventions`` ; la prose est rendue lisible sans
MyST par ``markdown``. Une première cellule dit comment installer le kit
(``settings.KIT_NAME``) pour exécuter le notebook hors du dépôt.

Un convertisseur pur : un chapitre entre, des notebooks sortent. Ce qui vient de la
construction du livre (le titre du livre, sa date, les valeurs collées, les numéros des
figures) lui est donné par l'appelant ; il n'appelle ni git ni Sphinx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import nbformat

from tp2_book import conventions
from tp2_book.conventions import CHECK, SETUP, SKELETON, SOLUTION
from tp2_book.markdown import ANSWER, MarkdownState, to_markdown
from tp2_book.settings import (
    FULL_DIR,
    KIT_NAME,
    KIT_ZIP,
    STUDENT_DIR,
)

#: Suffixe du notebook étudiant téléchargeable depuis une page du livre.
STUDENT_SUFFIX = "-etudiant"


#: La cellule que l'édition étudiant place sous chaque question écrite.
YOUR_ANSWER = (
    "**Votre réponse :** *(double-cliquez ici pour écrire)*"
)


class EditionError(ValueError):
    """Un chapitre ne respecte pas les règles des éditions (squelette manquant…)."""


#: Le commentaire d'une cellule de réglages, dans les notebooks.
SETUP_COMMENT = "# Réglages des figures et des valeurs citées par le texte (masqués dans le livre)."


def notebook_setup(source: str) -> str:
    """Une cellule ``setup`` pour le notebook : ses imports et réglages, sous un commentaire
    pour l'étudiant au lieu du commentaire « Plomberie du livre… »."""
    lines = source.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join([SETUP_COMMENT, *lines]).strip() + "\n"


def _install_cell(
    book_title: str | None, title: str, student: bool
) -> nbformat.NotebookNode:
    """Première cellule : de quel livre et de quelle édition il s'agit, et comment installer
    de quoi l'exécuter."""
    edition = (
        "**édition étudiant**. Chaque exercice de code donne une fonction (ou une classe) à "
        "compléter aux lignes `# À vous` ; la cellule qui suit l'appelle et affiche ✅ quand "
        "elle fait ce qui est demandé, sinon ce qui ne va pas et quoi faire. Exécutez les "
        "cellules dans l'ordre ; sous chaque question écrite, une cellule attend votre réponse"
        if student
        else "**édition complète**, solutions comprises"
    )
    book = f"*{book_title}* · " if book_title else ""
    return nbformat.v4.new_markdown_cell(
        f"{book}« {title} », {edition}.\n\n"
        f"Ce notebook vient du kit `{KIT_ZIP}` (menu de téléchargement de chaque page du "
        "livre). Pour l'exécuter, décompressez le kit puis, dans un terminal, dans son dossier "
        f"`{KIT_NAME}` :\n\n"
        "```\n"
        "python3 -m venv .venv\n"
        "source .venv/bin/activate      # Windows : .venv\\Scripts\\activate\n"
        "pip install -r requirements.txt\n"
        "```\n\n"
        "`requirements.txt` installe `tp2_src` (le code et les données que ce notebook importe) "
        "et les versions de PyTorch et des autres paquets avec lesquelles le livre a été "
        "construit. Choisissez ensuite le noyau Python de ce `.venv` (voir `LISEZMOI.txt`)."
    )


def _title(cells: list[conventions.Cell], chapter: Path) -> str:
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    number = re.match(r"^(\d+)_", chapter.stem)
                    prefix = (
                        f"{int(number.group(1))}. "
                        if number
                        else ""
                    )
                    return prefix + line[2:].strip()
    return chapter.stem


def edition(
    chapter: str | Path,
    *,
    student: bool,
    book_title: str | None = None,
    glue: Mapping[str, str] | None = None,
    figures: Mapping[str, str] | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> nbformat.NotebookNode:
    """Le notebook d'un chapitre ``.py`` (Jupytext) : complet, ou étudiant si ``student``.

    ``book_title`` : le titre du livre (``title`` de ``_config.yml``), que la première
    cellule cite avant celui du chapitre ; sans lui, elle ne cite que le chapitre.
    ``glue`` donne le texte des valeurs collées (``{glue:md}``) et ``figures`` le numéro
    des figures et des sections citées (``{numref}``), tels que la construction du livre
    les a calculés ; sans eux, la prose les remplace par « … » et « figure ».
    ``substitutions`` : les substitutions MyST (``{{ date_construction }}``), « … » à défaut.

    Lève ``EditionError`` si le chapitre ne suit pas ``conventions`` : une cellule de
    solution hors d'une solution, sans squelette dans l'énoncé de son exercice, ou une
    cellule de code non marquée dans une solution (l'édition étudiant la montrerait).
    """
    chapter = Path(chapter)
    source = conventions.read(chapter)
    exercises = {e.label: e for e in conventions.exercises(chapter)}
    number = re.match(r"^(\d+)_", chapter.stem)
    state = MarkdownState(
        student=student,
        glue=glue or {},
        figures=figures or {},
        substitutions=substitutions or {},
        chapter_number=int(number.group(1)) if number else None,
        written=frozenset(
            label for label, e in exercises.items() if e.written
        ),
        chapter=chapter,
    )
    cells: list[nbformat.NotebookNode] = [
        _install_cell(book_title, _title(source, chapter), student)
    ]
    solved: set[str] = set()
    for cell in source:
        where = f"{chapter.name}, cellule {cell.index}"
        if cell.cell_type == "markdown":
            for part in to_markdown(cell.source, state).split(
                ANSWER
            ):
                if part.strip():
                    cells.append(
                        nbformat.v4.new_markdown_cell(
                            part.strip("\n")
                        )
                    )
                cells.append(
                    nbformat.v4.new_markdown_cell(YOUR_ANSWER)
                )
            cells.pop()  # une cellule de réponse après chaque marque, pas après la dernière partie
            continue
        if cell.cell_type != "code":
            continue
        if cell.has(SOLUTION):
            label = cell.exercise
            if label is None:
                raise EditionError(
                    f"{where} : cellule `solution` hors d'une solution ({{solution-start}})"
                )
            exercise = exercises.get(label)
            if exercise is None or exercise.skeleton is None:
                raise EditionError(
                    f"{where} : l'exercice « {label} » n'a pas de squelette (bloc ```python dans son énoncé)"
                )
            if label in solved:
                raise EditionError(
                    f"{where} : une seule cellule `solution` par exercice (« {label} »)"
                )
            solved.add(label)
            kept, tag = (
                (exercise.skeleton, SKELETON)
                if student
                else (cell.source, SOLUTION)
            )
            cells.append(
                nbformat.v4.new_code_cell(
                    kept, metadata={"tags": [tag]}
                )
            )
            continue
        if cell.in_solution and not cell.has(CHECK):
            raise EditionError(
                f"{where} : une cellule de code dans une solution doit porter le tag `solution`"
            )
        if (
            student
            and cell.has("remove-cell")
            and not (cell.has(CHECK) or cell.has(SETUP))
        ):
            continue  # valeur collée ou assertion du livre : elle supposerait notre solution
        kept_tags = sorted(cell.tags & {CHECK, SETUP})
        code = (
            notebook_setup(cell.source)
            if cell.has(SETUP)
            else cell.source
        )
        metadata: dict = {"tags": kept_tags} if kept_tags else {}
        if cell.has(SETUP):
            # Masquée dans la page, repliée dans le notebook (JupyterLab, VS Code) : elle
            # s'exécute et montre sa figure, son code reste à un clic.
            metadata["jupyter"] = {"source_hidden": True}
        cells.append(
            nbformat.v4.new_code_cell(code, metadata=metadata)
        )
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def glue_values(path: Path) -> dict[str, str]:
    """Le texte des valeurs collées d'un chapitre exécuté, lu dans le ``.glue.json`` de MyST-NB."""
    if not path.is_file():
        return {}
    values = {}
    for key, output in json.loads(
        path.read_text(encoding="utf-8")
    ).items():
        data = output.get("data", {})
        text = data.get("text/markdown") or data.get("text/plain")
        if isinstance(text, str):
            values[key] = text
    return values


def write_editions(
    chapters: Iterable[Path],
    target: Path,
    *,
    overwrite: bool = True,
    glue_dir: Path | None = None,
    book_title: str | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> list[Path]:
    """Écrit ``target/complet/<chapitre>.ipynb`` et ``target/etudiant/<chapitre>.ipynb``.

    Avec ``overwrite=False``, un notebook déjà présent est gardé tel quel (le travail de
    l'étudiant). ``glue_dir`` : le dossier des chapitres exécutés par la construction du
    livre (``_build/jupyter_execute/book``), d'où viennent les valeurs citées par la prose.
    ``book_title`` et ``substitutions`` (la date du livre…) : comme pour ``edition``.
    Renvoie les chemins écrits.
    """
    written = []
    for chapter in chapters:
        glue = (
            glue_values(glue_dir / f"{chapter.stem}.glue.json")
            if glue_dir
            else {}
        )
        for folder, student in (
            (FULL_DIR, False),
            (STUDENT_DIR, True),
        ):
            path = target / folder / f"{chapter.stem}.ipynb"
            if path.exists() and not overwrite:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(
                edition(
                    chapter,
                    student=student,
                    book_title=book_title,
                    glue=glue,
                    substitutions=substitutions,
                ),
                path,
            )
            written.append(path)
    return written
