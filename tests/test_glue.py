"""Tests de tp2_src.glue : hors du livre, une valeur collée est affichée, une figure fermée."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from tp2_src.glue import glue, glue_environment, glue_figure, glue_text, in_notebook


def test_outside_a_notebook_values_are_printed_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert not in_notebook()
    assert glue("x", 3.5, ".2f") == 3.5
    assert glue("n", 5252, "d") == 5252
    assert glue_text("m", "le batch") == "le batch"
    assert capsys.readouterr().out == "x = 3,50\nn = 5\u202f252\nm = le batch\n"


def test_glue_figure_outside_a_notebook_closes_the_figure() -> None:
    fig, _ = plt.subplots()
    number = fig.number
    glue_figure("f", fig)
    assert number not in plt.get_fignums()


def test_the_environment_note_names_what_ran_the_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import platform

    import torch

    monkeypatch.setenv("TP2_DEVICE", "cpu")
    text = glue_environment()
    assert text.startswith(f"Python {platform.python_version()} et PyTorch {torch.__version__}, sur ")
    assert f"processeur {platform.machine()} ({torch.get_num_threads()} fil" in text
    assert capsys.readouterr().out == f"environnement = {text}\n"
