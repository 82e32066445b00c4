"""Extension Sphinx locale : la date du livre est celle de son dernier commit.

Chaque chapitre finit par une note qui dit avec quoi il a été exécuté et de quand date le
livre : ``{{ date_construction }}`` (substitution MyST). Prendre la date du dernier commit,
et non l'heure de la construction, garde identiques deux constructions du même commit.
``SOURCE_DATE_EPOCH`` (la convention des constructions reproductibles) l'emporte s'il est
défini ; hors d'un dépôt git, la note le dit.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tp2_book.settings import lesson_project

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

SUBSTITUTION = "date_construction"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
UNKNOWN = "(date inconnue : livre construit hors d'un dépôt git)"


def commit_date(folders: Sequence[Path]) -> datetime | None:
    """La date du dernier commit du premier dossier de ``folders`` qui est dans un dépôt git."""
    if epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        return datetime.fromtimestamp(int(epoch), UTC)
    for folder in folders:
        try:
            result = subprocess.run(
                [
                    "git",
                    "-C",
                    str(folder),
                    "log",
                    "-1",
                    "--format=%ct",
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None  # git absent
        if result.returncode == 0 and result.stdout.strip():
            return datetime.fromtimestamp(
                int(result.stdout.strip()), UTC
            )
    return None


def french_date(date: datetime | None) -> str:
    """« 1er mars 2026 », « 27 novembre 2026 » ; sans date, le dit."""
    if date is None:
        return UNKNOWN
    day = "1er" if date.day == 1 else str(date.day)
    return f"{day} {MONTHS[date.month - 1]} {date.year}"


def book_date(srcdir: Path) -> str:
    """La date du livre en toutes lettres : celle du dépôt des sources ``srcdir``, sinon
    celle du projet d'où ``tp2_src`` est installé (le livre copié ailleurs, par les tests
    ou le banc d'essai)."""
    project = lesson_project()
    folders = [srcdir] if project is None else [srcdir, project]
    return french_date(commit_date(folders))


def set_substitution(app: Sphinx, config: Config) -> None:
    date = book_date(Path(app.srcdir))
    config.myst_substitutions = {
        **config.myst_substitutions,
        SUBSTITUTION: date,
    }
    config.today = date  # la date de la page de titre du PDF


def setup(app: Sphinx) -> dict[str, Any]:
    # Une autre date change la configuration : Sphinx relit alors les pages (depuis le cache
    # d'exécution, sans rien réexécuter), et aucune ne garde l'ancienne date.
    app.connect("config-inited", set_substitution)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
