"""La leçon en vue : le code qu'un chapitre emprunte à ``tp2_src`` est montré sur une page.

Toute fonction ou classe de ``tp2_src`` que lit le code visible d'un chapitre (cellules
montrées, solutions repliées, squelettes des exercices) est soit **exemptée** — ce qui
n'est pas la leçon : vérifications, affichage, style et dessin des figures, graine et
matériel, lecture du fichier de données, dossiers et lecteur des journaux — soit
**montrée** par un ``{literalinclude}`` (option ``:pyobject:``) plus haut dans le même
chapitre ou dans un chapitre précédent. Ce que le code montré appelle dans ``tp2_src``
suit la même règle, et il tient dans la colonne de la page.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import BOOK, CHAPTERS, ROOT
from tp2_book import conventions

#: Les modules qui ne sont pas la leçon, et pourquoi.
EXEMPT_MODULES = {
    "checks": "les vérifications de l'édition étudiant (et leurs outils, checks.grading)",
    "display": "tableaux et messages d'erreur résumés",
    "french": "nombres écrits à la française",
    "glue": "valeurs citées par la prose",
    "style": "style des figures",
    "plots": "tracé des courbes",
    "graph_drawing": "dessin des graphes",
    "device": "graine et matériel",
}
#: Les noms exemptés des modules de la leçon, et pourquoi.
EXEMPT_NAMES = {
    ("data", "load_boston"): "la lecture du fichier de données",
    ("data", "BOSTON_CSV"): "le chemin du fichier de données",
    ("data", "validate_regression_data"): "les messages d'erreur des entrées invalides",
    ("logs", "fresh_run_dir"): "un dossier d'expérience vide",
    ("logs", "read_scalars"): "le lecteur des journaux de TensorBoard",
    ("logs", "default_logdir"): "le dossier des journaux",
}
#: Largeur de la colonne de la page, en caractères (celle du code des chapitres).
MAX_SHOWN_LINE = 75
INCLUDE = re.compile(r"^`{3,}\{literalinclude\}\s+\.\./tp2_src/(\w+)\.py\s*$")


def exempt(module: str, name: str) -> bool:
    return module in EXEMPT_MODULES or (module, name) in EXEMPT_NAMES


def shown_in(markdown: str) -> list[tuple[str, str]]:
    """Les objets ``(module, nom)`` que montrent les ``{literalinclude}`` d'une prose."""
    shown, module = [], None
    for line in markdown.splitlines():
        text = line.strip()
        if match := INCLUDE.match(text):
            module = match.group(1)
        elif module and (option := re.match(r"^:pyobject:\s*([\w.]+)", text)):
            shown.append((module, option.group(1).split(".")[0]))
            module = None
    return shown


def borrowed(source: str) -> set[tuple[str, str]]:
    """Les ``(module, nom)`` de ``tp2_src`` qu'un code importe ou lit."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # un squelette avec « ... » reste du Python valide ; sinon rien
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tp2_src."):
            module = node.module.split(".", 1)[1]
            found |= {(module, alias.name) for alias in node.names}
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value
            if isinstance(inner.value, ast.Name) and inner.value.id == "tp2_src":
                found.add((inner.attr, node.attr))
    return found


def uses_of_module(module: str, name: str) -> set[tuple[str, str]]:
    """Ce que le code montré de ``module.name`` appelle dans ``tp2_src`` : les fonctions et
    classes de son propre module, et ce que son module importe de ``tp2_src``."""
    path = ROOT / "tp2_src" / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    imported = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tp2_src."):
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module.split(".", 1)[1], alias.name)
    code = conventions.included_source(BOOK, f"../tp2_src/{module}.py", name)
    names = {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
    used = {(module, n) for n in names & local if n != name}
    used |= {imported[n] for n in names if n in imported}
    return used


def walk_the_book() -> tuple[list[str], set[tuple[str, str]]]:
    """Les chapitres dans l'ordre : les emprunts non montrés, et tout ce qui est montré."""
    shown: set[tuple[str, str]] = set()
    problems = []
    for chapter in CHAPTERS:
        cells = conventions.read(chapter)
        skeletons = [e.skeleton for e in conventions.exercises(chapter) if e.skeleton]
        pending = list(skeletons)  # un squelette se lit dans l'énoncé, avant la solution
        for cell in cells:
            if cell.cell_type == "markdown":
                shown |= set(shown_in(cell.source))
                continue
            if cell.cell_type != "code" or cell.hidden:
                continue
            for module, name in sorted(borrowed(cell.source)):
                if not exempt(module, name) and (module, name) not in shown:
                    problems.append(f"{chapter.name} : tp2_src.{module}.{name}, lu par\n{cell.source[:160]}")
        for skeleton in pending:
            for module, name in sorted(borrowed(skeleton)):
                if not exempt(module, name) and (module, name) not in shown:
                    problems.append(f"{chapter.name} : tp2_src.{module}.{name}, dans un squelette")
    return problems, shown


def test_every_borrowed_name_is_shown_first() -> None:
    problems, _ = walk_the_book()
    assert not problems, "code de tp2_src jamais montré par une page :\n" + "\n\n".join(problems)


def test_shown_code_calls_only_shown_or_exempt_code() -> None:
    _, shown = walk_the_book()
    missing = [
        f"tp2_src.{module}.{name} appelle tp2_src.{used[0]}.{used[1]}, jamais montré"
        for module, name in sorted(shown)
        for used in sorted(uses_of_module(module, name))
        if not exempt(*used) and used not in shown
    ]
    assert not missing, "\n".join(missing)


def test_shown_code_fits_the_column() -> None:
    _, shown = walk_the_book()
    wide = [
        f"tp2_src.{module}.{name} : {line.strip()[:60]}… ({len(line)} caractères)"
        for module, name in sorted(shown)
        for line in conventions.included_source(BOOK, f"../tp2_src/{module}.py", name).splitlines()
        if len(line) > MAX_SHOWN_LINE
    ]
    assert not wide, f"lignes de plus de {MAX_SHOWN_LINE} caractères :\n" + "\n".join(wide)


def test_the_rule_sees_an_unshown_name() -> None:
    """La règle trouve un emprunt dans un import, une lecture d'attribut et un squelette."""
    assert borrowed("from tp2_src.training import fit\nfit()") == {("training", "fit")}
    assert borrowed("import tp2_src\ntp2_src.linreg.least_squares(X, y)") == {("linreg", "least_squares")}
    assert shown_in("```{literalinclude} ../tp2_src/data.py\n:pyobject: boston_split\n```") == [
        ("data", "boston_split")
    ]
    assert exempt("checks", "check") and not exempt("training", "fit")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_each_include_shows_an_existing_object(chapter: Path) -> None:
    for cell in conventions.read(chapter):
        if cell.cell_type == "markdown":
            for module, name in shown_in(cell.source):
                assert conventions.included_source(BOOK, f"../tp2_src/{module}.py", name).strip()


def test_the_notebooks_show_the_lines_sphinx_shows() -> None:
    """``included_source`` (bibliothèque standard seule, pour ``nox -s lab``) rend, pour
    chaque objet montré, exactement les lignes que le ``literalinclude`` de Sphinx montre."""
    from sphinx.pycode import ModuleAnalyzer

    _, shown = walk_the_book()
    for module, name in sorted(shown):
        path = ROOT / "tp2_src" / f"{module}.py"
        _, start, end = ModuleAnalyzer.for_file(str(path), "").find_tags()[name]
        expected = "\n".join(path.read_text(encoding="utf-8").splitlines()[start - 1 : end])
        assert conventions.included_source(BOOK, f"../tp2_src/{module}.py", name) == expected, name
