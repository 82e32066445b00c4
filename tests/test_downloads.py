"""Les téléchargements de chaque chapitre : le .py source et un .ipynb qui s'exécute."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import CHAPTERS
from nbclient import NotebookClient

from tp2_src.settings import LOGDIR_ENV

pytestmark = pytest.mark.book


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_page_offers_py_and_ipynb(built_book: Path, chapter: Path) -> None:
    html = (built_book / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8")
    links = {a.get("href") for a in BeautifulSoup(html, "html.parser").find_all("a")}
    for suffix in (".py", ".ipynb"):
        href = f"../_sources/book/{chapter.stem}{suffix}"
        assert href in links, f"{chapter.name} : pas de lien de téléchargement {suffix}"
        assert (built_book / "_sources" / "book" / f"{chapter.stem}{suffix}").is_file()
    assert (built_book / "_sources" / "book" / f"{chapter.name}").read_text() == chapter.read_text()


def test_generated_notebook_executes(
    built_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Le notebook téléchargeable du chapitre 3 s'exécute de bout en bout avec nbclient."""
    monkeypatch.setenv(LOGDIR_ENV, str(tmp_path / "runs"))
    path = built_book / "_sources" / "book" / "03_regression_lineaire.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # Les figures sortent en SVG (texte réel) et en PDF (version imprimable).
    figures = [o for o in outputs if o.output_type == "display_data" and "image/svg+xml" in o.data]
    assert figures and all("application/pdf" in o.data for o in figures)
    assert os.listdir(tmp_path / "runs")
