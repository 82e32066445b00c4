"""Tests de tp2_src.display : tableaux et résumés d'erreurs, hors du livre."""

from __future__ import annotations

import warnings

import pytest

from tp2_src.display import error_summary, format_table, show_table, warning_summary


def test_format_table_is_gfm() -> None:
    table = format_table(["a", "b"], [[1, 2.5], ["x", "y"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2.5 |", "| x | y |"]


def test_outside_a_notebook_tables_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    show_table(["a", "b"], [[1, "x"]])
    assert capsys.readouterr().out.splitlines() == ["| a | b |", "|---|---|", "| 1 | x |"]


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


def test_error_summary_names_the_type_and_wraps() -> None:
    err = RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    text = error_summary(err, width=40)
    assert text.splitlines()[0].startswith("RuntimeError : element 0")
    assert all(len(line) <= 40 for line in text.splitlines())
    assert " ".join(line.strip() for line in text.splitlines()).endswith("does not have a grad_fn")
