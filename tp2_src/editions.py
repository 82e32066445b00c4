"""Les deux éditions des notebooks et le kit de l'étudiant, tirés des chapitres ``book/*.py``.

Les chapitres restent la seule source. On en tire, à chaque construction du livre :

- l'**édition complète** : le chapitre tel quel, solutions comprises ;
- l'**édition étudiant** : chaque cellule de solution (tag ``solution``) y est remplacée par
  son squelette (la cellule brute ``skeleton`` qui la précède dans la source, avec ses
  lignes « # À vous : »), suivi de la cellule de vérification (tag ``check``) qui juge le
  code de l'étudiant (``tp2_src.checks``). La prose des solutions et les cellules qui ne
  servent qu'au livre (``remove-cell`` sans ``check`` ni ``setup``) en sont retirées ;
- le **kit** ``tp2-kit.zip`` : les deux éditions, ``tp2_src`` en roue (données comprises),
  un ``requirements.txt`` aux versions du livre et un ``LISEZMOI.txt``.

Dans les deux éditions, les blocs ``{exercise}`` et ``{solution}`` de MyST deviennent des
citations Markdown, lisibles dans Jupyter comme dans un éditeur ; une première cellule dit
comment installer le kit pour exécuter le notebook hors du dépôt.

En ligne de commande (``nox -s lab``) : ``python -m tp2_src.editions DOSSIER`` écrit les
deux éditions dans ``DOSSIER/etudiant`` et ``DOSSIER/complet`` sans jamais écraser un
notebook existant (le travail de l'étudiant).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
from packaging.requirements import Requirement
from packaging.version import Version

#: Nom du kit dans le site, et du dossier qu'il contient.
KIT_NAME = "tp2-kit"
#: Sous-dossiers des deux éditions, dans le kit et pour ``nox -s lab``.
STUDENT_DIR, FULL_DIR = "etudiant", "complet"
#: Suffixe du notebook étudiant téléchargeable depuis une page du livre.
STUDENT_SUFFIX = "-etudiant"
#: Ce dont les notebooks ont besoin en plus de tp2_src : un noyau Jupyter.
NOTEBOOK_EXTRAS = ("ipykernel",)
#: Date fixe des fichiers du zip : deux constructions donnent le même kit.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)

_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$")
_FENCE = re.compile(r"^(`{3,}|:{3,})")


class EditionError(ValueError):
    """Un chapitre ne respecte pas les règles des éditions (squelette manquant…)."""


@dataclass
class _Block:
    """Un bloc délimité ouvert dans la prose : sa clôture et ce qu'on en fait."""

    fence: str
    kind: str  # "quote" (citation), "hidden" (retiré), "plain" (clôtures retirées) ou "other"
    options: bool = True  # les lignes « :clé: valeur » du début de la directive


@dataclass
class _MarkdownState:
    """L'état de la lecture de la prose, d'une cellule à la suivante."""

    student: bool
    glue: Mapping[str, str] = field(default_factory=dict)
    figures: Mapping[str, str] = field(default_factory=dict)
    substitutions: Mapping[str, str] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)
    gated: bool = False  # entre ```{solution-start}``` et ```{solution-end}```
    chapter_number: int | None = None  # numéro du chapitre, que le livre donne au titre
    section: int = 0  # dernière section numérotée

    def heading(self, line: str) -> str:
        """Les titres numérotés comme dans le livre (Sphinx les numérote, pas la source)."""
        if self.chapter_number is None or self.blocks:
            return line
        if line.startswith("# "):
            return f"# {self.chapter_number}. {line[2:]}"
        if line.startswith("## "):
            self.section += 1
            return f"## {self.chapter_number}.{self.section}. {line[3:]}"
        return line

    def quote_depth(self) -> int:
        return sum(b.kind == "quote" for b in self.blocks)

    def hidden(self) -> bool:
        return any(b.kind == "hidden" for b in self.blocks) or (self.gated and self.student)


#: Directives rendues en citation dans un notebook, et leur titre par défaut.
_QUOTED = {
    "exercise": "Exercice",
    "admonition": "",
    "important": "Important",
    "note": "Remarque",
    "warning": "Attention",
    "tip": "Astuce",
}
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_SUBSTITUTION = re.compile(r"\{\{\s*(\w+)\s*\}\}")  # {{ date_construction }}


def _roles(text: str, state: _MarkdownState) -> str:
    """Les rôles MyST, que Jupyter n'interprète pas, remplacés par leur texte."""

    def replace(match: re.Match[str]) -> str:
        role, content = match.groups()
        label = re.match(r"^(.*?)\s*<([^>]+)>$", content)
        if role == "glue:md":
            return state.glue.get(content, "…")
        if role == "numref":
            if label:  # « section %s <sec-…> » : %s prend le numéro, sans « Fig. »
                number = state.figures.get(label.group(2), "…").removeprefix("Fig. ")
                return label.group(1).replace("%s", number)
            return state.figures.get(content, "figure")
        if role in ("term", "ref", "doc"):
            return label.group(1) if label else content
        return match.group(0)

    text = _ROLE.sub(replace, text)
    return _SUBSTITUTION.sub(lambda m: state.substitutions.get(m.group(1), "…"), text)


def _markdown(text: str, state: _MarkdownState) -> str:
    """La prose d'une cellule pour un notebook : solutions retirées (édition étudiant),
    exercices, encadrés et solutions en citations, rôles MyST remplacés par leur texte."""
    out: list[str] = []

    def keep(line: str) -> None:
        if not state.hidden():
            depth = state.quote_depth()
            out.append(("> " * depth + line).rstrip() if depth else line)

    for line in text.splitlines():
        stripped = line.strip()
        top = state.blocks[-1] if state.blocks else None
        if top is not None and top.options and re.match(r"^:[\w-]+:", stripped):
            continue  # options de la directive (:label:, :class:, :alt:…)
        if top is not None:
            top.options = False
        if top is not None and stripped == top.fence:
            closed = state.blocks.pop()
            if closed.kind == "other":
                keep(line)
            continue
        directive = _DIRECTIVE.match(stripped)
        fence, name, argument = directive.groups() if directive else ("", "", "")
        if name in ("solution-start", "solution-end"):
            state.blocks.append(_Block(fence, "hidden"))
            state.gated = name == "solution-start"
            if state.gated and not state.student:
                out.append("> **Solution**")
        elif state.hidden() and _FENCE.match(stripped):
            state.blocks.append(_Block(_FENCE.match(stripped).group(1), "other", options=False))
        elif name == "solution":
            if state.student:
                state.blocks.append(_Block(fence, "hidden"))
            else:
                keep("> **Solution**")
                keep(">")
                state.blocks.append(_Block(fence, "quote"))
        elif name in _QUOTED:
            title = " — ".join(t for t in (_QUOTED[name], argument) if t)
            keep(f"> **{title}**")
            keep(">")
            state.blocks.append(_Block(fence, "quote"))
        elif name in ("tab-set", "tab-item", "glue:figure"):
            # Les figures en onglets du livre : leur légende, sans les onglets ni l'image.
            state.blocks.append(_Block(fence, "plain"))
        elif re.match(r"^\([\w-]+\)=$", stripped) and not state.blocks:
            continue  # une cible de renvoi MyST, « (chap-optim)= »
        elif _FENCE.match(stripped):
            # Un bloc de code ou de formule : gardé tel quel.
            keep(line)
            state.blocks.append(_Block(_FENCE.match(stripped).group(1), "other", options=False))
        else:
            keep(state.heading(line))
    return _roles("\n".join(out).strip("\n"), state)


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.metadata.get("tags", []))


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


def _title(notebook: nbformat.NotebookNode, chapter: Path) -> str:
    for cell in notebook.cells:
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
    source = jupytext.read(chapter, fmt="py:percent")
    number = re.match(r"^(\d+)_", chapter.stem)
    state = _MarkdownState(
        student=student,
        glue=glue or {},
        figures=figures or {},
        substitutions=substitutions or {},
        chapter_number=int(number.group(1)) if number else None,
    )
    cells: list[nbformat.NotebookNode] = [_install_cell(_title(source, chapter), student)]
    skeleton: nbformat.NotebookNode | None = None
    for index, cell in enumerate(source.cells):
        tags = _tags(cell)
        where = f"{chapter.name}, cellule {index}"
        if cell.cell_type == "markdown":
            text = _markdown(cell.source, state)
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        if skeleton is not None and not (cell.cell_type == "code" and "solution" in tags):
            raise EditionError(f"{where} : le squelette qui précède n'est pas suivi d'une cellule `solution`")
        if cell.cell_type == "raw" and "skeleton" in tags:
            skeleton = cell
            continue
        if cell.cell_type != "code":
            continue
        if state.gated and not tags & {"solution", "check"}:
            raise EditionError(
                f"{where} : une cellule de code dans une solution doit porter le tag `solution`"
            )
        if "solution" in tags:
            if skeleton is None:
                raise EditionError(
                    f"{where} : cellule `solution` sans squelette (cellule brute `skeleton`) avant elle"
                )
            kept = skeleton if student else cell
            cells.append(
                nbformat.v4.new_code_cell(
                    kept.source, metadata={"tags": ["skeleton" if student else "solution"]}
                )
            )
            skeleton = None
            continue
        if student and "remove-cell" in tags and not tags & {"check", "setup"}:
            continue  # vérification ou valeur collée du livre : elle supposerait notre solution
        kept_tags = sorted(tags & {"check", "setup", "solution"})
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
    from tp2_src.sphinx_ext.build_date import SUBSTITUTION, book_date

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


def _fingerprint(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_wheel(project: Path, cache: Path) -> Path:
    """La roue de ``tp2_src`` (données comprises), reconstruite seulement si le code a changé.

    La construction a lieu dans une copie temporaire du projet : ``pip wheel`` n'écrit
    rien dans le dépôt (ni ``build/`` ni ``*.egg-info``).
    """
    if not (project / "pyproject.toml").is_file():
        raise RuntimeError(
            f"pas de pyproject.toml dans {project} : la roue du kit se construit depuis le dépôt, "
            "où tp2_src doit être installé en mode éditable (pip install -e .)"
        )
    sources = sorted(
        p for p in (project / "tp2_src").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    key = _fingerprint([project / "pyproject.toml", project / "README.md", *sources])
    folder = cache / key
    wheels = sorted(folder.glob("tp2_src-*.whl"))
    if wheels:
        return wheels[0]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        copy.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(project / name, copy / name)
        shutil.copytree(
            project / "tp2_src", copy / "tp2_src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--quiet",
                "--wheel-dir",
                str(Path(tmp) / "dist"),
                str(copy),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"construction de la roue de tp2_src impossible :\n{result.stderr[-3000:]}")
        if cache.exists():
            shutil.rmtree(cache)  # les roues des versions précédentes du code
        folder.mkdir(parents=True)
        for wheel in (Path(tmp) / "dist").glob("tp2_src-*.whl"):
            shutil.copy2(wheel, folder / wheel.name)
    return next(folder.glob("tp2_src-*.whl"))


def requirements(wheel_name: str) -> str:
    """``requirements.txt`` du kit : les dépendances de tp2_src et un noyau Jupyter, aux
    versions installées pendant la construction du livre, puis la roue elle-même."""
    names = [Requirement(r).name for r in importlib.metadata.requires("tp2-src") or [] if "extra ==" not in r]
    lines = [
        "# Les versions avec lesquelles le livre a été construit et ses notebooks exécutés.",
        "# Sous Linux sans carte NVIDIA, installez d'abord la version processeur de PyTorch :",
        "#   pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu",
    ]
    for name in [*names, *NOTEBOOK_EXTRAS]:
        # La version publique : « 2.13.0 » et non « 2.13.0+cpu », que PyPI ne connaît pas.
        lines.append(f"{name}=={Version(importlib.metadata.version(name)).public}")
    lines.append(f"./{wheel_name}")
    return "\n".join(lines) + "\n"


README = """\
TP 2 — Graphe de calcul, autograd et modules : le kit de l'étudiant
===================================================================

Ce kit permet de faire le TP sur votre machine, hors du dépôt du livre.

Contenu
-------
  notebooks/etudiant/  les chapitres sans les solutions : à chaque question, un
                       squelette (lignes « # À vous : ») suivi d'une cellule de
                       vérification
  notebooks/complet/   les mêmes chapitres, solutions comprises (le corrigé)
  {wheel}
                       le paquet tp2_src que les notebooks importent, données
                       Boston Housing comprises
  requirements.txt     les versions avec lesquelles le livre a été construit

Installation (Python 3.11 ou plus récent)
-----------------------------------------
  python -m venv .venv
  source .venv/bin/activate        (Windows : .venv\\Scripts\\activate)
  pip install -r requirements.txt

  Sous Linux, pip installe par défaut la version CUDA de PyTorch (plusieurs Go).
  Sans carte graphique NVIDIA, installez d'abord la version processeur :
  pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

Travailler
----------
  Ouvrez un notebook de notebooks/etudiant/ dans VS Code, PyCharm ou Jupyter
  (pip install jupyterlab, puis jupyter lab), avec le noyau Python de ce .venv.
  Exécutez les cellules dans l'ordre. Après chaque squelette, la cellule de
  vérification affiche ✅ si votre code fait ce qui est demandé ; sinon, elle dit
  ce qui ne va pas et où regarder, et l'exécution s'arrête là. Le corrigé est
  dans notebooks/complet/.

  Les journaux TensorBoard sont écrits dans runs/, à côté du notebook (ou dans le
  dossier de la variable d'environnement TP2_LOGDIR) : tensorboard --logdir runs
"""


def write_kit(notebooks: Mapping[str, nbformat.NotebookNode], wheel: Path, target: Path) -> Path:
    """Écrit ``target`` (``tp2-kit.zip``) : les notebooks, la roue, requirements, LISEZMOI.

    ``notebooks`` associe à chaque chemin dans le kit (``etudiant/03_….ipynb``) son notebook.
    """
    files: dict[str, bytes] = {
        "LISEZMOI.txt": README.format(wheel=wheel.name).encode(),
        "requirements.txt": requirements(wheel.name).encode(),
        wheel.name: wheel.read_bytes(),
    }
    for name, notebook in notebooks.items():
        files[f"notebooks/{name}"] = (nbformat.writes(notebook) + "\n").encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as kit:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{KIT_NAME}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            kit.writestr(info, files[name])
    partial.replace(target)  # jamais de zip à moitié écrit dans le site
    return target


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Écrit les deux éditions des notebooks, sans écraser l'existant."
    )
    parser.add_argument("target", type=Path, help="dossier où écrire etudiant/ et complet/")
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--book", type=Path, default=root / "book", help="dossier des chapitres NN_*.py")
    parser.add_argument(
        "--glue",
        type=Path,
        default=root / "_build" / "jupyter_execute" / "book",
        help="chapitres exécutés par la construction du livre (valeurs citées par la prose)",
    )
    args = parser.parse_args(argv)
    chapters = sorted(args.book.glob("[0-9][0-9]_*.py"))
    if not chapters:
        parser.error(f"aucun chapitre NN_*.py dans {args.book}")
    written = write_editions(chapters, args.target, overwrite=False, glue_dir=args.glue)
    kept = 2 * len(chapters) - len(written)
    print(
        f"{len(written)} notebook(s) écrit(s) dans {args.target}"
        + (f", {kept} gardé(s) tel(s) quel(s)" if kept else "")
    )


if __name__ == "__main__":
    main()
