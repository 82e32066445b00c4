"""La date du livre : celle du dernier commit, en français, identique d'une construction à l'autre."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tp2_book.build_date import UNKNOWN, book_date, commit_date, french_date


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (datetime(2026, 3, 1, tzinfo=UTC), "1er mars 2026"),
        (datetime(2026, 11, 27, tzinfo=UTC), "27 novembre 2026"),
    ],
)
def test_dates_are_written_in_french(date: datetime, text: str) -> None:
    assert french_date(date) == text


def test_the_date_is_the_last_commit_of_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """La date suit les commits, pas l'horloge : un second commit, antidaté, la change."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)

    def commit(name: str, date: str) -> None:
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin"}
        (tmp_path / name).write_text(name)
        subprocess.run([*git, "add", name], check=True)
        subprocess.run([*git, "commit", "-q", "-m", name], check=True, env=env)

    commit("a.txt", "2026-03-01T12:00:00Z")
    assert commit_date([tmp_path]) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert book_date(tmp_path) == "1er mars 2026"
    commit("b.txt", "2025-07-14T08:00:00Z")
    assert book_date(tmp_path) == "14 juillet 2025"


def test_source_date_epoch_wins_and_no_repository_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    assert commit_date([tmp_path]) == datetime.fromtimestamp(1780000000, UTC)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert commit_date([tmp_path / "pas-un-depot"]) is None
    assert french_date(None) == UNKNOWN
