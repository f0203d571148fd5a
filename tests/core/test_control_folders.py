"""FolderSync on a fake clock: the first load, walks for changes spaced so that they take at most a tenth
of the time, the system's notices, and the reading state another copy of the app wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.control import folders
from reader.control.folders import FolderSync
from reader.core.library import Library
from reader.core.loader import Batch, Stats
from reader.core.state import StateStore

from tests.corpus import write_library, write_story
from tests.fakes import FakeClock, FakeRun, summary


class FakeWatch:
    """The system's notices: `pending` says whether a change was noticed since the last look."""

    def __init__(self) -> None:
        self.pending = False
        self.named: tuple[set[str], set[str]] | None = None
        self.closed = False

    def changed(self) -> bool:
        pending, self.pending = self.pending, False
        return pending

    def take(self) -> tuple[set[str], set[str]] | None:
        """What changed: the paths named (`named`), or anything (None: every folder is walked)."""
        self.changed()
        named, self.named = self.named, None
        return named

    def close(self) -> None:
        self.closed = True


class Sync:
    """A FolderSync whose loads are FakeRuns the test finishes."""

    def __init__(self, paths: list[str] | None = None, state: StateStore | None = None) -> None:
        self.clock = FakeClock()
        self.library = Library()
        self.runs: list[FakeRun] = []
        self.state_changes = 0
        self.sync = FolderSync(
            paths or [], self.library, state or StateStore(), self.clock, start_load=self.start_load,
            state_changed=self.state_changed, clock=self.clock,
        )

    def start_load(self, known: Stats | None) -> FakeRun:
        self.runs.append(FakeRun(known))
        return self.runs[-1]

    def state_changed(self) -> None:
        self.state_changes += 1

    def finish(self, seconds: float) -> None:
        """The load under way ends, having taken `seconds`."""
        self.runs[-1].is_finished = True
        self.sync.walked(seconds)

    def warm_up(self) -> None:
        """The story grouper is read back (a run of its own) a moment after the first load."""
        runs = len(self.runs)
        self.clock.advance(folders.WARM_DELAY)
        assert len(self.runs) == runs + 1
        self.finish(0.3)


def test_the_first_load_starts_from_the_index_and_the_next_from_what_is_loaded() -> None:
    sync = Sync()
    sync.sync.start()
    assert [run.known for run in sync.runs] == [None] and sync.sync.loading
    sync.library.stats["a.md"] = (10, 20)
    sync.sync.check_for_changes()
    assert len(sync.runs) == 1  # never two at once
    sync.finish(0.1)
    assert not sync.sync.loading
    sync.sync.check_for_changes()
    assert [run.known for run in sync.runs] == [None, {"a.md": (10, 20)}]


def test_without_notices_the_folders_are_walked_every_watch_interval() -> None:
    sync = Sync()
    sync.sync.start()
    sync.finish(0.1)
    assert [t.name for t in sync.clock.timers] == ["walk"]  # no notices to read
    sync.clock.advance(folders.WATCH_INTERVAL * 0.99)
    assert len(sync.runs) == 1
    sync.clock.advance(folders.WATCH_INTERVAL * 0.02)
    assert len(sync.runs) == 2


def test_a_slow_walk_spaces_the_next_to_ten_times_its_length() -> None:
    sync = Sync()
    sync.sync.start()
    sync.finish(2.0)  # 10 x 2 s is longer than the interval
    sync.clock.advance(19.9)
    assert len(sync.runs) == 1
    sync.clock.advance(0.2)
    assert len(sync.runs) == 2


def test_with_notices_the_folders_are_walked_when_told_and_now_and_then_to_be_safe() -> None:
    sync = Sync()
    sync.sync.start()
    sync.sync.watch = watch = FakeWatch()
    sync.finish(0.1)
    assert sorted(t.name or "" for t in sync.clock.timers) == ["notices", "state", "walk", "warm"]
    sync.warm_up()
    sync.clock.advance(folders.SAFETY_INTERVAL * 0.99 - folders.WARM_DELAY)
    assert len(sync.runs) == 2  # nothing noticed: no walk
    watch.pending = True
    sync.clock.advance(folders.NOTICE_INTERVAL)
    assert len(sync.runs) == 3
    sync.finish(0.1)
    sync.clock.advance(folders.NOTICE_INTERVAL * 10)
    assert len(sync.runs) == 3  # the notice was walked for once
    assert sorted(t.name or "" for t in sync.clock.timers) == ["notices", "state", "walk"]  # not twice
    sync.clock.advance(folders.SAFETY_INTERVAL)
    assert len(sync.runs) == 4  # the safety walk
    sync.sync.close()
    assert watch.closed


def test_notices_start_a_walk_only_once_walks_take_under_a_tenth_of_the_time_and_are_kept_till_then() -> None:
    sync = Sync()
    sync.sync.start()
    sync.sync.watch = watch = FakeWatch()
    started = sync.clock.now
    sync.finish(2.0)  # a walk of 2 s: the next may start 18 s after it ended
    assert sync.sync.walk_allowed_at == started + 18.0
    sync.warm_up()
    watch.pending = True
    sync.clock.advance(17.9 - folders.WARM_DELAY)
    assert len(sync.runs) == 2
    sync.clock.advance(0.6)
    assert len(sync.runs) == 3


def test_a_notice_during_a_walk_waits_for_it_to_end() -> None:
    sync = Sync()
    sync.sync.start()
    sync.sync.watch = watch = FakeWatch()
    sync.finish(0.0)
    sync.warm_up()
    watch.pending = True
    sync.clock.advance(folders.NOTICE_INTERVAL)
    assert len(sync.runs) == 3
    watch.pending = True  # noticed while the walk runs
    sync.clock.advance(5 * folders.NOTICE_INTERVAL)
    assert len(sync.runs) == 3
    sync.finish(0.0)
    sync.clock.advance(folders.NOTICE_INTERVAL)
    assert len(sync.runs) == 4


def test_reading_state_another_copy_wrote_is_picked_up(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    sync = Sync(state=StateStore(path))
    sync.sync.start()
    sync.sync.watch = FakeWatch()
    sync.finish(0.1)
    sync.clock.advance(folders.WATCH_INTERVAL * 1.01)
    assert sync.state_changes == 0
    StateStore(path).set_starred("https://example.org/a", True)
    sync.clock.advance(folders.WATCH_INTERVAL)
    assert sync.state_changes == 1
    sync.sync.check_for_changes()  # `r` looks too, and finds nothing new now
    assert sync.state_changes == 1


def batch(*paths: str, done: int = 0, total: int = 0, final: bool = False) -> Batch:
    summaries = [summary(path) for path in paths]
    return Batch(summaries=summaries, stats={p: (1, 1) for p in paths}, done=done, total=total, final=final)


def test_batches_relist_at_once_when_nothing_is_listed_then_at_most_every_half_second() -> None:
    sync = Sync()
    received = sync.sync.received
    assert received(batch("a.md", done=1, total=4), nothing_listed=True).relist
    assert not received(batch("b.md", done=2, total=4), nothing_listed=False).relist
    assert received(batch("b2.md", done=2, total=4), nothing_listed=True).relist  # the list is still empty
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL * 0.99)
    assert not received(batch("c.md", done=3, total=4), nothing_listed=False).relist
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL * 0.02)
    assert received(batch("d.md", done=4, total=4), nothing_listed=False).relist
    last = received(batch("e.md", final=True), nothing_listed=False)
    assert last.relist and last.settle and sync.sync.finished and sync.sync.all_listed
    assert len(sync.library) == 6


def test_while_loading_the_list_is_refreshed_once_the_library_grew_by_half_not_every_half_second() -> None:
    sync = Sync()
    received = sync.sync.received
    assert received(batch(*(f"a{i}.md" for i in range(100))), nothing_listed=True).relist
    for i in range(49):  # 49 more records: a refresh would sort and count 100 records again for them
        sync.clock.advance(folders.LOAD_REFRESH_INTERVAL)
        assert not received(batch(f"b{i}.md"), nothing_listed=False).relist
    assert received(batch("c.md"), nothing_listed=False).relist  # 50 more: half as many again
    assert not received(batch(*(f"d{i}.md" for i in range(75))), nothing_listed=False).relist  # grown, but
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL)  # refreshed a moment ago; half a second on:
    assert received(batch("e.md"), nothing_listed=False).relist
    assert received(batch("f.md", final=True), nothing_listed=False).relist  # the end is always listed


def test_an_empty_list_is_refreshed_without_the_timer_but_not_every_batch() -> None:
    sync = Sync()
    received = sync.sync.received
    assert received(batch(*(f"a{i}.md" for i in range(10))), nothing_listed=True).relist  # the first titles
    assert not received(batch(*(f"b{i}.md" for i in range(4))), nothing_listed=True).relist  # matches none yet
    assert received(batch("c.md"), nothing_listed=True).relist  # 5 more of 10: grown by half


def test_a_walk_that_changes_nothing_relists_nothing_and_settles_nothing() -> None:
    sync = Sync()
    sync.sync.received(batch("a.md", final=True), nothing_listed=True)
    nothing = sync.sync.received(Batch(final=True), nothing_listed=False)
    assert not nothing.relist and not nothing.settle
    changed = sync.sync.received(batch("b.md", final=True), nothing_listed=False)
    assert changed.relist and changed.settle


def test_after_the_first_load_a_few_changed_records_are_not_settled_until_they_add_up() -> None:
    sync = Sync()
    received = sync.sync.received
    assert received(batch(*(f"a{i}.md" for i in range(100)), final=True), nothing_listed=True).settle
    share = int(folders.SETTLE_SHARE * 100)
    for i in range(share - 1):  # a watcher's changes, one file each: listed, not settled
        arrival = received(batch(f"b{i}.md", final=True), nothing_listed=False)
        assert arrival.relist and not arrival.settle
    # The records changed since the last settle reach the share of the library: settled, and counted anew.
    assert received(batch("c.md", "d.md", "e.md", final=True), nothing_listed=False).settle
    assert not received(batch("f.md", final=True), nothing_listed=False).settle


def test_progress_counts_from_the_first_batch_that_knows_the_total() -> None:
    sync = Sync()
    sync.sync.received(batch("a.md"), nothing_listed=True)
    assert sync.sync.progress is None
    started = sync.clock.now
    sync.sync.received(batch("b.md", done=10, total=100), nothing_listed=False)
    sync.clock.advance(1.0)
    sync.sync.received(batch("c.md", done=60, total=100), nothing_listed=False)
    assert sync.sync.progress == folders.Progress(60, 100, started, base=1)  # a.md was loaded before
    assert (sync.sync.progress.loaded, sync.sync.progress.expected) == (61, 101)
    assert not sync.sync.all_listed
    sync.sync.received(batch(final=True), nothing_listed=False)
    assert sync.sync.progress is None and sync.sync.finished


def test_a_load_posts_its_batches_measures_itself_and_starts_the_watch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_library(tmp_path / "library")
    watches: list[list[str]] = []
    monkeypatch.setattr(folders.FolderWatch, "start", classmethod(lambda cls, paths: watches.append(paths)))
    sync = Sync(paths=[str(folder)])
    posted: list[Batch] = []

    def post(batch: Batch) -> None:
        posted.append(batch)
        sync.clock.advance(0.25)  # each batch takes a quarter of a second

    seconds = sync.sync.load(None, post, lambda: False)
    assert posted and posted[-1].final and sum(len(b.summaries) for b in posted) == 4
    assert posted[0].stories  # a small library's stories come with its records
    assert seconds == 0.25 * len(posted)
    assert watches == [[str(folder)]]
    for batch in posted:
        sync.library.apply(batch)
    assert sync.sync.load(dict(sync.library.stats), post, lambda: False) is not None
    assert watches == [[str(folder)]]  # the folders are found once


def test_a_cancelled_load_posts_nothing_and_reports_no_time(tmp_path: Path) -> None:
    sync = Sync(paths=[str(write_library(tmp_path / "library"))])
    posted: list[Batch] = []
    assert sync.sync.load(None, posted.append, lambda: True) is None
    assert posted == []


def test_the_index_s_complete_list_is_listed_and_settled_and_the_walk_after_it_is_a_watcher_s() -> None:
    sync = Sync()
    received = sync.sync.received
    assert received(batch(*(f"a{i}.md" for i in range(100))), nothing_listed=True).relist
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL)
    # Ten more records: not grown by half, but the index's list is whole: listed now, before the walk.
    whole = batch(*(f"b{i}.md" for i in range(10)))
    whole.complete = True
    arrival = received(whole, nothing_listed=False)
    assert arrival.relist and arrival.settle and sync.sync.finished and sync.sync.all_listed
    assert sync.sync.progress is None
    # The walk finds two changed files: a progress of its own, after the 110 records listed.
    received(Batch(total=2), nothing_listed=False)
    changed = received(batch("b0.md", done=1, total=2), nothing_listed=False)
    assert not changed.relist and sync.sync.progress == folders.Progress(1, 2, sync.clock.now, base=110)
    assert received(batch("b1.md", done=2, total=2, final=True), nothing_listed=False).relist
    assert sync.sync.progress is None and sync.sync.all_listed


def test_while_the_index_is_read_the_list_is_refreshed_once_the_library_grew_twofold() -> None:
    sync = Sync()
    received = sync.sync.received

    def indexed(*paths: str) -> Batch:
        read = batch(*paths)
        read.indexed = True
        return read

    assert received(indexed(*(f"a{i}.md" for i in range(100))), nothing_listed=True).relist  # first titles
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL)
    assert not received(indexed(*(f"b{i}.md" for i in range(150))), nothing_listed=False).relist  # 1.5 times
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL)
    assert not received(indexed(*(f"c{i}.md" for i in range(49))), nothing_listed=False).relist
    assert received(indexed("d.md"), nothing_listed=False).relist  # 200 more than the 100 listed
    sync.clock.advance(folders.LOAD_REFRESH_INTERVAL)
    whole = indexed("e.md")
    whole.complete = True
    assert received(whole, nothing_listed=False).relist and sync.sync.all_listed  # the index's whole list


def test_a_load_posts_the_index_s_first_batch_at_once_then_its_batches_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.core import loader
    from reader.core.index import Index
    from reader.core.library import load_library

    folder = write_library(tmp_path / "library")
    for i in range(12):
        write_story(folder, f"story-{i}.md", f"Story {i}", "Alpha", f"2024-03-{i + 1:02d}T08:00:00Z")
    location = str(tmp_path / "index.sqlite3")
    indexed = load_library([str(folder)], Index(location))
    indexed.index.close()
    monkeypatch.setattr(folders.FolderWatch, "start", classmethod(lambda cls, paths: None))
    monkeypatch.setattr(loader, "BATCH_SIZE", 2)
    monkeypatch.setattr(folders, "INDEX_POST", 5)
    sync = Sync(paths=[str(folder)])
    sync.library = Library(Index(location))
    sync.sync.library = sync.library
    posted: list[Batch] = []
    sync.sync.load(None, posted.append, lambda: False)
    sync.library.index.close()
    from_index = [batch for batch in posted if batch.indexed]
    sizes = [len(batch.stats) for batch in from_index]
    total = len(indexed.stats)
    assert total > 9 and sizes[0] == 2 and all(size >= 5 for size in sizes[1:-1]) and sum(sizes) == total
    assert len(from_index) < total / 2  # posted together, not one a batch
    assert [batch.complete for batch in from_index] == [False] * (len(from_index) - 1) + [True]
    assert posted.index(from_index[-1]) == len(from_index) - 1 and posted[-1].final  # then the walk's
    for batch in posted:
        sync.library.apply(batch)
    assert sync.library.stats == indexed.stats
    assert sorted(s.path for s in sync.library.summaries) == sorted(s.path for s in indexed.summaries)
    assert sorted(p.path for p in sync.library.problems) == sorted(p.path for p in indexed.problems)


@pytest.mark.parametrize("walk_changed", [False, True])
def test_the_grouper_is_read_back_at_once_after_a_walk_that_found_nothing_new(walk_changed: bool) -> None:
    sync = Sync()
    sync.sync.start()
    sync.sync.watch = FakeWatch()
    indexed = Batch(summaries=[summary("a.md")], stats={"a.md": (1, 1)}, indexed=True, complete=True)
    sync.sync.received(indexed, nothing_listed=True)  # the list and counts are made from the index
    if walk_changed:  # then the walk finds a file the index did not hold: listed and counted again
        sync.sync.received(Batch(summaries=[summary("b.md")], stats={"b.md": (1, 1)}, final=True),
                           nothing_listed=False)
    sync.finish(0.1)
    sync.clock.advance(folders.WARM_SOON)
    assert len(sync.runs) == (1 if walk_changed else 2)  # the grouper read back (a run of its own)
    sync.clock.advance(folders.WARM_DELAY)
    assert len(sync.runs) == 2
