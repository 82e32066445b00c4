"""Les fichiers du livre et de sa construction, pour qui travaille sur une copie (tests,
banc d'essai) ou sur ``_build`` (nox).

Ce module n'importe que la bibliothèque standard : le ``noxfile`` le charge par son chemin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: Le kit de l'étudiant, à la racine du site.
KIT_ZIP = "tp2-kit.zip"


def copy_book(root: Path, dest: Path) -> Path:
    """Copie les sources du livre du dépôt ``root`` (configuration, chapitres, machinerie,
    sources de ``tp2_src`` que les pages montrent) dans ``dest`` : de quoi le construire
    ailleurs, sans ``_build`` ni journaux."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, dest / name)
    shutil.copytree(
        root / "book",
        dest / "book",
        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"),
    )
    # Les chapitres montrent du code de tp2_src ({literalinclude} ../tp2_src/…) : il faut
    # ses sources à côté de book/ (le paquet importé reste celui qui est installé).
    shutil.copytree(
        root / "tp2_src",
        dest / "tp2_src",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return dest


def site_weight(html: Path) -> int:
    """Le poids du site ``html`` en octets, sans le kit de l'étudiant (un téléchargement à part)."""
    return sum(
        p.stat().st_size
        for p in html.rglob("*")
        if p.is_file() and p.name != KIT_ZIP
    )


def clear_latex(build_dir: Path) -> None:
    """Efface ``build_dir/latex`` : sur le dossier d'une construction précédente, latexmk
    répond « Nothing to do » et ne refait pas le PDF."""
    shutil.rmtree(build_dir / "latex", ignore_errors=True)
