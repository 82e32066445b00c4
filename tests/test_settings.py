"""Les faits de la machinerie (``tp2_book.settings``) : les fichiers qui ne peuvent pas les
importer (``_config.yml``, ``pyproject.toml``, le README, l'introduction, BENCHMARKS.md)
en gardent une copie, et ces copies disent la même chose que lui.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import CONFIG, TITLE
from tp2_book import settings
from tp2_book.settings import (
    BOOK,
    INSTALL_SECONDS,
    KIT_ZIP,
    MACHINERY,
    PDF_NAME,
    PYTHON_VERSION,
    ROOT,
    lesson_project,
)

import tp2_src

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Les textes pour les lecteurs, qui citent les faits du livre sans pouvoir les importer.
TEXTS = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "book/intro.md")}


def test_the_root_is_the_repository() -> None:
    here = Path(__file__).resolve().parents[1]
    assert ROOT == here and (ROOT / "_config.yml").is_file() and (ROOT / "noxfile.py").is_file()
    assert BOOK == here / "book" and (MACHINERY / "tp2_book" / "settings.py").resolve() == Path(
        settings.__file__
    )


def test_the_lesson_project_is_where_tp2_src_comes_from() -> None:
    """Trouvé sans importer ``tp2_src`` : le dossier qui contient le paquet importé."""
    assert lesson_project() == Path(tp2_src.__file__).resolve().parents[1]
    assert (lesson_project() / "pyproject.toml").is_file()


def test_settings_import_the_standard_library_only() -> None:
    """Le ``noxfile`` charge ``settings`` par son chemin, sans rien installer pour lui."""
    tree = ast.parse(Path(settings.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported, "aucun import trouvé : l'analyse ne voit rien"
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_the_pdf_is_the_one_latex_writes() -> None:
    """``_config.yml`` nomme le ``.tex`` du constructeur LaTeX ; le PDF porte le même nom."""
    targetname = CONFIG["latex"]["latex_documents"]["targetname"]
    assert Path(PDF_NAME).suffix == ".pdf"
    assert targetname == Path(PDF_NAME).with_suffix(".tex").name


def test_pyproject_requires_the_python_of_the_book() -> None:
    assert PYPROJECT["project"]["requires-python"] == f">={PYTHON_VERSION}"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + PYTHON_VERSION.replace(".", "")


@pytest.mark.parametrize("name", TEXTS)
def test_the_texts_cite_the_facts_of_the_settings(name: str) -> None:
    """Chaque version de Python, chaque PDF et chaque kit que cite le texte sont ceux du livre."""
    text = TEXTS[name]
    cited = {
        "Python": re.findall(r"\bPython (3\.\d+)\b", text),
        "PDF": re.findall(r"([\w.-]+\.pdf)\b", text),
        "kit": re.findall(r"(tp2-[\w-]*\.zip)\b", text),
    }
    expected = {"Python": PYTHON_VERSION, "PDF": PDF_NAME, "kit": KIT_ZIP}
    for fact, values in cited.items():
        assert values, f"{name} ne cite plus de {fact} : ce test ne vérifie plus rien"
        assert set(values) == {expected[fact]}, f"{name} : {fact} {values}, le livre dit {expected[fact]}"


def test_the_title_of_the_book_is_written_in_the_configuration_only() -> None:
    """Le titre vient de ``title`` de ``_config.yml`` : la machinerie le lit dans la
    configuration de Sphinx ; les textes qui le citent le citent tel quel."""
    assert TEXTS["README.md"].splitlines()[0] == f"# {TITLE}"
    assert TEXTS["book/intro.md"].splitlines()[0] == f"# {TITLE}"
    assert f"« {TITLE} »" in PYPROJECT["project"]["description"]
    assert TITLE in (tp2_src.__doc__ or "")
    typed = [
        str(path.relative_to(ROOT))
        for path in sorted(MACHINERY.rglob("*"))
        if path.suffix in (".py", ".html", ".js", ".css") and TITLE in path.read_text(encoding="utf-8")
    ]
    assert not typed, f"le titre du livre récrit dans la machinerie : {typed}"
    assert (ROOT / "_config.yml").read_text(encoding="utf-8").count(TITLE) == 1


def test_the_install_time_is_the_measure_of_the_benchmarks() -> None:
    """``INSTALL_SECONDS`` est la mesure (g) de BENCHMARKS.md, arrondie à la seconde."""
    benchmarks = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    (row,) = [line for line in benchmarks.splitlines() if line.startswith("| (g) ")]
    measured = float(re.search(r"\| (\d+(?:,\d+)?) s\b", row)[1].replace(",", "."))
    assert round(measured) == INSTALL_SECONDS, f"mesuré {measured} s, le kit cite {INSTALL_SECONDS} s"
