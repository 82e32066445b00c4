"""Sessions nox du livre : `nox -s build`, `nox -s tests`, `nox -s lint`, `nox -s tensorboard`.

Les dépendances sont déclarées une seule fois, dans ``pyproject.toml`` (extras ``book``,
``test``, ``lint``) : chaque session installe ``tp2_src`` en mode éditable avec l'extra
dont elle a besoin, si bien que les chapitres importent ``tp2_src`` de n'importe quel
dossier, et qu'une modification de ``tp2_src`` est vue tout de suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
BUILD_DIR = ROOT / "_build"

# Le venv est gardé d'une exécution à l'autre : pip n'y réinstalle que ce qui manque.
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "virtualenv"


@nox.session
def build(session: nox.Session) -> None:
    """Exécute chaque chapitre et construit le livre HTML dans ``_build/html``.

    Avertissements traités comme des erreurs (``-W``) et références vérifiées (``-n``) :
    un chapitre qui lève une erreur inattendue fait échouer la commande. Les arguments
    après ``--`` sont passés à ``jupyter-book build``.
    """
    session.install("-e", ".[book]")
    # Le cache d'exécution est invalidé par tp2_src/sphinx_ext/fresh_outputs.py quand tp2_src, les
    # données ou les versions installées changent : un livre construit n'est jamais périmé.
    session.run(
        "jupyter-book",
        "build",
        str(ROOT),
        "--warningiserror",
        "--nitpick",
        "--keep-going",
        *session.posargs,
        env={"PYTHONHASHSEED": "0"},
    )
    session.log(f"Livre construit : ouvrez {BUILD_DIR / 'html' / 'index.html'}")


@nox.session
def tests(session: nox.Session) -> None:
    """Lance la suite de tests (pytest) ; les arguments après ``--`` vont à pytest."""
    session.install("-e", ".[book,test]")
    session.run("pytest", *session.posargs, env={"PYTHONHASHSEED": "0"})


@nox.session
def lint(session: nox.Session) -> None:
    """Vérifie le style avec ruff (code, tests et chapitres) ; arguments passés à ruff."""
    # ruff n'a pas besoin de torch : on n'installe que l'extra « lint » lu dans pyproject.
    extras = nox.project.load_toml(ROOT / "pyproject.toml")["project"]["optional-dependencies"]
    session.install(*extras["lint"])
    session.run("ruff", "check", *(session.posargs or ["."]))


@nox.session
def tensorboard(session: nox.Session) -> None:
    """Lance TensorBoard sur les journaux des chapitres (``runs/`` ou ``$TP2_LOGDIR``).

    Les arguments après ``--`` sont passés à ``tensorboard`` (par exemple ``--port 6007``).
    """
    session.install("-e", ".")
    logdir = os.environ.get("TP2_LOGDIR") or str(ROOT / "runs")
    if not Path(logdir).is_dir():
        session.error(f"Aucun journal dans {logdir} : lancez d'abord `nox -s build` ou un chapitre.")
    session.run("tensorboard", "--logdir", logdir, *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Banc d'essai de la construction : scripts, construction à neuf, reconstructions.

    Affiche les durées, leurs rapports et la mémoire maximale (voir BENCHMARKS.md).
    """
    session.install("-e", ".[book]")
    session.run("python", str(ROOT / "benchmarks" / "bench_build.py"), *session.posargs)
