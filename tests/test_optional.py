"""Les encadrés facultatifs : une seule convention, que la page, le PDF et les notebooks
honorent, et une ligne principale qui n'en a pas besoin (``tp2_book.optional``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from helpers import CHAPTERS, names_in
from sphinx.errors import ExtensionError
from tp2_book import conventions
from tp2_book.markdown import MarkdownState, to_markdown
from tp2_book.optional import (
    CLOSING,
    CSS_CLASS,
    OPENING,
    PREFIX,
    MergeOptionalBlocks,
    OptionalEndNode,
    OptionalStartNode,
)


def document(*children: nodes.Node) -> nodes.document:
    doc = new_document("essai", get_default_settings(Parser))
    section = nodes.section()
    section.extend(children)
    doc += section
    return doc


def merge(doc: nodes.document) -> nodes.document:
    MergeOptionalBlocks(doc).apply()
    return doc


def test_the_cells_between_the_markers_go_into_one_folded_box() -> None:
    doc = merge(
        document(
            nodes.paragraph(text="avant"),
            OptionalStartNode(title="Les rouages"),
            nodes.paragraph(text="dedans"),
            nodes.container(classes=["cell"]),
            OptionalEndNode(),
            nodes.paragraph(text="après"),
        )
    )
    section = doc.children[0]
    assert [type(c).__name__ for c in section.children] == ["paragraph", "admonition", "paragraph"]
    box = section.children[1]
    assert box["classes"] == ["dropdown", CSS_CLASS]
    assert box.children[0].astext() == PREFIX + "Les rouages"
    assert [c.astext() for c in box.children[1:2]] == ["dedans"] and len(box.children) == 3
    assert not list(doc.findall(OptionalStartNode)) and not list(doc.findall(OptionalEndNode))


@pytest.mark.parametrize(
    ("children", "message"),
    [
        ([OptionalStartNode(title="A"), nodes.paragraph(text="x")], "sans {optional-end}"),
        (
            [
                OptionalStartNode(title="A"),
                OptionalStartNode(title="B"),
                OptionalEndNode(),
                OptionalEndNode(),
            ],
            "ouvert dans un autre",
        ),
        ([nodes.paragraph(text="x"), OptionalEndNode()], "sans {optional-start}"),
    ],
    ids=["sans fin", "emboîtés", "fin seule"],
)
def test_a_malformed_box_stops_the_build_with_a_clear_error(children, message) -> None:
    with pytest.raises(ExtensionError, match=re.escape(message)):
        merge(document(*children))


def test_the_notebooks_mark_where_a_box_opens_and_ends() -> None:
    state = MarkdownState(student=True)
    text = to_markdown("Avant.\n\n```{optional-start} Les rouages\n```\n\nDedans.", state)
    text += "\n" + to_markdown("Encore.\n\n```{optional-end}\n```\n\nAprès.", state)
    assert OPENING.format(title="Les rouages") in text and CLOSING.format(title="Les rouages") in text
    assert "{optional" not in text
    assert text.index("Dedans") < text.index("*Fin de l'encadré «") < text.index("Après")


def boxes(chapter: Path) -> list[tuple[str, list[str]]]:
    """Chaque encadré du chapitre : son titre et les lignes de prose qu'il contient."""
    found: list[tuple[str, list[str]]] = []
    gate = conventions.OptionalGate()
    for cell in conventions.read(chapter):
        if cell.cell_type != "markdown":
            continue
        for line, title in gate.lines(cell.source):
            if title is None:
                continue
            if not found or found[-1][0] != title or "{optional-start}" in line:
                found.append((title, []))
            found[-1][1].append(line)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_boxes_open_and_close_and_hold_no_heading(chapter: Path) -> None:
    text = "\n".join(c.source for c in conventions.read(chapter) if c.cell_type == "markdown")
    starts = len(re.findall(r"^`{3,}\{optional-start\}", text, re.MULTILINE))
    ends = len(re.findall(r"^`{3,}\{optional-end\}", text, re.MULTILINE))
    assert starts == ends, f"{chapter.name} : {starts} ouverture(s), {ends} fermeture(s)"
    for title, lines in boxes(chapter):
        headings = [line for line in lines if re.match(r"^#{1,6} ", line)]
        assert not headings, f"{chapter.name}, encadré « {title} » : un titre de section {headings}"
    # L'ancienne forme, un seul bloc replié « Pour aller plus loin », n'est plus employée.
    assert not re.search(r"\{admonition\} Pour aller plus loin", text), chapter.name


def assigned(source: str) -> set[str]:
    """Les noms qu'une cellule définit (affectations, fonctions, classes, imports)."""
    return names_in(source)[0]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_main_line_needs_nothing_computed_in_a_box(chapter: Path) -> None:
    """Une cellule hors encadré ne lit aucun nom défini seulement dans un encadré, et la
    prose hors encadré ne cite aucune valeur collée dans un encadré."""
    cells = conventions.read(chapter)
    code = [c for c in cells if c.cell_type == "code"]
    main_defined = set().union(*(assigned(c.source) for c in code if c.optional is None))
    box_only = set().union(*(assigned(c.source) for c in code if c.optional is not None)) - main_defined
    problems = []
    for cell in code:
        if cell.optional is None:
            read = names_in(cell.source)[1] & box_only
            if read:
                problems.append(f"{sorted(read)} lus par :\n{cell.source[:160]}")
    glued_in_boxes = set()
    for cell in code:
        if cell.optional is not None:
            glued_in_boxes |= set(re.findall(r"glue(?:_text|_figure)?\(\s*[\"'](\w+)[\"']", cell.source))
    gate = conventions.OptionalGate()
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        for line, title in gate.lines(cell.source):
            if title is None:
                cited = set(re.findall(r"\{glue:(?:md|figure)\}`?\s*(\w+)", line)) & glued_in_boxes
                if cited:
                    problems.append(f"la prose hors encadré cite {sorted(cited)} : {line.strip()[:80]}")
    assert not problems, f"{chapter.name} :\n" + "\n\n".join(problems)


def test_the_independence_rule_sees_a_dependency() -> None:
    assert {"gap", "f"} <= assigned("gap = 1.0\ndef f(): pass")
    assert "gap" in names_in("print(gap)")[1]
