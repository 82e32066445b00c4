"""Tests de tp2_src.report : tableaux et valeurs collées, hors du livre."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest

from tp2_src.report import (
    error_summary,
    format_table,
    french_number,
    glue,
    glue_environment,
    glue_figure,
    in_notebook,
    show_table,
    warning_summary,
)


def test_format_table_is_gfm() -> None:
    table = format_table(["a", "b"], [[1, 2.5], ["x", "y"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2.5 |", "| x | y |"]


def test_outside_a_notebook_values_and_tables_are_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not in_notebook()
    assert glue("x", 3.5, ".2f") == 3.5
    show_table(["a"], [[1]])
    out = capsys.readouterr().out
    assert "x = 3,50" in out and "| a |" in out


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (5252, "d", "5\u202f252"),
        (19.3261, ".3f", "19,326"),
        (0.2311, ".2f", "0,23"),
        (1234567.891, ".1f", "1\u202f234\u202f567,9"),
        (2.73e-9, ".1e", "2,7 × 10⁻⁹"),
        (1e-5, ".0e", "10⁻⁵"),
        (-1e-5, ".0e", "-1 × 10⁻⁵"),
        (0.0000153, ".3g", "1,53 × 10⁻⁵"),
        (123456.0, ".2e", "1,23 × 10⁵"),
        (0.2311, "+.2f", "+0,23"),
        (-1234.5, "+.1f", "-1\u202f234,5"),
    ],
)
def test_french_number(value: float, fmt: str, expected: str) -> None:
    assert french_number(value, fmt) == expected


def test_warning_summary_drops_the_cpp_location_and_wraps() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(
            "Un message assez long pour être coupé en plusieurs lignes, bien au-delà "
            "de quarante colonnes. (Triggered internally at foo.cpp:12.)",
            UserWarning,
            stacklevel=1,
        )
    text = warning_summary(caught[0], width=40)
    assert text.startswith("UserWarning : Un message")
    assert "Triggered" not in text and "foo.cpp" not in text
    assert all(len(line) <= 40 for line in text.splitlines()) and len(text.splitlines()) > 2


def test_glue_figure_outside_a_notebook_closes_the_figure() -> None:
    fig, _ = plt.subplots()
    number = fig.number
    glue_figure("f", fig)
    assert number not in plt.get_fignums()


def test_error_summary_names_the_type_and_wraps() -> None:
    err = RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    text = error_summary(err, width=40)
    assert text.splitlines()[0].startswith("RuntimeError : element 0")
    assert all(len(line) <= 40 for line in text.splitlines())
    assert " ".join(line.strip() for line in text.splitlines()).endswith("does not have a grad_fn")


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
