"""Journaux TensorBoard : où les écrire, et comment les relire (chapitres 3 à 5).

Un chapitre ouvre son journal dans un dossier neuf, ``with SummaryWriter(fresh_run_dir(nom))
as writer:``, et n'y écrit que ``writer.add_scalar(...)``. Les courbes du livre sont
relues dans les fichiers d'événements avec le lecteur de TensorBoard lui-même
(``read_scalars``) : la page montre exactement ce qui a été journalisé.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)

#: Variable d'environnement qui choisit le dossier des journaux (sinon ``runs/``).
LOGDIR_ENV = "TP2_LOGDIR"
#: Le fichier qui marque un dossier de travail (le dépôt du livre, le kit de l'étudiant) :
#: les journaux de ce qui s'exécute dans ce dossier, ou plus bas, vont dans son ``runs/``.
RUNS_MARKER = ".tp2-runs"

Scalars = dict[str, tuple[list[int], list[float]]]


def work_logdir(here: str | Path) -> Path:
    """Le ``runs/`` du dossier de travail de ``here`` : ``here`` ou le plus proche de ses
    dossiers parents qui contient ``RUNS_MARKER`` ; à défaut, ``here`` lui-même.

    Lève ``NotADirectoryError`` si ``here`` n'est pas un dossier.
    """
    here = Path(here).resolve()
    if not here.is_dir():
        raise NotADirectoryError(f"Dossier introuvable : {here}")
    work = next(
        (
            folder
            for folder in (here, *here.parents)
            if (folder / RUNS_MARKER).is_file()
        ),
        here,
    )
    return work / "runs"


def default_logdir() -> Path:
    """Dossier des journaux : ``$TP2_LOGDIR`` s'il est défini, sinon le ``runs/`` du
    dossier de travail du dossier courant (``work_logdir``) : celui du dépôt ou du kit
    quand on y travaille, sinon ``runs/`` dans le dossier courant."""
    if os.environ.get(LOGDIR_ENV):
        return Path(os.environ[LOGDIR_ENV]).expanduser().resolve()
    return work_logdir(Path.cwd())


def fresh_run_dir(name: str, logdir: str | Path | None = None) -> Path:
    """Dossier vide ``<logdir>/<name>`` pour une expérience.

    Un ancien dossier du même nom est supprimé : sinon TensorBoard fusionnerait les
    courbes de deux exécutions successives.
    """
    if not name or Path(name).name != name:
        raise ValueError(
            f"Nom d'expérience invalide (un seul composant de chemin) : {name!r}"
        )
    path = Path(logdir) if logdir is not None else default_logdir()
    run = path / name
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    return run


def read_scalars(run_dir: str | Path) -> Scalars:
    """Relit toutes les séries scalaires d'un dossier d'expérience.

    Renvoie ``{tag: (pas, valeurs)}`` triés par pas. ``size_guidance`` à 0 garde tous
    les points (par défaut, TensorBoard n'en garde qu'un échantillon).

    Lève ``TypeError`` pour autre chose qu'un chemin (un ``SummaryWriter``, par exemple),
    ``FileNotFoundError`` si le dossier n'existe pas, ``ValueError`` s'il ne contient aucun
    fichier d'événements.
    """
    if not isinstance(run_dir, str | os.PathLike):
        hint = (
            " : passez writer.log_dir"
            if hasattr(run_dir, "log_dir")
            else ""
        )
        raise TypeError(
            f"read_scalars attend le dossier d'une expérience (un chemin) ; reçu un "
            f"{type(run_dir).__name__}{hint}."
        )
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(
            f"Dossier d'expérience introuvable : {run_dir}"
        )
    if not any(run_dir.glob("events.out.tfevents.*")):
        raise ValueError(
            f"Aucun fichier d'événements TensorBoard dans {run_dir}"
        )
    acc = EventAccumulator(str(run_dir), size_guidance={"scalars": 0})
    acc.Reload()
    series: dict[str, tuple[list[int], list[float]]] = {}
    for tag in acc.Tags()["scalars"]:
        events = sorted(acc.Scalars(tag), key=lambda e: e.step)
        series[tag] = ([e.step for e in events], [e.value for e in events])
    return series
