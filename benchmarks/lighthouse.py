"""Banc d'essai des pages du livre construit, par Lighthouse (performance, accessibilité).

Sert ``_build/html`` sur la boucle locale (``python -m http.server``), lance Lighthouse
(Node, avec le Chromium de Debian) sur chaque page, en profil téléphone (``mobile``, le
réglage par défaut de Lighthouse : 412 px, processeur ralenti ×4, réseau 4G lent simulé) et
ordinateur (``--preset=desktop``), ``--runs`` fois chacun, et affiche la médiane de chaque
score et du décalage de mise en page (CLS). Aucune valeur n'est vérifiée : ce sont des
mesures (BENCHMARKS.md), qui varient avec la charge de la machine.

Usage : ``nox -s lighthouse`` (installe Lighthouse, du verrou
``benchmarks/lighthouse/package-lock.json``), ou ``python benchmarks/lighthouse.py
--lighthouse <dossier>/node_modules/.bin/lighthouse [--runs 3] [--pages book/intro.html …]``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --no-first-run --disable-sync"
)
CATEGORIES = ("performance", "accessibility")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path):
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


def audit(lighthouse: str, url: str, desktop: bool, chrome: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            lighthouse,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            *(["--preset=desktop"] if desktop else []),
        ]
        subprocess.run(command, check=True, env={"CHROME_PATH": chrome, "PATH": "/usr/bin:/bin"})
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(100 * data["categories"][name]["score"]) for name in CATEGORIES}
    audits = data["audits"]
    scores["cls"] = audits["cumulative-layout-shift"]["numericValue"]
    scores["lcp_s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    scores["tbt_ms"] = audits["total-blocking-time"]["numericValue"]
    scores["dom"] = audits["dom-size"].get("numericValue", 0)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", required=True, help="le programme lighthouse (node_modules/.bin)")
    parser.add_argument("--chrome", default="/usr/bin/chromium")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="pages relatives à _build/html (toutes par défaut)")
    args = parser.parse_args()
    if not (HTML / "index.html").is_file():
        sys.exit(f"{HTML} : livre non construit (lancez `nox -s build`).")
    pages = args.pages or sorted(
        str(p.relative_to(HTML))
        for p in HTML.rglob("*.html")
        if p.name not in ("index.html", "genindex.html")
    )
    print(f"Lighthouse, médiane de {args.runs} passages ; perf. = performance, acc. = accessibilité")
    print(f"{'page':<36} {'profil':<10} {'perf.':>5} {'acc.':>4} {'CLS':>6} {'LCP':>6} {'TBT':>7} {'DOM':>6}")
    with serve(HTML) as base:
        for page in pages:
            for desktop in (False, True):
                runs = [audit(args.lighthouse, base + page, desktop, args.chrome) for _ in range(args.runs)]
                median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                profile = "ordinateur" if desktop else "téléphone"
                print(
                    f"{page:<36} {profile:<10} {median['performance']:>5.0f} "
                    f"{median['accessibility']:>4.0f} {median['cls']:>6.3f} {median['lcp_s']:>5.1f}s "
                    f"{median['tbt_ms']:>5.0f}ms {median['dom']:>6.0f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
