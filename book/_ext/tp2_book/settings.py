"""Les faits et les réglages de la machinerie du livre, en un seul endroit : où est le
livre, comment s'appellent le kit, le PDF et les dossiers des éditions, quel Python il
faut, combien dure l'installation du kit, comment la construction est lancée ; et les
opérations sur les fichiers du livre (copie, poids du site, dossier LaTeX).

Les extensions, le kit, nox, les tests et le banc d'essai le lisent ; aucun d'eux ne
récrit ces valeurs. Ce module n'importe que la bibliothèque standard : le ``noxfile`` le
charge par son chemin, sans rien installer dans l'environnement de nox. Les fichiers qui ne
peuvent rien importer (``_config.yml``, ``pyproject.toml``, le README, l'introduction)
gardent leur copie, que ``tests/test_settings.py`` confronte à celle-ci.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

#: Le dossier du livre dont cette machinerie fait partie : le dépôt, ou une copie du livre
#: (tests, banc d'essai). ``book/_ext/tp2_book/settings.py`` → trois dossiers plus haut.
ROOT = Path(__file__).resolve().parents[3]
#: Les chapitres, l'introduction et le glossaire.
BOOK = ROOT / "book"
#: La machinerie du livre (le paquet ``tp2_book``), chargée par son chemin.
MACHINERY = ROOT / "book" / "_ext"
#: Le dossier de construction de Jupyter Book (``_build`` à la racine du livre).
BUILD_DIR = ROOT / "_build"

#: La version de Python du livre : la plus ancienne qu'il accepte (``requires-python`` et
#: ``target-version`` de ``pyproject.toml``), celle que citent le README, l'introduction
#: et le LISEZMOI du kit.
PYTHON_VERSION = "3.11"

#: Le kit de l'étudiant : son dossier une fois décompressé, et son zip à la racine du site.
KIT_NAME = "tp2-kit"
KIT_ZIP = f"{KIT_NAME}.zip"
#: Le livre en PDF, dans ``_build/pdf`` et à la racine du site
#: (``latex.latex_documents.targetname`` de ``_config.yml``, en ``.tex``).
PDF_NAME = "tp2-graphe-autograd-modules.pdf"
#: Sous-dossiers des deux éditions, dans le kit et pour ``nox -s lab``.
STUDENT_DIR, FULL_DIR = "etudiant", "complet"

#: La durée de l'installation du kit, en secondes, que cite son LISEZMOI : la mesure (g)
#: de ``nox -s bench`` (``pip install -r requirements.txt`` dans un venv neuf, paquets dans
#: le cache de pip), arrondie, relevée dans BENCHMARKS.md. À refaire avec elle.
INSTALL_SECONDS = 72

#: Options de ``jupyter-book build`` : un avertissement est une erreur (``-W``), les
#: renvois sont vérifiés (``-n``), et tous les problèmes sont listés avant l'échec.
BUILD_FLAGS: tuple[str, ...] = (
    "--warningiserror",
    "--nitpick",
    "--keep-going",
)

#: Environnement de la construction : le hachage de Python fixé, et un fil de calcul par
#: chapitre (les chapitres s'exécutent en parallèle, un par cœur ; et un chapitre
#: ré-exécuté seul calcule avec le même nombre de fils, donc les mêmes nombres).
BUILD_ENV: dict[str, str] = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
}

#: Variable d'environnement qui choisit le dossier des notebooks de ``nox -s lab``
#: (sinon ``_build/lab``).
LAB_DIR_ENV = "TP2_LAB_DIR"

#: Nombre de chapitres exécutés en même temps par la construction (sinon, un par cœur).
JOBS_ENV = "TP2_BUILD_JOBS"

#: Fichier de ``_build`` touché quand la construction HTML relit au moins une page : le PDF
#: plus ancien que lui (ou que ``_config.yml``) est à refaire (``nox -s build``).
PAGES_READ_STAMP = ".tp2-pages-read"

#: Les paquets Debian dont le projet a besoin (TeX Live pour le PDF, Chromium pour les
#: tests du navigateur, Java pour le vérificateur HTML) : un par ligne, relu par ``.ci/run``,
#: le ``noxfile`` et la commande du README.
DEBIAN_PACKAGES_FILE = ".ci/debian-packages.txt"

#: Le verrou de l'environnement : la version exacte de chaque paquet (contraintes de pip),
#: écrit par ``nox -s lock`` à partir de ``pyproject.toml`` ; chaque session de nox installe
#: avec (``pip install -c``), et le kit de l'étudiant en tire ses versions.
CONSTRAINTS_FILE = ".ci/constraints.txt"


def lesson_project() -> Path | None:
    """Le projet d'où vient le ``tp2_src`` importable (``pyproject.toml``, ``README.md``,
    ``tp2_src/``) : celui que ``pip install -e .`` a installé, ou un dossier de
    ``PYTHONPATH``. Souvent ``ROOT`` ; pas pour une copie du livre, qui construit avec le
    ``tp2_src`` installé. ``None`` si ``tp2_src`` n'est pas installé.

    Le paquet est trouvé sans être importé (il importerait torch).
    """
    spec = importlib.util.find_spec("tp2_src")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parents[1]


def copy_book(root: Path, dest: Path) -> Path:
    """Copie les sources du livre du dépôt ``root`` (configuration, chapitres, machinerie,
    sources de ``tp2_src`` que les pages montrent, README dont l'introduction reprend les
    commandes) dans ``dest`` : de quoi le construire ailleurs, sans ``_build`` ni journaux."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml", "README.md"):
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
