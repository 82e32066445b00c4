"""Extension Sphinx locale : sphinx-exercise avec des titres en bon français.

La traduction française livrée avec sphinx-exercise produit « Solution de Exercice (…) »,
titre long qui bute sur « Cliquez pour afficher » ; les solutions s'intitulent ici
« Solution de la question 1.1 » ou « Solution de l'exercice 3.a », avec un lien vers
l'exercice, et un exercice s'intitule par son nom (« Question 1.1 — … »), sans
« Exercice (…) » autour.
Sphinx fusionne les catalogues de traduction d'un même domaine en gardant le premier
chargé comme prioritaire : on enregistre donc notre catalogue (``locales/``) *avant* de
charger sphinx-exercise, qui est chargé par cette extension (et non par
``extra_extensions``). Le ``.mo`` est compilé à partir du ``.po`` à chaque construction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

CATALOG = "exercise"  # domaine de traduction de sphinx-exercise
#: Les ids que sphinx-exercise donne à la section de chaque exercice et de chaque solution.
REPEATED_IDS = ("exercise-content", "solution-content")
#: Un titre d'exercice qui se suffit : « Question 1.1 — … » (l'énoncé), « Exercice 3.a — … »
#: (le livre), « Question 2 (suite) — … ».
NAMED = re.compile(
    r"(Question|Exercice) ([^\s(—]+(?: \((?:suite|fin)\))?) —"
)


class BareExerciseTitles(SphinxPostTransform):
    """« Exercice (Question 1.1 — …) » devient « Question 1.1 — … », et « Exercice
    (Exercice 3.a — …) » « Exercice 3.a — … » : le titre donné nomme déjà l'exercice.

    Passe juste après ``ResolveTitlesInExercises`` de sphinx-exercise (même priorité,
    enregistrée après elle), qui a écrit « Exercice (titre) ».
    """

    default_priority = 20

    def run(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import exercise_node

        for node in self.document.findall(exercise_node):
            title = node.children[0] if node.children else None
            if (
                not isinstance(title, nodes.title)
                or len(title.children) < 3
            ):
                continue
            inner = title.children[
                2:-1
            ]  # entre « Exercice ( » et « ) »
            if NAMED.match(
                "".join(child.astext() for child in inner).strip()
            ):
                title.children = []
                for child in inner:
                    title += child


class ShortSolutionTitles(SphinxPostTransform):
    """« Solution : Question 2 — … » devient « Solution de la question 2 », et « Solution :
    Exercice 3.a — … », « Solution de l'exercice 3.a », avec un lien vers l'exercice.

    Passe juste après ``ResolveTitlesInSolutions`` de sphinx-exercise (priorité 21), qui a
    construit le titre : texte « Solution : » puis lien vers l'exercice.
    """

    default_priority = 22

    def run(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import solution_node

        for node in self.document.findall(solution_node):
            title = node.children[0] if node.children else None
            if not isinstance(title, nodes.title):
                continue
            reference = next(
                iter(title.findall(nodes.reference)), None
            )
            # Le lien porte le titre d'origine, « Exercice (Question 1.1 — …) ».
            named = (
                NAMED.search(reference.astext())
                if reference is not None
                else None
            )
            if named is None:
                continue  # exercice sans nom : titre de sphinx-exercise gardé
            kind, number = named.groups()
            link = reference.copy()  # même cible, nouveau texte
            link.children = []
            link += nodes.Text(f"{kind.lower()} {number}")
            title.children = []
            title += nodes.Text(
                "Solution de la "
                if kind == "Question"
                else "Solution de l'"
            )
            title += link
            node["title"] = title.astext()


class DropRepeatedIds(SphinxPostTransform):
    """sphinx-exercise donne à la section qui porte le texte de chaque exercice l'id
    ``exercise-content`` (``solution-content`` pour une solution) : le même id revient
    dans chaque bloc d'une page (W3C Nu : « Duplicate ID » ; aucun ticket trouvé chez
    executablebooks/sphinx-exercise). Ni lien, ni style, ni script ne s'en sert : on le
    retire. L'exercice et la solution gardent leur propre id (``ex-1b``…).
    """

    default_priority = 22

    def run(self, **kwargs: Any) -> None:
        for section in self.document.findall(nodes.section):
            section["ids"] = [
                i for i in section["ids"] if i not in REPEATED_IDS
            ]


def setup(app: Sphinx) -> dict[str, Any]:
    source = Path(__file__).with_name("locales")
    compiled = Path(app.doctreedir) / "tp2-locales"
    for po in source.glob(f"*/LC_MESSAGES/{CATALOG}.po"):
        mo = compiled / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f_in, mo.open("wb") as f_out:
            write_mo(f_out, read_po(f_in))
    app.add_message_catalog(CATALOG, str(compiled))
    app.setup_extension("sphinx_exercise")
    app.add_post_transform(BareExerciseTitles)
    app.add_post_transform(ShortSolutionTitles)
    app.add_post_transform(DropRepeatedIds)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
