"""Fixtures partagées : le livre construit une seule fois pour toute la suite.

La suite tourne dans un processus par cœur (pytest-xdist, ``nox -s tests``) : ce qui coûte cher
(le livre construit, le kit installé dans un venv neuf) est fait une fois, par le premier
processus qui en a besoin, sous un verrou ; les autres attendent puis s'en servent. Tout est écrit
sous le dossier temporaire de pytest, jamais dans le dépôt.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
import torch
from filelock import FileLock
from helpers import copy_book, jupyter_book_build

from tp2_src.logs import LOGDIR_ENV

# Une seule fois pour toute la suite (avant tout import de pyplot) : aucune fenêtre.
matplotlib.use("Agg")

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Un processus de test par cœur (pytest-xdist) : un fil de calcul chacun. Avec les
    # fils par défaut (un par cœur), deux processus se disputent les cœurs, et l'attente
    # active d'OpenMP triple la durée des vérifications (mesuré : 17 s en un processus,
    # 48 s en deux).
    torch.set_num_threads(1)


#: Les fixtures qui exécutent des chapitres ou construisent le livre : un test qui en
#: demande une est du palier ``book`` (hors du palier rapide, ``-m "not book"``).
BOOK_FIXTURES = frozenset({"built_book", "kit", "built_pdf", "server", "executes_chapters"})


@pytest.fixture(scope="session")
def executes_chapters() -> None:
    """Pour un test qui exécute des chapitres ou construit un livre sans passer par
    ``built_book`` (``@pytest.mark.usefixtures("executes_chapters")``) : il est ainsi
    marqué ``book`` comme les autres."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Le marqueur ``book`` vient des fixtures que le test demande (``BOOK_FIXTURES``), et
    du palier lent (``slow``), qui construit aussi : il n'est jamais posé à la main."""
    for item in items:
        if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.book)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Sous ``--dist loadgroup``, un test marqué ``xdist_group`` doit porter son groupe.

    pytest-xdist groupe les tests par le suffixe ``@groupe`` qu'il ajoute à leur nodeid ;
    si une version de pytest l'en empêche, les tests du kit et du corpus seraient répartis
    entre les processus sans que rien ne le dise (et le kit installé deux fois).
    """
    if (
        getattr(item.config.option, "loadgroup", False)
        and item.get_closest_marker("xdist_group") is not None
        and "@" not in item.nodeid
    ):
        pytest.fail(
            f"--dist loadgroup n'a pas groupé ce test marqué xdist_group : pytest "
            f"{pytest.__version__} ne va pas avec cette version de pytest-xdist ; voyez la "
            "borne de pytest dans pyproject.toml."
        )


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Le dossier temporaire commun aux processus de test (celui de la session sans xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """``make(dossier)`` une seule fois pour toute la suite, tous processus confondus.

    Un échec est retenu : les tests suivants échouent avec le même message, sans refaire
    le travail.
    """
    root = shared_dir(tmp_path_factory)
    folder, status = root / name, root / f"{name}.status"
    with FileLock(str(root / f"{name}.lock")):
        if not status.exists():
            try:
                make(folder)
            except BaseException as err:  # pytest.fail lève une BaseException
                status.write_text(f"{type(err).__name__} : {err}", encoding="utf-8")
                raise
            status.write_text("ok", encoding="utf-8")
    outcome = status.read_text(encoding="utf-8")
    if outcome != "ok":
        pytest.fail(f"{name} a échoué dans un autre test : {outcome[-6000:]}")
    return folder


def _build_book(folder: Path) -> None:
    src = copy_book(folder)
    result = jupyter_book_build(src)
    if result.returncode != 0:
        pytest.fail("La construction du livre a échoué :\n" + result.stdout[-6000:] + result.stderr[-3000:])


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Le livre construit à neuf (une fois) dans un dossier temporaire ; renvoie le dossier html."""
    return once(tmp_path_factory, "livre", _build_book) / "_build" / "html"


@pytest.fixture(autouse=True)
def logs_in_a_temporary_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Les journaux TensorBoard qu'un test écrit vont sous le dossier temporaire de pytest."""
    monkeypatch.setenv(LOGDIR_ENV, str(tmp_path_factory.getbasetemp() / "runs"))


@pytest.fixture
def synthetic() -> tuple[torch.Tensor, ...]:
    """Une régression linéaire connue : y = X w* + b* + bruit faible (σ = 0,01).

    ``(X_train (150, 3), y_train, X_test (50, 3), y_test, w_true (3,))``, avec ``b* = 1,5``.
    """
    g = torch.Generator().manual_seed(0)
    w_true = torch.tensor([2.0, -3.0, 0.5])
    X = torch.randn(200, 3, generator=g)
    y = X @ w_true + 1.5 + 0.01 * torch.randn(200, generator=g)
    return X[:150], y[:150], X[150:], y[150:], w_true


@pytest.fixture(scope="session")
def run_once(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Callable[[Path], None]], Path]:
    """``run_once(nom, make)`` : ``make(dossier)`` une seule fois pour toute la suite (voir ``once``)."""
    return lambda name, make: once(tmp_path_factory, name, make)
