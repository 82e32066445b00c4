"""Le verrou ``.ci/constraints.txt`` (``nox -s lock``) : il couvre ``pyproject.toml``, nox
installe avec lui, le kit et le README en tirent leurs versions.

Palier rapide : rien n'est installé ni résolu ; le noxfile est chargé comme module et sa
fonction ``install`` appelée sur une session factice, qui retient les commandes de pip.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import shutil
import tomllib
from pathlib import Path
from types import ModuleType, SimpleNamespace

import nox
import pytest
from helpers import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from tp2_book import kit
from tp2_book.settings import CONSTRAINTS_FILE

LOCK = ROOT / CONSTRAINTS_FILE
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
GROUPS = list(PYPROJECT["dependency-groups"])


@functools.cache
def load_noxfile() -> ModuleType:
    """Le ``noxfile.py`` du dépôt, chargé par son chemin (il n'est pas dans un paquet), une
    fois par processus : nox refuse qu'une session soit déclarée deux fois."""
    spec = importlib.util.spec_from_file_location("tp2_noxfile", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pyproject_requirements() -> list[Requirement]:
    """Les dépendances de tp2_src, puis celles de chaque groupe (inclusions résolues)."""
    texts = list(PYPROJECT["project"]["dependencies"])
    texts += [r for group in GROUPS for r in nox.project.dependency_groups(PYPROJECT, group)]
    return [Requirement(text) for text in texts]


def test_the_lock_has_one_exact_public_pin_per_package() -> None:
    lines = LOCK.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    pins = [line for line in lines if not line.startswith("#")]
    assert lines[: len(header)] == header, "les commentaires du verrou sont en tête"
    assert any("nox -s lock" in line for line in header), "l'en-tête doit dire comment le verrou est écrit"
    names = []
    for pin in pins:
        match = re.fullmatch(r"([a-z0-9-]+)==([^\s+]+)", pin)
        assert match, (
            f"{CONSTRAINTS_FILE} : « {pin} » n'est pas « nom==version » (nom normalisé, sans +local)"
        )
        assert str(Version(match[2])) == match[2], f"{pin} : version non normalisée"
        names.append(match[1])
    assert names == sorted(set(names)), "un paquet par ligne, triés par nom"
    assert len(names) > len(pyproject_requirements()), "le verrou fixe aussi les dépendances indirectes"


def test_the_lock_covers_every_requirement_of_pyproject() -> None:
    locked = kit.locked_versions(ROOT)
    problems = []
    for requirement in pyproject_requirements():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} absent")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} ne respecte pas « {requirement} »")
    assert not problems, (
        f"{CONSTRAINTS_FILE} ne suit pas pyproject.toml ({' ; '.join(problems)}) : lancez `nox -s lock`"
    )


def test_the_lock_text_comes_from_the_pip_report() -> None:
    noxfile = load_noxfile()
    report = {
        "pip_version": "26.3",
        "environment": {
            "python_full_version": "3.11.7",
            "sys_platform": "linux",
            "platform_machine": "x86_64",
        },
        "install": [
            {"metadata": {"name": "Torch", "version": "2.13.0+cpu"}},
            {"metadata": {"name": "tp2_src", "version": "0.1.0"}},
            {"metadata": {"name": "LinkChecker", "version": "10.6.0"}},
            {"metadata": {"name": "typing_extensions", "version": "4.16.0"}},
        ],
    }
    text = noxfile.lock_text(report, ["book", "test"])
    pins = [line for line in text.splitlines() if not line.startswith("#")]
    assert pins == ["linkchecker==10.6.0", "torch==2.13.0", "typing-extensions==4.16.0"]
    assert "pip 26.3" in text and "Python 3.11.7" in text and "book, test" in text


class FakeSession:
    """Ce que ``install`` demande à une session de nox ; les commandes de pip sont retenues."""

    def __init__(self, location: Path) -> None:
        self.virtualenv = SimpleNamespace(location=str(location))
        self.installs: list[tuple[str, ...]] = []
        self.runs: list[tuple[str, ...]] = []

    def install(self, *args: str) -> None:
        self.installs.append(args)

    def run_install(self, *args: str, **kwargs: object) -> None:
        self.runs.append(args)

    def log(self, message: str) -> None:
        pass

    def error(self, message: str) -> None:
        raise RuntimeError(message)


def test_nox_installs_with_the_lock_and_reinstalls_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noxfile = load_noxfile()
    lock = tmp_path / "constraints.txt"
    lock.write_bytes(LOCK.read_bytes())
    monkeypatch.setattr(noxfile, "LOCK", lock)
    session = FakeSession(tmp_path / "venv")
    (tmp_path / "venv").mkdir()

    noxfile.install(session, "test")
    (args,) = session.installs
    assert args[:2] == ("-c", str(lock)), args
    assert args[2:6] == ("--build-constraint", str(lock), "-e", str(ROOT)), args
    assert set(nox.project.dependency_groups(PYPROJECT, "test")) <= set(args[6:])

    noxfile.install(session, "test")
    assert len(session.installs) == 1, "rien n'a changé : pip ne doit pas être relancé"

    lock.write_text(lock.read_text(encoding="utf-8").replace("torch==", "torch==0"), encoding="utf-8")
    noxfile.install(session, "test")
    assert len(session.installs) == 2, "le verrou a changé : pip doit être relancé"

    noxfile.install(session, "lint", project=False)
    assert session.installs[-1][:2] == ("-c", str(lock)) and "-e" not in session.installs[-1]


def test_the_book_installs_katex_from_the_npm_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Les sessions qui construisent le livre installent KaTeX (``npm ci``, le verrou npm
    copié dans le venv), une fois : npm n'est relancé que si ce verrou change."""
    noxfile = load_noxfile()
    machinery = tmp_path / "_ext"
    shutil.copytree(noxfile.MACHINERY / "tp2_book" / "katex", machinery / "tp2_book" / "katex")
    monkeypatch.setattr(noxfile, "MACHINERY", machinery)
    session = FakeSession(tmp_path / "venv")
    (tmp_path / "venv").mkdir()
    noxfile.install_formulas(session)
    (run,) = session.runs
    assert run[:4] == ("npm", "ci", "--prefix", str(tmp_path / "venv" / "katex")), run
    assert (tmp_path / "venv" / "katex" / "package-lock.json").is_file()
    noxfile.install_formulas(session)
    assert len(session.runs) == 1, "verrou npm inchangé : npm ne doit pas être relancé"
    npm_lock = machinery / "tp2_book" / "katex" / "package-lock.json"
    npm_lock.write_text(npm_lock.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    noxfile.install_formulas(session)
    assert len(session.runs) == 2, "le verrou npm a changé : npm doit être relancé"
    session.runs.clear()
    noxfile.install(session, "lint", project=False)
    assert not session.runs, "le style n'a pas besoin de KaTeX"


def test_ci_installs_nox_at_the_locked_version() -> None:
    """``.ci/run`` installe nox avec le verrou, et le verrou contient nox : la CI lance la
    version de nox que les tests ont vue."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = [line for line in script.splitlines() if "pip install" in line and not line.startswith("#")]
    assert installs, ".ci/run n'installe plus nox"
    for line in installs:
        assert f"-c {CONSTRAINTS_FILE}" in line, f"installé sans le verrou : {line}"
    assert re.search(r"^nox==\S+$", LOCK.read_text(encoding="utf-8"), re.M), "nox absent du verrou"


def test_nox_refuses_to_install_without_a_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    noxfile = load_noxfile()
    monkeypatch.setattr(noxfile, "LOCK", tmp_path / "absent.txt")
    with pytest.raises(RuntimeError, match="nox -s lock"):
        noxfile.install(FakeSession(tmp_path), "book")


def test_every_session_installs_through_install() -> None:
    """Un seul appel à ``session.install`` dans le noxfile, celui de ``install()`` : aucune
    session n'installe sans le verrou."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    callers = [
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "install"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
    ]
    assert callers == ["install"], callers


def write_lock(project: Path, lines: list[str]) -> None:
    """Un verrou ``lines`` dans le projet factice ``project``."""
    lock = project / CONSTRAINTS_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_kit_pins_its_direct_dependencies_at_the_locked_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Un verrou dont chaque version diffère de celles installées ici : le kit prend les
    siennes, et seulement pour ses dépendances directes."""
    pins = [line for line in LOCK.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    write_lock(tmp_path, ["# en-tête", *(f"{pin.split('==')[0]}==99.{i}" for i, pin in enumerate(pins))])
    monkeypatch.setattr(kit, "lesson_project", lambda: tmp_path)
    locked = kit.locked_versions()
    text = kit.requirements("tp2_src-0.1.0-py3-none-any.whl")
    kit_pins = dict(
        line.split("==") for line in text.splitlines() if "==" in line and not line.startswith("#")
    )
    project = PYPROJECT["project"]["name"]
    direct = [Requirement(r).name for r in PYPROJECT["project"]["dependencies"]]
    assert sorted(kit_pins) == sorted([*direct, *kit.NOTEBOOK_EXTRAS, project])
    assert kit_pins.pop(project) == "0.1.0"
    assert kit_pins == {name: locked[canonicalize_name(name)] for name in kit_pins}
    assert f"pip install torch=={locked['torch']} " in text


def test_the_kit_refuses_a_lock_without_its_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / CONSTRAINTS_FILE
    lock.parent.mkdir(parents=True)
    kept = [
        line for line in LOCK.read_text(encoding="utf-8").splitlines() if not line.startswith("networkx==")
    ]
    lock.write_text("\n".join(kept) + "\n", encoding="utf-8")
    monkeypatch.setattr(kit, "lesson_project", lambda: tmp_path)
    with pytest.raises(RuntimeError, match=r"absent du verrou .* networkx .*nox -s lock"):
        kit.pinned_versions()


def test_the_versions_in_the_readme_are_the_locked_ones() -> None:
    locked = kit.locked_versions(ROOT)
    cited = [
        (number, match[1], match[2])
        for number, line in enumerate((ROOT / "README.md").read_text(encoding="utf-8").splitlines(), 1)
        for match in re.finditer(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.+!-]*[0-9A-Za-z])", line)
    ]
    assert cited, "le README ne cite plus aucune version : ce test ne vérifie plus rien"
    for number, name, version in cited:
        expected = locked.get(canonicalize_name(name))
        assert version == expected, (
            f"README.md, ligne {number} : {name}=={version}, mais {CONSTRAINTS_FILE} fixe "
            f"{name}=={expected} : écrivez {name}=={expected} dans le README"
        )


@pytest.mark.parametrize("line", ["torch>=2.13", "torch==2.13.0,!=2.13.1", "torch"])
def test_the_kit_refuses_a_lock_line_that_is_not_one_exact_version(tmp_path: Path, line: str) -> None:
    write_lock(tmp_path, ["# en-tête", "numpy==2.4.6", line])
    with pytest.raises(RuntimeError, match=r"n'est pas « nom==version »"):
        kit.locked_versions(tmp_path)
