"""Deux exécutions d'un chapitre affichent les mêmes nombres, hors temps mesurés.

Chaque chapitre est converti en notebook (Jupytext) et exécuté deux fois par nbclient.
Les sorties de chaque cellule doivent être identiques (texte, tableaux, images SVG et
PDF octet pour octet), sauf dans les cellules marquées ``tags=["timing"]``, qui
affichent des temps mesurés.

Un même texte imprimé peut arriver découpé en un nombre variable de messages ``stream``
selon la charge de la machine (le noyau envoie ce qu'il a quand il le peut) : on compare
donc le texte de chaque flux (stdout, stderr) réuni par cellule, comme le fait la page
(``nb_merge_streams: true``), et non le découpage.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from conftest import CHAPTERS
from nbclient import NotebookClient

from tp2_src.settings import LOGDIR_ENV

pytestmark = pytest.mark.book


def run(chapter: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, list]]:
    monkeypatch.setenv(LOGDIR_ENV, str(workdir / "runs"))
    notebook = jupytext.read(chapter)
    workdir.mkdir()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    ).execute()
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cells.append(("timing" in cell.metadata.get("tags", []), merged_outputs(cell.outputs)))
    return cells


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


def test_split_streams_compare_equal_once_merged() -> None:
    """Garde-fou : le même texte découpé autrement est égal ; un autre texte ne l'est pas."""
    one = [{"output_type": "stream", "name": "stdout", "text": "a = 1\nb = 2\n"}]
    two = [{"output_type": "stream", "name": "stdout", "text": "a = 1\n"},
           {"output_type": "stream", "name": "stdout", "text": "b = 2\n"}]
    other = [{"output_type": "stream", "name": "stdout", "text": "a = 1\nb = 3\n"}]
    assert merged_outputs(one) == merged_outputs(two) != merged_outputs(other)


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
