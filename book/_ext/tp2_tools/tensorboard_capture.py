"""La capture d'écran de TensorBoard que montre le chapitre 3 (``nox -s tensorboard_capture``).

Lance un vrai serveur TensorBoard sur les journaux de la question 1 (ceux qu'écrit le
chapitre 3 : ``runs/q1-*`` après ``nox -s build``, sinon le chapitre est exécuté dans un
dossier temporaire), l'ouvre dans Chromium (celui de Debian, piloté par Playwright), et
enregistre la page dans ``book/images/tensorboard.png``. L'image est suivie par git : la
construction du livre ne lance pas TensorBoard. Relancez ce script quand l'interface de
TensorBoard ou les journaux du chapitre 3 changent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tp2_book.settings import ROOT

TARGET = ROOT / "book" / "images" / "tensorboard.png"
#: Les expériences montrées : les trois descentes de la question 1.
RUNS = ("q1-batch", "q1-mini-batch", "q1-stochastique")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logs(folder: Path) -> Path:
    """Un dossier qui ne contient que les expériences ``RUNS`` : celles de ``runs/`` si
    elles existent, sinon celles qu'écrit le chapitre 3, exécuté ici."""
    source = ROOT / "runs"
    if not all((source / run).is_dir() for run in RUNS):
        source = folder / "tous"
        env = {
            **os.environ,
            "TP2_LOGDIR": str(source),
            "MPLBACKEND": "Agg",
        }
        print("Exécution du chapitre 3 pour écrire ses journaux…")
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "book" / "03_regression_lineaire.py"),
            ],
            cwd=folder,
            env=env,
            check=True,
            capture_output=True,
        )
    chosen = folder / "runs"
    for run in RUNS:
        shutil.copytree(source / run, chosen / run)
    return chosen


def capture(logdir: Path, target: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(logdir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu"],
            )
            page = browser.new_page(
                viewport={"width": 1024, "height": 750},
                device_scale_factor=1,
            )
            page.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if "127.0.0.1" in r.request.url
                    else r.abort()
                ),
            )
            page.goto(url + "#timeseries", wait_until="networkidle")
            page.wait_for_timeout(
                6000
            )  # les courbes se dessinent après le chargement
            # Le panneau des réglages, ouvert par défaut, cache une partie des courbes.
            page.get_by_role(
                "button", name="Settings", exact=False
            ).last.click(timeout=5000)
            # Le tableau sous chaque courbe défile après deux lignes : on l'agrandit, et la
            # carte avec lui, pour que les trois expériences s'y lisent.
            page.add_style_tag(
                content=(
                    ".data-table-container { max-height: none !important; height: auto !important; }"
                    " .card-space, card-view, card-view-component, scalar-card, scalar-card-component"
                    " { height: 446px !important; }"
                )
            )
            page.wait_for_timeout(2500)
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--target",
        type=Path,
        default=TARGET,
        help="l'image à écrire",
    )
    parser.add_argument(
        "--chromium", default=shutil.which("chromium") or "chromium"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(
        prefix="tp2-tensorboard-"
    ) as tmp:
        capture(logs(Path(tmp)), args.target, args.chromium)
    print(
        f"Capture écrite : {args.target} ({args.target.stat().st_size // 1024} Kio)"
    )


if __name__ == "__main__":
    main()
