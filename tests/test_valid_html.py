"""``valid_html`` : la page de redirection ``index.html`` (le site entier est vérifié par
``test_html.py`` ; les retouches des autres pages, par ``test_html_pass.py``)."""

from __future__ import annotations

from tp2_book.valid_html import redirect_page


def test_redirect_page_is_a_complete_french_document() -> None:
    page = redirect_page("book/intro.html", "TP 2 — <Graphe>", "fr")
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<title>TP 2 — &lt;Graphe&gt;</title>" in page
    assert 'content="0; url=book/intro.html"' in page and '<a href="book/intro.html">' in page
