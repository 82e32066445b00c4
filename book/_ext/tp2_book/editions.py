"""Les deux éditions des notebooks d'un chapitre, tirées de sa source ``book/NN_sujet.py``.

- l'**édition complète** : le chapitre tel quel, solutions comprises ;
- l'**édition étudiant** : chaque cellule de solution y est remplacée par son squelette,
  suivi de la cellule de vérification qui juge le code de l'étudiant
  (``tp2_src.checks``) ; la prose des solutions et les cellules qui ne servent qu'au livre
  (``remove-cell`` sans ``check`` ni ``setup``) en sont retirées.

Les règles de la source sont celles de ``conventions`` ; la prose est rendue lisible sans
MyST par ``markdown``. Une première cellule dit comment installer le kit
(``kit.KIT_NAME``) pour exécuter le notebook hors du dépôt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import nbformat

from tp2_book import conventions
from tp2_book.conventions import CHECK, SETUP, SKELETON, SOLUTION
from tp2_book.layout import KIT_ZIP
from tp2_book.markdown import MarkdownState, to_markdown

#: Sous-dossiers des deux éditions, dans le kit et pour ``nox -s lab``.
STUDENT_DIR, FULL_DIR = "etudiant", "complet"
#: Suffixe du notebook étudiant téléchargeable depuis une page du livre.
STUDENT_SUFFIX = "-etudiant"
#: Le nom du kit de l'étudiant (``tp2-kit.zip``), que la première cellule cite.
KIT_NAME = Path(KIT_ZIP).stem


class EditionError(ValueError):
    """Un chapitre ne respecte pas les règles des éditions (squelette manquant…)."""


def _install_cell(title: str, student: bool) -> nbformat.NotebookNode:
    """Première cellule : de quelle édition il s'agit, et comment l'exécuter hors du dépôt."""
    edition = (
        "**édition étudiant** : à chaque question, un squelette (lignes `# À vous :`) suivi d'une "
        "cellule de vérification qui affiche ✅ quand votre code fait ce qui est demandé, et "
        "sinon ce qui ne va pas"
        if student
        else "**édition complète**, solutions comprises"
    )
    return nbformat.v4.new_markdown_cell(
        f"*TP 2 — Graphe de calcul, autograd et modules* · « {title} », {edition}.\n\n"
        f"Pour exécuter ce notebook hors du dépôt du livre, téléchargez `{KIT_NAME}.zip` (menu de "
        "téléchargement de chaque page du livre), décompressez-le, puis, dans son dossier :\n\n"
        "```\n"
        "python -m venv .venv\n"
        "source .venv/bin/activate      # Windows : .venv\\Scripts\\activate\n"
        "pip install -r requirements.txt\n"
        "```\n\n"
        "`requirements.txt` installe la roue `tp2_src-…-py3-none-any.whl` du kit (le code et les "
        "données que ce notebook importe) et les versions de PyTorch et des autres paquets avec "
        "lesquelles le livre a été construit. Choisissez ensuite le noyau Python de ce `.venv`."
    )


def _title(cells: list[conventions.Cell], chapter: Path) -> str:
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    number = re.match(r"^(\d+)_", chapter.stem)
                    prefix = f"{int(number.group(1))}. " if number else ""
                    return prefix + line[2:].strip()
    return chapter.stem


def edition(
    chapter: str | Path,
    *,
    student: bool,
    glue: Mapping[str, str] | None = None,
    figures: Mapping[str, str] | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> nbformat.NotebookNode:
    """Le notebook d'un chapitre ``.py`` (Jupytext) : complet, ou étudiant si ``student``.

    ``glue`` donne le texte des valeurs collées (``{glue:md}``) et ``figures`` le numéro
    des figures et des sections citées (``{numref}``), tels que la construction du livre
    les a calculés ;
    sans eux, la prose les remplace par « … » et « figure ». ``substitutions`` : les
    substitutions MyST (``{{ date_construction }}``), « … » à défaut.

    Lève ``EditionError`` si une cellule de solution n'a pas de squelette juste avant elle,
    ou si un squelette n'est pas suivi d'une solution : l'édition étudiant la montrerait.
    """
    chapter = Path(chapter)
    source = conventions.read(chapter)
    number = re.match(r"^(\d+)_", chapter.stem)
    state = MarkdownState(
        student=student,
        glue=glue or {},
        figures=figures or {},
        substitutions=substitutions or {},
        chapter_number=int(number.group(1)) if number else None,
    )
    cells: list[nbformat.NotebookNode] = [_install_cell(_title(source, chapter), student)]
    skeleton: conventions.Cell | None = None
    for cell in source:
        where = f"{chapter.name}, cellule {cell.index}"
        if cell.cell_type == "markdown":
            text = to_markdown(cell.source, state)
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        if skeleton is not None and not (cell.cell_type == "code" and cell.has(SOLUTION)):
            raise EditionError(f"{where} : le squelette qui précède n'est pas suivi d'une cellule `solution`")
        if cell.cell_type == "raw" and cell.has(SKELETON):
            skeleton = cell
            continue
        if cell.cell_type != "code":
            continue
        if cell.in_solution and not (cell.has(SOLUTION) or cell.has(CHECK)):
            raise EditionError(
                f"{where} : une cellule de code dans une solution doit porter le tag `solution`"
            )
        if cell.has(SOLUTION):
            if skeleton is None:
                raise EditionError(
                    f"{where} : cellule `solution` sans squelette (cellule brute `skeleton`) avant elle"
                )
            kept = skeleton if student else cell
            cells.append(
                nbformat.v4.new_code_cell(kept.source, metadata={"tags": [SKELETON if student else SOLUTION]})
            )
            skeleton = None
            continue
        if student and cell.has("remove-cell") and not (cell.has(CHECK) or cell.has(SETUP)):
            continue  # vérification ou valeur collée du livre : elle supposerait notre solution
        kept_tags = sorted(cell.tags & {CHECK, SETUP, SOLUTION})
        cells.append(
            nbformat.v4.new_code_cell(cell.source, metadata={"tags": kept_tags} if kept_tags else {})
        )
    if skeleton is not None:
        raise EditionError(f"{chapter.name} : squelette final sans cellule `solution`")
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def glue_values(path: Path) -> dict[str, str]:
    """Le texte des valeurs collées d'un chapitre exécuté, lu dans le ``.glue.json`` de MyST-NB."""
    if not path.is_file():
        return {}
    values = {}
    for key, output in json.loads(path.read_text(encoding="utf-8")).items():
        data = output.get("data", {})
        text = data.get("text/markdown") or data.get("text/plain")
        if isinstance(text, str):
            values[key] = text
    return values


def write_editions(
    chapters: Iterable[Path], target: Path, *, overwrite: bool = True, glue_dir: Path | None = None
) -> list[Path]:
    """Écrit ``target/complet/<chapitre>.ipynb`` et ``target/etudiant/<chapitre>.ipynb``.

    Avec ``overwrite=False``, un notebook déjà présent est gardé tel quel (le travail de
    l'étudiant). ``glue_dir`` : le dossier des chapitres exécutés par la construction du
    livre (``_build/jupyter_execute/book``), d'où viennent les valeurs citées par la prose.
    Renvoie les chemins écrits.
    """
    from tp2_book.build_date import SUBSTITUTION, book_date

    substitutions = {SUBSTITUTION: book_date()}
    written = []
    for chapter in chapters:
        glue = glue_values(glue_dir / f"{chapter.stem}.glue.json") if glue_dir else {}
        for folder, student in ((FULL_DIR, False), (STUDENT_DIR, True)):
            path = target / folder / f"{chapter.stem}.ipynb"
            if path.exists() and not overwrite:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(edition(chapter, student=student, glue=glue, substitutions=substitutions), path)
            written.append(path)
    return written


