"""Extension Sphinx locale : les notebooks de chaque chapitre et le kit de l'étudiant.

À la fin de la construction, à partir du ``.py`` de chaque chapitre (Jupytext) — la seule
source —, on écrit les deux éditions de son notebook (``editions``) dans ``_sources/``, et
le kit ``tp2-kit.zip`` à la racine du site : ce que propose le menu de téléchargement de
chaque page (``notebook_downloads``).

Les valeurs collées et les numéros de figures que la prose cite sont repris de la
construction, pour que la prose des notebooks se lise sans MyST.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

from tp2_book.editions import (
    STUDENT_SUFFIX,
    edition,
    glue_values,
)
from tp2_book.kit import (
    build_wheel,
    cpu_torch_command,
    pinned_versions,
    write_kit,
)
from tp2_book.settings import (
    FULL_DIR,
    KIT_NAME,
    STUDENT_DIR,
    lesson_project,
)

logger = logging.getLogger(__name__)


def _chapters(app: Sphinx) -> dict[str, Path]:
    """Les pages du livre dont la source est un chapitre ``.py`` : nom de page → source."""
    found = {}
    for docname in sorted(app.env.found_docs):
        source = Path(app.srcdir, docname + ".py")
        if source.is_file():
            found[docname] = source
    return found


def _glue_values(app: Sphinx, docname: str) -> dict[str, str]:
    """Le texte des valeurs collées d'une page, tel que MyST-NB l'a enregistré."""
    config = getattr(app.env, "mystnb_config", None)
    folder = (
        Path(config.output_folder)
        if config is not None
        else Path(app.outdir).parent / "jupyter_execute"
    )
    return glue_values(folder / f"{docname}.glue.json")


def _figure_numbers(app: Sphinx) -> dict[str, str]:
    """« Fig. N » pour chaque figure nommée du livre, et « N.M » pour chaque section nommée
    (citée par ``{numref}`section %s <label>```), comme dans les pages."""
    from docutils import nodes

    std = app.env.get_domain("std")
    numbers = {}
    doctrees: dict[str, Any] = {}
    for label, (docname, labelid, _title) in std.labels.items():
        number = (
            app.env.toc_fignumbers.get(docname, {})
            .get("figure", {})
            .get(labelid)
        )
        if number:
            numbers[label] = "Fig. " + ".".join(map(str, number))
            continue
        if not label.startswith("sec-"):
            continue
        if docname not in doctrees:
            doctrees[docname] = app.env.get_doctree(docname)
        section = doctrees[docname].ids.get(labelid)
        if isinstance(section, nodes.section):
            # Sphinx numérote une section sous l'ancre de son premier identifiant.
            number = app.env.toc_secnumbers.get(docname, {}).get(
                "#" + section["ids"][0]
            )
            if number:
                numbers[label] = ".".join(map(str, number))
    return numbers


def write_downloads(
    app: Sphinx, exception: Exception | None
) -> None:
    """Fin de construction : les deux éditions de chaque chapitre, puis le kit."""
    if exception is not None or app.builder.format != "html":
        return
    chapters = _chapters(app)
    # La roue du tp2_src qui a servi à la construction (installé en mode éditable par nox).
    wheel = build_wheel(
        lesson_project(), Path(app.outdir).parent / ".tp2-wheel"
    )
    kit_path = Path(app.outdir, f"{KIT_NAME}.zip")
    written = [
        Path(app.outdir, "_sources", f"{d}{s}.ipynb")
        for d in chapters
        for s in ("", STUDENT_SUFFIX)
    ]
    if (
        not getattr(app, "tp2_read_chapters", True)
        and all(p.is_file() for p in written)
        and kit_path.is_file()
        and kit_path.stat().st_mtime >= wheel.stat().st_mtime
    ):
        # Aucun chapitre relu, même roue : les notebooks et le kit écrits la dernière fois
        # sont encore justes (une reconstruction sans changement reste instantanée).
        logger.info(f"kit de l'étudiant inchangé : {kit_path}")
        return
    figures = _figure_numbers(app)
    # Le titre du livre : ``title`` de ``_config.yml``, que Jupyter Book passe à Sphinx.
    book_title = app.config.html_title
    sources = Path(app.outdir, "_sources")
    in_kit = {}
    for docname, chapter in chapters.items():
        glue = _glue_values(app, docname)
        for suffix, folder, student in (
            ("", FULL_DIR, False),
            (STUDENT_SUFFIX, STUDENT_DIR, True),
        ):
            notebook = edition(
                chapter,
                student=student,
                glue=glue,
                figures=figures,
                substitutions=app.config.myst_substitutions,
                book_title=book_title,
            )
            path = sources / f"{docname}{suffix}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, path)
            in_kit[f"{folder}/{chapter.stem}.ipynb"] = notebook
    kit = write_kit(in_kit, wheel, kit_path, book_title=book_title)
    logger.info(
        f"kit de l'étudiant : {kit} ({kit.stat().st_size // 1024} Kio)"
    )


def note_read_chapters(
    app: Sphinx, env: Any, docnames: list[str]
) -> None:
    """Retient si cette construction relit au moins une page (sinon rien n'a changé)."""
    app.tp2_read_chapters = bool(docnames)


#: La substitution MyST qui donne, dans l'introduction, la commande de PyTorch pour
#: processeur : celle du LISEZMOI du kit, aux versions du livre.
CPU_TORCH = "cpu_torch"


def set_cpu_torch(app: Sphinx, config: Any) -> None:
    command = cpu_torch_command(pinned_versions())
    config.myst_substitutions = {
        **config.myst_substitutions,
        CPU_TORCH: f"`{command}`",
    }


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", set_cpu_torch)
    app.connect("env-before-read-docs", note_read_chapters)
    app.connect("build-finished", write_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
