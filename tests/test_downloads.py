"""Les téléchargements de chaque chapitre : le .py source et le .ipynb (voir aussi test_kit.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_page_offers_py_and_ipynb(built_book: Path, chapter: Path) -> None:
    html = (built_book / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8")
    links = {a.get("href") for a in BeautifulSoup(html, "html.parser").find_all("a")}
    for suffix in (".py", ".ipynb"):
        href = f"../_sources/book/{chapter.stem}{suffix}"
        assert href in links, f"{chapter.name} : pas de lien de téléchargement {suffix}"
        assert (built_book / "_sources" / "book" / f"{chapter.stem}{suffix}").is_file()
    assert (built_book / "_sources" / "book" / f"{chapter.name}").read_text() == chapter.read_text()
