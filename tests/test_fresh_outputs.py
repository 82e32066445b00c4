"""Le cache d'exécution ne ment jamais, et ne coûte rien de trop (``tp2_book.fresh_outputs``).

Un petit chapitre écrit pour ce test imprime une marque que le test ajoute à une copie de
``tp2_src.data`` ; cette copie est placée en tête de ``PYTHONPATH``, et le chapitre compte
ses exécutions (``helpers.counted``). On construit,
on change ``tp2_src``, on reconstruit : la page doit montrer la nouvelle sortie. Une
construction sans changement n'exécute rien ; une construction après une modification de
la machinerie du livre (feuille de style, gabarit, extension) non plus.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ROOT, chapter_source, counted, jupyter_book_build, runs_of, small_book
from tp2_book.settings import CONSTRAINTS_FILE

pytestmark = pytest.mark.usefixtures("executes_chapters")  # construit de petits livres

#: Ce que le chapitre d'essai affiche, ajouté à la copie de ``tp2_src`` : le test le change
#: (sans dépendre du texte de ``data.py``) pour voir si le chapitre est ré-exécuté.
MARK = '\nTP2_ESSAI = "{}"  # ajouté par tests/test_fresh_outputs.py\n'
CODE = 'from tp2_src import data\n\nprint("marque :", data.TP2_ESSAI)'


def build(src: Path, package: Path) -> str:
    result = jupyter_book_build(src, env={"PYTHONPATH": str(package)}, strict=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


def page_text(src: Path) -> str:
    return (src / "_build" / "html" / "book" / "01_essai.html").read_text(encoding="utf-8")


def test_tp2_src_changes_reexecute_and_machinery_changes_do_not(tmp_path: Path) -> None:
    runs = tmp_path / "executions.txt"
    src = small_book(tmp_path / "livre", {"01_essai": chapter_source(counted(CODE, runs))})
    package = tmp_path / "paquet"
    shutil.copytree(ROOT / "tp2_src", package / "tp2_src", ignore=shutil.ignore_patterns("__pycache__"))
    # Un projet complet, comme un dépôt installé en mode éditable : le kit en fait sa roue.
    for name in ("pyproject.toml", "README.md", CONSTRAINTS_FILE):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, package / name)
    data_py = package / "tp2_src" / "data.py"
    code = data_py.read_text(encoding="utf-8")
    data_py.write_text(code + MARK.format("avant"), encoding="utf-8")

    build(src, package)
    assert runs_of(runs) == 1
    assert "marque : avant" in page_text(src)

    data_py.write_text(code + MARK.format("après"), encoding="utf-8")
    log = build(src, package)
    assert "cache vidé" in log and runs_of(runs) == 2, log[-3000:]
    html = page_text(src)
    assert "marque : après" in html and "marque : avant" not in html

    log = build(src, package)
    assert runs_of(runs) == 2 and "cache vidé" not in log
    assert "marque : après" in page_text(src)

    # La machinerie : une feuille de style seule (aucune source changée, et pourtant la
    # feuille servie est la nouvelle), puis un gabarit du thème et une extension.
    machinery = src / "book" / "_ext" / "tp2_book"
    with (machinery / "static" / "tp2-lisibilite.css").open("a", encoding="utf-8") as css:
        css.write("\n/* essai du test */ .tp2-essai { color: red; }\n")
    log = build(src, package)
    assert runs_of(runs) == 2 and "cache vidé" not in log, log[-3000:]
    served = src / "_build" / "html" / "_static" / "tp2-lisibilite.css"
    assert ".tp2-essai" in served.read_text(encoding="utf-8"), log[-3000:]
    with (src / "book" / "_templates" / "theme-switcher.html").open("a", encoding="utf-8") as template:
        template.write("\n{# essai du test #}\n")
    with (machinery / "typography.py").open("a", encoding="utf-8") as extension:
        extension.write("\n# essai du test\n")
    log = build(src, package)
    assert runs_of(runs) == 2 and "cache vidé" not in log, log[-3000:]
    assert "machinerie du livre modifiée" in log, log[-3000:]
    assert "marque : après" in page_text(src)
    log = build(src, package)
    assert "machinerie du livre modifiée" not in log, "sans changement, rien n'est réécrit"
