"""Tests de tp2_src.report : tableaux et valeurs collées, hors du livre."""

from __future__ import annotations

import pytest

from tp2_src.report import format_table, french_number, glue, in_notebook, show_table


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
    ],
)
def test_french_number(value: float, fmt: str, expected: str) -> None:
    assert french_number(value, fmt) == expected
