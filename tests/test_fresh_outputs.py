"""Le cache d'exécution ne ment jamais, et ne coûte rien de trop (``tp2_book.fresh_outputs``).

Un petit chapitre écrit pour ce test imprime ce que renvoie ``load_boston`` (les noms des
variables) ; une copie de ``tp2_src`` est placée en tête de ``PYTHONPATH``. On construit,
on change ``tp2_src``, on reconstruit : la page doit montrer la nouvelle sortie. Une
construction sans changement n'exécute rien ; une construction après une modification de
la machinerie du livre (feuille de style, gabarit, extension) non plus.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ROOT, chapter_source, jupyter_book_build, small_book

pytestmark = pytest.mark.usefixtures("executes_chapters")  # construit de petits livres

CHAPTER = chapter_source(
    'from tp2_src.data import load_boston\n\nprint("variables :", " ".join(load_boston().feature_names[:3]))'
)


def build(src: Path, package: Path) -> str:
    result = jupyter_book_build(src, env={"PYTHONPATH": str(package)}, strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


def page_text(src: Path) -> str:
    return (src / "_build" / "html" / "book" / "01_essai.html").read_text(encoding="utf-8")


def executed(log: str) -> bool:
    return "Executing notebook" in log or "[parallel_execute]" in log


def test_tp2_src_changes_reexecute_and_machinery_changes_do_not(tmp_path: Path) -> None:
    src = small_book(tmp_path / "livre", {"01_essai": CHAPTER})
    package = tmp_path / "paquet"
    shutil.copytree(ROOT / "tp2_src", package / "tp2_src", ignore=shutil.ignore_patterns("__pycache__"))
    # Un projet complet, comme un dépôt installé en mode éditable : le kit en fait sa roue.
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, package / name)

    assert executed(build(src, package))
    assert "variables : CRIM ZN INDUS" in page_text(src)

    data_py = package / "tp2_src" / "data.py"
    code = data_py.read_text(encoding="utf-8")
    changed = code.replace(
        "feature_names=names[:n_features]", "feature_names=[n.lower() for n in names[:n_features]]"
    )
    assert changed != code
    data_py.write_text(changed, encoding="utf-8")
    log = build(src, package)
    assert "cache vidé" in log and executed(log)
    html = page_text(src)
    assert "variables : crim zn indus" in html and "variables : CRIM" not in html

    log = build(src, package)
    assert not executed(log) and "cache vidé" not in log
    assert "variables : crim zn indus" in page_text(src)

    # La machinerie : une feuille de style, un gabarit du thème, une extension.
    machinery = src / "book" / "_ext" / "tp2_book"
    with (machinery / "static" / "tp2-lisibilite.css").open("a", encoding="utf-8") as css:
        css.write("\n/* essai du test */ .tp2-essai { color: red; }\n")
    with (src / "book" / "_templates" / "theme-switcher.html").open("a", encoding="utf-8") as template:
        template.write("\n{# essai du test #}\n")
    with (machinery / "typography.py").open("a", encoding="utf-8") as extension:
        extension.write("\n# essai du test\n")
    log = build(src, package)
    assert not executed(log) and "cache vidé" not in log, log[-3000:]
    css = (src / "_build" / "html" / "_static" / "tp2-lisibilite.css").read_text(encoding="utf-8")
    assert ".tp2-essai" in css
    assert "variables : crim zn indus" in page_text(src)
