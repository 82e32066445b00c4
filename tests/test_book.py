"""Le livre construit : une page par chapitre, en français, figures incluses, sans erreur."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CHAPTERS, copy_book, jupyter_book_build

pytestmark = pytest.mark.book

#: Au-delà, une ligne de sortie défile horizontalement dans une fenêtre de 1280 px.
MAX_OUTPUT_LINE = 80


def page(html_dir: Path, chapter: Path) -> BeautifulSoup:
    path = html_dir / "book" / f"{chapter.stem}.html"
    assert path.is_file(), f"page manquante : {path}"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_one_page_per_chapter_in_french(built_book: Path) -> None:
    for chapter in CHAPTERS:
        soup = page(built_book, chapter)
        assert soup.html["lang"] == "fr"
        assert soup.find("h1") is not None
    assert (built_book / "index.html").is_file()


def test_figures_are_embedded_and_exist(built_book: Path) -> None:
    total = 0
    for chapter in CHAPTERS:
        soup = page(built_book, chapter)
        for img in soup.select("main img"):
            target = (built_book / "book" / img["src"]).resolve()
            assert target.is_file() and target.stat().st_size > 1000, img["src"]
            total += 1
    assert total >= 2  # au moins les figures 1 et 2 du chapitre 1


def test_every_code_cell_was_executed_without_error_output(built_book: Path) -> None:
    for chapter in CHAPTERS:
        soup = page(built_book, chapter)
        cells = soup.select("div.cell")
        assert cells, chapter.name
        assert not soup.select(".output.error, .output.traceback, .output.stderr"), chapter.name
        text = soup.get_text()
        assert "Traceback (most recent call last)" not in text, chapter.name
        # Aucune directive MyST restée en texte brut (titre mal formé, bloc non fermé…).
        for raw in ("```{", ":label:", ":nonumber:", "{glue:", "{term}", "{ref}"):
            assert raw not in text, f"{chapter.name} : syntaxe MyST affichée telle quelle ({raw})"
        # Une apostrophe droite collée à du gras (« l'**unité** ») devient un guillemet
        # fermant « l” » : le français n'utilise pas “ ”, leur présence trahit ce piège.
        glued = re.findall(r"\w[“”]\w*", text)
        assert not glued, f"{chapter.name} : apostrophe devenue guillemet : {glued[:5]}"
        # Chaque cellule de code qui affiche quelque chose a bien sa sortie dans la page.
        outputs = soup.select("div.cell_output")
        assert outputs, f"{chapter.name} : aucune sortie exécutée"
        # Pas de représentation d'objet laissée par mégarde (adresse mémoire, Axes, Text…).
        for output in outputs:
            shown = output.get_text()
            for leak in (" at 0x", "<Axes", "Text(0", "<matplotlib"):
                assert leak not in shown, f"{chapter.name} : sortie parasite {shown[:120]!r}"
        # Les sorties texte tiennent dans la colonne : rien à faire défiler pour les lire.
        for pre in soup.select("div.cell_output pre"):
            for line in pre.get_text().splitlines():
                assert len(line) <= MAX_OUTPUT_LINE, f"{chapter.name} : sortie trop longue\n{line}"


def test_exercise_titles_are_french(built_book: Path) -> None:
    soup = page(built_book, next(c for c in CHAPTERS if c.stem.startswith("03")))
    titles = [t.get_text(" ", strip=True) for t in soup.select(".admonition-title")]
    exercises = [t for t in titles if t.startswith("Exercice (Question 1.")]
    solutions = [t for t in titles if t.startswith("Solution : Exercice (Question 1.")]
    assert len(exercises) == 3 and len(solutions) == 3, titles
    assert not [t for t in titles if "Solution de" in t or "Exercise" in t or "Solution to" in t]


def test_build_leaves_tensorboard_runs_with_train_and_test_tags(built_book: Path) -> None:
    from tp2_src.logs import read_scalars

    runs = built_book.parents[1] / "runs"
    # Les trois boucles écrites à la main de la question 1 (chapitre 3).
    for run in ("q1-batch", "q1-mini-batch", "q1-stochastique"):
        series = read_scalars(runs / run)
        assert {"loss/train", "loss/test"} <= set(series), run
        steps, values = series["loss/train"]
        assert steps[0] == 0 and len(steps) == 101 and values[-1] < values[0], run
    # Puis les comparaisons : 4 au chapitre 3, 5 optimiseurs au chapitre 4, 2 modèles au 5.
    names = {p.name for p in runs.iterdir() if p.is_dir()}
    assert len({n for n in names if n.startswith("q1-compare-")}) == 4, names
    assert len({n for n in names if n.startswith("optim-")}) == 5, names
    assert len({n for n in names if n.startswith("modules-")}) == 2, names


def test_math_is_served_locally(built_book: Path) -> None:
    html = (built_book / "book" / f"{CHAPTERS[0].stem}.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert any("mathjax" in s and not s.startswith("http") for s in scripts), scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))], scripts


FAILING_CHAPTER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapitre qui échoue

# %%
raise RuntimeError("erreur volontaire du test")
"""


def test_a_failing_chapter_fails_the_build(tmp_path: Path) -> None:
    src = copy_book(tmp_path)
    for chapter in (src / "book").glob("[0-9][0-9]_*.py"):
        chapter.unlink()
    (src / "book" / "01_echec.py").write_text(FAILING_CHAPTER, encoding="utf-8")
    (src / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/01_echec\n")
    (src / "book" / "intro.md").write_text("# Intro\n")
    result = jupyter_book_build(src)
    assert result.returncode != 0
    assert "erreur volontaire du test" in result.stdout + result.stderr
