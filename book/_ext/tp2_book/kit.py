"""Le kit de l'étudiant ``tp2-kit.zip`` : les deux éditions, ``tp2_src`` en roue, ses
dépendances aux versions du livre, et un ``LISEZMOI.txt``.

La roue ne contient que le paquet de la leçon, ``tp2_src`` (données comprises) ; les
versions de ``requirements.txt`` sont celles du verrou ``.ci/constraints.txt``, avec
lequel nox installe l'environnement de la construction.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tp2_book.settings import (
    CONSTRAINTS_FILE,
    FULL_DIR,
    INSTALL_SECONDS,
    KIT_NAME,
    PYTHON_VERSION,
    STUDENT_DIR,
    lesson_project,
)

#: Ce dont les notebooks ont besoin en plus de tp2_src : un noyau Jupyter.
NOTEBOOK_EXTRAS = ("ipykernel",)
#: Le contenu du fichier qui marque le dossier du kit (``tp2_src.logs.RUNS_MARKER``).
MARKER_TEXT = "Ce fichier marque le dossier du kit : les journaux TensorBoard vont dans son runs/.\n"
#: Date fixe des fichiers du zip : deux constructions donnent le même kit.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


def _fingerprint(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(
            path.as_posix().encode() + b"\0" + path.read_bytes()
        )
    return digest.hexdigest()[:16]


def build_wheel(project: Path | None, cache: Path) -> Path:
    """La roue de ``tp2_src`` (données comprises), reconstruite seulement si le code a changé.

    ``project`` : le projet d'où ``tp2_src`` est installé (``settings.lesson_project()``).
    La construction a lieu dans une copie temporaire du projet : ``pip wheel`` n'écrit
    rien dans le dépôt (ni ``build/`` ni ``*.egg-info``).
    """
    if (
        project is None
        or not (project / "pyproject.toml").is_file()
    ):
        raise RuntimeError(
            f"pas de pyproject.toml dans {project} : la roue du kit se construit depuis le dépôt, "
            "où tp2_src doit être installé en mode éditable (pip install -e .)"
        )
    sources = sorted(
        p
        for p in (project / "tp2_src").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    key = _fingerprint(
        [
            project / "pyproject.toml",
            project / "README.md",
            *sources,
        ]
    )
    folder = cache / key
    wheels = sorted(folder.glob("tp2_src-*.whl"))
    if wheels:
        return wheels[0]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        copy.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(project / name, copy / name)
        shutil.copytree(
            project / "tp2_src",
            copy / "tp2_src",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--quiet",
                "--wheel-dir",
                str(Path(tmp) / "dist"),
                str(copy),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"construction de la roue de tp2_src impossible :\n{result.stderr[-3000:]}"
            )
        if cache.exists():
            shutil.rmtree(
                cache
            )  # les roues des versions précédentes du code
        folder.mkdir(parents=True)
        for wheel in (Path(tmp) / "dist").glob("tp2_src-*.whl"):
            shutil.copy2(wheel, folder / wheel.name)
    return next(folder.glob("tp2_src-*.whl"))


def locked_versions(project: Path | None = None) -> dict[str, str]:
    """Le verrou ``.ci/constraints.txt`` du projet (``nox -s lock``) :
    nom normalisé → version."""
    project = project or lesson_project()
    if project is None:
        raise RuntimeError(
            "tp2_src n'est pas installé : le verrou du projet est introuvable "
            "(pip install -e . dans le dépôt du livre)"
        )
    lock = project / CONSTRAINTS_FILE
    if not lock.is_file():
        raise RuntimeError(
            f"verrou {lock} introuvable : lancez `nox -s lock` "
            "dans le dépôt du livre"
        )
    versions: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        pins = [
            s.version
            for s in requirement.specifier
            if s.operator == "=="
        ]
        # Une version exacte par paquet, sinon le kit ne saurait laquelle citer.
        if len(pins) != 1 or len(requirement.specifier) != 1:
            raise RuntimeError(
                f"{lock} : « {line} » n'est pas « nom==version » ; "
                "relancez `nox -s lock`"
            )
        versions[canonicalize_name(requirement.name)] = pins[0]
    return versions


def pinned_versions() -> dict[str, str]:
    """Les dépendances directes de tp2_src et un noyau Jupyter, aux versions du verrou (celles
    de la construction du livre par nox) : les mêmes sous Windows, macOS et Linux, mais pas les
    dépendances de ces dépendances, que le verrou fixe pour Linux seul. ``pyproject.toml``
    reste la seule source des noms."""
    names = [
        Requirement(r).name
        for r in importlib.metadata.requires("tp2-src") or []
        if "extra ==" not in r
    ]
    locked = locked_versions()
    missing = [
        name
        for name in [*names, *NOTEBOOK_EXTRAS]
        if canonicalize_name(name) not in locked
    ]
    if missing:
        raise RuntimeError(
            f"absent du verrou {CONSTRAINTS_FILE} : {', '.join(missing)} ; "
            "relancez `nox -s lock` après avoir modifié pyproject.toml"
        )
    return {
        name: locked[canonicalize_name(name)]
        for name in [*names, *NOTEBOOK_EXTRAS]
    }


def requirements(wheel_name: str) -> str:
    """``requirements.txt`` du kit : ``pinned_versions()``, puis ``tp2-src``, pris dans le
    dossier du kit (``--find-links .`` : pip le comprend relativement au fichier, si bien
    que ``pip install -r chemin/vers/requirements.txt`` marche depuis n'importe où)."""
    pins = pinned_versions()
    version = wheel_name.split("-")[1]
    lines = [
        "# Les versions avec lesquelles le livre a été construit et ses notebooks exécutés.",
        "# Sous Linux sans carte NVIDIA, installez d'abord la version processeur de PyTorch :",
        f"#   {cpu_torch_command(pins)}",
        "--find-links .",
    ]
    lines += [f"{name}=={v}" for name, v in pins.items()]
    lines.append(f"tp2-src=={version}")
    return "\n".join(lines) + "\n"


def cpu_torch_command(pins: Mapping[str, str]) -> str:
    """La commande qui installe la version processeur de PyTorch, à la version du livre."""
    return f"pip install torch=={pins['torch']} --index-url https://download.pytorch.org/whl/cpu"


README = """\
{heading}
{underline}

Ce kit permet de faire le TP sur votre machine, hors du dépôt du livre.

Contenu
-------
  notebooks/{student:<11}les chapitres sans les solutions : à chaque question, un
                       squelette (lignes « # À vous : ») suivi d'une cellule de
                       vérification
  notebooks/{full:<11}les mêmes chapitres, solutions comprises (le corrigé)
  {wheel}
                       le paquet tp2_src que les notebooks importent, données
                       Boston Housing comprises
  requirements.txt     les versions avec lesquelles le livre a été construit

{install_heading}
{install_underline}
  Dans un terminal, dans ce dossier ({kit}) :

  python3 -m venv .venv            (Windows : py -m venv .venv)
  source .venv/bin/activate        (Windows : .venv\\Scripts\\activate)
  pip install -r requirements.txt

  {install_time}

  Sous Linux, pip installe par défaut la version CUDA de PyTorch (plusieurs Go).
  Sans carte graphique NVIDIA, installez d'abord la version processeur :
  {cpu_torch}

Travailler
----------
  Ouvrez un notebook de notebooks/{student} dans VS Code, PyCharm ou Jupyter
  (pip install jupyterlab, puis jupyter lab), avec le noyau Python de ce .venv.
  Exécutez les cellules dans l'ordre. Après chaque squelette, la cellule de
  vérification affiche ✅ si votre code fait ce qui est demandé ; sinon, elle dit
  ce qui ne va pas et où regarder, et l'exécution s'arrête là. Le corrigé est
  dans notebooks/{full}.

  Les journaux TensorBoard des notebooks sont écrits dans le dossier runs/ de ce
  kit (ou dans le dossier de la variable d'environnement TP2_LOGDIR). Pour les
  voir, lancez dans ce dossier :  tensorboard --logdir runs
  puis ouvrez l'adresse qu'il affiche (http://localhost:6006).
"""

#: La durée de l'installation, ``settings.INSTALL_SECONDS`` (mesurée par ``nox -s bench``,
#: voir BENCHMARKS.md).
INSTALL_TIME = (
    "Mesuré : {seconds} s sur une machine Linux à 2 cœurs, les paquets déjà téléchargés ;\n"
    "  le premier téléchargement de PyTorch (la version processeur pèse environ 200 Mo)\n"
    "  s'y ajoute."
)


def lisezmoi(wheel_name: str, book_title: str) -> str:
    """Le ``LISEZMOI.txt`` du kit ; ``book_title`` : le titre du livre (``title`` de
    ``_config.yml``, que la construction lit dans la configuration de Sphinx)."""
    install_time = INSTALL_TIME.format(seconds=INSTALL_SECONDS)
    heading = f"{book_title} : le kit de l'étudiant"
    install_heading = (
        f"Installation (Python {PYTHON_VERSION} ou plus récent)"
    )
    return README.format(
        heading=heading,
        underline="=" * len(heading),
        install_heading=install_heading,
        install_underline="-" * len(install_heading),
        kit=KIT_NAME,
        student=f"{STUDENT_DIR}/",
        full=f"{FULL_DIR}/",
        wheel=wheel_name,
        cpu_torch=cpu_torch_command(pinned_versions()),
        install_time=install_time,
    )


def write_kit(
    notebooks: Mapping[str, nbformat.NotebookNode],
    wheel: Path,
    target: Path,
    *,
    book_title: str,
) -> Path:
    """Écrit ``target`` (``tp2-kit.zip``) : les notebooks, la roue, requirements, LISEZMOI.

    ``notebooks`` associe à chaque chemin dans le kit (``etudiant/03_….ipynb``) son notebook ;
    ``book_title`` : le titre du livre, en tête du LISEZMOI.
    """
    # Importé ici : tp2_src.logs charge torch (2 s), qu'une reconstruction sans changement
    # n'a pas à payer.
    from tp2_src.logs import RUNS_MARKER

    files: dict[str, bytes] = {
        RUNS_MARKER: MARKER_TEXT.encode(),
        "LISEZMOI.txt": lisezmoi(wheel.name, book_title).encode(),
        "requirements.txt": requirements(wheel.name).encode(),
        wheel.name: wheel.read_bytes(),
    }
    for name, notebook in notebooks.items():
        files[f"notebooks/{name}"] = (
            nbformat.writes(notebook) + "\n"
        ).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(
        partial, "w", compression=zipfile.ZIP_DEFLATED
    ) as kit:
        for name in sorted(files):
            info = zipfile.ZipInfo(
                f"{KIT_NAME}/{name}", date_time=ZIP_DATE
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            kit.writestr(info, files[name])
    partial.replace(
        target
    )  # jamais de zip à moitié écrit dans le site
    return target
