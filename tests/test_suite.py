"""Tests des règles de la suite elle-même (``conftest.py``)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BOOK_FIXTURES

TESTS = Path(__file__).resolve().parent


def test_the_book_marker_comes_from_the_fixtures() -> None:
    """Le marqueur ``book`` n'est jamais posé à la main : il vient des fixtures qui
    construisent le livre ou exécutent des chapitres (``BOOK_FIXTURES``), que chacune
    existe bien dans la suite."""
    by_hand = [
        f"{path.name}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "conftest.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bmark\.book\b", line)
    ]
    assert not by_hand, f"marqueur book posé à la main : {by_hand}"
    defined = {
        m.group(1)
        for path in TESTS.rglob("*.py")
        for m in re.finditer(
            r"@pytest\.fixture[^\n]*\n(?:@[^\n]*\n)*def (\w+)", path.read_text(encoding="utf-8")
        )
    }
    assert BOOK_FIXTURES <= defined, BOOK_FIXTURES - defined
