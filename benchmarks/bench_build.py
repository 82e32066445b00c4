"""Mesure le coût de construction du livre, en une seule exécution, sur cette machine.

Travaille sur une copie du livre dans un dossier temporaire (le ``_build`` du dépôt
n'est pas touché) et mesure :

  (a) tous les chapitres exécutés comme de simples scripts, l'un après l'autre ;
  (b) une construction à neuf (``jupyter-book build -W -n``) ;
  (c) une reconstruction sans aucun changement ;
  (d) une reconstruction après avoir modifié la prose d'un chapitre.

Affiche chaque durée, les rapports b/a, c/b et d/b, et la mémoire maximale (RSS du plus
gros processus de chaque étape, noyaux Jupyter compris). Lancement : ``nox -s bench``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tp2_src.settings import BUILD_ENV, BUILD_FLAGS, LOGDIR_ENV

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def measure(commands: list[list[str]], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Durée totale et RSS maximal (Mo) des commandes, lancées dans un processus à part.

    Le processus intermédiaire ne sert qu'à isoler ``RUSAGE_CHILDREN`` : le maximum
    ne porte ainsi que sur les processus de cette étape.
    """
    runner = (
        "import json, resource, subprocess, sys, time\n"
        "cmds = json.loads(sys.argv[1])\n"
        "start = time.perf_counter()\n"
        "times = []\n"
        "for c in cmds:\n"
        "    t = time.perf_counter()\n"
        "    r = subprocess.run(c, capture_output=True, text=True)\n"
        "    if r.returncode:\n"
        "        sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:]); sys.exit(r.returncode)\n"
        "    times.append(time.perf_counter() - t)\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'rss_mb': rss, 'each': times}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", runner, json.dumps(commands)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"Échec d'une étape du banc d'essai :\n{result.stderr}")
    return json.loads(result.stdout)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tp2-bench-"))
    try:
        for name in ("_config.yml", "_toc.yml"):
            shutil.copy2(ROOT / name, work / name)
        shutil.copytree(ROOT / "book", work / "book", ignore=shutil.ignore_patterns("__pycache__"))
        chapters = sorted((work / "book").glob("[0-9][0-9]_*.py"))
        env = {**os.environ, "MPLBACKEND": "Agg", **BUILD_ENV, LOGDIR_ENV: str(work / "runs")}
        build = [str(JUPYTER_BOOK), "build", str(work), *BUILD_FLAGS]

        a = measure([[sys.executable, str(c)] for c in chapters], env, work)
        b = measure([build], env, work)
        c = measure([build], env, work)
        edited = work / "book" / "02_autograd.py"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(
            text.replace("# ## Résumé\n", "# Une phrase ajoutée par le banc d'essai.\n#\n# ## Résumé\n", 1),
            encoding="utf-8",
        )
        d = measure([build], env, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"Machine : {platform.node()} — {os.cpu_count()} cœurs, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print()
    print(f"(a) chapitres en scripts     : {a['seconds']:7.1f} s   (RSS max {a['rss_mb']:6.0f} Mo)")
    for chapter, seconds in zip(chapters, a["each"], strict=True):
        print(f"      {chapter.name:<30} {seconds:6.1f} s")
    print(f"(b) construction à neuf      : {b['seconds']:7.1f} s   (RSS max {b['rss_mb']:6.0f} Mo)")
    print(f"(c) reconstruction identique : {c['seconds']:7.1f} s   (RSS max {c['rss_mb']:6.0f} Mo)")
    print(f"(d) après édition de prose   : {d['seconds']:7.1f} s   (RSS max {d['rss_mb']:6.0f} Mo)")
    print()
    longest = max(a["each"])
    print(f"b/a = {b['seconds'] / a['seconds']:.2f}   (cible ≤ 1,5)")
    print(f"c/b = {c['seconds'] / b['seconds']:.1%}   (cible ≤ 10 %)")
    print(
        f"d/b = {d['seconds'] / b['seconds']:.1%}   (d = {d['seconds']:.1f} s ; cible : d ≤ un chapitre,"
        f" {longest:.1f} s au plus, + quelques s)"
    )
    print(f"mémoire maximale : {max(x['rss_mb'] for x in (a, b, c, d)):.0f} Mo")


if __name__ == "__main__":
    main()
