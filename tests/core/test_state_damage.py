"""A reading state found damaged while in use: the store carries on in memory with what it held, tells
the user once, and saves nothing more; and the in-memory copy it carries on with."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.core import state_db
from reader.core.state import Mark, StateError, StateStore

T0 = 1_700_000_000.0
PAGE = 4096


def long_ids(first: int, last: int) -> list[str]:
    """Ids long enough that a few thousand fill many pages of the database."""
    return [f"https://example.com/news/{i}/" * 3 for i in range(first, last)]


def damage_under(path: Path) -> None:
    """Overwrite every page past the schema's with garbage behind the back of the stores that have it
    open, after another program's write, so that they read the file again (and find the damage)."""
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("INSERT OR REPLACE INTO ui VALUES ('from another program', 'yes')")
    other.close()
    size = path.stat().st_size
    with open(path, "r+b") as file:
        for page in range(2, size // PAGE):
            file.seek(page * PAGE + 8)
            file.write(b"\xa5" * (PAGE - 16))


def test_a_state_damaged_in_use_carries_on_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path), clock=lambda: T0) as first:
        first.set_read(long_ids(0, 1000))
        first.set_starred("starred only", True)
        first.save_filter("one", "topic:ai")
        first.save_filter("two", "robot")
        first.set_ui("theme", "nord")
    now = [T0 + 10]
    s = StateStore(str(path), clock=lambda: now[0])
    assert s.notice is None and len(s.read) == 1000
    damage_under(path)
    version = s.version

    new = long_ids(1000, 1003)
    assert s.set_read(new) == [Mark(i, None, False) for i in new]  # made, though the file failed
    assert s.location == ":memory:" and not s.read_only
    assert s.notice == (
        f"The reading state {path} failed (database disk image is malformed); changes from now on will "
        "not be saved."
    )
    # what it held is all still there, and the change on top of it
    assert dict(s.read) == {**dict.fromkeys(long_ids(0, 1000), T0), **dict.fromkeys(new, T0 + 10)}
    assert set(s.starred) == {"starred only"}
    assert s.saved_filters() == [("one", "topic:ai"), ("two", "robot")]
    assert s.get_ui("theme") == "nord"
    assert s.version == version + 1
    assert s.unsaved == 0 and s.unsaved_reason is None  # nothing is kept to be written to the file

    # it carries on: later changes are made (in memory), undo works, nothing reaches the file
    now[0] += 5
    s.notice = None
    marks = s.set_starred(new[0], True)
    assert marks == [Mark(new[0], T0 + 10, False)] and s.is_starred(new[0])
    s.restore(marks)
    assert not s.is_starred(new[0]) and s.read[new[0]] == T0 + 10
    s.save_filter("three", "q")
    assert [name for name, _ in s.saved_filters()] == ["one", "two", "three"]
    assert s.refresh() is False and s.notice is None
    s.close()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"news/1000/" not in on_disk and b"three" not in on_disk


def test_a_refresh_of_a_state_damaged_in_use_says_so_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path), clock=lambda: T0) as first:
        first.set_read(long_ids(0, 1000))
        first.save_filter("f", "q")
    s = StateStore(str(path), clock=lambda: T0)
    version = s.version
    damage_under(path)  # (after another program's write: the refresh reads the file again)
    assert s.refresh() is False
    assert s.notice == f"The reading state {path} could not be read (database disk image is malformed)."
    assert len(s.read) == 1000 and s.saved_filters() == [("f", "q")] and s.version == version
    s.close()


def test_an_export_of_a_state_damaged_in_use_fails_and_leaves_the_target(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path), clock=lambda: T0) as first:
        first.set_read(long_ids(0, 1000))
    s = StateStore(str(path), clock=lambda: T0)
    damage_under(path)
    target = tmp_path / "backup.json"
    target.write_text("a good backup")
    with pytest.raises(StateError) as caught:
        s.export_state(str(target))
    assert str(caught.value) == f"The reading state {path} cannot be read (database disk image is malformed)"
    assert target.read_text() == "a good backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup")] == []  # no temporary left
    s.close()


def test_the_memory_copy_holds_what_the_database_held(tmp_path: Path) -> None:
    failed = state_db.connect(str(tmp_path / "state.sqlite3"))
    rows = [("a", T0, 1, T0), ("b", None, 0, T0)]
    state_db.in_transaction(failed, lambda db: db.executemany(state_db.UPSERT, rows))
    state_db.in_transaction(failed, lambda db: state_db.add_filters(db, [("f", "q"), ("g", "r")], 50))
    failed.execute("INSERT INTO ui VALUES ('theme', 'nord')")
    copy = state_db.memory_copy(failed, [("other", 1.0, False)], [("other", "x")], {"other": "x"}, T0 + 5)
    # what the database held, not what memory was given (that is for a database that cannot be copied)
    assert state_db.story_rows(copy, ["a", "b", "other"]) == {"a": (T0, True), "b": (None, False)}
    assert state_db.filter_rows(copy) == [("f", "q"), ("g", "r")]
    assert copy.execute("SELECT key, value FROM ui").fetchall() == [("theme", "nord")]
    assert copy.execute("PRAGMA database_list").fetchone()[2] == ""  # in memory
    try:
        failed.execute("SELECT 1")
        raise AssertionError("the failed connection is still open")
    except sqlite3.ProgrammingError:
        pass  # closed


def test_a_copy_that_cannot_be_made_is_built_from_what_was_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    with StateStore(str(path)) as s:
        s.set_read(long_ids(0, 1000))
    failed = state_db.connect(str(path))
    damage_under(path)
    stories = [("read", T0, False), ("both", T0 + 1, True), ("starred", None, True)]
    copy = state_db.memory_copy(failed, stories, [("f", "q"), ("g", "r")], {"theme": "nord"}, T0 + 5)
    assert copy.execute("SELECT id, read_at, starred, updated FROM stories ORDER BY id").fetchall() == [
        ("both", T0 + 1, 1, T0 + 5), ("read", T0, 0, T0 + 5), ("starred", None, 1, T0 + 5)
    ]
    assert copy.execute("SELECT name, query, position FROM filters ORDER BY position").fetchall() == [
        ("f", "q", 0), ("g", "r", 1)
    ]
    assert copy.execute("SELECT key, value FROM ui").fetchall() == [("theme", "nord")]
    assert copy.execute("PRAGMA quick_check").fetchall() == [("ok",)]


def test_a_state_that_cannot_be_read_as_the_store_reads_it_is_left_for_one_in_memory(tmp_path: Path) -> None:
    """Files that pass every check at open yet fail when read (the store once raised from its constructor
    on them): a collation this reader lacks, a view in place of a table."""
    collation, view = tmp_path / "collation.sqlite3", tmp_path / "view.sqlite3"
    db = sqlite3.connect(collation, isolation_level=None)
    db.create_collation("theirs", lambda a, b: (a > b) - (a < b))
    for statement in (
        "CREATE TABLE stories (id TEXT PRIMARY KEY, read_at REAL, starred INTEGER NOT NULL DEFAULT 0, "
        "updated REAL NOT NULL)",
        "CREATE TABLE filters (name TEXT PRIMARY KEY, query TEXT NOT NULL, "
        "position INTEGER NOT NULL COLLATE theirs)",
        "CREATE TABLE ui (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO stories VALUES ('a', 1.0, 0, 1.0)",
        "PRAGMA user_version = 1",
    ):
        db.execute(statement)
    db.close()
    db = sqlite3.connect(view, isolation_level=None)
    for statement in (
        "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)",
        "CREATE VIEW stories (id, read_at, starred, updated) AS "
        "SELECT 'a', abs(-9223372036854775808), 0, 0 FROM t",
        "CREATE TABLE filters (name TEXT PRIMARY KEY, query TEXT NOT NULL, position INTEGER NOT NULL)",
        "CREATE TABLE ui (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "PRAGMA user_version = 1",
    ):
        db.execute(statement)
    db.close()
    for path, why in ((collation, "no such collation sequence: theirs"), (view, "integer overflow")):
        s = StateStore(str(path), clock=lambda: T0)
        assert s.location == ":memory:" and not s.read_only
        assert s.notice == f"The reading state {path} failed ({why}); changes from now on will not be saved."
        assert not s.read and not s.starred and s.saved_filters() == []
        s.set_read(["x"])
        s.save_filter("f", "q")
        assert dict(s.read) == {"x": T0} and s.saved_filters() == [("f", "q")]
        s.close()
        db = sqlite3.connect(path)  # nothing was saved there
        assert db.execute("SELECT count(*) FROM filters").fetchone() == (0,)
        if path == collation:
            assert db.execute("SELECT id FROM stories").fetchall() == [("a",)]
        db.close()
