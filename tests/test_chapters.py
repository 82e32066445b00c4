"""Chaque chapitre s'exécute comme un simple script, depuis un dossier hors du dépôt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from conftest import CHAPTERS


def test_chapters_are_found() -> None:
    assert [c.name[:2] for c in CHAPTERS] == [f"{i:02d}" for i in range(1, len(CHAPTERS) + 1)]
    assert len(CHAPTERS) >= 2


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_as_plain_script(chapter: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(chapter)],
        cwd=tmp_path,  # hors du dépôt : tp2_src doit venir du paquet installé
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg", "TP2_LOGDIR": str(tmp_path / "runs")},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert result.stdout.strip(), "le chapitre n'a rien affiché"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_follows_the_book_outline(chapter: Path) -> None:
    """Même plan partout : objectifs, sections, résumé, questions ; en-tête Jupytext."""
    notebook = jupytext.read(chapter)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for heading in ("Objectifs", "## Résumé", "## Questions"):
        assert heading in markdown, f"{chapter.name} : « {heading} » manque"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "!pip" not in code and "\n%" not in code, "pas de commande magique dans un chapitre"
