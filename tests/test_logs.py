"""Tests de tp2_src.logs : dossiers d'expérience et relecture des journaux TensorBoard."""

from __future__ import annotations

from pathlib import Path

import pytest
from torch.utils.tensorboard import SummaryWriter
from tp2_book.settings import ROOT

from tp2_src.logs import LOGDIR_ENV, RUNS_MARKER, default_logdir, fresh_run_dir, read_scalars, work_logdir


def test_default_logdir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOGDIR_ENV, str(tmp_path / "ailleurs"))
    assert default_logdir() == (tmp_path / "ailleurs").resolve()


def test_the_logs_go_to_the_runs_of_the_work_folder(tmp_path: Path) -> None:
    """Sans ``$TP2_LOGDIR`` : le ``runs/`` du dossier marqué le plus proche (le kit, le
    dépôt), sinon celui du dossier même ; la leçon ne connaît pas la forme du dépôt."""
    kit = tmp_path / "kit"
    notebooks = kit / "notebooks" / "etudiant"
    notebooks.mkdir(parents=True)
    assert work_logdir(notebooks) == notebooks.resolve() / "runs"  # rien de marqué
    (kit / RUNS_MARKER).write_text("le kit", encoding="utf-8")
    assert work_logdir(notebooks) == kit.resolve() / "runs"
    assert work_logdir(kit) == kit.resolve() / "runs"
    # Le dépôt porte la marque : un chapitre exécuté dans book/ écrit dans runs/ à la racine.
    assert work_logdir(ROOT / "book") == ROOT / "runs"


def test_fresh_run_dir_empties_an_old_run(tmp_path: Path) -> None:
    run = fresh_run_dir("exp", tmp_path)
    (run / "ancien.txt").write_text("x")
    run = fresh_run_dir("exp", tmp_path)
    assert run.is_dir() and not any(run.iterdir())


def test_read_scalars_returns_what_was_logged(tmp_path: Path) -> None:
    run = fresh_run_dir("exp", tmp_path)
    values = {step: 1.0 / (step + 1) for step in range(0, 250)}  # > 200 : au-delà de l'échantillon par défaut
    with SummaryWriter(run) as writer:
        for step, value in values.items():
            writer.add_scalar("loss/train", value, step)
            writer.add_scalar("loss/test", 2 * value, step)
    series = read_scalars(run)
    assert set(series) == {"loss/train", "loss/test"}
    steps, logged = series["loss/train"]
    assert steps == list(values)
    assert logged == pytest.approx(list(values.values()), rel=1e-6)
    assert series["loss/test"][1] == pytest.approx([2 * v for v in values.values()], rel=1e-6)
