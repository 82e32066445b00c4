"""tp2_book/typography.py : espaces fines insécables et formules soudées."""

from __future__ import annotations

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from tp2_book.typography import NARROW_NBSP, NOWRAP, FrenchTypography, french_spaces


def test_french_spaces_before_high_punctuation_and_inside_quotes() -> None:
    text = french_spaces("le coût ; la perte : « vrai » ? oui !")
    n = NARROW_NBSP
    assert text == f"le coût{n}; la perte{n}: «{n}vrai{n}»{n}? oui{n}!"
    # Rien à changer : ponctuation collée (heure, URL, code), ou sans espace avant.
    for unchanged in ("http://exemple", "a:b", "fin.", "2,5"):
        assert french_spaces(unchanged) == unchanged


def document_with(*children: nodes.Node) -> nodes.document:
    document = new_document("essai", get_default_settings(Parser))
    document += nodes.paragraph("", "", *children)
    return document


def test_transform_keeps_code_and_glues_formulas_to_their_punctuation() -> None:
    document = document_with(
        nodes.Text("vers "),
        nodes.math(text="c"),
        nodes.Text(" ; puis "),
        nodes.literal(text="a ; b"),
        nodes.Text(" et "),
        nodes.math(text="p"),
        nodes.Text(". Fin"),
    )
    FrenchTypography(document).run()
    paragraph = document[0]
    groups = list(paragraph.findall(lambda n: isinstance(n, nodes.inline) and NOWRAP in n["classes"]))
    assert [g.astext() for g in groups] == [f"c{NARROW_NBSP};", "p."]
    assert [type(child).__name__ for child in groups[0]] == ["math", "Text"]
    # Le code garde ses espaces, et le texte qui suit la ponctuation reste à sa place.
    assert next(iter(paragraph.findall(nodes.literal))).astext() == "a ; b"
    assert paragraph.astext() == f"vers c{NARROW_NBSP}; puis a ; b et p. Fin"


def test_formula_without_punctuation_is_left_alone() -> None:
    document = document_with(nodes.math(text="x"), nodes.Text(" vaut 2"))
    FrenchTypography(document).run()
    assert not list(document.findall(nodes.inline))
    assert document.astext() == "x vaut 2"
