"""Sessions nox : `build`, `pdf`, `tests`, `lint`, `tensorboard`, `lab`, `bench`, `lighthouse`,
`tensorboard_capture` et `lock`.

Les dépendances sont déclarées une seule fois, dans ``pyproject.toml`` : celles du paquet
``tp2_src`` dans ``[project]``, celles des outils dans des groupes (``[dependency-groups]``,
PEP 735) lus ici avec ``nox.project.dependency_groups``. Chaque session installe
``tp2_src`` en mode éditable : les chapitres l'importent de n'importe quel dossier, et une
modification de ``tp2_src`` est vue tout de suite. Les faits du livre (racine du dépôt, nom
du PDF…) et les options de construction viennent de ``book/_ext/tp2_book/settings.py`` (la
machinerie du livre), partagé avec les tests et le banc d'essai ; les paquets Debian, de
``.ci/debian-packages.txt``. Les versions installées
sont celles du verrou ``.ci/constraints.txt``, que ``nox -s lock`` écrit à partir de
``pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import nox
from nox.command import CommandFailed

nox.needs_version = ">=2025.2.9"  # nox.project.dependency_groups


def _settings():
    """Les faits et réglages de la machinerie du livre (``tp2_book.settings``), chargés par
    leur chemin : le module n'importe que la bibliothèque standard, nox n'installe rien pour lui."""
    path = Path(__file__).resolve().parent / "book" / "_ext" / "tp2_book" / "settings.py"
    spec = importlib.util.spec_from_file_location("tp2_book_settings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SETTINGS = _settings()
ROOT = SETTINGS.ROOT
BUILD_DIR = SETTINGS.BUILD_DIR
#: La machinerie du livre (extensions Sphinx, éditions, kit), hors du paquet installé.
MACHINERY = SETTINGS.MACHINERY
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PDF_NAME = SETTINGS.PDF_NAME
#: Le verrou (contraintes de pip) : ce avec quoi chaque session installe.
LOCK = ROOT / SETTINGS.CONSTRAINTS_FILE
#: Ce qu'il faut pour le PDF (xelatex, latexmk et make, que lance Jupyter Book).
TEX_TOOLS = ("xelatex", "latexmk", "make")
#: Les paquets Debian du projet, listés une seule fois.
DEBIAN_PACKAGES = " ".join(
    re.sub(r"#.*", "", (ROOT / SETTINGS.DEBIAN_PACKAGES_FILE).read_text(encoding="utf-8")).split()
)
#: Le dossier ``bin`` de l'environnement de ``build`` : le PDF est construit avec les mêmes
#: versions, donc à partir du même cache d'exécution (aucun chapitre ré-exécuté).
_BUILD_BIN: dict[str, str] = {}

# Le venv est gardé d'une exécution à l'autre : pip n'y réinstalle que ce qui manque.
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "virtualenv"


def install(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Installe tp2_src (éditable, sauf ``project=False``) et les groupes de dépendances
    demandés, aux versions du verrou (``pip install -c .ci/constraints.txt``, écrit par
    ``nox -s lock``), setuptools de construction compris : d'une machine et d'une année à
    l'autre, les mêmes paquets.

    pip n'est lancé que si ``pyproject.toml``, le verrou ou les groupes demandés ont changé
    depuis la dernière installation dans ce venv (une empreinte y est rangée) : sans
    changement, une reconstruction du livre ne paie pas les quelques secondes de pip. Pour
    tout réinstaller, supprimez le venv (``.nox/<session>``).
    """
    if not LOCK.is_file():
        session.error(f"Verrou {SETTINGS.CONSTRAINTS_FILE} introuvable : lancez `nox -s lock`.")
    requirements = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
    # --build-constraint : le setuptools qui construit tp2_src (éditable) est aussi celui du verrou.
    project_arguments = ["--build-constraint", str(LOCK), "-e", str(ROOT)] if project else []
    arguments = ["-c", str(LOCK), *project_arguments, *requirements]
    stamp_text = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes() + "\n".join(arguments).encode()
    ).hexdigest()
    location = getattr(session.virtualenv, "location", None)
    stamp = Path(location, ".tp2-installed") if location else None
    # Les groupes qui construisent le livre demandent aussi KaTeX (paquets Node).
    if {"book", "test", "bench"} & set(groups):
        install_formulas(session)
    if stamp is not None and stamp.is_file() and stamp.read_text() == stamp_text:
        session.log(
            "Dépendances déjà installées (pyproject.toml et verrou inchangés) : pip n'est pas relancé."
        )
        return
    session.install(*arguments)
    if stamp is not None:
        stamp.write_text(stamp_text)


def install_formulas(session: nox.Session) -> None:
    """Installe KaTeX, qui compose les formules du livre à la construction (paquets Node
    du verrou ``book/_ext/tp2_book/katex/package-lock.json``, ``npm ci``), dans le venv de
    la session : ``<venv>/katex/node_modules``, où ``tp2_book.formulas`` le cherche. Relancé
    seulement si le verrou npm a changé."""
    location = getattr(session.virtualenv, "location", None)
    if location is None:
        return
    source = MACHINERY / "tp2_book" / "katex"
    target = Path(location) / "katex"
    lock = (source / "package-lock.json").read_bytes()
    stamp = target / ".tp2-installed"
    if stamp.is_file() and stamp.read_bytes() == lock:
        return
    if shutil.which("npm") is None:
        session.error("npm introuvable : le livre compose ses formules avec KaTeX (Node.js 18 ou plus, npm).")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(source / name, target / name)
    session.run_install(
        "npm", "ci", "--prefix", str(target), "--no-audit", "--no-fund", "--loglevel=error", external=True
    )
    stamp.write_bytes(lock)


@nox.session
def lock(session: nox.Session) -> None:
    """Écrit le verrou ``.ci/constraints.txt`` : la version exacte de chaque paquet dont le
    livre, les tests et les outils ont besoin, résolue à neuf à partir de ``pyproject.toml``.

    pip résout les dépendances de tp2_src et tous les groupes ensemble, sans rien installer
    (``pip install --dry-run --ignore-installed --report``) : le résultat ne dépend pas de
    ce que contient déjà le venv. Pour changer une version : modifier ``pyproject.toml``,
    ``nox -s lock``, relire le diff du verrou, puis ``nox -s build`` et ``nox -s tests``.
    Les arguments après ``--`` vont à pip (par exemple ``--pre``).
    """
    groups = list(PYPROJECT.get("dependency-groups", {}))
    requirements = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
    report_path = Path(session.create_tmp()) / "pip-report.json"
    session.run(
        "python",
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--report",
        str(report_path),
        str(ROOT),
        *dict.fromkeys(requirements),
        *session.posargs,
    )
    text = lock_text(json.loads(report_path.read_text(encoding="utf-8")), groups)
    LOCK.write_text(text, encoding="utf-8")
    pins = [line for line in text.splitlines() if not line.startswith("#")]
    session.log(f"Verrou écrit : {LOCK.relative_to(ROOT)} ({len(pins)} paquets).")


def lock_text(report: dict, groups: list[str]) -> str:
    """Le texte du verrou, tiré du rapport de ``pip install --dry-run --report`` : une ligne
    ``nom==version`` par paquet résolu, sauf tp2_src lui-même, triée par nom normalisé."""
    project = _canonical_name(PYPROJECT["project"]["name"])
    versions = {
        _canonical_name(item["metadata"]["name"]): _public_version(item["metadata"]["version"])
        for item in report["install"]
    }
    versions.pop(project, None)
    python = report["environment"]["python_full_version"]
    platform = "{sys_platform} {platform_machine}".format(**report["environment"])
    header = [
        "# Le verrou de l'environnement du livre : la version de chaque paquet, pour `pip install -c`.",
        "# Écrit par `nox -s lock`, à ne pas modifier à la main : pour changer une version, modifier",
        "# pyproject.toml, relancer `nox -s lock`, puis reconstruire (README, « Les versions »).",
        f"# Résolu à partir de pyproject.toml (dépendances de {project}, groupes {', '.join(groups)}) par",
        f"# pip {report['pip_version']} (install --dry-run --report), sous Python {python}, {platform}.",
        "# Versions publiques, sans suffixe local (« +cpu ») : la version processeur de PyTorch",
        "# comme celle de PyPI les respectent.",
    ]
    pins = [f"{name}=={version}" for name, version in sorted(versions.items())]
    return "\n".join([*header, *pins]) + "\n"


def _canonical_name(name: str) -> str:
    """Le nom normalisé d'un paquet (PEP 503) : « LinkChecker » et « linkchecker » sont le même."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _public_version(version: str) -> str:
    """La version sans son suffixe local (PEP 440) : « 2.13.0+cpu » devient « 2.13.0 »."""
    return version.split("+", 1)[0]


@nox.session
def build(session: nox.Session) -> None:
    """Exécute chaque chapitre et construit le livre HTML dans ``_build/html``.

    Avertissements traités comme des erreurs (``-W``) et renvois vérifiés (``-n``) : un
    chapitre qui lève une erreur inattendue fait échouer la commande. Les arguments après
    ``--`` sont passés à ``jupyter-book build``. Si TeX est installé, la session ``pdf``
    suit (la version PDF, liée depuis le site) ; sinon un avertissement le dit.
    """
    install(session, "book")
    # Le cache d'exécution est invalidé par book/_ext/tp2_book/fresh_outputs.py quand tp2_src, les
    # données ou les versions installées changent : un livre construit n'est jamais périmé.
    built = session.run(
        "jupyter-book", "build", str(ROOT), *SETTINGS.BUILD_FLAGS, *session.posargs, env=SETTINGS.BUILD_ENV
    )
    _BUILD_BIN["bin"] = session.bin
    if built is None:  # `nox --install-only` : rien n'a été construit, le PDF non plus.
        return
    session.log(f"Livre construit : ouvrez {BUILD_DIR / 'html' / 'index.html'}")
    # La version PDF suit, si TeX est installé : le lien du site vers le PDF n'est jamais mort.
    missing = _missing_tex_tools()
    if missing:
        session.warn(
            f"Pas de version PDF (introuvable : {', '.join(missing)}). Pour l'avoir (Debian) : "
            f"apt-get install {DEBIAN_PACKAGES}, puis `nox -s pdf`."
        )
    elif _pdf_up_to_date():
        session.log("Version PDF à jour (aucune page relue depuis) : elle n'est pas refaite.")
    else:
        session.notify("pdf", posargs=[])


def _pdf_up_to_date() -> bool:
    """Le PDF (dans ``_build/pdf`` et dans le site) est plus récent que la dernière page relue
    par la construction HTML et que ``_config.yml`` (réglages LaTeX)."""
    pdfs = [BUILD_DIR / "pdf" / PDF_NAME, BUILD_DIR / "html" / PDF_NAME]
    stamp = BUILD_DIR / SETTINGS.PAGES_READ_STAMP
    if not (stamp.is_file() and all(p.is_file() for p in pdfs)):
        return False
    oldest = min(p.stat().st_mtime for p in pdfs)
    return oldest > max(stamp.stat().st_mtime, (ROOT / "_config.yml").stat().st_mtime)


def _missing_tex_tools() -> list[str]:
    return [tool for tool in TEX_TOOLS if shutil.which(tool) is None]


@nox.session(venv_backend="none", requires=["build"])
def pdf(session: nox.Session) -> None:
    """Construit le livre en un seul PDF (LaTeX, xelatex) : ``_build/pdf/``, copié dans le site.

    Lance d'abord ``build`` (qui ne ré-exécute rien si le livre est à jour), puis le
    constructeur LaTeX de Jupyter Book dans l'environnement de ``build`` : mêmes versions,
    donc les sorties viennent du cache d'exécution. Le PDF est copié dans ``_build/pdf/`` et
    dans ``_build/html/``, d'où l'introduction du site le propose. Demande TeX Live (paquets
    Debian de ``.ci/debian-packages.txt``). Les arguments après ``--`` vont à ``jupyter-book build``.
    """
    missing = _missing_tex_tools()
    if missing:
        session.error(
            f"Le PDF demande xelatex, latexmk et make (introuvable : {', '.join(missing)}). "
            f"Sur Debian ou Ubuntu : sudo apt-get install {DEBIAN_PACKAGES}"
        )
    bin_dir = Path(_BUILD_BIN.get("bin") or ROOT / ".nox" / "build" / "bin")
    jupyter_book = bin_dir / "jupyter-book"
    if not jupyter_book.exists():
        session.error("Environnement de `nox -s build` introuvable : lancez `nox -s build`.")
    SETTINGS.clear_latex(BUILD_DIR)
    built = BUILD_DIR / "latex" / PDF_NAME
    # latexmk -quiet : une ligne par passe de xelatex ; en cas d'échec, les erreurs du .log.
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**SETTINGS.BUILD_ENV, "LATEXMKOPTS": "-quiet", "PATH": path}
    try:
        ran = session.run(
            str(jupyter_book),
            "build",
            str(ROOT),
            "--builder",
            "pdflatex",
            *SETTINGS.BUILD_FLAGS,
            *session.posargs,
            env=env,
            external=True,
        )
    except CommandFailed:
        log = built.with_suffix(".log")
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
        errors = [" / ".join(lines[i : i + 3]) for i, line in enumerate(lines) if line.startswith("!")]
        session.error("La construction du PDF a échoué. " + ("\n".join(errors[:10]) or f"Voir {log}."))
    if ran is None:  # `nox --install-only`
        return
    target = BUILD_DIR / "pdf" / PDF_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, target)
    site = BUILD_DIR / "html"
    if site.is_dir():
        shutil.copy2(built, site / PDF_NAME)
    session.log(f"PDF construit : {target} ({target.stat().st_size / 2**20:.1f} Mio)")


@nox.session
def tests(session: nox.Session) -> None:
    """Lance la suite de tests (pytest) ; les arguments après ``--`` vont à pytest.

    Deux processus de test (pytest-xdist, un par cœur ; les tests du kit groupés dans l'un
    d'eux) ; palier rapide, sans exécuter les chapitres ni construire le livre :
    ``nox -s tests -- -m "not book"``.
    """
    install(session, "test")
    session.run(
        "pytest", "--numprocesses", "auto", "--dist", "loadgroup", *session.posargs, env=SETTINGS.BUILD_ENV
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Vérifie le style avec ruff : ``ruff check`` puis ``ruff format --check``.

    Le code, les tests et les chapitres (ceux-ci à 68 colonnes, ``book/ruff.toml``). Les
    arguments après ``--`` remplacent les chemins vérifiés ; ``ruff format .`` dans ce venv
    met le code en forme.
    """
    # ruff n'a pas besoin de torch : on n'installe que le groupe « lint ».
    install(session, "lint", project=False)
    paths = session.posargs or ["."]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def tensorboard(session: nox.Session) -> None:
    """Lance TensorBoard sur les journaux des chapitres (``runs/`` ou ``$TP2_LOGDIR``).

    Le dossier est celui qu'utilisent les chapitres (``tp2_src.logs.default_logdir``). Les
    arguments après ``--`` sont passés à ``tensorboard`` (par exemple ``--port 6007``).
    """
    install(session)
    logdir = session.run(
        "python",
        "-c",
        "from tp2_src.logs import default_logdir; print(default_logdir())",
        silent=True,
    ).strip()
    if not Path(logdir).is_dir():
        session.error(f"Aucun journal dans {logdir} : lancez d'abord `nox -s build` ou un chapitre.")
    session.run("tensorboard", "--logdir", logdir, *session.posargs)


@nox.session
def lab(session: nox.Session) -> None:
    """Lance JupyterLab sur les notebooks des deux éditions, avec ``tp2_src`` installé.

    Les notebooks sont écrits dans ``_build/lab`` (ou ``$TP2_LAB_DIR``) : ``etudiant/`` (un
    squelette et une vérification par question) et ``complet/`` (les solutions). Un notebook
    déjà présent n'est jamais écrasé : c'est votre travail ; supprimez-le pour repartir de la
    version du livre. Les arguments après ``--`` vont à ``jupyter lab`` (``--no-browser``,
    ``--port 8889``…).
    """
    install(session, "lab")
    target = Path(os.environ.get(SETTINGS.LAB_DIR_ENV) or BUILD_DIR / "lab").resolve()
    session.run("python", "-m", "tp2_tools.lab", str(target), env={"PYTHONPATH": str(MACHINERY)})
    options = [f"--ServerApp.root_dir={target}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")  # dans un conteneur (CI), on est souvent root
    session.run("jupyter", "lab", *options, *session.posargs)


@nox.session
def tensorboard_capture(session: nox.Session) -> None:
    """Refait ``book/images/tensorboard.png``, la capture de TensorBoard du chapitre 3.

    Lance un vrai serveur TensorBoard sur les journaux de la question 1 (``runs/`` après
    ``nox -s build``, sinon le chapitre 3 est exécuté pour les écrire) et l'ouvre dans
    Chromium (``apt-get install chromium``). Les arguments après ``--`` vont au script.
    """
    install(session, "test")
    script = "tp2_tools.tensorboard_capture"
    session.run("python", "-m", script, *session.posargs, env={"PYTHONPATH": str(MACHINERY)})


@nox.session
def lighthouse(session: nox.Session) -> None:
    """Banc d'essai des pages construites (``_build/html``) par Lighthouse : scores de
    performance et d'accessibilité, téléphone et ordinateur, médiane de 3 passages (voir
    BENCHMARKS.md). Lighthouse vient du verrou npm ``benchmarks/lighthouse/package-lock.json``
    (``npm ci`` dans le venv) ; les arguments après ``--`` vont au script."""
    source = ROOT / "benchmarks" / "lighthouse"
    target = Path(session.virtualenv.location) / "lighthouse"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(source / name, target / name)
    session.run_install("npm", "ci", "--prefix", str(target), "--no-audit", "--no-fund", external=True)
    program = target / "node_modules" / ".bin" / "lighthouse"
    session.run(
        "python", str(ROOT / "benchmarks" / "lighthouse.py"), "--lighthouse", str(program), *session.posargs
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Banc d'essai de la construction : scripts, construction à neuf, reconstructions.

    Affiche les durées, leurs rapports et la mémoire maximale (voir BENCHMARKS.md) ; les
    arguments après ``--`` sont passés au script.
    """
    install(session, "bench")
    script = ROOT / "benchmarks" / "bench_build.py"
    session.run("python", str(script), *session.posargs, env={"PYTHONPATH": str(MACHINERY)})
