"""Tests de tp2_src.report : tableaux et valeurs collées, hors du livre."""

from __future__ import annotations

import pytest

from tp2_src.report import format_table, glue, in_notebook, show_table


def test_format_table_is_gfm() -> None:
    table = format_table(["a", "b"], [[1, 2.5], ["x", "y"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2.5 |", "| x | y |"]


def test_format_table_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError, match="2 cellules"):
        format_table(["a", "b"], [[1]])


def test_outside_a_notebook_values_and_tables_are_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert not in_notebook()
    assert glue("x", 3.5) == 3.5
    show_table(["a"], [[1]])
    out = capsys.readouterr().out
    assert "x = 3.5" in out and "| a |" in out
