"""Mesure le coût de construction du livre, en une seule exécution, sur cette machine.

Travaille sur une copie du livre dans un dossier temporaire (le ``_build`` du dépôt n'est
pas touché) et lance les commandes mêmes de ``nox -s build`` (le site, puis le PDF si
xelatex est installé), avec les dépendances de ce venv, et mesure :

  (a) les cinq chapitres exécutés comme de simples scripts, l'un après l'autre ;
  (b) la construction à neuf : ni ``_build``, ni cache d'exécution (site puis PDF) ;
  (c) la reconstruction sans aucun changement (le site ; le PDF, à jour, n'est pas refait) ;
  (d) la reconstruction après une modification de la prose d'un chapitre (site puis PDF) ;
  (e) le PDF seul, refait à partir du cache ;
  (f) le poids du site ``_build/html``, kit de l'étudiant à part.

Chapitres et constructions tournent avec le même environnement (``settings.BUILD_ENV`` :
un fil de calcul par chapitre). Affiche chaque durée, les rapports b/a (cible ≤ 0,9) et
c/b (cible ≤ 5 %), et la mémoire maximale (RSS du plus gros processus de chaque étape,
noyaux Jupyter compris). Lancement : ``nox -s bench`` (résultats dans BENCHMARKS.md).
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

from tp2_src.editions import KIT_NAME
from tp2_src.settings import BUILD_ENV, BUILD_FLAGS, LOGDIR_ENV

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
MIB = 1024 * 1024


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


def site_weight(html: Path) -> float:
    """Poids du site en Mio, sans le kit de l'étudiant (téléchargement à part)."""
    return sum(p.stat().st_size for p in html.rglob("*") if p.is_file() and p.name != f"{KIT_NAME}.zip") / MIB


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tp2-bench-"))
    try:
        for name in ("_config.yml", "_toc.yml"):
            shutil.copy2(ROOT / name, work / name)
        shutil.copytree(ROOT / "book", work / "book", ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
        chapters = sorted((work / "book").glob("[0-9][0-9]_*.py"))
        env = {**os.environ, **BUILD_ENV, LOGDIR_ENV: str(work / "runs"), "LATEXMKOPTS": "-quiet"}
        scripts_env = {**env, "MPLBACKEND": "Agg"}  # un script n'ouvre aucune fenêtre
        html = [str(JUPYTER_BOOK), "build", str(work), *BUILD_FLAGS]
        with_pdf = shutil.which("xelatex") is not None
        # Comme `nox -s pdf` : le dossier latex d'une construction précédente est effacé.
        latex_dir = str(work / "_build" / "latex")
        clear_latex = [sys.executable, "-c", f"import shutil; shutil.rmtree({latex_dir!r}, True)"]
        pdf = [clear_latex, [str(JUPYTER_BOOK), "build", str(work), "--builder", "pdflatex", *BUILD_FLAGS]]
        build = [html, *(pdf if with_pdf else [])]

        a = measure([[sys.executable, str(c)] for c in chapters], scripts_env, work)
        b = measure(build, env, work)
        weight = site_weight(work / "_build" / "html")
        c = measure([html], env, work)
        edited = work / "book" / "02_autograd.py"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(
            text.replace("# ## Résumé\n", "# Une phrase ajoutée par le banc d'essai.\n#\n# ## Résumé\n", 1),
            encoding="utf-8",
        )
        d = measure(build, env, work)
        e = measure(pdf, env, work) if with_pdf else None
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"Machine : {platform.node()} — {os.cpu_count()} cœurs, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print()
    print(f"(a) chapitres en scripts       : {a['seconds']:7.1f} s   (RSS max {a['rss_mb']:6.0f} Mo)")
    for chapter, seconds in zip(chapters, a["each"], strict=True):
        print(f"      {chapter.name:<30} {seconds:6.1f} s")
    print(f"(b) construction à neuf        : {b['seconds']:7.1f} s   (RSS max {b['rss_mb']:6.0f} Mo)")
    if with_pdf:
        print(f"      dont le site {b['each'][0]:6.1f} s, le PDF {sum(b['each'][1:]):6.1f} s")
    print(f"(c) reconstruction identique   : {c['seconds']:7.1f} s   (RSS max {c['rss_mb']:6.0f} Mo)")
    print(f"(d) après édition de prose     : {d['seconds']:7.1f} s   (RSS max {d['rss_mb']:6.0f} Mo)")
    if e is not None:
        print(f"(e) PDF seul, depuis le cache  : {e['seconds']:7.1f} s   (RSS max {e['rss_mb']:6.0f} Mo)")
    else:
        print("(e) PDF                        : non mesuré (xelatex absent)")
    print(f"(f) poids du site (sans kit)   : {weight:7.2f} Mio   (cible ≤ 8 Mio)")
    print()
    print(f"b/a = {b['seconds'] / a['seconds']:.2f}   (cible ≤ 0,9)")
    print(f"c/b = {c['seconds'] / b['seconds']:.1%}   (cible ≤ 5 %)")
    print(f"d/b = {d['seconds'] / b['seconds']:.1%}   (d = {d['seconds']:.1f} s)")
    print(f"mémoire maximale : {max(x['rss_mb'] for x in (a, b, c, d)):.0f} Mo")


if __name__ == "__main__":
    main()
