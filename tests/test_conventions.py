"""Tests de tp2_book.conventions : la lecture des chapitres (solutions, squelettes, vérifications)."""

from __future__ import annotations

from pathlib import Path

from helpers import CHAPTERS
from tp2_book import conventions

SAMPLE = (
    "# %% [markdown]\n# Une phrase de corps.\n#\n# ```{exercise} Question 9.1 — essai\n# :label: q9\n"
    "# Écrivez x.\n# ```\n#\n# ```{solution} q9\n# :class: dropdown\n"
    "# Trois mots cachés.\n# ```\n\n# %%\nglue('a', 1, 'd')\n\n"
    "# %% tags=[\"remove-cell\"]\nglue('b', 2, 'd')\n\n"
    "# %% [markdown]\n# ```{exercise} Question 9.2\n# :label: q10\n# Et y ?\n# ```\n#\n"
    "# ```{solution-start} q10\n# ```\n\n# %%\nx = 1\n\n"
    "# %% [markdown]\n# ```{solution-end}\n# ```\n# Fin.\n"
)


def test_prose_and_code_are_told_apart_from_the_solutions(tmp_path: Path) -> None:
    chapter = tmp_path / "09_essai.py"
    chapter.write_text(SAMPLE, encoding="utf-8")
    prose = list(conventions.prose(chapter))
    assert ("Trois mots cachés.", True) in prose and ("Une phrase de corps.", False) in prose
    assert ("Écrivez x.", False) in prose and ("Fin.", False) in prose
    assert conventions.visible_code(chapter) == [("glue('a', 1, 'd')", False), ("x = 1", True)]
    cells = conventions.read(chapter)
    assert [c.in_solution for c in cells] == [False, False, False, False, True, True]
    assert cells[2].hidden and not cells[1].hidden
    assert conventions.exercises(chapter) == [
        conventions.Exercise("q9", "Question 9.1 — essai", solved=True),
        conventions.Exercise("q10", "Question 9.2", solved=True),
    ]


def test_a_solution_block_ends_at_its_own_fence() -> None:
    gate = conventions.SolutionGate()
    lines = gate.lines("````{solution} q\n```python\nx = 1\n```\nencore\n````\naprès")
    assert [inside for _, inside in lines] == [True] * 6 + [False]
    assert not gate.gated


def test_every_chapter_question_is_answered() -> None:
    found = [e for chapter in CHAPTERS for e in conventions.exercises(chapter)]
    assert len(found) >= 10
    assert all(e.solved for e in found), [e.label for e in found if not e.solved]


def test_the_main_line_count_leaves_out_what_is_folded_or_not_prose(tmp_path) -> None:
    """La durée de lecture compte la prose de la ligne principale : ni les solutions, ni les
    encadrés facultatifs, ni les figures (légende, texte alternatif), ni les formules."""
    chapter = tmp_path / "01_essai.py"
    chapter.write_text(
        "# %% [markdown]\n"
        "# un deux trois $x + y$\n"
        "#\n"
        "# $$\n# a + b = c\n# $$\n"
        "#\n"
        "# ```{glue:figure} fig\n# :alt: texte alternatif long\n#\n# légende de figure\n# ```\n"
        "#\n"
        "# ```{optional-start} Titre\n# ```\n"
        "#\n"
        "# mots dans l'encadré\n"
        "\n# %%\nx = 1\n\n"
        "# %% [markdown]\n"
        "# encore dedans\n#\n# ```{optional-end}\n# ```\n"
        "#\n"
        "# ```{admonition} Replié\n# :class: dropdown\n# caché ici\n# ```\n"
        "#\n"
        "# quatre cinq\n",
        encoding="utf-8",
    )
    assert conventions.main_line_words(chapter) == 5
    assert conventions.reading_minutes(chapter) == 1


def test_the_reader_adds_the_execution_note_to_a_chapter_that_calls_the_setup() -> None:
    """La note « Exécution de ce chapitre » est écrite une fois (``EXECUTION_NOTE``) et
    ajoutée par le lecteur à chaque chapitre qui appelle ``setup_chapter()`` ; aucun
    chapitre ne la recopie."""
    with_setup = "# %%\nfrom tp2_src.style import setup_chapter\n\nsetup_chapter()\n"
    without = "# %%\nprint(1)\n"
    assert conventions.reads(with_setup).cells[-1].source == conventions.EXECUTION_NOTE
    assert all(c.source != conventions.EXECUTION_NOTE for c in conventions.reads(without).cells)
    first_line = conventions.EXECUTION_NOTE.splitlines()[0]
    for chapter in CHAPTERS:
        text = chapter.read_text(encoding="utf-8")
        assert first_line not in text, f"{chapter.name} recopie la note de fin"
        assert conventions.reads(text).cells[-1].source == conventions.EXECUTION_NOTE, chapter.name
