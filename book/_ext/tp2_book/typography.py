"""Extension Sphinx locale : la typographie française des pages HTML.

Dans une page, un navigateur peut couper la ligne à chaque espace ordinaire : « ; », « : »,
« ? », « ! » ou « » » se retrouvaient seuls en début de ligne, et un point ou une virgule
aussi après une formule ($c$.), composée comme un bloc à part. Ici :

- l'espace avant « ; : ? ! » et avant « » », comme celle qui suit « « », devient une espace
  fine insécable (U+202F), que le navigateur ne coupe pas ;
- une formule en ligne suivie d'une ponctuation est regroupée avec elle dans un
  ``<span class="tp2-insecable">`` (``white-space: nowrap``, dans ``tp2-lisibilite.css``).

Le code (cellules, sorties texte, ``code`` en ligne) n'est pas touché, ni le PDF : babel,
en français, y place lui-même ces espaces. Les légendes des figures, qui sont des sorties
de cellules, le sont. C'est une transformation du doctree, et non une étape de la passe
``html_pass`` sur les pages écrites : seul le doctree distingue le code de la prose.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

NARROW_NBSP = "\u202f"
#: Espace(s) ordinaire(s) avant une ponctuation haute ou un guillemet fermant.
SPACE_BEFORE = re.compile(r"[ \u00a0]+(?=[;:?!»])")
#: Espace(s) ordinaire(s) après un guillemet ouvrant.
SPACE_AFTER = re.compile(r"(?<=«)[ \u00a0]+")
#: La ponctuation qui suit une formule et ne doit pas en être séparée.
TRAILING = re.compile(r"^(?:[ \u00a0\u202f]?[;:?!»]|[.,)\]…])+")
#: Nœuds dont le texte est du code ou du texte brut : on n'y touche pas.
UNTOUCHED = (
    nodes.literal,
    nodes.literal_block,
    nodes.raw,
    nodes.comment,
    nodes.math,
    nodes.math_block,
    nodes.doctest_block,
)
NOWRAP = "tp2-insecable"


def french_spaces(text: str) -> str:
    """Les espaces d'un texte français rendues fines et insécables là où il faut."""
    return SPACE_AFTER.sub(
        NARROW_NBSP, SPACE_BEFORE.sub(NARROW_NBSP, text)
    )


def _untouched(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, UNTOUCHED):
            return True
        parent = parent.parent
    return False


class FrenchTypography(SphinxPostTransform):
    """Espaces fines insécables et formules soudées à leur ponctuation (HTML seulement)."""

    default_priority = (
        900  # après les titres d'exercices et les valeurs collées
    )
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for text in list(self.document.findall(nodes.Text)):
            if text.parent is None or _untouched(text):
                continue
            changed = french_spaces(str(text))
            if changed != str(text):
                text.parent.replace(text, nodes.Text(changed))
        for math in list(self.document.findall(nodes.math)):
            parent = math.parent
            if parent is None or _untouched(math):
                continue
            if (
                isinstance(parent, nodes.inline)
                and NOWRAP in parent["classes"]
            ):
                continue  # déjà regroupée
            index = parent.index(math)
            after = (
                parent[index + 1]
                if index + 1 < len(parent)
                else None
            )
            if not isinstance(after, nodes.Text):
                continue
            punctuation = TRAILING.match(str(after))
            if punctuation is None:
                continue
            rest = str(after)[punctuation.end() :]
            group = nodes.inline(classes=[NOWRAP])
            parent.replace(math, group)
            group += math
            group += nodes.Text(punctuation.group(0))
            if rest:
                parent.replace(after, nodes.Text(rest))
            else:
                parent.remove(after)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(FrenchTypography)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
