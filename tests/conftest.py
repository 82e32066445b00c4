"""Fixtures partagées : chemins du dépôt, livre construit une seule fois par session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jupytext
import matplotlib
import pytest
import torch

from tp2_src.settings import BUILD_ENV, BUILD_FLAGS, LOGDIR_ENV

# Une seule fois pour toute la suite (avant tout import de pyplot) : aucune fenêtre.
matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.py"))


def jupyter_book_build(
    src: Path, *extra: str, env: dict[str, str] | None = None, strict: bool = True
) -> subprocess.CompletedProcess[str]:
    """Lance la même commande que `nox -s build` sur la copie du livre ``src``.

    ``strict=False`` retire ``-W -n`` : pour un livre partiel, dont les renvois vers les
    chapitres absents seraient des avertissements.
    """
    flags = BUILD_FLAGS if strict else ()
    exe = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(exe), "build", str(src), *flags, *extra],
        capture_output=True,
        text=True,
        # Les journaux TensorBoard des chapitres restent dans la copie, pas dans le dépôt.
        env={**os.environ, **BUILD_ENV, LOGDIR_ENV: str(src / "runs"), **(env or {})},
        timeout=1800,
    )


def copy_book(dest: Path) -> Path:
    """Copie les sources du livre (sans _build, .nox, runs) dans ``dest``."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(BOOK, dest / "book", ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    return dest


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Le livre construit à neuf dans un dossier temporaire ; renvoie le dossier html."""
    src = copy_book(tmp_path_factory.mktemp("book"))
    result = jupyter_book_build(src)
    if result.returncode != 0:
        pytest.fail("La construction du livre a échoué :\n" + result.stdout[-6000:] + result.stderr[-3000:])
    return src / "_build" / "html"


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


def prose_lines(chapter: Path) -> Iterator[tuple[str, bool]]:
    """Chaque ligne de prose d'un chapitre (cellules Markdown), sans les lignes de
    directive, et si elle est dans une solution (bloc ``{solution}`` ou entre
    ``{solution-start}`` et ``{solution-end}``)."""
    gated = block = False
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            text = line.strip()
            if text.startswith("```{solution-start}"):
                gated = True
            elif text.startswith("```{solution-end}"):
                gated = False
            elif text.startswith("```{solution}"):
                block = True
            elif block and text == "```":
                block = False
            elif not text.startswith((":", "```")):
                yield text, gated or block
