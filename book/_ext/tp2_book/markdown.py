"""La prose MyST d'un chapitre rendue lisible dans Jupyter ou un éditeur (notebooks des éditions).

Jupyter n'interprète pas MyST : les blocs ``{exercise}``, ``{solution}`` et les encadrés
deviennent des citations Markdown, les rôles (``{term}``, ``{numref}``, ``{glue:md}``…)
leur texte, les titres prennent le numéro que Sphinx leur donne dans le livre. Un bloc
``{only} notebook`` est gardé, un bloc ``{only} html`` retiré. Un encadré facultatif
(``{optional-start}`` … ``{optional-end}``) est borné par deux lignes (``optional.OPENING``
et ``optional.CLOSING``) ; un ``{literalinclude}`` avec ``:pyobject:`` devient le bloc de
code qu'il montre dans la page. Dans l'édition étudiant, la
prose des solutions est retirée (``conventions.SolutionGate`` dit laquelle), le squelette
quitte l'énoncé de l'exercice (il devient la cellule de code à compléter), et une question
écrite reçoit une cellule « Votre réponse » (``ANSWER``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tp2_book.conventions import (
    DIRECTIVE,
    PYTHON_FENCE,
    SolutionGate,
    included_source,
    reading_text,
)
from tp2_book.conventions import (
    OPTIONAL_CLOSING as CLOSING,
)
from tp2_book.conventions import (
    OPTIONAL_OPENING as OPENING,
)

_FENCE = re.compile(r"^(`{3,}|:{3,})")
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_SUBSTITUTION = re.compile(
    r"\{\{\s*(\w+)\s*\}\}"
)  # {{ date_construction }}
#: La ligne qui, dans la prose rendue, marque la place d'une cellule de réponse.
ANSWER = "<!-- tp2 : votre réponse -->"
#: Directives rendues en citation, et leur titre par défaut.
_QUOTED = {
    "exercise": "Exercice",
    "admonition": "",
    "important": "Important",
    "note": "Remarque",
    "warning": "Attention",
    "tip": "Astuce",
}


@dataclass
class _Block:
    """Un bloc délimité ouvert dans la prose : sa clôture et ce qu'on en fait."""

    fence: str
    kind: str  # "quote" (citation), "drop" (retiré), "plain" (clôtures retirées) ou "other"
    options: bool = (
        True  # les lignes « :clé: valeur » du début de la directive
    )
    name: str = ""  # la directive (« exercise »…)
    label: str = ""  # son option :label:
    argument: str = (
        ""  # son argument (le chemin d'un literalinclude)
    )
    given: dict[str, str] = field(
        default_factory=dict
    )  # ses options, « :clé: valeur »


@dataclass
class MarkdownState:
    """L'état de la lecture de la prose d'un chapitre, d'une cellule à la suivante.

    ``glue`` : le texte des valeurs collées ; ``figures`` : « Fig. N » ou « N.M » des
    figures et sections citées ; ``substitutions`` : les substitutions MyST. Ce qui manque
    s'écrit « … ».
    """

    student: bool
    glue: Mapping[str, str] = field(default_factory=dict)
    figures: Mapping[str, str] = field(default_factory=dict)
    substitutions: Mapping[str, str] = field(default_factory=dict)
    chapter_number: int | None = (
        None  # numéro du chapitre, que le livre donne au titre
    )
    written: frozenset[str] = (
        frozenset()
    )  # les étiquettes des questions écrites
    chapter: Path | None = (
        None  # le chapitre (durée de lecture, chemins des literalinclude)
    )
    optional: str | None = (
        None  # le titre de l'encadré facultatif ouvert
    )
    blocks: list[_Block] = field(default_factory=list)
    gate: SolutionGate = field(default_factory=SolutionGate)
    section: int = 0  # dernière section numérotée

    def heading(self, line: str) -> str:
        """Les titres numérotés comme dans le livre (Sphinx les numérote, pas la source)."""
        if self.chapter_number is None or self.blocks:
            return line
        if line.startswith("# "):
            return f"# {self.chapter_number}. {line[2:]}"
        if line.startswith("## "):
            self.section += 1
            return f"## {self.chapter_number}.{self.section}. {line[3:]}"
        return line

    def quote_depth(self) -> int:
        return sum(b.kind == "quote" for b in self.blocks)


def _roles(text: str, state: MarkdownState) -> str:
    """Les rôles MyST, que Jupyter n'interprète pas, remplacés par leur texte."""

    def replace(match: re.Match[str]) -> str:
        role, content = match.groups()
        label = re.match(r"^(.*?)\s*<([^>]+)>$", content)
        if role == "glue:md":
            return state.glue.get(content, "…")
        if role == "numref":
            if label:  # « section %s <sec-…> » : %s prend le numéro, sans « Fig. »
                number = state.figures.get(
                    label.group(2), "…"
                ).removeprefix("Fig. ")
                return label.group(1).replace("%s", number)
            return state.figures.get(content, "figure")
        if role in ("term", "ref", "doc"):
            return label.group(1) if label else content
        if role == "reading-time" and state.chapter is not None:
            return reading_text(state.chapter)
        return match.group(0)

    text = _ROLE.sub(replace, text)
    return _SUBSTITUTION.sub(
        lambda m: state.substitutions.get(m.group(1), "…"), text
    )


def to_markdown(text: str, state: MarkdownState) -> str:
    """La prose d'une cellule pour un notebook ; ``state`` passe d'une cellule à la suivante."""
    out: list[str] = []

    def keep(line: str) -> None:
        depth = state.quote_depth()
        out.append(
            ("> " * depth + line).rstrip() if depth else line
        )

    for line, in_solution in state.gate.lines(text):
        if state.student and in_solution:
            continue  # la prose d'une solution
        stripped = line.strip()
        top = state.blocks[-1] if state.blocks else None
        if (
            top is not None
            and top.options
            and (
                option := re.match(r"^:([\w-]+):\s*(.*)$", stripped)
            )
        ):
            if option.group(1) == "label":
                top.label = option.group(2).strip()
            top.given[option.group(1)] = option.group(2).strip()
            continue  # options de la directive (:label:, :class:, :alt:…)
        if top is not None:
            top.options = False
        if top is not None and stripped == top.fence:
            closed = state.blocks.pop()
            if closed.kind == "other":
                keep(line)
            if closed.name == "literalinclude":
                for included in _included(closed, state):
                    keep(included)
            if (
                closed.name == "exercise"
                and state.student
                and closed.label in state.written
            ):
                out.append(ANSWER)
            continue
        directive = DIRECTIVE.match(stripped)
        fence, name, argument = (
            directive.groups() if directive else ("", "", "")
        )
        if name == "optional-start":
            state.optional = argument.strip()
            keep(OPENING.format(title=state.optional))
            state.blocks.append(_Block(fence, "drop"))
        elif name == "optional-end":
            keep(CLOSING.format(title=state.optional or "?"))
            state.optional = None
            state.blocks.append(_Block(fence, "drop"))
        elif name == "literalinclude":
            state.blocks.append(
                _Block(
                    fence,
                    "drop",
                    name=name,
                    argument=argument.strip(),
                )
            )
        elif name in ("solution-start", "solution-end"):
            state.blocks.append(_Block(fence, "drop"))
            if name == "solution-start":
                out.append("> **Solution**")
        elif any(b.kind == "drop" for b in state.blocks):
            continue
        elif name == "solution":
            keep("> **Solution**")
            keep(">")
            state.blocks.append(_Block(fence, "quote"))
        elif name in _QUOTED:
            # « Question 1.1 — … » et « Exercice 3.a — … » se suffisent ; les encadrés prennent
            # le nom de leur sorte (« Remarque — … »).
            kind = (
                ""
                if argument.startswith(("Question", "Exercice"))
                else _QUOTED[name]
            )
            title = " — ".join(t for t in (kind, argument) if t)
            keep(f"> **{title}**")
            keep(">")
            state.blocks.append(_Block(fence, "quote", name=name))
        elif name == "only":
            # Une phrase écrite pour le notebook, ou pour les pages du livre seulement.
            state.blocks.append(
                _Block(
                    fence,
                    "plain"
                    if argument.strip() == "notebook"
                    else "drop",
                )
            )
        elif (
            state.student
            and top is not None
            and top.name == "exercise"
            and PYTHON_FENCE.match(stripped)
        ):
            # Le squelette devient la cellule de code qui suit : la phrase qui l'annonçait
            # (« Complétez `f` : ») le dit, au lieu de finir sur deux points.
            _announce_skeleton(out)
            state.blocks.append(
                _Block(
                    stripped.split("python")[0],
                    "drop",
                    options=False,
                )
            )
        elif name == "glue:md":
            # Une valeur collée en bloc (un tableau Markdown) : son texte, à la place.
            for glued in state.glue.get(
                argument.strip(), "…"
            ).splitlines():
                keep(glued)
            state.blocks.append(_Block(fence, "drop"))
        elif name in (
            "tab-set",
            "tab-item",
            "glue:figure",
            "figure",
        ):
            # Les figures en onglets du livre : leur légende, sans les onglets ni l'image.
            state.blocks.append(_Block(fence, "plain"))
        elif (
            re.match(r"^\([\w-]+\)=$", stripped)
            and not state.blocks
        ):
            continue  # une cible de renvoi MyST, « (chap-optim)= »
        elif _FENCE.match(stripped):
            # Un bloc de code ou de formule : gardé tel quel.
            keep(line)
            state.blocks.append(
                _Block(
                    _FENCE.match(stripped).group(1),
                    "other",
                    options=False,
                )
            )
        else:
            keep(state.heading(line))
    return _roles(_tidy(out), state)


def _included(block: _Block, state: MarkdownState) -> list[str]:
    """Le code d'un ``{literalinclude}`` (``:pyobject:``), en bloc ``python``, sous sa légende."""
    pyobject = block.given.get("pyobject")
    if state.chapter is None or not pyobject:
        raise ValueError(
            f"{{literalinclude}} {block.argument} : les notebooks ne savent montrer qu'un objet "
            "(:pyobject:) d'un chapitre dont le dossier est connu"
        )
    code = included_source(
        state.chapter.parent, block.argument, pyobject
    )
    caption = block.given.get("caption")
    return [
        *([f"*{caption}*", ""] if caption else []),
        "```python",
        *code.splitlines(),
        "```",
    ]


#: Ce que dit, dans l'édition étudiant, la phrase qui annonçait le squelette.
SKELETON_NOTE = (
    " — le squelette est dans la cellule de code ci-dessous."
)


def _announce_skeleton(out: list[str]) -> None:
    """La dernière phrase écrite, si elle finit par « : », renvoie au squelette."""
    for i in range(len(out) - 1, -1, -1):
        text = out[i].rstrip()
        if text.lstrip("> ").strip():
            if text.endswith(":"):
                out[i] = text[:-1].rstrip() + SKELETON_NOTE
            return


def _tidy(lines: list[str]) -> str:
    """Sans lignes vides en double, ni ligne de citation vide en fin de citation (ce que
    laisse un bloc retiré)."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if line == ">" and (
            not after.startswith(">") or (kept and kept[-1] == ">")
        ):
            continue
        if not line.strip() and kept and not kept[-1].strip():
            continue
        kept.append(line)
    return "\n".join(kept).strip("\n")
