"""The reading state as held in memory (reader.core.state_memory): what it answers, and how what another
copy of the reader changed replaces it on a refresh, with `version` bumped only when something did."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.core.state import StateStore
from reader.core.state_memory import StateMemory

T0 = 1_700_000_000.0


def test_a_new_memory_holds_nothing() -> None:
    memory = StateMemory()
    assert memory.version == 0
    assert not memory.read and not memory.starred and memory.saved_filters() == []
    assert not memory.is_read("a") and not memory.is_starred("a")
    assert memory.recently_read() == [] and memory.get_ui("theme") is None


def test_recently_read_takes_no_negative_limit() -> None:
    s = StateStore(clock=lambda: T0)
    s.set_read(["a", "b"])
    assert s.recently_read(-1) == [] and s.recently_read(-5) == []
    assert s.recently_read(1) == [("a", T0)] and s.recently_read(5) == [("a", T0), ("b", T0)]


def test_a_refresh_takes_what_another_copy_undid(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    here, there = StateStore(path, clock=lambda: T0), StateStore(path, clock=lambda: T0 + 1)
    there.set_read(["read", "read then unread", "read and starred"])
    there.set_starred("starred then unstarred", True)
    there.set_starred("read and starred", True)
    there.save_filter("kept", "k")
    there.save_filter("deleted", "d")
    assert here.refresh()
    read, starred = here.read, here.starred  # live views, handed out before the next refresh
    assert set(read) == {"read", "read then unread", "read and starred"}
    assert set(starred) == {"starred then unstarred", "read and starred"}
    version = here.version

    there.set_read(["read then unread"], read=False)
    there.set_starred("starred then unstarred", False)
    there.delete_filter("deleted")
    assert here.refresh()
    assert here.version == version + 1
    assert dict(read) == {"read": T0 + 1, "read and starred": T0 + 1}
    assert set(starred) == {"read and starred"}
    assert not here.is_read("read then unread") and not here.is_starred("starred then unstarred")
    assert here.saved_filters() == [("kept", "k")]
    assert here.recently_read() == [("read", T0 + 1), ("read and starred", T0 + 1)]

    there.set_ui("theme", "nord")  # the ui memory is picked up, but is no change to count
    assert not here.refresh() and here.version == version + 1
    here.close()
    there.close()


def test_a_refresh_that_finds_only_the_same_bumps_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    here, there = StateStore(path, clock=lambda: T0), StateStore(path, clock=lambda: T0)
    here.set_read(["a"])
    here.set_starred("b", True)
    here.save_filter("f", "q")
    there.refresh()
    version = here.version
    there.set_read(["a"])  # already read: nothing written
    there.restore(there.set_starred("c", True))  # a row written, then put back as it was
    there.save_filter("f", "q")  # the same query again
    assert not here.refresh()
    assert here.version == version
    assert (dict(here.read), set(here.starred), here.saved_filters()) == ({"a": T0}, {"b"}, [("f", "q")])


def test_a_change_that_changes_nothing_changes_nothing() -> None:
    s = StateStore(clock=lambda: T0)
    version = s.version
    assert s.set_read(["never seen"], read=False) == []
    assert s.set_starred("never seen either", False) == []
    assert s.set_read([]) == [] and s.restore([]) is None
    assert not s.read and not s.starred and s.version == version
    assert not s.is_starred("never seen") and not s.is_starred("never seen either")


def test_nothing_to_change_is_not_kept_while_the_state_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    s = StateStore(str(path), clock=lambda: T0, wait=0.0)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        assert s.set_read([]) == [] and s.set_read((), read=False) == []
        s.restore([])
        assert s.unsaved == 0 and s.notice is None  # no empty change kept, nothing to tell
        s.set_read(["a"])
        assert s.unsaved == 1
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    s.close()
