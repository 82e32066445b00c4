"""Ce que plusieurs fichiers de tests partagent : chemins, copies du livre, exemples.

Un module ordinaire (les fixtures sont dans ``conftest.py``) : ``from helpers import …``.
"""

from __future__ import annotations

import ast
import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
import yaml
from tp2_book import settings
from tp2_book.conventions import chapters, exercises
from tp2_book.settings import BOOK, BUILD_ENV, BUILD_FLAGS, ROOT

from tp2_src.logs import LOGDIR_ENV

#: La configuration du livre (``_config.yml``) : son titre, ``CONFIG["title"]``, n'est écrit
#: que là.
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TITLE: str = CONFIG["title"]
CHAPTERS = chapters(BOOK)
#: Les chapitres qui ont des exercices de code (squelette, solution, vérification).
WITH_QUESTIONS = [c for c in CHAPTERS if any(not e.written for e in exercises(c))]


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
    """Copie les sources du livre (configuration, chapitres, machinerie) dans ``dest``."""
    return settings.copy_book(ROOT, dest)


def small_book(dest: Path, chapters: dict[str, str]) -> Path:
    """Un livre réduit à ``chapters`` (nom → source), avec la configuration du vrai livre."""
    src = copy_book(dest)
    for chapter in (src / "book").glob("[0-9][0-9]_*.py"):
        chapter.unlink()
    for name, text in chapters.items():
        (src / "book" / f"{name}.py").write_text(text, encoding="utf-8")
    toc = "".join(f"  - file: book/{name}\n" for name in chapters)
    (src / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nchapters:\n{toc}")
    (src / "book" / "intro.md").write_text("# Intro\n")
    return src


def chapter_source(code: str, title: str = "Un chapitre d'essai") -> str:
    """Un petit chapitre Jupytext : un titre, puis ``code`` dans une cellule."""
    return (
        "# ---\n# jupyter:\n#   kernelspec:\n#     display_name: Python 3\n#     language: python\n"
        f"#     name: python3\n# ---\n\n# %% [markdown]\n# # {title}\n\n# %%\n{code}\n"
    )


def counted(code: str, runs: Path) -> str:
    """``code`` précédé d'une ligne qui ajoute une ligne au fichier ``runs`` : le nombre de
    lignes du fichier est le nombre d'exécutions du chapitre (sans lire le journal de
    MyST-NB, dont les messages changent d'une version à l'autre)."""
    return f"with open({str(runs)!r}, 'a') as _runs:\n    _runs.write('exécuté\\n')\n{code}"


def runs_of(runs: Path) -> int:
    """Le nombre d'exécutions relevées par ``counted`` dans ``runs``."""
    return len(runs.read_text(encoding="utf-8").splitlines()) if runs.is_file() else 0


def scalar_example() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """ℓ = (a·b + c)², écrit q·q comme au chapitre 1 : a=2, b=−3, c=10."""
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    c = torch.tensor(10.0, requires_grad=True)
    p = a * b
    q = p + c
    return q * q, {"a": a, "b": b, "c": c, "p": p, "q": q}


def autoencoder() -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """L'auto-encodeur du chapitre 1, une opération par ligne, en float64."""
    g = torch.Generator().manual_seed(0)
    x, theta, b1, b2 = (
        torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
        for shape in ((4,), (2, 4), (2,), (4,))
    )
    theta_x = theta @ x
    y = theta_x + b1
    theta_T = theta.T
    theta_T_y = theta_T @ y
    x_hat = theta_T_y + b2
    r = x - x_hat
    s = r**2
    leaves = {"x": x, "θ": theta, "b₁": b1, "b₂": b2}
    values = {"θx": theta_x, "y": y, "θᵀ": theta_T, "θᵀy": theta_T_y, "x̂": x_hat, "r": r, "s": s}
    return s.sum(), leaves, values


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Sert un dossier sans journal ; ajoute les en-têtes ``extra_headers`` à chaque réponse."""

    extra_headers: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # Un client qui ferme la connexion avant la fin (le PDF, le kit) n'est pas une erreur.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: Path, headers: dict[str, str] | None = None) -> Iterator[str]:
    """Sert ``directory`` sur 127.0.0.1 (port libre) le temps du bloc ; donne l'adresse racine."""
    handler = type("Handler", (_QuietHandler,), {"extra_headers": dict(headers or {})})
    httpd = _QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def names_in(source: str) -> tuple[set[str], set[str]]:
    """(noms définis, noms lus) par du code Python : une cellule, un squelette."""
    tree = ast.parse(source)
    defined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    defined |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    defined |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    defined |= {n.name for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and n.name}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return defined, read
