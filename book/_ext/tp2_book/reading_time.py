"""Extension Sphinx : la durée de lecture de la ligne principale, en tête de chaque chapitre.

Le rôle ``{reading-time}`lecture``` devient « 12 min » : les mots de la ligne principale
du chapitre où il est écrit (``{reading-time}`book/03_regression_lineaire``` : ceux d'un
autre chapitre, pour le parcours de l'introduction) (``conventions.main_line_words`` : la prose hors des solutions, des encadrés
facultatifs, des figures, des formules et du code), à ``conventions.READING_SPEED`` mots
par minute. Les notebooks reçoivent le même nombre (``tp2_book.markdown``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole

from tp2_book.conventions import reading_text


class ReadingTime(SphinxRole):
    def run(
        self,
    ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        docname = (
            self.text.strip()
            if "/" in self.text
            else self.env.docname
        )
        chapter = Path(self.env.doc2path(docname))
        if not chapter.is_file():
            message = self.inliner.reporter.error(
                f"{{reading-time}} : page inconnue {docname!r}"
            )
            return [], [message]
        if (
            docname != self.env.docname
        ):  # la durée change quand ce chapitre change
            self.env.note_dependency(str(chapter))
        return [
            nodes.inline(
                self.rawtext,
                reading_text(chapter),
                classes=["tp2-reading-time"],
            )
        ], []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role("reading-time", ReadingTime())
    # env_version : changer la structure produite fait relire les pages (sans ré-exécuter).
    return {
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
