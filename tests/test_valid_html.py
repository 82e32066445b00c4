"""Les corrections de ``valid_html`` : résumés de cellules, onglets, champs de recherche,
page de redirection (le site entier est vérifié par ``test_html.py``)."""

from __future__ import annotations

from pathlib import Path

from tp2_book.valid_html import redirect_page, strip_autocorrect, valid_body

SUMMARY = """<details class="admonition hide above-input">
<summary>
<p class="collapsed admonition-title">Afficher le code</p>
<p class="expanded admonition-title">Masquer le code</p>
</summary>
<div class="cell_input"><p>du code</p></div>"""

TAB = """<input checked="checked" id="sd-tab-item-0" name="sd-tab-set-0" type="radio">
<label aria-controls="sd-tab-item-0-content" class="sd-tab-label" for="sd-tab-item-0">
1</label>"""


def test_cell_summaries_hold_spans_not_paragraphs() -> None:
    body = valid_body(SUMMARY)
    assert '<span class="collapsed admonition-title">Afficher le code</span>' in body
    assert '<span class="expanded admonition-title">Masquer le code</span>' in body
    assert "<p>du code</p>" in body, "hors du résumé, rien ne change"


def test_tab_aria_controls_moves_to_the_radio_button() -> None:
    body = valid_body(TAB)
    assert 'type="radio" aria-controls="sd-tab-item-0-content">' in body
    assert '<label class="sd-tab-label" for="sd-tab-item-0">' in body


def test_redirect_page_is_a_complete_french_document() -> None:
    page = redirect_page("book/intro.html", "TP 2 — <Graphe>", "fr")
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<title>TP 2 — &lt;Graphe&gt;</title>" in page
    assert 'content="0; url=book/intro.html"' in page and '<a href="book/intro.html">' in page


def test_search_inputs_lose_autocorrect(tmp_path: Path) -> None:
    page = tmp_path / "sub" / "page.html"
    page.parent.mkdir()
    page.write_text('<input type="search"\n  name="q"\n  autocorrect="off"\n  spellcheck="false"/>')
    strip_autocorrect(tmp_path)
    assert page.read_text() == '<input type="search"\n  name="q"\n  spellcheck="false"/>'
