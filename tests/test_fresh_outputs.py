"""Le cache d'exécution ne ment jamais : un changement de tp2_src ré-exécute les chapitres.

On construit une copie du livre (intro et chapitre 3) avec une copie de ``tp2_src``
placée en tête de ``PYTHONPATH`` ; on change ce que renvoie ``load_boston`` (les noms des
variables), on reconstruit, et la page doit montrer la nouvelle sortie. Une troisième
construction, sans aucun changement, ne doit rien ré-exécuter.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, copy_book, jupyter_book_build

pytestmark = pytest.mark.book


def page_text(src: Path) -> str:
    return (src / "_build" / "html" / "book" / "03_regression_lineaire.html").read_text(encoding="utf-8")


def test_changing_tp2_src_reexecutes_and_no_change_executes_nothing(tmp_path: Path) -> None:
    (tmp_path / "livre").mkdir()
    src = copy_book(tmp_path / "livre")
    (src / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/03_regression_lineaire\n"
    )
    (src / "book" / "intro.md").write_text("# Intro\n\n{ref}`chap-regression`\n")
    package = tmp_path / "paquet"
    shutil.copytree(ROOT / "tp2_src", package / "tp2_src", ignore=shutil.ignore_patterns("__pycache__"))
    # Un projet complet, comme un dépôt installé en mode éditable : le kit en fait sa roue.
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, package / name)
    env = {"PYTHONPATH": str(package)}

    first = jupyter_book_build(src, env=env, strict=False)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "variables : CRIM ZN INDUS" in page_text(src)

    data_py = package / "tp2_src" / "data.py"
    code = data_py.read_text(encoding="utf-8")
    changed = code.replace(
        "feature_names=names[:n_features]", "feature_names=[n.lower() for n in names[:n_features]]"
    )
    assert changed != code
    data_py.write_text(changed, encoding="utf-8")

    second = jupyter_book_build(src, env=env, strict=False)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "cache vidé" in second.stdout
    html = page_text(src)
    assert "variables : crim zn indus" in html and "variables : CRIM" not in html

    third = jupyter_book_build(src, env=env, strict=False)
    assert third.returncode == 0
    assert "Executing notebook" not in third.stdout + third.stderr
    assert "cache vidé" not in third.stdout
    assert "variables : crim zn indus" in page_text(src)
