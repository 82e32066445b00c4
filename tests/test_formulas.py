"""Les formules composées à la construction (``book/_ext/tp2_book/formulas.py``) : un seul
processus Node pour toutes, les commandes du livre, une erreur qui nomme la formule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError
from tp2_book.formulas import _WOFF2_ONLY, KaTeX, node_modules, valid_mathml


@pytest.fixture
def katex():
    renderer = KaTeX()
    yield renderer
    renderer.close()


def test_a_formula_arrives_as_html_and_mathml_with_its_source(katex: KaTeX) -> None:
    html = katex.render(r"\frac{\partial L}{\partial \boldsymbol{\theta}}", False, "essai")
    assert html.startswith('<span class="katex">') and '<span class="katex-html"' in html
    assert '<annotation encoding="application/x-tex">\\frac{\\partial L}' in html
    assert "<mfrac>" in html and "katex-display" not in html
    assert 'class="katex-display"' in katex.render("x^2", True, "essai")


def test_the_books_commands_are_understood(katex: KaTeX) -> None:
    """Les termes colorés du chapitre 1 (``\\class``, la commande de MathJax) et le texte accentué."""
    html = katex.render(r"\class{tpvert}{\partial L} + \text{entrée}", False, "essai")
    assert re.search(r'class="[^"]*\btpvert\b', html), html[:400]


def test_a_wrong_formula_stops_the_build_and_names_it(katex: KaTeX) -> None:
    with pytest.raises(ExtensionError, match=r"chapitre 9, ligne 3 : .*\n  formule : \\frac\{1"):
        katex.render(r"\frac{1", True, "chapitre 9, ligne 3")
    # Une commande que KaTeX ignore n'est pas dessinée en rouge : c'est une erreur.
    with pytest.raises(ExtensionError, match=r"\\nimportequoi"):
        katex.render(r"\nimportequoi{x}", False, "essai")
    # Le processus sert encore après une erreur.
    assert "katex" in katex.render("y", False, "essai")


def test_each_formula_is_composed_once(katex: KaTeX) -> None:
    first = katex.render("a+b", False, "essai")
    process = katex._process
    katex.close()
    assert katex.render("a+b", False, "essai") is first and katex._process is None, "formule tirée du cache"
    assert process is not None and process.returncode == 0


def test_missing_katex_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tp2_book.formulas.node_modules", lambda: tmp_path / "katex" / "node_modules")
    with pytest.raises(ExtensionError, match=r"KaTeX absent de .*npm ci"):
        KaTeX().render("x", False, "essai")


def test_the_stylesheet_keeps_only_woff2_fonts() -> None:
    css = (node_modules() / "katex" / "dist" / "katex.min.css").read_text(encoding="utf-8")
    lean = _WOFF2_ONLY.sub("", css)
    assert ".ttf" in css and ".ttf" not in lean and ".woff)" not in lean
    assert lean.count(".woff2") == css.count(".woff2") > 10


def test_the_mathml_fits_the_html_schema(katex: KaTeX) -> None:
    """Ce que le vérificateur du W3C refusait dans le MathML de KaTeX (tests/test_html.py)."""
    html = katex.render(r"2/\lambda_{\max}", False, "essai")
    assert "<msub><mi>λ</mi><mrow><mi>max</mi><mo>\u2061</mo></mrow></msub>" in html, html
    aligned = katex.render(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True, "essai")
    assert "<mtable" in aligned and 'columnspacing=""' not in aligned
    assert valid_mathml("<msub><mi>x</mi><mi>i</mi></msub>") == "<msub><mi>x</mi><mi>i</mi></msub>"
