"""Le kit de l'étudiant (``tp2_book.kit``) : son zip, puis le kit tel que le site l'offre,
installé dans un environnement neuf hors du dépôt.

On installe le kit seul (``pip install -r requirements.txt`` dans un venv neuf), puis on
exécute ses notebooks avec nbclient dans un noyau de ce venv : chaque module de
``tp2_src`` s'y importe ; l'édition étudiant, telle que livrée, s'arrête à sa première
vérification avec un message en français ; une fois les solutions remises à la place des
squelettes, tout passe. Enfin, ``nox -s lab`` sert bien les notebooks (palier lent).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from attempts import ATTEMPTS
from bs4 import BeautifulSoup
from helpers import CHAPTERS, ROOT, TITLE, WITH_QUESTIONS
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tp2_book import conventions
from tp2_book.editions import STUDENT_SUFFIX, edition
from tp2_book.kit import cpu_torch_command, locked_versions, pinned_versions, write_kit
from tp2_book.settings import FULL_DIR, KIT_NAME, KIT_ZIP, LAB_DIR_ENV, PYTHON_VERSION, STUDENT_DIR

from tp2_src.logs import LOGDIR_ENV, RUNS_MARKER

KERNEL = "tp2-kit"
#: Tous les tests du kit dans un même processus (``--dist loadgroup``) : pendant que l'un
#: installe le venv du kit (~45 s, surtout des écritures disque), l'autre processus fait le
#: reste de la suite au lieu d'attendre le verrou.
pytestmark = pytest.mark.xdist_group("kit")


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def test_kit_zip_is_complete_and_reproducible(tmp_path: Path) -> None:
    wheel = tmp_path / "tp2_src-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"roue")
    notebooks = {
        f"{folder}/{c.stem}.ipynb": edition(c, student=folder == STUDENT_DIR, book_title=TITLE)
        for c in CHAPTERS[:2]
        for folder in (FULL_DIR, STUDENT_DIR)
    }
    first = write_kit(notebooks, wheel, tmp_path / "a" / KIT_ZIP, book_title=TITLE).read_bytes()
    second = write_kit(notebooks, wheel, tmp_path / "b" / KIT_ZIP, book_title=TITLE).read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / KIT_ZIP) as kit:
        names = kit.namelist()
        requirements = kit.read(f"{KIT_NAME}/requirements.txt").decode()
        readme = kit.read(f"{KIT_NAME}/LISEZMOI.txt").decode()
    in_kit = [
        RUNS_MARKER,
        "LISEZMOI.txt",
        "requirements.txt",
        wheel.name,
        *(f"notebooks/{n}" for n in notebooks),
    ]
    assert sorted(names) == sorted(f"{KIT_NAME}/{name}" for name in in_kit)
    torch = locked_versions()["torch"]  # la version du verrou, pas celle installée ici
    lines = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "--find-links ."  # la roue, cherchée à côté du fichier
    assert f"torch=={torch}" in lines and any(p.startswith("ipykernel==") for p in lines)
    assert lines[-1] == "tp2-src==0.1.0" and all("==" in p for p in lines[1:])
    assert "pip install -r requirements.txt" in readme and wheel.name in readme
    assert "python3 -m venv .venv" in readme and "tensorboard --logdir runs" in readme
    assert f"pip install torch=={torch} --index-url" in readme
    # Le titre du livre et sa version de Python, tels que les donne la configuration.
    assert readme.startswith(f"{TITLE} : le kit de l'étudiant\n") and f"Python {PYTHON_VERSION} " in readme
    assert f"notebooks/{STUDENT_DIR}/" in readme and f"notebooks/{FULL_DIR}/" in readme


def test_the_introduction_gives_the_install_steps_of_lisezmoi(built_book: Path) -> None:
    """L'introduction et le LISEZMOI du kit disent les mêmes commandes, y compris celle de
    PyTorch pour processeur (sans elle, pip installe sous Linux la version CUDA)."""
    with zipfile.ZipFile(built_book / KIT_ZIP) as kit:
        readme = kit.read(f"{KIT_NAME}/LISEZMOI.txt").decode()
    intro = BeautifulSoup((built_book / "book" / "intro.html").read_text(encoding="utf-8"), "html.parser")
    block = intro.find("div", class_="highlight-bash")
    steps = [line.split("#")[0].strip() for line in block.get_text().splitlines() if line.strip()]
    assert steps == ["python3 -m venv .venv", "source .venv/bin/activate", "pip install -r requirements.txt"]
    assert all(step in readme for step in steps)
    cpu = cpu_torch_command(pinned_versions())
    assert cpu in readme
    shown = [code.get_text() for code in intro.find_all("code")]
    assert cpu in shown, "commande CPU absente de l'introduction"


def test_site_offers_the_kit_and_both_editions(built_book: Path) -> None:
    """Le menu de téléchargement de chaque chapitre : sa source .py, ses deux notebooks et
    le kit ; l'introduction mène au kit."""
    kit = built_book / KIT_ZIP
    assert kit.is_file() and kit.stat().st_size < 1024 * 1024
    intro_page = built_book / "book" / "intro.html"
    intro = BeautifulSoup(intro_page.read_text(encoding="utf-8"), "html.parser")
    kit_links = [a.get("href") for a in intro.find_all("a") if KIT_ZIP in a.get("href", "")]
    assert kit_links, "pas de lien vers le kit dans l'introduction"
    for href in kit_links:
        assert (intro_page.parent / href).resolve() == kit.resolve(), f"lien cassé : {href}"
    for chapter in CHAPTERS:
        page = BeautifulSoup(
            (built_book / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8"), "html.parser"
        )
        links = {a.get("href") for a in page.find_all("a")}
        for href in (
            f"../_sources/book/{chapter.name}",
            f"../_sources/book/{chapter.stem}.ipynb",
            f"../_sources/book/{chapter.stem}{STUDENT_SUFFIX}.ipynb",
            f"../{KIT_ZIP}",
        ):
            assert href in links, f"{chapter.name} : pas de lien {href} dans le menu de téléchargement"
            assert (built_book / "book" / href).resolve().is_file(), href
        # Le .py offert est la source du chapitre, telle quelle.
        offered = built_book / "_sources" / "book" / chapter.name
        assert offered.read_text(encoding="utf-8") == chapter.read_text(encoding="utf-8")
        full = nbformat.read(built_book / "_sources" / "book" / f"{chapter.stem}.ipynb", as_version=4)
        assert full.cells[0].source.startswith(f"*{TITLE}* · ")
        assert "pip install -r requirements.txt" in full.cells[0].source
        assert "python3 -m venv .venv" in full.cells[0].source
        # Les nombres cités par la prose sont ceux que le livre a calculés.
        prose = "\n".join(c.source for c in full.cells if c.cell_type == "markdown")
        assert "{glue:md}" not in prose and "{numref}" not in prose


def test_the_wheel_holds_the_lesson_package_only(built_book: Path) -> None:
    with zipfile.ZipFile(built_book / KIT_ZIP) as archive:
        wheel_name = next(n for n in archive.namelist() if n.endswith(".whl"))
        wheel = built_book.parent / "roue.whl"
        wheel.write_bytes(archive.read(wheel_name))
    with zipfile.ZipFile(wheel) as archive:
        packages = {name.split("/")[0] for name in archive.namelist()}
        modules = {n for n in archive.namelist() if n.endswith(".py")}
    assert packages == {"tp2_src", wheel_name.split("/")[-1].split("-py3")[0] + ".dist-info"}, packages
    package = ROOT / "tp2_src"
    expected = {f"tp2_src/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")}
    assert modules == expected
    assert "tp2_src/data/boston_house_prices.csv" in archive.namelist()


def _install_kit(folder: Path, built_book: Path) -> None:
    """Le kit décompressé et installé dans un venv neuf, et un noyau Jupyter de ce venv."""
    with zipfile.ZipFile(built_book / KIT_ZIP) as archive:
        archive.extractall(folder)
    env_dir = folder / "venv"
    venv.create(env_dir, with_pip=True)
    # Depuis le dossier parent : requirements.txt trouve la roue à côté de lui.
    result = subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "-r", f"{KIT_NAME}/requirements.txt"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    kernels = folder / "jupyter" / "kernels" / KERNEL
    kernels.mkdir(parents=True)
    spec = {
        "argv": [str(env_dir / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kit",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


@pytest.fixture
def kit(built_book: Path, run_once: Callable, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Le dossier du kit installé (une fois pour la suite), son noyau, des journaux à part."""
    folder = run_once("kit", lambda f: _install_kit(f, built_book))
    monkeypatch.setenv("JUPYTER_PATH", str(folder / "jupyter"))
    monkeypatch.setenv(LOGDIR_ENV, str(tmp_path / "runs"))
    return folder / KIT_NAME


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> None:
    """Exécute le notebook dans le noyau du venv du kit, depuis ``cwd`` (hors du dépôt)."""
    NotebookClient(
        notebook, timeout=900, kernel_name=KERNEL, resources={"metadata": {"path": str(cwd)}}
    ).execute()


def text_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def test_every_module_imports_in_the_kit_environment(kit: Path) -> None:
    python = kit.parent / "venv" / "bin" / "python"
    code = (
        "import importlib, pkgutil, tp2_src\n"
        "found = pkgutil.walk_packages(tp2_src.__path__, 'tp2_src.')\n"
        "names = [m.name.removeprefix('tp2_src.') for m in found]\n"
        "for name in names: importlib.import_module('tp2_src.' + name)\n"
        "print(tp2_src.__file__, len(names))\n"
        "print(importlib.util.find_spec('tp2_book'), importlib.util.find_spec('sphinx'))\n"
    )
    code += "from tp2_src.logs import default_logdir\nprint(default_logdir())\n"
    env = {k: v for k, v in os.environ.items() if k != LOGDIR_ENV}
    result = subprocess.run(
        [str(python), "-c", code],
        cwd=kit / "notebooks" / STUDENT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    where, count = result.stdout.splitlines()[0].rsplit(" ", 1)
    modules = len(list((ROOT / "tp2_src").rglob("[a-z]*.py")))
    subpackages = len(list((ROOT / "tp2_src").glob("*/__init__.py")))
    assert "/venv/lib/" in where and int(count) == modules + subpackages
    assert result.stdout.splitlines()[1] == "None None", "la machinerie du livre n'est pas dans le kit"
    # Les journaux TensorBoard d'un notebook du kit vont dans le runs/ du kit.
    assert result.stdout.splitlines()[2] == str((kit / "runs").resolve())


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_run_all_stops_at_the_first_unfinished_exercise(kit: Path, tmp_path: Path, chapter: Path) -> None:
    """« Exécuter tout » sur l'édition étudiant telle que livrée : aucune erreur avant la
    vérification du premier exercice de code, qui échoue en français, sans pile d'appels."""
    notebook = nbformat.read(kit / "notebooks" / STUDENT_DIR / f"{chapter.stem}.ipynb", as_version=4)
    try:
        execute(notebook, tmp_path)
        stopped = False
    except CellExecutionError:
        stopped = True
    ran = [c for c in notebook.cells if c.cell_type == "code" and c.get("outputs")]
    errors = [(c, o) for c in ran for o in c.outputs if o.output_type == "error"]
    assert stopped == (chapter in WITH_QUESTIONS) and len(errors) == int(stopped), errors
    if stopped:
        cell, error = errors[0]
        first_check = next(c for c in notebook.cells if "check" in tags(c))
        assert cell is first_check, f"{chapter.name} : erreur hors de la première vérification\n{cell.source}"
        assert error.ename == "CheckError" and error.traceback == [f"❌ {error.evalue}"], error
        assert re.match(r"(Question|Exercice) [\w.() ]+ : ", error.evalue), error.evalue


def _cell(source: str, role: str, **metadata: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tp2": {"role": role, **metadata}})


def _in_copy(code: str, name: str, *, fresh: bool) -> str:
    """Une cellule qui exécute ``code`` dans une copie des noms du notebook (``_essai``,
    faite à neuf si ``fresh``), comme si l'étudiant l'avait tapé dans la cellule de
    l'exercice : une tentative ne laisse rien aux suivantes."""
    return (
        "import linecache as _linecache\n"
        f"_code = {code!r}\n"
        f"_linecache.cache[{name!r}] = (len(_code), None, _code.splitlines(True), {name!r})\n"
        + ("_essai = dict(_avant_squelette)\n" if fresh else "")
        + f"exec(compile(_code, {name!r}, 'exec'), _essai)\n"
    )


def session(
    student: nbformat.NotebookNode, full: nbformat.NotebookNode, chapter: Path
) -> nbformat.NotebookNode:
    """Le notebook de l'étudiant, joué comme un étudiant le ferait : à chaque exercice, la
    vérification lancée trop tôt, le squelette tel quel, chaque tentative du corpus (dans
    une copie des noms), puis la solution ; à la fin, chaque vérification relancée."""
    solutions = iter(c.source for c in full.cells if "solution" in tags(c))
    labels = iter(e.label for e in conventions.exercises(chapter) if not e.written)
    cells, checks = [], []
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        if "skeleton" in tags(cell):
            label, check = next(labels), student.cells[index + 1].source
            checks.append(check)
            # Chaque tentative part des noms d'avant le squelette : une classe mal nommée ne
            # trouve pas celle du squelette.
            cells.append(_cell("_avant_squelette = dict(globals())", "leçon"))
            cells.append(_cell(check, "trop tôt"))
            cells.append(_cell(cell.source, "squelette"))
            cells.append(_cell(check, "échec"))
            for attempt in (a for a in ATTEMPTS if a.exercise == label):
                cells.append(
                    _cell(
                        _in_copy(attempt.code, "<cellule de l'exercice>", fresh=True),
                        "tentative",
                        name=attempt.name,
                    )
                )
                cells.append(
                    _cell(
                        _in_copy(check, "<vérification>", fresh=False),
                        "verdict",
                        name=attempt.name,
                        expected=attempt.expected,
                    )
                )
            cells.append(_cell(next(solutions), "solution"))
        elif "check" in tags(cell):
            cells.append(_cell(cell.source, "réussite"))
        else:
            cells.append(_cell(cell.source, "leçon"))
    cells += [_cell(check, "réussite", again=True) for check in checks]
    cells.append(_cell("import tp2_src\nprint(tp2_src.__file__)", "leçon", origin=True))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=student.metadata)
    return notebook


@pytest.mark.parametrize("chapter", WITH_QUESTIONS, ids=lambda p: p.stem)
def test_a_student_session(kit: Path, tmp_path: Path, chapter: Path) -> None:
    """Chaque tentative du corpus, jouée dans son notebook : aucune fausse n'est acceptée,
    aucune juste refusée, et tout échec est un message en français, sans pile d'appels."""
    student = nbformat.read(kit / "notebooks" / STUDENT_DIR / f"{chapter.stem}.ipynb", as_version=4)
    full = nbformat.read(kit / "notebooks" / FULL_DIR / f"{chapter.stem}.ipynb", as_version=4)
    notebook = session(student, full, chapter)
    NotebookClient(
        notebook,
        timeout=900,
        kernel_name=KERNEL,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    problems = []
    for cell in notebook.cells:
        info = cell.metadata["tp2"]
        role, where = info["role"], f"{info['role']} {info.get('name', '')} : {cell.source[:80]!r}"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = text_of(cell)
        failed = errors[0] if errors else None
        french = (
            failed is not None
            and failed.ename == "CheckError"
            and failed.traceback == [f"❌ {failed.evalue}"]
        )
        if role in ("leçon", "squelette", "solution", "tentative") and failed is not None:
            problems.append(f"{where} → {failed.ename} : {failed.evalue}")
        elif role in ("trop tôt", "échec") and not french:
            problems.append(f"{where} → aurait dû échouer en français : {failed and failed.evalue}")
        elif role == "trop tôt" and "n'est pas défini : exécutez d'abord" not in failed.evalue:
            problems.append(f"{where} → message : {failed.evalue}")
        elif role == "réussite" and not (failed is None and text.startswith("✅ ")):
            problems.append(f"{where} → {failed.evalue if failed else text}")
        elif role == "verdict":
            expected = info["expected"]
            if expected is None and not (failed is None and text.startswith("✅ ")):
                problems.append(f"{where} → refusée : {failed.evalue if failed else text}")
            elif expected is not None and not (french and re.search(expected, failed.evalue)):
                problems.append(f"{where} → attendu /{expected}/ : {failed and failed.evalue}")
    assert not problems, "\n".join(problems)
    origin = notebook.cells[-1]
    assert "/venv/lib/" in text_of(origin), "tp2_src ne vient pas de la roue du kit"
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    figures = [o for o in outputs if o.output_type == "display_data" and "image/svg+xml" in o.data]
    assert all("application/pdf" in o.data for o in figures), "une figure sans sa version PDF"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_lab_session_serves_both_editions(tmp_path: Path) -> None:
    """``nox -s lab`` lancé à neuf (son venv dans un dossier temporaire) sert les deux éditions."""
    port, token = free_port(), secrets.token_hex(8)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "--envdir", str(tmp_path / "nox"),
            "-s", "lab", "--", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}",
        ],
        cwd=tmp_path,
        env={**os.environ, LAB_DIR_ENV: str(tmp_path / "lab")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    listed: dict[str, list[str]] = {}
    try:
        deadline = time.monotonic() + 900  # nox installe d'abord torch et JupyterLab
        while time.monotonic() < deadline and process.poll() is None and len(listed) < 2:
            for folder in (STUDENT_DIR, FULL_DIR):
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
    assert listed == {STUDENT_DIR: expected, FULL_DIR: expected}, output[-3000:]


def test_the_wheel_lists_every_package_of_tp2_src() -> None:
    """Chaque dossier de ``tp2_src`` qui est un paquet Python est dans la roue du kit
    (setuptools ne prend pas les sous-paquets d'eux-mêmes) ; le kit échouerait à l'import."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "tp2_src").rglob("__init__.py")}
    assert packages == listed, (packages, listed)
