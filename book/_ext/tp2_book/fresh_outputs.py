"""Extension Sphinx locale : des sorties qui ne sont jamais périmées.

Le cache d'exécution de Jupyter Book (jupyter-cache) ne regarde que les cellules de code
d'un chapitre. Si ``tp2_src``, ses données ou les versions installées changent, il
resservirait des sorties calculées avec l'ancien code, et Sphinx ne relirait même pas les
chapitres inchangés. On calcule donc une empreinte de tout ce dont dépendent les sorties,
hors chapitres ; quand elle change, on vide le cache et on fait relire tous les
chapitres, qui sont ré-exécutés. Sans changement, rien n'est relu ni ré-exécuté.

L'empreinte est calculée sans git (le livre peut être construit hors d'un dépôt) et
rangée dans ``_build/.tp2-fingerprint``.

La machinerie du livre (``book/_ext/tp2_book`` : extensions, feuilles de style, scripts ;
``book/_templates``) a sa propre empreinte, par constructeur. Quand elle change, toutes les
pages sont relues et réécrites, sans rien ré-exécuter : sinon Sphinx, ne voyant aucune
source changée, s'arrêterait avant de copier les fichiers statiques, et une feuille de
style modifiée ne serait jamais servie.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from tp2_book.settings import PAGES_READ_STAMP

logger = logging.getLogger(__name__)


def package_dir(name: str = "tp2_src") -> Path:
    """Dossier du paquet tel que les chapitres l'importeront (même ``sys.path``)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"Le paquet {name} est introuvable : installez-le (pip install -e .)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def inputs_fingerprint() -> str:
    """Empreinte de tp2_src (code et données), de Python et des versions installées."""
    digest = hashlib.sha256()
    root = package_dir()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(
                path.relative_to(root).as_posix().encode()
            )
            digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    # Un ensemble : lancé depuis la racine du dépôt (« python -m … »), sys.path voit aussi
    # tp2_src.egg-info, qui doublerait une ligne sans rien changer aux sorties.
    versions = sorted(
        {
            f"{dist.metadata['Name']}=={dist.version}"
            for dist in importlib.metadata.distributions()
        }
    )
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


def _fingerprint_file(app: Sphinx) -> Path:
    return Path(app.outdir).parent / ".tp2-fingerprint"


def machinery_fingerprint(srcdir: Path) -> str:
    """Empreinte de la machinerie du livre sous ``srcdir`` : extensions, fichiers statiques,
    traductions et gabarits."""
    digest = hashlib.sha256()
    for folder in (
        srcdir / "book" / "_ext" / "tp2_book",
        srcdir / "book" / "_templates",
    ):
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and path.suffix != ".mo"
            ):
                digest.update(
                    path.relative_to(srcdir).as_posix().encode()
                )
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _machinery_file(app: Sphinx) -> Path:
    return (
        Path(app.outdir).parent
        / f".tp2-machinery-{app.builder.name}"
    )


def check_machinery(app: Sphinx) -> None:
    """Le constructeur prêt : la machinerie a-t-elle changé depuis sa dernière construction ?"""
    fingerprint = machinery_fingerprint(Path(app.srcdir))
    stored = _machinery_file(app)
    app.tp2_machinery_changed = (
        stored.is_file() and stored.read_text() != fingerprint
    )
    app.tp2_machinery = fingerprint


def check_fingerprint(app: Sphinx, config: Any) -> None:
    """Avant tout : si l'empreinte a changé, vide le cache d'exécution."""
    fingerprint = inputs_fingerprint()
    stored = _fingerprint_file(app)
    app.tp2_stale = (
        stored.is_file() and stored.read_text() != fingerprint
    )
    app.tp2_fingerprint = fingerprint
    if app.tp2_stale:
        cache = Path(
            config.nb_execution_cache_path
            or Path(app.outdir).parent / ".jupyter_cache"
        )
        logger.info(
            "[fresh_outputs] tp2_src, données ou versions modifiés : cache vidé (%s)",
            cache,
        )
        shutil.rmtree(cache, ignore_errors=True)


def outdated_documents(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """Fait relire (donc ré-exécuter) tous les chapitres quand l'empreinte a changé ; toutes
    les pages (sorties tirées du cache) quand seule la machinerie a changé."""
    if getattr(app, "tp2_machinery_changed", False) and not getattr(
        app, "tp2_stale", False
    ):
        logger.info(
            "[fresh_outputs] machinerie du livre modifiée : toutes les pages sont réécrites"
        )
        return sorted(env.found_docs)
    if not getattr(app, "tp2_stale", False):
        return []
    return sorted(
        name
        for name in env.found_docs
        if Path(env.doc2path(name)).suffix == ".py"
    )


def stamp_pages_read(
    app: Sphinx, env: BuildEnvironment, docnames: list[str]
) -> None:
    """Note qu'une page au moins a été relue : ce qu'on en tire ailleurs (le PDF) est à refaire."""
    if docnames and app.builder.format == "html":
        stamp = Path(app.outdir).parent / PAGES_READ_STAMP
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()


def save_fingerprint(
    app: Sphinx, exception: Exception | None
) -> None:
    """Après une construction réussie seulement : un échec doit tout ré-exécuter."""
    if exception is None:
        stored = _fingerprint_file(app)
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_text(app.tp2_fingerprint)
        _machinery_file(app).write_text(app.tp2_machinery)


def setup(app: Sphinx) -> dict[str, Any]:
    # Avant MyST-NB, qui ouvre le cache à l'initialisation du constructeur.
    app.connect("config-inited", check_fingerprint, priority=100)
    app.connect("builder-inited", check_machinery)
    app.connect("env-get-outdated", outdated_documents)
    app.connect("env-before-read-docs", stamp_pages_read)
    app.connect("build-finished", save_fingerprint)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
