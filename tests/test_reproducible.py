"""Deux exécutions d'un chapitre affichent les mêmes nombres, hors temps mesurés.

Chaque chapitre est converti en notebook (Jupytext) et exécuté deux fois par nbclient.
Les sorties de chaque cellule doivent être identiques (texte, tableaux, images), sauf
dans les cellules marquées ``tags=["timing"]``, qui affichent des temps mesurés.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from conftest import CHAPTERS
from nbclient import NotebookClient

pytestmark = pytest.mark.book


def run(chapter: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, list]]:
    monkeypatch.setenv("TP2_LOGDIR", str(workdir / "runs"))
    notebook = jupytext.read(chapter)
    workdir.mkdir()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    ).execute()
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = [
            {k: v for k, v in out.items() if k in ("name", "text", "data", "output_type")}
            for out in cell.outputs
        ]
        cells.append(("timing" in cell.metadata.get("tags", []), outputs))
    return cells


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_two_runs_print_the_same_numbers(
    chapter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run(chapter, tmp_path / "a", monkeypatch)
    second = run(chapter, tmp_path / "b", monkeypatch)
    assert len(first) == len(second)
    compared = 0
    for index, ((timing, out1), (_, out2)) in enumerate(zip(first, second, strict=True)):
        if timing:
            continue
        assert out1 == out2, f"{chapter.name}, cellule de code n° {index} : sorties différentes"
        compared += bool(out1)
    assert compared >= 3
