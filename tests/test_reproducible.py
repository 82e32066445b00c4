"""Deux exécutions d'un chapitre affichent les mêmes nombres, hors temps mesurés.

Chaque chapitre est exécuté une fois de plus, à neuf (nbclient, dans un dossier
temporaire), et ses sorties sont comparées à celles que la construction du livre a
rangées dans son cache d'exécution (celles que montrent les pages) : texte, tableaux,
images SVG et PDF octet pour octet, sauf
dans les cellules marquées ``tags=["timing"]``, qui affichent des temps mesurés.

Un même texte imprimé peut arriver découpé en un nombre variable de messages ``stream``
selon la charge de la machine (le noyau envoie ce qu'il a quand il le peut) : on compare
donc le texte de chaque flux (stdout, stderr) réuni par cellule, comme le fait la page
(``nb_merge_streams: true``), et non le découpage.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from helpers import CHAPTERS
from jupyter_cache import get_cache
from nbclient import NotebookClient
from tp2_book.conventions import TIMING
from tp2_book.settings import BUILD_ENV

from tp2_src.logs import LOGDIR_ENV


def merged_outputs(outputs: list) -> list[dict]:
    """Les sorties d'une cellule, le texte de chaque flux réuni en une seule entrée."""
    streams: dict[str, str] = {}
    others = []
    for out in outputs:
        if out["output_type"] == "stream":
            streams[out["name"]] = streams.get(out["name"], "") + out["text"]
        else:
            others.append({k: v for k, v in out.items() if k in ("data", "output_type")})
    return [{"stream": name, "text": text} for name, text in sorted(streams.items())] + others


def code_outputs(notebook: nbformat.NotebookNode) -> list[tuple[bool, str, list[dict]]]:
    """(cellule de temps mesurés ?, source, sorties réunies) de chaque cellule de code."""
    return [
        (TIMING in cell.metadata.get("tags", []), cell.source, merged_outputs(cell.outputs))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def test_split_streams_compare_equal_once_merged() -> None:
    """Garde-fou : le même texte découpé autrement est égal ; un autre texte ne l'est pas."""
    one = [{"output_type": "stream", "name": "stdout", "text": "a = 1\nb = 2\n"}]
    two = [
        {"output_type": "stream", "name": "stdout", "text": "a = 1\n"},
        {"output_type": "stream", "name": "stdout", "text": "b = 2\n"},
    ]
    other = [{"output_type": "stream", "name": "stdout", "text": "a = 1\nb = 3\n"}]
    assert merged_outputs(one) == merged_outputs(two) != merged_outputs(other)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_a_fresh_run_prints_the_same_numbers_as_the_build(
    chapter: Path, built_book: Path, tmp_path: Path
) -> None:
    cache = get_cache(str(built_book.parent / ".jupyter_cache"))
    _, executed = cache.merge_match_into_notebook(jupytext.read(chapter))
    built = code_outputs(executed)
    notebook = jupytext.read(chapter)
    # Le noyau reçoit l'environnement de la construction (BUILD_ENV : un fil de calcul, même
    # graine de hachage) quel que soit celui de pytest : `pytest` seul donne les mêmes nombres
    # que `nox -s tests`.
    env = {**os.environ, **BUILD_ENV, LOGDIR_ENV: str(tmp_path / "runs")}
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute(env=env)
    fresh = code_outputs(notebook)
    assert [source for _, source, _ in fresh] == [source for _, source, _ in built]
    compared = 0
    for index, ((timing, _, out1), (_, _, out2)) in enumerate(zip(built, fresh, strict=True)):
        if timing:
            continue
        assert out1 == out2, f"{chapter.name}, cellule de code n° {index} : sorties différentes"
        compared += bool(out1)
    assert compared >= 3
