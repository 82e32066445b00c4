"""Extension Sphinx : les encadrés facultatifs « Pour aller plus loin », repliés dans la page.

La ligne principale d'un chapitre est ce que le TP demande ; ce qui va plus loin (les
rouages d'autograd, les autopsies numériques, les mesures de temps…) est rangé dans des
encadrés facultatifs, qui peuvent contenir de la prose **et des cellules de code**. Un
encadré s'étend donc sur plusieurs cellules Jupytext : il s'ouvre par une directive et se
ferme par une autre, dans deux cellules de prose ::

    # ```{optional-start} L'ordre d'exécution des nœuds
    # ```
    # … prose, cellules de code, figures …
    # ```{optional-end}
    # ```

Les trois éditions l'honorent :

- **la page** : un encadré replié (classe ``dropdown``, que sphinx-togglebutton replie au
  chargement), titré « Pour aller plus loin : … » ;
- **le PDF** : le même encadré, déplié, titré de même ;
- **les notebooks** : ``tp2_book.markdown`` écrit une ligne d'ouverture et une ligne de
  fin autour des cellules (``OPENING`` et ``CLOSING``).

Règles, vérifiées à la construction (une erreur arrête le livre) : chaque ouverture a sa
fermeture, dans la même section (pas de titre ``##`` dans un encadré, dont le titre tient
lieu), et les encadrés ne s'emboîtent pas. ``tp2_book.conventions`` dit quelles cellules
sont dans un encadré ; les tests vérifient que la ligne principale n'en a pas besoin.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

from tp2_book.conventions import (
    OPTIONAL_CLOSING,
    OPTIONAL_OPENING,
    OPTIONAL_PREFIX,
)

#: Le titre d'un encadré facultatif, et les lignes qui le bornent dans les notebooks : une
#: seule définition, dans ``conventions`` (que les notebooks lisent sans Sphinx).
PREFIX, OPENING, CLOSING = (
    OPTIONAL_PREFIX,
    OPTIONAL_OPENING,
    OPTIONAL_CLOSING,
)
#: La classe HTML de l'encadré (la feuille de style du livre la met en forme).
CSS_CLASS = "tp2-optional"


class OptionalStartNode(nodes.Element):
    """Marque l'ouverture d'un encadré ; remplacée par l'encadré lui-même."""


class OptionalEndNode(nodes.Element):
    """Marque la fermeture d'un encadré ; retirée."""


class OptionalStart(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = False

    def run(self) -> list[nodes.Node]:
        node = OptionalStartNode(title=self.arguments[0].strip())
        self.set_source_info(node)
        return [node]


class OptionalEnd(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        node = OptionalEndNode()
        self.set_source_info(node)
        return [node]


def _where(node: nodes.Node) -> str:
    return f"{node.source or '?'}:{node.line or '?'}"


class MergeOptionalBlocks(SphinxTransform):
    """Range tout ce qui est entre ``optional-start`` et ``optional-end`` dans un encadré.

    Passe après la fusion des solutions de sphinx-exercise (priorité 10) : une solution
    entière peut se trouver dans un encadré.
    """

    default_priority = 15

    def apply(self, **kwargs: Any) -> None:
        for start in list(self.document.findall(OptionalStartNode)):
            parent = start.parent
            index = parent.index(start)
            end_index = None
            for offset, sibling in enumerate(
                parent.children[index + 1 :], start=index + 1
            ):
                if isinstance(sibling, OptionalStartNode):
                    raise ExtensionError(
                        f"{_where(sibling)} : encadré facultatif ouvert dans un autre (ouvert en "
                        f"{_where(start)}) ; fermez le premier par {{optional-end}}"
                    )
                if isinstance(sibling, OptionalEndNode):
                    end_index = offset
                    break
            if end_index is None:
                raise ExtensionError(
                    f"{_where(start)} : encadré facultatif « {start['title']} » sans "
                    "{optional-end} dans la même section (pas de titre ## dans un encadré)"
                )
            title = PREFIX + start["title"]
            box = nodes.admonition(
                "", classes=["dropdown", CSS_CLASS]
            )
            box.source, box.line = start.source, start.line
            box += nodes.title(title, title)
            inside = parent.children[index + 1 : end_index]
            parent.children[index : end_index + 1] = [box]
            box.parent = parent
            for child in inside:
                box += child  # déplacé, pas copié : ses ids et ses renvois restent
        for end in self.document.findall(OptionalEndNode):
            raise ExtensionError(
                f"{_where(end)} : {{optional-end}} sans {{optional-start}} avant lui"
            )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(OptionalStartNode)
    app.add_node(OptionalEndNode)
    app.add_directive("optional-start", OptionalStart)
    app.add_directive("optional-end", OptionalEnd)
    app.add_transform(MergeOptionalBlocks)
    # env_version : changer la structure produite fait relire les pages (sans ré-exécuter).
    return {
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
