"""Writing the reading state when the database cannot take a change: how long a change waits for the
lock, how often a state that could only be read is tried for writing again, kept changes that no longer
apply, and an import or export that cannot go through."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from reader.core import state, state_db, state_writer
from reader.core.state import Mark, StateError, StateStore

from tests.fakes import WriteLock

T0 = 1_700_000_000.0


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


@pytest.fixture
def lock(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lock]:
    monkeypatch.setattr(state_db, "BUSY_TIMEOUT", 0.2)  # a lock held longer than this is "held too long"
    StateStore(str(path)).close()
    held = WriteLock(path)
    yield held
    held.free()
    held.db.close()


class Monotonic:
    """`time.monotonic` for the writer, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> Monotonic:
    clock = Monotonic()
    monkeypatch.setattr(state_writer, "time", SimpleNamespace(monotonic=clock))
    return clock


def busy_timeout(store: StateStore) -> float:
    """Seconds the store's connection waits now for another program's write lock (white box)."""
    return store._writer.db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000


def test_a_change_waits_for_the_lock_and_kept_changes_only_a_moment(path: Path, lock: Lock) -> None:
    s = StateStore(str(path), wait=1.0)
    s.set_read(["a"])
    assert busy_timeout(s) == 1.0  # a change waits `wait` for the lock
    lock.take()
    s.set_read(["b"])  # waited, then kept
    assert s.unsaved == 1
    s.set_read(["c"])  # with changes kept, the next waits only a moment: the first wait was the long one
    assert busy_timeout(s) == state_writer.RETRY_WAIT and s.unsaved == 2
    assert busy_timeout(s) <= 0.1  # a moment: the app waits on its UI thread
    s.refresh()  # tries to write the kept changes, waiting a moment too
    assert busy_timeout(s) == state_writer.RETRY_WAIT and s.unsaved == 2
    lock.free()
    s.set_read(["d"])  # gets through: the kept ones are written first, and it is back to waiting `wait`
    assert s.unsaved == 0
    s.set_read(["e"])
    assert busy_timeout(s) == 1.0
    s.close()
    with StateStore(str(path)) as fresh:
        assert set(fresh.read) == {"a", "b", "c", "d", "e"}


def test_a_state_that_could_only_be_read_is_tried_for_writing_every_interval(
    path: Path, lock: Lock, monotonic: Monotonic
) -> None:
    lock.take()  # held past BUSY_TIMEOUT while the store opens: it opens read-only
    s = StateStore(str(path), clock=lambda: T0)
    assert s.read_only
    lock.free()
    monotonic.now += state_writer.RECONNECT_INTERVAL - 0.001
    assert s.set_starred("a", True) == [Mark("a", None, False)]
    assert s.read_only and s.unsaved == 1  # too soon to try again: kept
    assert s.unsaved_reason == "it could only be opened for reading"
    monotonic.now += 0.001  # now it is time
    reading = s._writer.db
    s.set_starred("b", True)
    assert not s.read_only and s.unsaved == 0
    with pytest.raises(sqlite3.ProgrammingError):  # the connection that could only read was closed
        reading.execute("SELECT 1")
    assert s.notice == f"The reading state {path} is saved again (1 kept changes)."
    s.close()
    with StateStore(str(path)) as fresh:
        assert set(fresh.starred) == {"a", "b"}


def test_a_failed_try_for_writing_waits_another_interval(
    path: Path, lock: Lock, monotonic: Monotonic
) -> None:
    lock.take()
    s = StateStore(str(path), clock=lambda: T0)
    assert s.read_only
    monotonic.now += state_writer.RECONNECT_INTERVAL
    s.set_starred("a", True)  # tried, and still locked: read-only, kept
    assert s.read_only and s.unsaved == 1
    lock.free()
    monotonic.now += state_writer.RECONNECT_INTERVAL - 0.001
    s.set_starred("b", True)  # the next try is an interval after the last one
    assert s.read_only and s.unsaved == 2
    monotonic.now += 0.001
    assert s.refresh() is False
    assert not s.read_only and s.unsaved == 0
    s.close()
    with StateStore(str(path)) as fresh:
        assert set(fresh.starred) == {"a", "b"}


def test_a_kept_change_another_copy_made_impossible_is_dropped(path: Path, lock: Lock) -> None:
    s = StateStore(str(path), clock=lambda: T0)
    s.save_filter("mine", "m")
    s.save_filter("gone", "g")
    lock.take()
    s.set_starred("x", True)  # kept
    s.rename_filter("gone", "renamed")  # kept too, last
    assert s.unsaved == 2 and [name for name, _ in s.saved_filters()] == ["mine", "renamed"]
    lock.free()
    with StateStore(str(path)) as other:
        other.delete_filter("gone")  # meanwhile another copy deletes the filter the rename was for
        other.save_filter("theirs", "t")
    lock.take()
    assert s.refresh()  # reads what the other copy did; the kept rename no longer applies, the star does
    assert s.saved_filters() == [("mine", "m"), ("theirs", "t")] and s.is_starred("x")
    assert s.unsaved == 2
    lock.free()
    assert s.refresh() is False  # writes the kept changes: the rename is skipped (not raised), the star saved
    assert s.unsaved == 0 and s.saved_filters() == [("mine", "m"), ("theirs", "t")]
    s.set_read(["y"])
    s.close()
    with StateStore(str(path)) as fresh:
        assert fresh.saved_filters() == [("mine", "m"), ("theirs", "t")]
        assert fresh.is_starred("x") and fresh.is_read("y")


def test_flush_says_whether_the_kept_changes_were_written(path: Path, lock: Lock) -> None:
    s = StateStore(str(path), clock=lambda: T0)
    writer = s._writer
    assert writer.flush() is False  # nothing kept
    lock.take()
    s.set_read(["a"])
    assert writer.flush() is False and writer.flush(patient=True) is False  # still locked
    lock.free()
    assert writer.flush() is True and s.unsaved == 0
    assert writer.flush() is False
    s.close()


def test_a_new_change_that_cannot_be_made_raises_behind_kept_ones(path: Path, lock: Lock) -> None:
    s = StateStore(str(path), clock=lambda: T0)
    s.save_filter("a", "1")
    lock.take()
    s.set_starred("x", True)  # kept
    lock.free()
    with pytest.raises(KeyError):
        s.rename_filter("missing", "b")  # written after the kept star, and refused
    assert s.unsaved == 1 and s.is_starred("x")  # the kept star stays kept (the transaction rolled back)
    s.save_filter("b", "2")  # gets through, with the kept star before it
    assert s.unsaved == 0 and s.unsaved_reason is None
    s.close()
    with StateStore(str(path)) as fresh:
        assert fresh.is_starred("x") and fresh.saved_filters() == [("a", "1"), ("b", "2")]


def test_an_import_that_stops_halfway_says_how_much_was_saved(
    path: Path, tmp_path: Path, lock: Lock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "IMPORT_BATCH", 10)
    source = StateStore()
    source.set_read([f"s{n:02d}" for n in range(25)])
    source.export_state(str(tmp_path / "e.json"))
    s = StateStore(str(path))
    batches: list[int] = []

    def between(taken: int) -> None:
        batches.append(taken)
        if taken == 20:
            lock.take()  # another program takes the lock after two transactions

    with pytest.raises(StateError) as caught:
        s.import_state(str(tmp_path / "e.json"), on_batch=between)
    assert str(caught.value) == (
        f"The reading state {path} cannot be written (database is locked); 20 stories from the file were "
        "saved before"
    )
    assert batches == [10, 20] and len(s.read) == 20
    lock.free()
    s.close()
    with StateStore(str(path)) as fresh:
        assert set(fresh.read) == {f"s{n:02d}" for n in range(20)}


def test_an_import_waits_for_the_lock_as_long_as_a_command_may(path: Path, tmp_path: Path) -> None:
    (tmp_path / "e.json").write_text(json.dumps({"format": "reader-state", "version": 1, "stories": [
        {"id": "a", "read_at": 1.0, "starred": False, "updated": 1.0}]}), encoding="utf-8")
    s = StateStore(str(path), wait=0.0)  # an app that never waits for a change
    s.set_read(["b"])
    assert busy_timeout(s) == 0.0
    s.import_state(str(tmp_path / "e.json"))  # an import waits BUSY_TIMEOUT, whatever the store's wait
    assert busy_timeout(s) == state_db.BUSY_TIMEOUT == 10.0
    assert set(s.read) == {"a", "b"}
    s.close()


def test_an_import_that_cannot_start_says_nothing_was_saved(path: Path, tmp_path: Path, lock: Lock) -> None:
    (tmp_path / "e.json").write_text(json.dumps({"format": "reader-state", "version": 1, "stories": [
        {"id": "a", "read_at": 1.0, "starred": False, "updated": 1.0}]}), encoding="utf-8")
    s = StateStore(str(path))
    lock.take()
    with pytest.raises(StateError) as caught:
        s.import_state(str(tmp_path / "e.json"))
    assert str(caught.value) == f"The reading state {path} cannot be written (database is locked)"
    assert not s.read


def test_an_import_into_a_state_that_could_only_be_read_is_refused(
    path: Path, tmp_path: Path, lock: Lock
) -> None:
    (tmp_path / "e.json").write_text(json.dumps({"format": "reader-state", "version": 1, "stories": [
        {"id": "a", "read_at": 1.0, "starred": False, "updated": 1.0}]}), encoding="utf-8")
    lock.take()
    s = StateStore(str(path))
    lock.free()  # free now, but the store was opened for reading only
    assert s.read_only
    with pytest.raises(StateError) as caught:
        s.import_state(str(tmp_path / "e.json"))
    assert str(caught.value) == (
        f"The reading state {path} cannot be written (it could only be opened for reading)"
    )
    assert not s.read
    s.close()
    with StateStore(str(path)) as fresh:
        assert not fresh.read


def test_closing_waits_for_the_lock_as_long_as_a_change_would(path: Path, lock: Lock) -> None:
    s = StateStore(str(path), clock=lambda: T0, wait=0.0)
    lock.take()
    s.set_starred("x", True)  # kept at once (this store never waits)
    s._writer.wait = 5.0  # now a store that waits (white box: the waiting of the app's store at exit)
    releaser = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    lock.free()
    releaser.execute("BEGIN IMMEDIATE")  # another program holds the lock a little longer than a moment
    timer = threading.Timer(0.3, lambda: releaser.execute("COMMIT"))
    timer.start()
    s.close()  # waits for it, and writes what was kept
    timer.join()
    releaser.close()
    assert s.unsaved == 0
    with StateStore(str(path)) as fresh:
        assert fresh.is_starred("x")


def test_kept_changes_are_written_in_order_each_with_its_own_result(path: Path, lock: Lock) -> None:
    s = StateStore(str(path), clock=lambda: T0)
    s.save_filter("gone", "g")
    lock.take()
    s.rename_filter("gone", "renamed")  # kept, first
    s.set_starred("x", True)  # kept, second
    lock.free()
    with StateStore(str(path)) as other:
        other.delete_filter("gone")  # the first no longer applies
    lock.take()
    s.refresh()  # (reads what the other copy did; still locked)
    lock.free()
    assert s.set_read(["y"]) == [Mark("y", None, False)]  # its own result, not a kept change's
    assert s.unsaved == 0 and s.saved_filters() == [] and s.is_starred("x") and s.is_read("y")
    s.close()
    with StateStore(str(path)) as fresh:
        assert fresh.saved_filters() == [] and fresh.is_starred("x") and fresh.is_read("y")
