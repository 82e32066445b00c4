"""Le paquet de la machinerie (``tp2_book``) : ses modules ne s'importent pas en cercle.

Les imports sont lus dans le code (``ast``), où qu'ils soient : en tête du module, dans une
fonction (import différé), sous ``TYPE_CHECKING``. Un import différé cache un cercle à
l'exécution, pas à cette lecture.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tp2_book.settings import MACHINERY

PACKAGE = MACHINERY / "tp2_book"


def imports(path: Path, package: str, modules: set[str]) -> tuple[set[str], set[str]]:
    """(modules de ``package`` importés, autres paquets importés) par le fichier ``path``."""
    inside, outside = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] != package:
                    outside.add(parts[0])
                elif len(parts) > 1:
                    inside.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            if node.level == 0 and parts[0] != package:
                outside.add(parts[0])
                continue
            # « from tp2_book import settings », « from . import settings » : des modules ;
            # « from tp2_book.kit import … », « from .kit import … » : le module kit.
            within = parts[1:] if node.level == 0 else [p for p in parts if p]
            if within:
                inside.add(within[0])
            else:
                inside |= {alias.name for alias in node.names} & modules
    return inside & modules, outside


def import_graph(package_dir: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Pour chaque module du paquet : les modules du paquet qu'il importe, et les autres."""
    files = {p.stem: p for p in package_dir.glob("*.py") if p.stem != "__init__"}
    graph, external = {}, {}
    for name, path in files.items():
        graph[name], external[name] = imports(path, package_dir.name, set(files))
        graph[name].discard(name)
    return graph, external


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Un cercle d'imports (``[a, b, a]``), ou ``None`` s'il n'y en a pas."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph.get(name, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        if cycle := visit(name):
            return cycle
    return None


def loaded_by(graph: dict[str, set[str]], start: str) -> set[str]:
    """Les modules du paquet que charge ``start``, lui compris, de proche en proche."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return seen


GRAPH, EXTERNAL = import_graph(PACKAGE)


def test_the_machinery_has_no_import_cycle() -> None:
    assert len(GRAPH) > 10 and any(GRAPH.values()), "aucun module lu : ce test ne vérifie plus rien"
    cycle = find_cycle(GRAPH)
    assert cycle is None, "cercle d'imports dans tp2_book : " + " → ".join(cycle or [])


def test_a_deferred_import_closing_a_cycle_is_seen(tmp_path: Path) -> None:
    """Le cercle ``date → kit → éditions → date`` d'avant, deux imports différés compris."""
    package = tmp_path / "machinerie"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "date.py").write_text("def f():\n    from machinerie.kit import g\n")
    (package / "kit.py").write_text("from machinerie import editions\n")
    (package / "editions.py").write_text("def h():\n    from .date import f\n")
    (package / "seul.py").write_text("import machinerie.kit\nimport os\n")
    graph, external = import_graph(package)
    assert graph == {"date": {"kit"}, "kit": {"editions"}, "editions": {"date"}, "seul": {"kit"}}
    assert external["seul"] == {"os"}
    assert find_cycle(graph) == ["date", "kit", "editions", "date"]
    graph["editions"] = set()
    assert find_cycle(graph) is None


def test_the_date_extension_loads_neither_jupytext_nor_nbformat() -> None:
    """Trouver la date du livre ne demande que git et ``settings`` (le projet de ``tp2_src``)."""
    modules = loaded_by(GRAPH, "build_date")
    assert modules == {"build_date", "settings"}, modules
    third_party = set().union(*(EXTERNAL[m] for m in modules))
    assert not third_party & {"jupytext", "nbformat", "packaging", "tp2_src"}, third_party


def test_the_editions_are_a_pure_converter() -> None:
    """Les éditions (et ce qu'elles chargent) n'appellent pas git : la date leur est donnée."""
    modules = loaded_by(GRAPH, "editions")
    assert "editions" in modules and "build_date" not in modules and "kit" not in modules, modules
    callers = sorted(m for m in modules if "subprocess" in EXTERNAL[m])
    assert not callers, f"des processus lancés par les éditions : {callers}"
