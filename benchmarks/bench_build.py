"""Mesure le coût de construction du livre, en une seule exécution, sur cette machine.

Travaille sur une copie du livre dans un dossier temporaire (le ``_build`` du dépôt n'est
pas touché) et lance les commandes mêmes de ``nox -s build`` (le site, puis le PDF si
xelatex est installé), avec les dépendances de ce venv, et mesure :

  (a) les chapitres exécutés comme de simples scripts, l'un après l'autre : comme un
      lecteur les lance (fils de calcul par défaut), puis avec un seul fil de calcul
      chacun (``settings.BUILD_ENV``, l'environnement de la construction) ;
  (b) la construction à neuf : ni ``_build``, ni cache d'exécution (site puis PDF), dont
      le temps passé à exécuter les chapitres et ce que la construction dépense au-delà ;
  (c) la reconstruction sans aucun changement (le site ; le PDF, à jour, n'est pas refait) ;
  (d) la reconstruction après une modification de la prose d'un chapitre (site puis PDF) ;
  (e) le PDF seul, refait à partir du cache ;
  (f) le poids du site ``_build/html``, kit de l'étudiant à part ;
  (g) l'installation du kit de l'étudiant (``pip install -r requirements.txt`` dans un
      venv neuf, les paquets déjà dans le cache de pip) : la durée que cite son LISEZMOI.

Affiche chaque durée, les rapports de la construction aux scripts et la mémoire maximale
(RSS du plus gros processus de chaque étape, noyaux Jupyter compris). Lancement :
``nox -s bench`` (résultats dans BENCHMARKS.md).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from tp2_book.conventions import chapters
from tp2_book.settings import (
    BUILD_ENV,
    BUILD_FLAGS,
    KIT_NAME,
    KIT_ZIP,
    ROOT,
    clear_latex,
    copy_book,
    site_weight,
)

from tp2_src.logs import LOGDIR_ENV

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
MIB = 1024 * 1024
#: La ligne de ``parallel_execute`` qui donne le temps passé à exécuter les chapitres.
EXECUTED = re.compile(r"\[parallel_execute\] chapitres exécutés en ([\d.]+) s")


def measure(commands: list[list[str]], env: dict[str, str], cwd: Path) -> dict:
    """Durée totale, durée de chaque commande, RSS maximal (Mo) et journal des commandes,
    lancées dans un processus à part (qui isole ``RUSAGE_CHILDREN`` : le maximum ne porte
    que sur les processus de cette étape)."""
    runner = (
        "import json, resource, subprocess, sys, time\n"
        "cmds = json.loads(sys.argv[1])\n"
        "start = time.perf_counter()\n"
        "times, log = [], ''\n"
        "for c in cmds:\n"
        "    t = time.perf_counter()\n"
        "    r = subprocess.run(c, capture_output=True, text=True)\n"
        "    if r.returncode:\n"
        "        sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:]); sys.exit(r.returncode)\n"
        "    times.append(time.perf_counter() - t)\n"
        "    log += r.stdout + r.stderr\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'rss_mb': rss, 'each': times,\n"
        "                  'log': log}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", runner, json.dumps(commands)], cwd=cwd, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"Échec d'une étape du banc d'essai :\n{result.stderr}")
    return json.loads(result.stdout)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tp2-bench-"))
    try:
        copy_book(ROOT, work)
        sources = chapters(work / "book")
        env = {**os.environ, **BUILD_ENV, LOGDIR_ENV: str(work / "runs"), "LATEXMKOPTS": "-quiet"}
        reader_env = {k: v for k, v in env.items() if k != "OMP_NUM_THREADS"}
        scripts = [[sys.executable, str(c)] for c in sources]
        html = [str(JUPYTER_BOOK), "build", str(work), *BUILD_FLAGS]
        with_pdf = shutil.which("xelatex") is not None
        # Comme `nox -s pdf` : le dossier latex d'une construction précédente est effacé.
        clear = [
            sys.executable,
            "-c",
            f"from tp2_book.settings import clear_latex; "
            f"from pathlib import Path; clear_latex(Path({str(work / '_build')!r}))",
        ]
        pdf = [clear, [str(JUPYTER_BOOK), "build", str(work), "--builder", "pdflatex", *BUILD_FLAGS]]
        build = [html, *(pdf if with_pdf else [])]
        # Un script n'ouvre aucune fenêtre.
        a_reader = measure(scripts, {**reader_env, "MPLBACKEND": "Agg"}, work)
        a_one = measure(scripts, {**env, "MPLBACKEND": "Agg"}, work)
        b = measure(build, env, work)
        weight = site_weight(work / "_build" / "html") / MIB
        c = measure([html], env, work)
        edited = work / "book" / "02_autograd.py"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(
            text.replace("# ## Résumé\n", "# Une phrase ajoutée par le banc d'essai.\n#\n# ## Résumé\n", 1),
            encoding="utf-8",
        )
        d = measure(build, env, work)
        e = measure(pdf, env, work) if with_pdf else None
        kit = work / "kit"
        with zipfile.ZipFile(work / "_build" / "html" / KIT_ZIP) as archive:
            archive.extractall(kit)
        g = measure(
            [
                [sys.executable, "-m", "venv", str(kit / "venv")],
                [
                    str(kit / "venv" / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "-r",
                    str(kit / KIT_NAME / "requirements.txt"),
                ],
            ],
            env,
            kit,
        )
    finally:
        clear_latex(work / "_build")
        shutil.rmtree(work, ignore_errors=True)

    executing = float(EXECUTED.search(b["log"])[1]) if EXECUTED.search(b["log"]) else float("nan")
    site = b["each"][0]
    print(
        f"Machine : {platform.node()} — {os.cpu_count()} cœurs, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print()
    print("(a) chapitres en scripts, l'un après l'autre :")
    for label, a in (("fils par défaut (un lecteur)", a_reader), ("un fil par chapitre", a_one)):
        print(f"      {label:<28} : {a['seconds']:7.1f} s   (RSS max {a['rss_mb']:6.0f} Mo)")
    for chapter, reader, one in zip(sources, a_reader["each"], a_one["each"], strict=True):
        print(f"      {chapter.name:<30} {reader:6.1f} s   {one:6.1f} s")
    print(f"(b) construction à neuf        : {b['seconds']:7.1f} s   (RSS max {b['rss_mb']:6.0f} Mo)")
    print(f"      dont le site {site:6.1f} s, dont les chapitres exécutés en parallèle {executing:6.1f} s")
    print(f"      au-delà des chapitres, le site dépense {site - executing:6.1f} s (Sphinx, notebooks, kit)")
    if with_pdf:
        print(f"      dont le PDF {sum(b['each'][1:]):6.1f} s")
    print(f"(c) reconstruction identique   : {c['seconds']:7.1f} s   (RSS max {c['rss_mb']:6.0f} Mo)")
    print(f"(d) après édition de prose     : {d['seconds']:7.1f} s   (RSS max {d['rss_mb']:6.0f} Mo)")
    if e is not None:
        print(f"(e) PDF seul, depuis le cache  : {e['seconds']:7.1f} s   (RSS max {e['rss_mb']:6.0f} Mo)")
    else:
        print("(e) PDF                        : non mesuré (xelatex absent)")
    print(f"(f) poids du site (sans kit)   : {weight:7.2f} Mio   (cible ≤ 8 Mio)")
    print(
        f"(g) installation du kit        : {g['seconds']:7.1f} s   (venv {g['each'][0]:.1f} s, "
        f"pip {g['each'][1]:.1f} s)"
    )
    print()
    print(f"b / a (fils par défaut) = {b['seconds'] / a_reader['seconds']:.2f}")
    print(f"b / a (un fil)          = {b['seconds'] / a_one['seconds']:.2f}")
    print(f"site / a (fils par défaut) = {site / a_reader['seconds']:.2f}")
    print(f"c / b = {c['seconds'] / b['seconds']:.1%}   (cible ≤ 5 %)")
    print(f"d / b = {d['seconds'] / b['seconds']:.1%}   (d = {d['seconds']:.1f} s)")
    print(f"mémoire maximale : {max(x['rss_mb'] for x in (a_reader, a_one, b, c, d)):.0f} Mo")


if __name__ == "__main__":
    main()
