"""La passe ``html_pass`` : chaque étape, leur ordre, et les pages réécrites (le site entier
est vérifié par ``test_html.py`` et ``test_browser.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tp2_book import html_pass
from tp2_book.html_pass import (
    MYST_NB_SUMMARY,
    STEPS,
    fix_page,
    fix_pages,
    fix_site,
    search_autocorrect,
    summary_names,
    summary_spans,
    tab_aria_controls,
)

#: Le résumé d'une cellule repliée, tel que l'écrit MyST-NB.
MYST_NB = f"""<details class="admonition hide above-input">
{MYST_NB_SUMMARY}
<p class="collapsed admonition-title">Afficher le code</p>
<p class="expanded admonition-title">Masquer le code</p>
</summary>
<div class="cell_input"><p>du code</p></div>"""

#: Le même résumé, une fois son nom anglais retiré.
SUMMARY = MYST_NB.replace(MYST_NB_SUMMARY, "<summary>")

TAB = """<input checked="checked" id="sd-tab-item-0" name="sd-tab-set-0" type="radio">
<label aria-controls="sd-tab-item-0-content" class="sd-tab-label" for="sd-tab-item-0">
1</label>"""

SEARCH = '<input type="search"\n  name="q"\n  autocorrect="off"\n  spellcheck="false"/>'

#: Une page qui demande chacune des étapes.
PAGE = "\n".join(("<!DOCTYPE html>", SEARCH, MYST_NB, TAB))


def test_summary_names_drops_the_english_label() -> None:
    page = summary_names(MYST_NB)
    assert page == SUMMARY
    # Un autre résumé (celui du menu du thème, par exemple) garde ses attributs.
    other = '<summary aria-label="Sections">x</summary>'
    assert summary_names(other) == other


def test_cell_summaries_hold_spans_not_paragraphs() -> None:
    body = summary_spans(SUMMARY)
    assert '<span class="collapsed admonition-title">Afficher le code</span>' in body
    assert '<span class="expanded admonition-title">Masquer le code</span>' in body
    assert "<p>du code</p>" in body, "hors du résumé, rien ne change"


def test_tab_aria_controls_moves_to_the_radio_button() -> None:
    body = tab_aria_controls(TAB)
    assert 'type="radio" aria-controls="sd-tab-item-0-content">' in body
    assert '<label class="sd-tab-label" for="sd-tab-item-0">' in body


def test_search_inputs_lose_autocorrect() -> None:
    assert search_autocorrect(SEARCH) == '<input type="search"\n  name="q"\n  spellcheck="false"/>'
    other = '<input type="text" autocorrect="off">'
    assert search_autocorrect(other) == other, "seuls les champs de recherche du thème"


def test_summary_names_comes_before_summary_spans() -> None:
    """``summary_spans`` ne reconnaît qu'un résumé sans attribut : dans l'autre ordre, les
    ``<p>`` du résumé de MyST-NB resteraient."""
    assert STEPS.index(summary_names) < STEPS.index(summary_spans)
    assert summary_spans(MYST_NB) == MYST_NB
    page = fix_page(MYST_NB)
    assert MYST_NB_SUMMARY not in page and "<summary>\n<span " in page


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.__name__)
def test_each_step_says_why_changes_the_page_once_and_only_once(step: Any) -> None:
    """Chaque étape est documentée, change la page que lui laissent les précédentes, et ne
    change plus rien à une page déjà passée (la passe relit aussi les pages qu'une
    reconstruction n'a pas réécrites)."""
    assert step.__doc__ and len(step.__doc__.split()) > 15, f"{step.__name__} : pourquoi ?"
    page = PAGE
    for previous in STEPS[: STEPS.index(step)]:
        page = previous(page)
    once = step(page)
    assert once != page, f"{step.__name__} ne change rien à la page d'essai"
    assert step(once) == once
    assert step(fix_page(PAGE)) == fix_page(PAGE)


def test_the_pass_leaves_nothing_the_checkers_refuse() -> None:
    """Toutes les étapes sont dans ``STEPS`` : après la passe, plus rien de ce que refusent
    le vérificateur du W3C et axe-core."""
    page = fix_page(PAGE)
    for refused in (MYST_NB_SUMMARY, "<summary>\n<p ", "<label aria-controls", 'autocorrect="off"'):
        assert refused not in page, refused
    assert '<span class="expanded admonition-title">' in page and 'type="radio" aria-controls=' in page


def test_fix_site_rewrites_only_the_pages_that_change(tmp_path: Path) -> None:
    page = tmp_path / "sub" / "page.html"
    page.parent.mkdir()
    page.write_text(PAGE, encoding="utf-8")
    clean = tmp_path / "propre.html"
    clean.write_text("<p>rien à faire</p>", encoding="utf-8")
    other = tmp_path / "notes.txt"
    other.write_text(SEARCH, encoding="utf-8")
    os.utime(clean, ns=(0, 0))
    fix_site(tmp_path)
    assert page.read_text(encoding="utf-8") == fix_page(PAGE) != PAGE
    assert clean.stat().st_mtime_ns == 0, "une page inchangée n'est pas réécrite"
    assert other.read_text(encoding="utf-8") == SEARCH, "seules les pages .html"


def _app(folder: Path, builder: str) -> Any:
    return SimpleNamespace(outdir=str(folder), builder=SimpleNamespace(format=builder))


def test_the_pass_runs_after_a_successful_html_build_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    fix_pages(_app(tmp_path, "latex"), None)
    fix_pages(_app(tmp_path, "html"), RuntimeError("échec"))
    assert page.read_text(encoding="utf-8") == PAGE
    fix_pages(_app(tmp_path, "html"), None)
    assert page.read_text(encoding="utf-8") == fix_page(PAGE)


def test_one_hook_for_the_whole_pass() -> None:
    connected: list[tuple[str, Any]] = []
    app = SimpleNamespace(connect=lambda event, handler, **options: connected.append((event, handler)))
    html_pass.setup(app)
    assert connected == [("build-finished", fix_pages)]
