"""Tests for the reading state: read and starred stories with undo, saved filters, ui memory, sharing one
file between stores and processes, damaged and unusable files, and export/import with hostile files."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import reader.core.filter_names as filter_names
import reader.core.identity as identity
import reader.core.state as state
import reader.core.state_db as state_db
import reader.core.state_writer as state_writer
from reader.core.identity import story_id
from reader.core.state import Mark, StateFileError, StateStore, state_location

from tests.fakes import WriteLock

REPO = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "state.sqlite3"


@pytest.fixture
def store(clock: Clock) -> Iterator[StateStore]:
    with StateStore(clock=clock) as s:
        yield s


def snapshot(s: StateStore) -> tuple[dict[str, float], set[str], list[tuple[str, str]]]:
    return dict(s.read), set(s.starred), s.saved_filters()


def exported_stories(s: StateStore, path: Path) -> list[dict[str, Any]]:
    s.export_state(str(path))
    return sorted(json.loads(path.read_text(encoding="utf-8"))["stories"], key=lambda story: story["id"])


# ---------------------------------------------------------------------------------------------------------
# locations and identities


def test_state_location_honours_xdg_data_home(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert state_location() == str(isolated_home / "xdg_data_home" / "reader" / "state.sqlite3")
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated_home / "elsewhere"))
    assert state_location() == str(isolated_home / "elsewhere" / "reader" / "state.sqlite3")


def test_story_id_is_the_stripped_url_else_the_path() -> None:
    assert story_id("  https://example.com/a \n", "/x/a.md") == "https://example.com/a"
    assert story_id("", "/x/a.md") == "file:/x/a.md"
    assert story_id(" \t", "/x/a.md") == "file:/x/a.md"
    assert story_id("https://例え.jp/ü", "/x") == "https://例え.jp/ü"


def test_story_id_is_always_storable() -> None:
    odd = story_id("", "/x/caf\udce9.md")  # a file name that is not UTF-8
    assert odd.startswith("file:/x/caf") and odd.encode("utf-8")
    assert odd == story_id("", "/x/caf\udce9.md") != story_id("", "/x/caf\udce8.md")
    long_a, long_b = "https://e.com/" + "a" * 5000, "https://e.com/" + "a" * 4999 + "b"
    assert len(story_id(long_a, "")) == identity.MAX_ID_CHARS
    assert story_id(long_a, "") == story_id(long_a, "") != story_id(long_b, "")


def test_odd_ids_are_stored_and_exported(store: StateStore, tmp_path: Path) -> None:
    odd, long = "file:/x/caf\udce9.md", "https://e.com/" + "a" * 5000
    assert len(store.set_read([odd, long])) == 2
    assert store.is_read(odd) and store.is_read(long) and story_id("", "/x/caf\udce9.md") in store.read
    other = StateStore()
    store.export_state(str(tmp_path / "x.json"))
    assert other.import_state(str(tmp_path / "x.json")).stories == 2
    assert other.is_read(odd) and other.is_read(long)


# ---------------------------------------------------------------------------------------------------------
# read, starred, undo


def test_set_read_returns_the_previous_state_of_what_changed(store: StateStore, clock: Clock) -> None:
    assert store.location == ":memory:" and store.notice is None
    store.set_starred("b", True)
    marks = store.set_read(["a", "b"])
    assert marks == [Mark("a", None, False), Mark("b", None, True)]
    assert dict(store.read) == {"a": T0, "b": T0}
    assert store.is_read("a") and not store.is_read("c")


def test_set_read_is_idempotent_and_keeps_the_first_read_time(store: StateStore, clock: Clock) -> None:
    store.set_read(["a"])
    version = store.version
    clock.tick(60)
    assert store.set_read(["a", "b", "b"]) == [Mark("b", None, False)]
    assert store.read["a"] == T0 and store.read["b"] == T0 + 60
    assert store.version == version + 1
    assert store.set_read(["a", "b"]) == []
    assert store.version == version + 1  # nothing changed, so no bump


def test_set_read_false_marks_unread(store: StateStore, clock: Clock) -> None:
    store.set_read(["a", "b"])
    clock.tick()
    assert store.set_read(["a", "c"], read=False) == [Mark("a", T0, False)]
    assert dict(store.read) == {"b": T0}
    assert store.set_read(["a"], read=False) == []


def test_set_starred(store: StateStore) -> None:
    version = store.version
    assert store.set_starred("a", True) == [Mark("a", None, False)]
    assert store.is_starred("a") and set(store.starred) == {"a"} and store.version == version + 1
    assert store.set_starred("a", True) == []
    assert store.version == version + 1
    store.set_read(["a"])
    assert store.set_starred("a", False) == [Mark("a", T0, True)]
    assert not store.is_starred("a") and store.is_read("a")


def test_restore_undoes_changes(store: StateStore, clock: Clock) -> None:
    store.set_read(["old"])
    clock.tick(10)
    marks = store.set_read(["old", "new1", "new2"])
    assert store.is_read("new1")
    store.restore(marks)
    assert dict(store.read) == {"old": T0}
    star = store.set_starred("old", True)
    unread = store.set_read(["old"], read=False)
    store.restore(unread)
    assert store.read["old"] == T0 and store.is_starred("old")
    store.restore(star)
    assert not store.is_starred("old") and store.read["old"] == T0


def test_restore_counts_as_a_change_and_keeps_rows(store: StateStore, clock: Clock, tmp_path: Path) -> None:
    marks = store.set_read(["x"])
    clock.tick(5)
    version = store.version
    store.restore(marks)
    assert store.version == version + 1 and "x" not in store.read
    # the row stays, unread and unstarred, with the time of the undo (it matters for merging)
    assert exported_stories(store, tmp_path / "e.json") == [
        {"id": "x", "read_at": None, "starred": False, "updated": T0 + 5}
    ]


def test_every_change_is_one_transaction(store: StateStore) -> None:
    statements: list[str] = []
    store._writer.db.set_trace_callback(statements.append)  # white box: count the transactions
    ids = [f"s{i}" for i in range(1234)]  # more than one chunk of SQL parameters
    assert len(store.set_read(ids)) == 1234
    assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == ["BEGIN IMMEDIATE", "COMMIT"]
    statements.clear()
    store.restore([Mark(i, None, True) for i in ids])
    assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == ["BEGIN IMMEDIATE", "COMMIT"]
    assert len(store.read) == 0 and len(store.starred) == 1234


def test_recently_read_is_newest_first(store: StateStore, clock: Clock) -> None:
    store.set_read(["b", "a"])
    clock.tick()
    store.set_read(["c"])
    clock.tick()
    store.set_read(["d"])
    assert store.recently_read() == [("d", T0 + 2), ("c", T0 + 1), ("a", T0), ("b", T0)]
    assert store.recently_read(2) == [("d", T0 + 2), ("c", T0 + 1)]
    assert store.recently_read(0) == []


def test_read_and_starred_are_live_read_only_views(store: StateStore) -> None:
    read, starred = store.read, store.starred
    store.set_read(["a"])
    store.set_starred("b", True)
    assert "a" in read and "b" in starred
    with pytest.raises(TypeError):
        read["x"] = 1.0  # type: ignore[index]
    assert not hasattr(starred, "add")


# ---------------------------------------------------------------------------------------------------------
# saved filters and ui memory


def test_saved_filters(store: StateStore) -> None:
    store.save_filter("ai", "topic:ai")
    store.save_filter("recent", "since:7d")
    store.save_filter("video", "type:video")
    version = store.version
    store.save_filter("ai", "topic:ai quality:>50")  # an existing name keeps its place
    assert store.saved_filters() == [
        ("ai", "topic:ai quality:>50"), ("recent", "since:7d"), ("video", "type:video")
    ]
    assert store.version == version + 1
    store.rename_filter("recent", "week")
    assert [name for name, _ in store.saved_filters()] == ["ai", "week", "video"]
    store.delete_filter("ai")
    store.save_filter("ai", "topic:ai")  # a new name goes last
    assert store.saved_filters() == [("week", "since:7d"), ("video", "type:video"), ("ai", "topic:ai")]
    version = store.version
    store.rename_filter("ai", "ai")
    assert store.version == version


def test_saved_filter_errors(store: StateStore) -> None:
    store.save_filter("a", "x")
    store.save_filter("b", "y")
    with pytest.raises(KeyError):
        store.rename_filter("missing", "c")
    with pytest.raises(ValueError, match="already exists"):
        store.rename_filter("a", "b")
    with pytest.raises(ValueError, match="empty"):
        store.rename_filter("a", "  ")
    with pytest.raises(KeyError):
        store.delete_filter("missing")
    with pytest.raises(ValueError, match="empty"):
        store.save_filter("", "q")
    with pytest.raises(ValueError, match="longer"):
        store.save_filter("n" * 1001, "q")
    with pytest.raises(ValueError, match="longer"):
        store.save_filter("n", "q" * 1001)
    assert store.saved_filters() == [("a", "x"), ("b", "y")]


def test_saved_filters_are_limited(store: StateStore) -> None:
    limit = state.MAX_SAVED_FILTERS
    for n in range(limit):
        store.save_filter(f"f{n}", "x")
    with pytest.raises(ValueError, match=f"at most {limit} filters can be saved: delete one first"):
        store.save_filter("one more", "x")
    store.save_filter("f7", "changed")  # an existing name still takes a new query
    assert len(store.saved_filters()) == limit and ("f7", "changed") in store.saved_filters()
    store.delete_filter("f0")
    store.save_filter("one more", "x")
    assert store.saved_filters()[-1] == ("one more", "x")


def write_filters_file(path: Path, names: list[str], query: str = "q") -> Path:
    document = {"format": "reader-state", "version": 1, "stories": [],
                "saved_filters": [{"name": name, "query": query} for name in names]}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_an_import_keeps_at_most_the_limit_of_saved_filters(store: StateStore, tmp_path: Path) -> None:
    limit = state.MAX_SAVED_FILTERS
    store.save_filter("mine", "m")
    names = [f"f{n}" for n in range(3 * limit)] + ["mine", "f0"]  # two names given again
    imported = store.import_state(str(write_filters_file(tmp_path / "many.json", names, "new")))
    assert imported == state.Imported(0, limit - 1, 2 * limit + 1)
    assert store.saved_filters() == [("mine", "new")] + [(f"f{n}", "new") for n in range(limit - 1)]
    again = store.import_state(str(write_filters_file(tmp_path / "again.json", names, "newer")))
    assert again == state.Imported(0, 0, 2 * limit + 1)  # existing names still take the file's query
    assert {query for _, query in store.saved_filters()} == {"newer"}


def vm_steps(work: Any) -> int:
    """How many SQLite virtual machine steps (in thousands) `work(db)` takes on a fresh database."""
    db = state_db.connect(":memory:")
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    db.set_progress_handler(count, 1000)
    state_db.in_transaction(db, work)
    return steps[0]


def test_adding_saved_filters_is_linear() -> None:
    """The import used to look for the last place once per filter, a scan of every filter saved."""

    def add(count: int) -> int:
        filters = [(f"filter {n}", "q") for n in range(count)]
        return vm_steps(lambda db: state_db.add_filters(db, filters, 10**9))

    small, large = add(1000), add(8000)
    assert large < 10 * small, (small, large)  # quadratic work would be ~64 times the small run's


def test_a_state_with_more_saved_filters_than_the_limit_uses_the_first(db_path: Path) -> None:
    limit = state.MAX_SAVED_FILTERS
    StateStore(str(db_path)).close()
    db = sqlite3.connect(str(db_path))
    db.executemany("INSERT INTO filters VALUES (?, 'q', ?)", [(f"f{n}", n) for n in range(limit + 5)])
    db.commit()
    db.close()
    with StateStore(str(db_path)) as s:
        assert s.saved_filters() == [(f"f{n}", "q") for n in range(limit)]
        assert s.notice is not None and f"more than {limit} saved filters" in s.notice


HOSTILE_FILTER_TEXT = [
    ("\x1b]0;title\x1b\\name", "␛]0;title␛\\name"),
    ("\x1b]52;c;aWQ=\x07clip", "␛]52;c;aWQ=␇clip"),
    ("\x9d0;c1\x9cname", "\ufffd0;c1\ufffdname"),
    ("\u202eevil\u200b", "evil"),
    ("two\nlines", "two lines"),
]


def test_an_import_cleans_saved_filter_names_and_queries(store: StateStore, tmp_path: Path) -> None:
    document = {"format": "reader-state", "version": 1, "stories": [],
                "saved_filters": [{"name": raw, "query": f"robot {raw}"} for raw, _ in HOSTILE_FILTER_TEXT]}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    store.import_state(str(path))
    assert store.saved_filters() == [(clean, f"robot {clean}") for _, clean in HOSTILE_FILTER_TEXT]
    with StateStore() as other:  # and an export of them holds the cleaned text
        other.import_state(str(path))
        other.export_state(str(tmp_path / "again.json"))
        assert "\x1b" not in (tmp_path / "again.json").read_text(encoding="utf-8")


LOOK_ALIKES = ["All", " all ", "ALL", "Ａｌｌ", "★ Starred", "starred", "* Starred *", "Recently read",
               "recently-read", "RecentlyRead", "── Saved filters ──────", "\u202eAll"]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_names_that_pass_for_a_built_in_view_are_refused(store: StateStore, tmp_path: Path, name: str) -> None:
    document = {"format": "reader-state", "version": 1, "saved_filters": [{"name": "fine", "query": "q"},
                                                                          {"name": name, "query": "q"}]}
    path = tmp_path / "look-alike.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(StateFileError, match=r"saved_filters\[1\]\.name: .* would look like the built-in view"):
        store.import_state(str(path))
    if name.isprintable():
        with pytest.raises(ValueError, match="would look like the built-in view"):
            store.save_filter(name, "q")
    store.save_filter("mine", "q")
    with pytest.raises(ValueError, match="would look like the built-in view|without control"):
        store.rename_filter("mine", name)
    assert store.saved_filters() == [("mine", "q")]
    assert not filter_names.imitated_view("Allies") and not filter_names.imitated_view("Star")


@pytest.mark.parametrize("raw, clean", HOSTILE_FILTER_TEXT)
def test_save_and_rename_refuse_what_cleaning_would_change(store: StateStore, raw: str, clean: str) -> None:
    with pytest.raises(ValueError, match="one line, without control or invisible characters"):
        store.save_filter(raw, "q")
    with pytest.raises(ValueError, match="one line, without control or invisible characters"):
        store.save_filter("name", raw)
    store.save_filter(clean.strip() or "x", "q")


def test_a_name_stored_before_cleaning_is_shown_cleaned_and_can_be_changed(db_path: Path) -> None:
    StateStore(str(db_path)).close()
    db = sqlite3.connect(str(db_path))
    db.executemany("INSERT INTO filters VALUES (?, ?, ?)",
                   [("\x1b]0;t\x07A", "robot\x1b[2J", 0), ("All", "x", 1), ("\u202eB", "y", 2)])
    db.commit()
    db.close()
    with StateStore(str(db_path)) as s:
        assert s.saved_filters() == [("␛]0;t␇A", "robot␛[2J"), ("All", "x"), ("B", "y")]
        s.rename_filter("␛]0;t␇A", "Renamed")
        s.delete_filter("B")
        assert s.saved_filters() == [("Renamed", "robot␛[2J"), ("All", "x")]
    assert [filter_names.shown_name(name) for name in ("All", " ★ starred", "Alley", "\x1bX")] == [
        "“All” (saved)", "“★ starred” (saved)", "Alley", "␛X"]


def test_ui_memory(store: StateStore, tmp_path: Path) -> None:
    version = store.version
    assert store.get_ui("theme") is None
    store.set_ui("theme", "nord")
    store.set_ui("last_topic", "AI")
    store.set_ui("theme", "dracula")
    assert store.get_ui("theme") == "dracula" and store.get_ui("last_topic") == "AI"
    store.set_ui("last_topic", None)
    assert store.get_ui("last_topic") is None
    store.set_ui("odd", "caf\udce9")  # text from a hostile record cannot break it
    assert store.get_ui("odd") == "caf\\xe9"
    assert store.version == version  # not versioned
    store.export_state(str(tmp_path / "e.json"))
    assert "dracula" not in (tmp_path / "e.json").read_text(encoding="utf-8")  # not exported


def test_everything_persists_across_reopening(db_path: Path, clock: Clock) -> None:
    with StateStore(str(db_path), clock=clock) as s:
        assert s.location == str(db_path) and s.notice is None
        s.set_read(["a", "b"])
        s.set_starred("c", True)
        s.save_filter("f", "q")
        s.set_ui("theme", "nord")
    with StateStore(str(db_path), clock=clock) as s:
        assert snapshot(s) == ({"a": T0, "b": T0}, {"c"}, [("f", "q")])
        assert s.get_ui("theme") == "nord" and s.notice is None
        assert s.version > 0  # what was loaded counts as a change for caches built before


# ---------------------------------------------------------------------------------------------------------
# sharing one file


def test_two_stores_on_one_file_see_each_others_changes(db_path: Path, clock: Clock) -> None:
    a, b = StateStore(str(db_path), clock=clock), StateStore(str(db_path), clock=clock)
    a.set_read(["x"])
    b.set_starred("y", True)
    b.save_filter("f", "q")
    version_a, version_b = a.version, b.version
    assert a.refresh() and b.refresh()
    assert a.version == version_a + 1 and b.version == version_b + 1
    assert snapshot(a) == snapshot(b) == ({"x": T0}, {"y"}, [("f", "q")])
    assert not a.refresh() and not b.refresh()  # nothing new
    assert a.version == version_a + 1
    a.set_ui("theme", "nord")
    assert not b.refresh()  # ui memory is not versioned
    assert b.get_ui("theme") == "nord"


def test_a_stale_store_does_not_undo_anothers_changes(db_path: Path, clock: Clock) -> None:
    a, b = StateStore(str(db_path), clock=clock), StateStore(str(db_path), clock=clock)
    a.set_starred("x", True)
    a.save_filter("fa", "1")
    clock.tick()
    assert b.set_read(["x"]) == [Mark("x", None, True)]  # b has not refreshed, yet sees the star
    b.save_filter("fb", "2")
    assert b.is_starred("x") and b.saved_filters() == [("fa", "1"), ("fb", "2")]
    with StateStore(str(db_path)) as fresh:
        assert snapshot(fresh) == ({"x": T0 + 1}, {"x"}, [("fa", "1"), ("fb", "2")])


WRITER = r"""
import os, sys, time
from reader.core.state import StateStore
path, n, go, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
store = StateStore(path)
assert store.notice is None, store.notice
open(f"{go}-ready-{n}", "w").close()
while not os.path.exists(go):
    time.sleep(0.005)
picked_up = 0
for i in range(count):
    store.set_read([f"r{n}-{i}", "shared"])
    store.set_starred(f"s{n}-{i}", True)
    if i % 10 == 0:
        store.set_ui(f"ui{n}", str(i))
    if i % 30 == 0:  # 40 in all, under the limit on saved filters
        store.save_filter(f"f{n}-{i}", f"q{i}")
    picked_up += store.refresh()
assert store.notice is None, store.notice
print(len(store.read), picked_up)
"""


def test_processes_writing_together_lose_nothing(db_path: Path, tmp_path: Path) -> None:
    StateStore(str(db_path)).close()
    go, workers, count = tmp_path / "go", 4, 300
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), str(n), str(go), str(count)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in range(workers)
    ]
    deadline = time.monotonic() + 30
    while not all(Path(f"{go}-ready-{n}").exists() for n in range(workers)):  # all open: the writes interleave
        assert time.monotonic() < deadline and all(p.poll() is None for p in processes)
        time.sleep(0.01)
    go.touch()
    overlaps = 0
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        seen, picked_up = map(int, out.split())
        assert seen >= count + 1  # each sees at least its own stories
        overlaps += picked_up
    assert overlaps > 0  # the processes really wrote at the same time
    with StateStore(str(db_path)) as s:
        expected_read = {f"r{n}-{i}" for n in range(workers) for i in range(count)} | {"shared"}
        assert set(s.read) == expected_read
        assert set(s.starred) == {f"s{n}-{i}" for n in range(workers) for i in range(count)}
        assert {name for name, _ in s.saved_filters()} == {
            f"f{n}-{i}" for n in range(workers) for i in range(0, count, 30)
        }
        assert [s.get_ui(f"ui{n}") for n in range(workers)] == ["290"] * workers  # the last i % 10 == 0


def hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR REPLACE INTO ui VALUES ('held', 'yes')")
        started.set()
        time.sleep(seconds)
        db.execute("COMMIT")
    finally:
        db.close()


def test_a_locked_database_is_waited_for(db_path: Path) -> None:
    StateStore(str(db_path)).close()
    started = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db_path, 0.5, started))
    holder.start()
    started.wait(5)
    s = StateStore(str(db_path))  # opening waits too
    holder.join()
    assert s.notice is None and s.location == str(db_path)
    started.clear()
    holder = threading.Thread(target=hold_write_lock, args=(db_path, 0.6, started))
    holder.start()
    started.wait(5)
    begun = time.monotonic()
    assert s.set_read(["x"]) == [Mark("x", None, False)]
    assert time.monotonic() - begun >= 0.4
    holder.join()
    assert s.notice is None and s.location == str(db_path)
    with StateStore(str(db_path)) as other:
        assert other.is_read("x") and other.get_ui("held") == "yes"


@pytest.fixture
def write_lock(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteLock]:
    monkeypatch.setattr(state_db, "BUSY_TIMEOUT", 0.2)  # a lock held longer than this is "held too long"
    StateStore(str(db_path)).close()
    lock = WriteLock(db_path)
    yield lock
    lock.free()
    lock.db.close()


def test_changes_the_database_cannot_take_are_kept_and_written_when_it_can(
    db_path: Path, clock: Clock, write_lock: WriteLock
) -> None:
    s = StateStore(str(db_path), clock=clock)
    s.set_read(["before"])
    s.save_filter("f", "q")
    with StateStore(str(db_path), clock=clock) as other:
        other.set_starred("by another copy", True)  # committed before the lock: picked up by refresh
    write_lock.take()
    assert s.set_read(["during"]) == [Mark("during", None, False)]  # returns normally, kept
    assert s.location == str(db_path) and s.unsaved == 1 and s.unsaved_reason == "database is locked"
    assert s.notice is not None and "\n" not in s.notice
    assert "cannot be written now (database is locked); your changes are kept" in s.notice
    s.notice = None
    s.set_starred("after", True)
    s.save_filter("g", "r")
    s.delete_filter("f")
    s.set_ui("theme", "nord")
    assert s.unsaved == 5 and s.notice is None  # told once
    assert s.refresh()  # still locked: nothing written, but another copy's change is picked up
    assert set(s.read) == {"before", "during"} and set(s.starred) == {"by another copy", "after"}
    assert s.saved_filters() == [("g", "r")] and s.get_ui("theme") == "nord" and s.unsaved == 5
    with StateStore(str(db_path)) as reader:  # nothing kept reached the file yet
        assert set(reader.read) == {"before"} and reader.saved_filters() == [("f", "q")]
    write_lock.free()
    s.refresh()
    assert s.unsaved == 0 and s.unsaved_reason is None
    assert s.notice == f"The reading state {db_path} is saved again (5 kept changes)."
    with StateStore(str(db_path)) as fresh:
        assert set(fresh.read) == {"before", "during"} and set(fresh.starred) == {"by another copy", "after"}
        assert fresh.saved_filters() == [("g", "r")] and fresh.get_ui("theme") == "nord"
    s.set_read(["later"])  # and later changes are saved at once, as before
    with StateStore(str(db_path)) as fresh:
        assert fresh.is_read("later")


def test_a_kept_change_is_made_again_on_what_the_database_holds_then(
    db_path: Path, clock: Clock, write_lock: WriteLock
) -> None:
    s = StateStore(str(db_path), clock=clock)
    write_lock.take()
    s.set_starred("x", True)  # kept
    write_lock.free()
    with StateStore(str(db_path), clock=clock) as other:  # meanwhile another copy reads x, saves a filter
        other.set_read(["x"])
        other.save_filter("theirs", "t")
    s.save_filter("mine", "m")  # gets through, with the kept star before it
    with StateStore(str(db_path)) as fresh:
        assert fresh.is_read("x") and fresh.is_starred("x")  # neither copy's change lost
        assert fresh.saved_filters() == [("theirs", "t"), ("mine", "m")]


def test_closing_writes_what_was_kept_or_says_how_much_was_not(
    db_path: Path, clock: Clock, write_lock: WriteLock
) -> None:
    s = StateStore(str(db_path), clock=clock)
    write_lock.take()
    s.set_starred("x", True)
    write_lock.free()
    s.close()
    with StateStore(str(db_path)) as fresh:
        assert fresh.is_starred("x")
    s = StateStore(str(db_path), clock=clock)
    write_lock.take()
    s.set_starred("y", True)
    s.close()  # still locked: lost, and the store says so
    assert s.unsaved == 1 and s.unsaved_reason == "database is locked"


def test_a_state_opened_read_only_is_written_once_it_can_be(
    db_path: Path, clock: Clock, write_lock: WriteLock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_writer, "RECONNECT_INTERVAL", 0.0)
    with StateStore(str(db_path), clock=clock) as before:
        before.set_read(["old"])
    write_lock.take()  # held past BUSY_TIMEOUT while the store opens: it reads read-only
    s = StateStore(str(db_path), clock=clock)
    assert s.read_only and s.location == str(db_path) and s.is_read("old")
    assert s.notice is not None and "can only be read (database is locked)" in s.notice
    s.set_starred("new", True)
    assert s.is_starred("new") and s.unsaved == 1 and s.unsaved_reason == "it could only be opened for reading"
    write_lock.free()
    s.refresh()  # opens it for writing now, and writes what was kept
    assert not s.read_only and s.unsaved == 0
    with StateStore(str(db_path)) as fresh:
        assert fresh.is_read("old") and fresh.is_starred("new")


def test_an_import_lets_go_of_the_write_lock_between_batches(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "IMPORT_BATCH", 10)
    source = StateStore()
    source.set_read([f"s{n}" for n in range(35)])
    for n in range(12):
        source.save_filter(f"f{n}", "q")
    source.export_state(str(tmp_path / "e.json"))
    importer = StateStore(str(db_path))
    app = StateStore(str(db_path), wait=0.0)  # a running app that never waits for the lock
    progress: list[int] = []

    def between(taken: int) -> None:
        progress.append(taken)
        app.set_starred(f"starred during batch {len(progress)}", True)
        assert app.unsaved == 0, app.unsaved_reason  # it got the lock at once

    imported = importer.import_state(str(tmp_path / "e.json"), on_batch=between)
    assert imported == state.Imported(35, 12, 0)
    assert progress == [10, 20, 30, 35, 35, 35]  # four transactions of stories, two of saved filters
    with StateStore(str(db_path)) as fresh:
        assert len(fresh.read) == 35 and len(fresh.starred) == 6 and len(fresh.saved_filters()) == 12


# ---------------------------------------------------------------------------------------------------------
# damaged and unusable files


def make_store_file(path: Path, stories: int = 2000) -> bytes:
    with StateStore(str(path)) as s:
        s.set_read([f"https://example.com/news/{i}/" * 3 for i in range(stories)])
    return path.read_bytes()


def damage_garbage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database\x00\xff" * 500)


def damage_truncated(path: Path) -> None:
    data = make_store_file(path)
    path.write_bytes(data[: len(data) // 2])


def damage_short(path: Path) -> None:
    data = make_store_file(path)
    path.write_bytes(data[:60])


def damage_page(path: Path) -> None:
    data = bytearray(make_store_file(path))
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 8 : middle + page - 8] = b"\xa5" * (page - 16)  # a b-tree page's cells, not its header
    path.write_bytes(bytes(data))


def damage_newer(path: Path) -> None:
    make_store_file(path, 3)
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()


def damage_foreign(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE something (other TEXT)")
    db.commit()
    db.close()


def damage_wrong_tables(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path))
    db.execute("CREATE TABLE stories (id TEXT)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        damage_garbage, damage_truncated, damage_short, damage_page, damage_newer, damage_foreign,
        damage_wrong_tables,
    ],
)
def test_a_damaged_file_is_moved_aside(db_path: Path, clock: Clock, damage: Any) -> None:
    damage(db_path)
    damaged = db_path.read_bytes()
    s = StateStore(str(db_path), clock=clock)
    aside = Path(f"{db_path}.corrupt-{time.strftime('%Y%m%d-%H%M%S', time.localtime(T0))}")
    assert aside.read_bytes() == damaged
    assert s.location == str(db_path)
    assert s.notice is not None and "\n" not in s.notice
    assert str(db_path) in s.notice and str(aside) in s.notice
    if damage is damage_newer:
        assert "is from a newer version of reader" in s.notice
    else:
        assert "was damaged" in s.notice
    assert snapshot(s) == ({}, set(), [])
    s.set_read(["x"])
    s.close()
    with StateStore(str(db_path), clock=clock) as again:
        assert again.notice is None and again.is_read("x")


def test_moving_aside_never_overwrites_an_earlier_copy(db_path: Path, clock: Clock) -> None:
    damage_garbage(db_path)
    first = Path(f"{db_path}.corrupt-{time.strftime('%Y%m%d-%H%M%S', time.localtime(T0))}")
    first.write_bytes(b"an earlier damaged state")
    s = StateStore(str(db_path), clock=clock)
    assert first.read_bytes() == b"an earlier damaged state"
    second = Path(f"{first}-2")
    assert second.read_bytes().startswith(b"this is not a database")
    assert s.notice is not None and str(second) in s.notice


def test_a_directory_in_place_of_the_file_gives_a_memory_store(db_path: Path) -> None:
    db_path.mkdir(parents=True)
    s = StateStore(str(db_path))
    assert s.location == ":memory:"
    assert s.notice is not None and str(db_path) in s.notice and "will not be saved" in s.notice
    assert s.set_read(["x"]) and s.is_read("x")
    assert db_path.is_dir() and not list(db_path.iterdir())


def test_a_folder_that_cannot_be_created_gives_a_memory_store(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a regular file")
    path = tmp_path / "file" / "reader" / "state.sqlite3"
    s = StateStore(str(path))
    assert s.location == ":memory:" and s.notice is not None and "will not be saved" in s.notice
    s.save_filter("f", "q")
    assert s.saved_filters() == [("f", "q")]


def test_a_read_only_folder_gives_a_memory_store(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        s = StateStore(str(folder / "state.sqlite3"))
        assert s.location == ":memory:" and s.notice is not None and "will not be saved" in s.notice
        s.set_starred("x", True)
        assert s.is_starred("x")
    finally:
        folder.chmod(0o700)


# ---------------------------------------------------------------------------------------------------------
# export and import


def test_export_format(store: StateStore, clock: Clock, tmp_path: Path) -> None:
    store.set_read(["a"])
    store.set_starred("b", True)
    store.save_filter("f", "topic:ai")
    path = tmp_path / "out" / "state.json"
    path.parent.mkdir()
    assert store.export_state(str(path)) == 2
    document = json.loads(path.read_bytes().decode("utf-8"))
    assert document == {
        "format": "reader-state",
        "version": 1,
        "exported": "2023-11-14T22:13:20Z",
        "stories": [
            {"id": "a", "read_at": T0, "starred": False, "updated": T0},
            {"id": "b", "read_at": None, "starred": True, "updated": T0},
        ],
        "saved_filters": [{"name": "f", "query": "topic:ai"}],
    }


def test_export_import_round_trip(store: StateStore, clock: Clock, tmp_path: Path) -> None:
    store.set_read(["a", "b", "ü/\u202e"])
    clock.tick()
    store.set_starred("b", True)
    store.restore(store.set_starred("gone", True))  # a row that is neither read nor starred
    store.save_filter("one", "x")
    store.save_filter("two", "y")
    path = tmp_path / "state.json"
    assert store.export_state(str(path)) == 4
    other = StateStore(clock=Clock(T0 + 100))
    assert other.import_state(str(path)).stories == 4
    assert snapshot(other) == snapshot(store)
    assert exported_stories(other, tmp_path / "a.json") == exported_stories(store, tmp_path / "b.json")
    version = other.version
    assert other.import_state(str(path)).stories == 0
    assert other.version == version and snapshot(other) == snapshot(store)


def test_import_merges_by_update_time(tmp_path: Path) -> None:
    here_clock, there_clock = Clock(T0), Clock(T0)
    here, there = StateStore(clock=here_clock), StateStore(clock=there_clock)
    here.set_read(["old-here"])  # at T0
    there_clock.tick(10)
    there.set_starred("old-here", True)  # newer: wins
    here_clock.tick(20)
    here.set_read(["new-here"])  # at T0 + 20
    there.set_read(["new-here"], read=False)
    there.set_starred("new-here", True)  # at T0 + 10: older, loses
    there.set_read(["only-there"])
    here.save_filter("shared", "mine")
    here.save_filter("mine", "m")
    there.save_filter("theirs", "t")
    there.save_filter("shared", "theirs")
    path = tmp_path / "there.json"
    there.export_state(str(path))
    assert here.import_state(str(path)).stories == 2
    assert dict(here.read) == {"new-here": T0 + 20, "only-there": T0 + 10}
    assert set(here.starred) == {"old-here"}
    assert here.saved_filters() == [("shared", "theirs"), ("mine", "m"), ("theirs", "t")]


def test_import_into_a_file_store_is_saved(db_path: Path, tmp_path: Path) -> None:
    source = StateStore()
    source.set_read(["a"])
    source.export_state(str(tmp_path / "e.json"))
    with StateStore(str(db_path)) as s:
        assert s.import_state(str(tmp_path / "e.json")).stories == 1
    with StateStore(str(db_path)) as s:
        assert s.is_read("a")


def test_export_is_atomic(store: StateStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store.set_read(["a"])
    target = tmp_path / "state.json"
    target.write_text("previous export")
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def watching_replace(source: str, destination: str) -> None:
        calls.append((source, destination))
        assert target.read_text() == "previous export"  # the target is untouched until the swap
        assert json.loads(Path(source).read_text(encoding="utf-8"))["stories"][0]["id"] == "a"  # complete
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", watching_replace)
    store.export_state(str(target))
    assert len(calls) == 1 and Path(calls[0][0]).parent == tmp_path and calls[0][1] == str(target)
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "reader-state"

    def failing_replace(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    target.write_text("previous export")
    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.export_state(str(target))
    assert target.read_text() == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temporary file left


def valid_document() -> dict[str, Any]:
    return {
        "format": "reader-state",
        "version": 1,
        "exported": "2024-01-01T00:00:00Z",
        "stories": [
            {"id": "a", "read_at": 1.5, "starred": False, "updated": 2.0},
            {"id": "b", "read_at": None, "starred": True, "updated": 3},
        ],
        "saved_filters": [{"name": "f", "query": "q"}],
    }


def story_change(index: int, key: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        if value is ...:
            del document["stories"][index][key]
        else:
            document["stories"][index][key] = value

    return change


def filter_change(key: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        if value is ...:
            del document["saved_filters"][0][key]
        else:
            document["saved_filters"][0][key] = value

    return change


def top_change(key: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        document[key] = value

    return change


HOSTILE_DOCUMENTS = [
    (top_change("format", "something-else"), 'format is not "reader-state"'),
    (top_change("version", 2), "version: 2 is not supported"),
    (top_change("version", "1"), "version: not a whole number"),
    (top_change("version", True), "version: not a whole number"),
    (top_change("stories", {"a": 1}), "stories: not a list"),
    (top_change("stories", [[]]), "stories[0]: not an object"),
    (top_change("saved_filters", "f"), "saved_filters: not a list"),
    (story_change(1, "id", ...), "stories[1].id: missing"),
    (story_change(1, "id", ""), "stories[1].id: empty"),
    (story_change(1, "id", 7), "stories[1].id: not a string"),
    (story_change(1, "id", "x" * 4097), "stories[1].id: longer than 4096"),
    (story_change(1, "id", "\ud800"), "stories[1].id: not valid text"),
    (story_change(1, "read_at", "yesterday"), "stories[1].read_at: not a number"),
    (story_change(1, "read_at", True), "stories[1].read_at: not a number"),
    (story_change(1, "read_at", ...), "stories[1].read_at: missing"),
    (story_change(0, "read_at", float("nan")), "stories[0].read_at: not a finite number"),
    (story_change(0, "read_at", float("inf")), "stories[0].read_at: not a finite number"),
    (story_change(0, "read_at", 10**400), "stories[0].read_at: not a finite number"),
    (story_change(0, "starred", 1), "stories[0].starred: not true or false"),
    (story_change(0, "starred", None), "stories[0].starred: not true or false"),
    (story_change(0, "starred", ...), "stories[0].starred: missing"),
    (story_change(0, "updated", None), "stories[0].updated: not a number"),
    (story_change(0, "updated", ...), "stories[0].updated: missing"),
    (story_change(0, "updated", [1]), "stories[0].updated: not a number"),
    (filter_change("name", ""), "saved_filters[0].name: empty"),
    (filter_change("name", 3), "saved_filters[0].name: not a string"),
    (filter_change("name", "n" * 1001), "saved_filters[0].name: longer than 1000"),
    (filter_change("query", None), "saved_filters[0].query: not a string"),
    (filter_change("query", "q" * 1001), "saved_filters[0].query: longer than 1000"),
    (filter_change("query", ...), "saved_filters[0].query: missing"),
]


@pytest.mark.parametrize("change, message", HOSTILE_DOCUMENTS, ids=[m for _, m in HOSTILE_DOCUMENTS])
def test_import_refuses_malformed_documents(tmp_path: Path, clock: Clock, change: Any, message: str) -> None:
    s = StateStore(clock=clock)
    s.set_read(["local"])
    before, version = snapshot(s), s.version
    document = valid_document()
    change(document)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(StateFileError) as caught:
        s.import_state(str(path))
    assert isinstance(caught.value, ValueError)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert snapshot(s) == before and s.version == version  # all or nothing


def test_the_valid_document_imports(tmp_path: Path) -> None:
    """The base of the hostile cases is itself fine, so each case fails for its own change."""
    path = tmp_path / "fine.json"
    path.write_text(json.dumps(valid_document()), encoding="utf-8")
    s = StateStore()
    assert s.import_state(str(path)).stories == 2
    assert snapshot(s) == ({"a": 1.5}, {"b"}, [("f", "q")])


HOSTILE_FILES = [
    (b"", "not JSON"),
    (b"{'format': 'reader-state'}", "not JSON"),
    (b'{"format": "reader-state", "version": 1', "not JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "not a JSON object"),
    (b'"reader-state"', "not a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"format": "reader-state", "version": 1, "stories": [{"id": ' + b"[" * 20_000 + b"]" * 20_000 + b"}]}",
     "nested too deeply"),
    (b'{"format": "reader-state", "version": 1, "stories": [' + b"[]," * 2_000_000 + b"[]]}",
     "stories[0]: not an object"),  # at once: entries are read one at a time
    (b'{"format": "reader-state", "version": 1, "stories": [{"id": "' + b"x" * 70_000 + b'"}]}',
     "an entry is longer than 65,536 characters"),
    (b'{"format": "reader-state", "version": 1, "stories": [], "stories": []}', "stories: given twice"),
    (b'{"format": "reader-state", "version": 1} []', "more after the end of the object"),
    (b'{"format": "reader-state", "version": 1, "stories": [{"id": "a", "read_at": null, "starred": true, '
     b'"updated": 1} {"id": "b"}]}', 'expected "," or "]"'),
    (b'{"format": "reader-state", "version": 1, "stories": [{"id": "a", "read_at": ' + b"9" * 5000 + b"}]}",
     "not JSON"),
]


@pytest.mark.parametrize("content, message", HOSTILE_FILES, ids=[m for _, m in HOSTILE_FILES])
def test_import_refuses_files_that_are_not_state(tmp_path: Path, content: bytes, message: str) -> None:
    s = StateStore()
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as caught:
        s.import_state(str(path))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert snapshot(s) == ({}, set(), [])


def test_import_refuses_a_huge_file_that_is_not_an_export_at_once(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(1024 * 1024 * 1024)  # sparse: costs no disk; only its first chunk is read
    with pytest.raises(StateFileError, match="not JSON"):
        StateStore().import_state(str(path))


def test_import_refuses_what_is_not_a_readable_file(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="cannot be read"):
        StateStore().import_state(str(tmp_path / "missing.json"))
    with pytest.raises(StateFileError, match="not a regular file|cannot be read"):
        StateStore().import_state(str(tmp_path))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(StateFileError, match="not a regular file"):
        StateStore().import_state(str(fifo))  # and does not block waiting for a writer


def test_import_takes_a_byte_order_mark_and_duplicate_ids(tmp_path: Path) -> None:
    document = valid_document()
    document["stories"].append({"id": "a", "read_at": None, "starred": True, "updated": 9.0})
    document["stories"].append({"id": "a", "read_at": 4.0, "starred": False, "updated": 1.0})
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode("utf-8"))
    s = StateStore()
    assert s.import_state(str(path)).stories == 2
    assert snapshot(s) == ({}, {"a", "b"}, [("f", "q")])  # of the three "a", the newest wins


def test_times_from_the_future_are_taken_as_now(tmp_path: Path, clock: Clock) -> None:
    document = {"format": "reader-state", "version": 1, "stories": [
        {"id": "a", "read_at": 1e308, "starred": True, "updated": 1e308},
        {"id": "b", "read_at": T0 - 5, "starred": False, "updated": T0 - 5},
    ]}
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    s = StateStore(clock=clock)
    s.import_state(str(path))
    assert dict(s.read) == {"a": T0, "b": T0 - 5}
    assert [story["updated"] for story in exported_stories(s, tmp_path / "e.json")] == [T0, T0 - 5]
    clock.tick()
    s.set_starred("a", False)  # a later change here
    later = {"format": "reader-state", "version": 1,
             "stories": [{"id": "a", "read_at": None, "starred": True, "updated": T0 + 0.5}]}
    path.write_text(json.dumps(later), encoding="utf-8")
    assert s.import_state(str(path)).stories == 0  # older than the change made here: it loses
    assert not s.is_starred("a")


def test_a_full_disk_keeps_the_change_and_says_so(db_path: Path, clock: Clock) -> None:
    s = StateStore(str(db_path), clock=clock)
    pages = s._writer.db.execute("PRAGMA page_count").fetchone()[0]
    s._writer.db.execute(f"PRAGMA max_page_count = {pages}")  # white box: the disk is full from now on
    ids = [f"https://example.com/story/{n}" for n in range(5000)]
    assert len(s.set_read(ids)) == 5000  # made, in memory
    assert s.unsaved == 1 and s.unsaved_reason == "database or disk is full"
    assert s.notice is not None and "cannot be written now (database or disk is full)" in s.notice
    s._writer.db.execute("PRAGMA max_page_count = 1073741823")  # room again
    s.refresh()
    assert s.unsaved == 0
    with StateStore(str(db_path)) as fresh:
        assert len(fresh.read) == 5000


def _open_and_report(path: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    store = StateStore(path)
    results.put(store.notice)
    store.close()


def test_copies_starting_together_on_a_new_file_never_move_it_aside(tmp_path: Path) -> None:
    # Found by a reviewer: the check read the schema version and the table list at different moments,
    # so a copy starting while another created the schema took the new file for a foreign one.
    context = multiprocessing.get_context("fork")
    for round_ in range(30):
        path = str(tmp_path / f"{round_}" / "state.sqlite3")
        barrier, results = context.Barrier(3), context.Queue()
        workers = [context.Process(target=_open_and_report, args=(path, barrier, results)) for _ in range(3)]
        for worker in workers:
            worker.start()
        notices = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(30)
        assert notices == [None, None, None], notices
        assert not list((tmp_path / f"{round_}").glob("*.corrupt-*"))
