"""Réglages de la version PDF, cohérents d'un fichier à l'autre (palier rapide, sans TeX).

Le nom du PDF est fixé dans ``_config.yml`` (``latex_documents.targetname``) et repris par
le ``noxfile`` (copie dans le site) et par le lien de l'introduction ; la liste des
paquets Debian est écrite dans le ``noxfile`` (message d'erreur), dans ``.ci/run`` (CI) et
dans le README.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml
from conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def noxfile_constant(name: str) -> object:
    """La valeur littérale de ``name`` dans le noxfile (lu sans l'exécuter, nox non requis)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return ast.literal_eval(node.value)
    raise AssertionError(f"{name} absent du noxfile")


def test_pdf_name_is_the_same_everywhere() -> None:
    latex = CONFIG["latex"]
    assert latex["latex_engine"] == "xelatex"
    assert latex["use_jupyterbook_latex"] is False  # jupyterBook.cls demande bbm.sty
    name = Path(latex["latex_documents"]["targetname"]).with_suffix(".pdf").name
    assert noxfile_constant("PDF_NAME") == name
    assert f'<a href="../{name}">' in (ROOT / "book" / "intro.md").read_text(encoding="utf-8")


def test_debian_packages_are_listed_in_ci_and_readme() -> None:
    packages = set(noxfile_constant("TEX_PACKAGES").split())
    assert {"texlive-xetex", "latexmk", "poppler-utils", "fonts-dejavu-core", "make"} <= packages
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_list = re.search(r'TEX_PACKAGES="([^"]+)"', ci).group(1).replace("\\\n", " ")
    assert set(ci_list.split()) == packages
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    command = re.search(r"apt-get install ([^\n]+)", readme).group(1)
    assert set(command.split()) == packages


def test_each_builder_takes_its_vector_format() -> None:
    overrides = {(b, m): p for b, m, p in CONFIG["sphinx"]["config"]["nb_mime_priority_overrides"]}
    assert overrides[("html", "image/svg+xml")] == 0 and overrides[("html", "application/pdf")] is None
    assert overrides[("latex", "application/pdf")] == 0 and overrides[("latex", "image/svg+xml")] is None
    options = CONFIG["sphinx"]["config"]["latex_elements"]["extraclassoptions"]
    assert {"openany", "oneside"} <= set(options.split(","))  # pas de pages blanches
