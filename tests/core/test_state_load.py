"""What a store takes from its file when it opens or refreshes: rows a hand may have damaged, and saved
filters past the limit the README states (50)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reader.core import state
from reader.core.state import StateFileError, StateStore

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
        (b"blob id", 1.0, 1, 1.0), ("text read_at", "yesterday", 0, 1.0),
        ("text read_at, starred", "x", 1, 1.0),
    ])
    ui = [("theme", "nord"), (b"blob key", "x"), ("blob value", b"x")]
    insert(path, "INSERT INTO ui VALUES (?, ?)", ui)
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


def test_of_an_id_given_twice_in_a_file_the_newer_wins_and_at_a_tie_the_later(tmp_path: Path) -> None:
    document = {"format": "reader-state", "version": 1, "stories": [
        {"id": "x", "read_at": None, "starred": False, "updated": 0.5},
        {"id": "x", "read_at": None, "starred": True, "updated": 0.2},  # older: loses
        {"id": "y", "read_at": None, "starred": True, "updated": 9},
        {"id": "y", "read_at": 50, "starred": False, "updated": 3},  # older: loses
        {"id": "z", "read_at": None, "starred": False, "updated": 5},
        {"id": "z", "read_at": 7, "starred": True, "updated": 5},  # as new, and later: wins
    ]}
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    s = StateStore(clock=lambda: T0)
    assert s.import_state(str(path)).stories == 3
    assert dict(s.read) == {"z": 7.0} and set(s.starred) == {"y", "z"}


def test_a_filter_name_or_query_is_text_of_at_most_1000_characters() -> None:
    s = StateStore()
    s.save_filter("n" * 1000, "q" * 1000)
    assert s.saved_filters() == [("n" * 1000, "q" * 1000)]
    for name, query in ((5, "q"), ("name", None), (b"name", "q")):
        with pytest.raises(ValueError) as caught:
            s.save_filter(name, query)  # type: ignore[arg-type]
        assert str(caught.value) in ("a filter name must be text", "a filter query must be text")
    with pytest.raises(ValueError, match="a filter name must be text"):
        s.rename_filter("n" * 1000, 7)  # type: ignore[arg-type]
    s.rename_filter("n" * 1000, "m" * 1000)
    assert s.saved_filters() == [("m" * 1000, "q" * 1000)]
    s.save_filter("everything", "")  # an empty query is a filter too (it matches every record)
    s.save_filter("blank", "   ")
    assert s.saved_filters()[1:] == [("everything", ""), ("blank", "   ")]


def test_the_ui_memory_forgets_for_good_and_takes_any_text(path: Path) -> None:
    with StateStore(str(path)) as s:
        s.set_ui("theme", "nord")
        s.set_ui("last_topic", "AI")
        s.set_ui("caf\udce9", "key from a file name")  # not UTF-8: kept with a backslash escape
        s.set_ui("theme", None)
    with StateStore(str(path)) as s:
        assert s.get_ui("theme") is None and s.get_ui("last_topic") == "AI"
        assert s.get_ui("caf\udce9") == s.get_ui("caf\\xe9") == "key from a file name"


def test_remembering_what_is_remembered_writes_nothing(path: Path) -> None:
    s = StateStore(str(path), wait=0.0)
    s.set_ui("theme", "nord")
    s.set_ui("gone", None)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        s.set_ui("theme", "nord")
        s.set_ui("gone", None)
        assert s.unsaved == 0 and s.notice is None
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    s.close()


def test_refused_filter_changes_leave_nothing_behind(path: Path) -> None:
    s = StateStore(str(path))
    s.save_filter("a", "1")
    s.save_filter("b", "2")
    with pytest.raises(ValueError, match="a filter named 'b' already exists"):
        s.rename_filter("a", "b")
    with pytest.raises(KeyError):
        s.delete_filter("caf\udce9")  # not valid text: never saved, and no encoding error
    with pytest.raises(KeyError):
        s.rename_filter("caf\udce9", "c")
    assert s.notice is None and s.unsaved == 0 and s.unsaved_reason is None
    assert s.saved_filters() == [("a", "1"), ("b", "2")]
    s.close()


def test_a_file_is_checked_whole_before_anything_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "IMPORT_BATCH", 2)  # the first transactions could be written before the end
    document = {"format": "reader-state", "version": 1,
                "stories": [{"id": f"s{n}", "read_at": 1.0, "starred": False, "updated": 1.0}
                            for n in range(5)],
                "saved_filters": [{"name": "fine", "query": "q"}, {"name": "", "query": "q"}]}
    path = tmp_path / "late.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    s = StateStore()
    with pytest.raises(StateFileError, match=r"saved_filters\[1\]\.name: empty"):
        s.import_state(str(path))
    assert not s.read and s.saved_filters() == []
