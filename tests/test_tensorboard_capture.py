"""``tp2_tools.tensorboard_capture`` : la commande que lance ``nox -s tensorboard_capture``
(la capture elle-même demande TensorBoard et Chromium : elle n'est pas refaite ici)."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT
from tp2_tools import tensorboard_capture


def test_the_capture_is_the_image_the_chapter_shows() -> None:
    assert tensorboard_capture.TARGET == ROOT / "book" / "images" / "tensorboard.png"
    assert tensorboard_capture.TARGET.is_file(), "l'image est suivie par git"
    chapter = (ROOT / "book" / "03_regression_lineaire.py").read_text(encoding="utf-8")
    assert "images/tensorboard.png" in chapter


def test_nox_runs_it_as_a_module_of_book_ext() -> None:
    """Comme ``nox -s tensorboard_capture`` : ``python -m`` avec ``book/_ext`` pour seul
    ajout au chemin des modules."""
    result = subprocess.run(
        [sys.executable, "-m", "tp2_tools.tensorboard_capture", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "book" / "_ext"), "PATH": ""},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--target" in result.stdout and "TensorBoard" in result.stdout
