"""Le kit de l'étudiant, tel que le site l'offre, dans un environnement neuf hors du dépôt.

On installe le kit seul (``pip install -r requirements.txt`` dans un venv neuf), puis on
exécute ses notebooks avec nbclient dans un noyau de ce venv : l'édition complète passe ;
l'édition étudiant, telle que livrée, fait échouer chaque vérification avec son message
en français ; une fois les solutions remises à la place des squelettes, tout passe.
Enfin, ``nox -s lab`` sert bien les notebooks.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import CHAPTERS, ROOT
from nbclient import NotebookClient

from tp2_src.settings import LAB_DIR_ENV, LOGDIR_ENV

pytestmark = pytest.mark.book

WITH_QUESTIONS = [c for c in CHAPTERS if not c.stem.startswith("01")]
KERNEL = "tp2-kit"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def test_site_offers_the_kit_and_both_editions(built_book: Path) -> None:
    kit = built_book / "tp2-kit.zip"
    assert kit.is_file() and kit.stat().st_size < 1024 * 1024
    intro_page = built_book / "book" / "intro.html"
    intro = BeautifulSoup(intro_page.read_text(encoding="utf-8"), "html.parser")
    kit_links = [a.get("href") for a in intro.find_all("a") if "tp2-kit.zip" in a.get("href", "")]
    assert kit_links, "pas de lien vers le kit dans l'introduction"
    for href in kit_links:
        assert (intro_page.parent / href).resolve() == kit.resolve(), f"lien cassé : {href}"
    for chapter in CHAPTERS:
        page = BeautifulSoup(
            (built_book / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8"), "html.parser"
        )
        links = {a.get("href") for a in page.find_all("a")}
        for href in (f"../_sources/book/{chapter.stem}-etudiant.ipynb", "../tp2-kit.zip"):
            assert href in links, f"{chapter.name} : pas de lien {href} dans le menu de téléchargement"
            assert (built_book / "book" / href).resolve().is_file(), href
        full = nbformat.read(built_book / "_sources" / "book" / f"{chapter.stem}.ipynb", as_version=4)
        assert "pip install -r requirements.txt" in full.cells[0].source
        assert "tp2_src-" in full.cells[0].source
        # Les nombres cités par la prose sont ceux que le livre a calculés.
        prose = "\n".join(c.source for c in full.cells if c.cell_type == "markdown")
        assert "{glue:md}" not in prose and "{numref}" not in prose


@pytest.fixture(scope="module")
def kit(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Le kit décompressé, installé dans un venv neuf, et un noyau Jupyter de ce venv."""
    base = tmp_path_factory.mktemp("kit")
    with zipfile.ZipFile(built_book / "tp2-kit.zip") as archive:
        archive.extractall(base)
    folder = base / "tp2-kit"
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    kernels = base / "jupyter" / "kernels" / KERNEL
    kernels.mkdir(parents=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kit",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", LOGDIR_ENV)}
    os.environ["JUPYTER_PATH"] = str(base / "jupyter")
    os.environ[LOGDIR_ENV] = str(base / "runs")
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(notebook: nbformat.NotebookNode, cwd: Path, *, allow_errors: bool = False) -> None:
    """Exécute le notebook dans le noyau du venv du kit, depuis ``cwd`` (hors du dépôt)."""
    NotebookClient(
        notebook,
        timeout=900,
        kernel_name=KERNEL,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()


def text_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def test_full_notebook_runs_from_the_kit_alone(kit: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(kit / "notebooks" / "complet" / "03_regression_lineaire.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import tp2_src\nprint(tp2_src.__file__)"))
    execute(notebook, tmp_path)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[:1]
    assert "/venv/lib/" in text_of(notebook.cells[-1]), "tp2_src ne vient pas de la roue du kit"
    assert all(text_of(c).startswith("✅") for c in notebook.cells if "check" in tags(c))
    # Les figures sortent en SVG (texte réel) et en PDF (version imprimable).
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    figures = [o for o in outputs if o.output_type == "display_data" and "image/svg+xml" in o.data]
    assert figures and all("application/pdf" in o.data for o in figures)
    assert os.listdir(os.environ[LOGDIR_ENV]), "aucun journal TensorBoard écrit"


@pytest.mark.parametrize("chapter", WITH_QUESTIONS, ids=lambda p: p.stem)
def test_student_notebook_as_shipped_fails_its_checks(kit: Path, tmp_path: Path, chapter: Path) -> None:
    notebook = nbformat.read(kit / "notebooks" / "etudiant" / f"{chapter.stem}.ipynb", as_version=4)
    execute(notebook, tmp_path, allow_errors=True)
    checks = [c for c in notebook.cells if "check" in tags(c)]
    assert checks
    for cell in checks:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors, f"{chapter.name} : une vérification passe sur le squelette\n{cell.source}"
        assert errors[0].ename == "CheckError", (errors[0].ename, errors[0].evalue)
        assert errors[0].evalue.startswith("Question ") and " : " in errors[0].evalue
        # IPython affiche le message seul, sans pile d'appels.
        assert errors[0].traceback == [f"❌ {errors[0].evalue}"]
    first_skeleton = next(i for i, c in enumerate(notebook.cells) if "skeleton" in tags(c))
    before = [
        o for c in notebook.cells[:first_skeleton] for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not before, f"{chapter.name} : erreur avant la première question"


@pytest.mark.parametrize("chapter", WITH_QUESTIONS, ids=lambda p: p.stem)
def test_student_notebook_passes_with_the_solutions_put_back(
    kit: Path, tmp_path: Path, chapter: Path
) -> None:
    student = nbformat.read(kit / "notebooks" / "etudiant" / f"{chapter.stem}.ipynb", as_version=4)
    full = nbformat.read(kit / "notebooks" / "complet" / f"{chapter.stem}.ipynb", as_version=4)
    solutions = iter(c.source for c in full.cells if "solution" in tags(c))
    for cell in student.cells:
        if "skeleton" in tags(cell):
            cell.source = next(solutions)
    assert next(solutions, None) is None
    execute(student, tmp_path)
    passed = [text_of(c) for c in student.cells if "check" in tags(c)]
    assert passed and all(t.startswith("✅ Question ") for t in passed), passed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_session_serves_both_editions(tmp_path: Path) -> None:
    port, token = free_port(), secrets.token_hex(8)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nox",
            "-f",
            str(ROOT / "noxfile.py"),
            "-s",
            "lab",
            "--",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
        ],
        cwd=ROOT,
        env={**os.environ, LAB_DIR_ENV: str(tmp_path / "lab")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    listed: dict[str, list[str]] = {}
    try:
        deadline = time.monotonic() + 900  # la première fois, nox installe JupyterLab
        while time.monotonic() < deadline and process.poll() is None and len(listed) < 2:
            for folder in ("etudiant", "complet"):
                url = f"http://127.0.0.1:{port}/api/contents/{folder}?token={token}"
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        listed[folder] = sorted(item["name"] for item in json.load(response)["content"])
                except OSError:
                    time.sleep(2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    expected = sorted(f"{c.stem}.ipynb" for c in CHAPTERS)
    assert listed == {"etudiant": expected, "complet": expected}, output[-3000:]
