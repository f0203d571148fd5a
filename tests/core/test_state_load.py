"""What a store takes from its file when it opens or refreshes: rows a hand may have damaged, and saved
filters past the limit the README states (50)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.core.state import StateStore

T0 = 1_700_000_000.0


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite3"
    StateStore(str(path)).close()
    return path


def insert(path: Path, sql: str, rows: list[tuple[object, ...]]) -> None:
    db = sqlite3.connect(path)
    db.executemany(sql, rows)
    db.commit()
    db.close()


def test_rows_damaged_by_hand_are_left_out(path: Path) -> None:
    insert(path, "INSERT INTO stories VALUES (?, ?, ?, ?)", [
        ("read", 1.5, 0, 1.0), ("whole", 2, 0, 1.0), ("starred", None, 1, 1.0), ("neither", None, 0, 1.0),
        (b"blob id", 1.0, 1, 1.0), ("text read_at", "yesterday", 0, 1.0), ("text read_at, starred", "x", 1, 1.0),
    ])
    insert(path, "INSERT INTO ui VALUES (?, ?)", [("theme", "nord"), (b"blob key", "x"), ("blob value", b"x")])
    with StateStore(str(path)) as s:
        assert s.notice is None
        assert dict(s.read) == {"read": 1.5, "whole": 2.0}
        assert set(s.starred) == {"starred", "text read_at, starred"}
        assert s.get_ui("theme") == "nord" and s.get_ui("blob value") is None


def test_fifty_filters_can_be_saved_as_the_readme_says(path: Path) -> None:
    with StateStore(str(path)) as s:
        for n in range(50):
            s.save_filter(f"f{n}", "q")
        with pytest.raises(ValueError, match="at most 50 filters can be saved"):
            s.save_filter("f50", "q")
        assert len(s.saved_filters()) == 50
    with StateStore(str(path)) as s:
        assert s.notice is None and len(s.saved_filters()) == 50


def test_a_file_with_more_filters_says_so_once(path: Path) -> None:
    insert(path, "INSERT INTO filters VALUES (?, 'q', ?)", [(f"f{n}", n) for n in range(52)])
    s = StateStore(str(path), clock=lambda: T0)
    assert s.notice == (
        f"The reading state {path} holds more than 50 saved filters; only the first 50 are used."
    )
    assert s.saved_filters() == [(f"f{n}", "q") for n in range(50)]
    s.notice = None
    with StateStore(str(path), clock=lambda: T0) as other:
        other.set_read(["x"])  # a change elsewhere: the store reads the file again
    assert s.refresh() and s.is_read("x")
    assert s.notice is None  # told once
    s.close()


def test_a_refresh_that_finds_more_filters_than_the_limit_says_so(path: Path) -> None:
    s = StateStore(str(path), clock=lambda: T0)
    s.save_filter("mine", "m")
    insert(path, "INSERT INTO filters VALUES (?, 'q', ?)", [(f"f{n}", n + 1) for n in range(50)])
    assert s.refresh()
    assert s.notice is not None and "holds more than 50 saved filters" in s.notice
    assert s.saved_filters() == [("mine", "m")] + [(f"f{n}", "q") for n in range(49)]
    s.close()
