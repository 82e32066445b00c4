"""Tests de tp2_src.french : les nombres écrits à la française."""

from __future__ import annotations

import pytest

from tp2_src.french import french_number


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
