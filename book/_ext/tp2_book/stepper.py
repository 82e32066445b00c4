"""Extension Sphinx : une figure que le lecteur parcourt étape par étape (« précédente »,
« suivante »), au lieu d'une rangée d'onglets.

Dans la source, la directive ``{stepper}`` contient une figure collée par étape
(``{glue:figure}`` sans ``:name:``, dont la légende décrit l'étape), puis la légende de la
figure entière ::

    ::::{stepper}
    :name: fig-backward
    :::{glue:figure} backward_1
    :alt: …
    **Étape 1.** …
    :::
    …
    La passe arrière de l'auto-encodeur, étape par étape.
    ::::

Elle devient une seule figure numérotée (« Fig. 1.4 », citée par ``{numref}``) :

- **dans la page**, ``tp2-etapes.js`` n'en montre qu'une étape à la fois, avec deux
  boutons et « Étape 3 sur 12 » annoncé aux lecteurs d'écran ; les flèches du clavier font
  de même. Sans JavaScript, les étapes se suivent ;
- **dans le PDF**, la figure garde l'image de la dernière étape et sa légende, suivie des
  étapes en séquence, chacune avec son texte ;
- **dans les notebooks**, la cellule qui trace les étapes les affiche l'une après l'autre,
  et ``tp2_book.markdown`` garde le texte de chaque étape.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

SCRIPT = "tp2-etapes.js"
#: Classes HTML : la figure entière, une étape, le texte d'une étape.
FIGURE_CLASS, STEP_CLASS, TEXT_CLASS = (
    "tp2-stepper",
    "tp2-step",
    "tp2-step-text",
)
IMAGE_CLASS = "tp2-step-image"


class Stepper(SphinxDirective):
    has_content = True
    option_spec = {"name": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        parsed = nodes.Element()
        self.state.nested_parse(
            self.content, self.content_offset, parsed
        )
        frames = [
            child
            for child in parsed.children
            if isinstance(child, nodes.figure)
        ]
        rest = [
            child
            for child in parsed.children
            if not isinstance(child, nodes.figure)
        ]
        if len(frames) < 2:
            raise self.error(
                "{stepper} : il faut au moins deux figures d'étape ({glue:figure})"
            )
        if not rest:
            raise self.error(
                "{stepper} : la légende de la figure entière manque (après les étapes)"
            )
        figure = nodes.figure(classes=[FIGURE_CLASS])
        self.set_source_info(figure)
        for number, frame in enumerate(frames, start=1):
            step = nodes.container(classes=[STEP_CLASS])
            picture = nodes.container(
                classes=[IMAGE_CLASS]
            )  # défile seul, sur un téléphone
            texts = []
            for child in list(frame.children):
                frame.remove(child)
                if isinstance(
                    child, nodes.caption
                ):  # le texte de l'étape, sous son image
                    text = nodes.paragraph(classes=[TEXT_CLASS])
                    text.extend(child.children)
                    texts.append(text)
                else:  # l'image, ou le paquet de ses formats (SVG, PDF) que MyST-NB choisira
                    picture += child
            if not texts:
                raise self.error(
                    f"{{stepper}} : l'étape {number} n'a pas de légende"
                )
            step += picture
            step.extend(texts)
            figure += step
        caption = nodes.caption()
        for node in rest:
            caption.extend(
                node.children
                if isinstance(node, nodes.paragraph)
                else [node]
            )
        figure += caption
        self.add_name(figure)
        return [figure]


class StepsInSequence(SphinxPostTransform):
    """PDF : la figure garde la dernière étape et la légende, puis les étapes se suivent,
    chacune avec son texte (une figure flottante de douze images ne tiendrait sur aucune
    page)."""

    builders = ("latex",)
    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        for figure in list(self.document.findall(nodes.figure)):
            if FIGURE_CLASS not in figure["classes"]:
                continue
            steps = [
                child
                for child in figure.children
                if STEP_CLASS in child.get("classes", [])
            ]
            final = next(steps[-1].findall(nodes.image)).deepcopy()
            final["width"] = "70%"
            sequence = nodes.container(classes=["tp2-steps-latex"])
            for step in steps:
                figure.remove(step)
                for image in step.findall(nodes.image):
                    image["width"] = (
                        "80%"  # un texte de 6 pt au moins, imprimé
                    )
                    image["align"] = "center"
                sequence.extend(step.children)
            figure.insert(0, final)
            figure.parent.insert(
                figure.parent.index(figure) + 1, sequence
            )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("stepper", Stepper)
    app.add_post_transform(StepsInSequence)
    app.add_js_file(SCRIPT, loading_method="defer")
    # env_version : changer la structure produite fait relire les pages (sans ré-exécuter).
    return {
        "env_version": 3,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
