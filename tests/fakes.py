"""Fakes for the main screen's plain objects (reader.control), with no Textual import: a clock that is
also a scheduler, summaries and a library built in memory, a load that runs when told, a watched folder
whose notices the test gives, and a spy on the story grouper."""

from __future__ import annotations

import heapq
import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.control import folders
from reader.control.folders import FolderSync
from reader.core import grouping, stories
from reader.core.index import Index
from reader.core.library import Library
from reader.core.state import StateStore
from reader.core.loader import Batch
from reader.core.counts import count
from reader.core.record import Record, Summary


class FakeTimer:
    """A timer of a FakeClock."""

    def __init__(
        self, clock: FakeClock, delay: float, callback: Callable[[], object], repeat: bool, name: str | None
    ) -> None:
        self.clock, self.delay, self.callback, self.repeat, self.name = clock, delay, callback, repeat, name
        self.active = True
        self.due = clock.now + delay

    def stop(self) -> None:
        self.active = False

    def reset(self) -> None:
        self.due = self.clock.now + self.delay
        self.active = True
        self.clock._schedule(self)


class FakeClock:
    """A clock and scheduler (see reader.control.clock) whose time moves only when a test advances it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self._queue: list[tuple[float, int, FakeTimer]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    def _schedule(self, timer: FakeTimer) -> None:
        heapq.heappush(self._queue, (timer.due, next(self._order), timer))

    def set_timer(
        self, delay: float, callback: Callable[[], object], *, name: str | None = None
    ) -> FakeTimer:
        timer = FakeTimer(self, delay, callback, False, name)
        self._schedule(timer)
        return timer

    def set_interval(
        self, interval: float, callback: Callable[[], object], *, name: str | None = None
    ) -> FakeTimer:
        timer = FakeTimer(self, interval, callback, True, name)
        self._schedule(timer)
        return timer

    @property
    def timers(self) -> list[FakeTimer]:
        """The timers still to fire, soonest first."""
        live = {id(t): t for due, _, t in sorted(self._queue) if t.active and t.due == due}
        return list(live.values())

    def advance(self, seconds: float) -> None:
        """Move time on by `seconds`, firing every timer that comes due on the way, in order."""
        end = self.now + seconds
        while self._queue and self._queue[0][0] <= end:
            due, _, timer = heapq.heappop(self._queue)
            if not timer.active or timer.due != due:
                continue  # stopped, or reset to a later time (queued again)
            self.now = due
            if timer.repeat:
                timer.due = due + timer.delay
                self._schedule(timer)
            else:
                timer.active = False
            timer.callback()
        self.now = end



def summary(
    path: str,
    title: str = "",
    *,
    url: str = "",
    timestamp: float | None = 1_600_000_000.0,
    topics: tuple[str, ...] = (),
    published: bool = True,
    quality: int | None = None,
    story: str = "",
) -> Summary:
    """A summary of a record at `path` (its URL, and so its identity, is https://example.org/<path>
    unless given), in the story `story` if given."""
    made = Summary.build(
        path=path, title=title or path, timestamp=timestamp, provider_name="", provider_domain="",
        topics=topics, type="article", category="", quality=quality, heat=None, published=published,
        has_image=False, has_related=False, has_body=False, has_url=True,
        url=url or f"https://example.org/{path}", text_cf=(title or path).casefold().encode(),
    )
    made.story = story
    return made


def library_of(summaries: Iterable[Summary]) -> Library:
    """A library holding `summaries`, as if loaded (an in-memory index)."""
    library = Library()
    summaries = list(summaries)
    library.apply(Batch(summaries=summaries, stats={s.path: (1, 1) for s in summaries}))
    return library


class FakeRun:
    """A load started by FolderSync: finished when the test says so."""

    def __init__(self, known: dict[str, tuple[int, int]] | None) -> None:
        self.known = known
        self.is_finished = False


def topic_counts(library: Library) -> list[tuple[str, int]]:
    """Each topic with its record count, most common first, then by name, as the topic pane counts."""
    return [(topic.name, topic.total) for topic in count(library.summaries, None).topics]


def shown_fields(record: Record) -> list[str]:
    """The one-line text fields of a record and of its related stories."""
    fields = [record.title, record.excerpt, record.type, record.category, *record.topics]
    fields += [record.provider.name, record.provider.domain]
    for story in record.related:
        fields += [story.title, story.excerpt, story.type, story.provider.name, story.provider.domain]
    return fields


class GrouperSpy:
    """Counts the story grouper's work: how many groupers are made, how many records each one read back
    from the index was given (`read`), and how many items each `add` was given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made = 0
        self.read: list[int] = []
        self.added: list[int] = []
        spy = self

        class Counted(stories.Grouper):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                spy.made += 1
                super().__init__(*args, **kwargs)

            @classmethod
            def from_state(cls, state: dict[str, Any]) -> stories.Grouper:
                spy.read.append(len(state["records"]))
                return super().from_state(state)

            def add(self, items: Any) -> dict[str, str | None]:
                items = list(items)
                spy.added.append(len(items))
                return super().add(items)

        monkeypatch.setattr(grouping, "Grouper", Counted)


class FakeNotices:
    """The system's notices of changes (see reader.core.watch), given by the test."""

    def __init__(self) -> None:
        self.pending = False

    def changed(self) -> bool:
        pending, self.pending = self.pending, False
        return pending

    def take(self) -> None:
        """What changed: anything (every folder is walked)."""
        self.changed()

    def close(self) -> None:
        pass


class FakeLoads:
    """A `FolderSync` over `paths` whose loads run when the test says (what the app's worker does)."""

    def __init__(self, paths: list[str], library: Library) -> None:
        self.clock = FakeClock()
        self.library = library
        self.runs: list[FakeRun] = []

        def start_load(known: Any) -> FakeRun:
            self.runs.append(FakeRun(known))
            return self.runs[-1]

        self.sync = FolderSync(paths, self.library, StateStore(), self.clock, start_load=start_load,
                               state_changed=lambda: None, clock=self.clock)

    def run_load(self) -> None:
        """The last load started, run to its end."""
        sync = self.sync
        seconds = sync.load(self.runs[-1].known, lambda batch: sync.received(batch, nothing_listed=False),
                            lambda: False)
        self.runs[-1].is_finished = True
        sync.walked(seconds or 0.0)


class WatchedFolder(FakeLoads):
    """A folder kept up to date by `FolderSync` as the app keeps it: its loads run when the test says
    (what the app's worker does), its walks start on the notices the test gives."""

    def __init__(self, folder: Path, location: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.notices = FakeNotices()
        monkeypatch.setattr(folders.FolderWatch, "start", classmethod(lambda cls, paths: self.notices))
        super().__init__([str(folder)], Library(Index(location)))

    def start(self) -> None:
        """The first load, from the index and then the folder."""
        self.sync.start()
        self.run_load()

    def notice(self) -> None:
        """The system tells of a change: the walk it starts, run to its end."""
        walks = len(self.runs)
        self.notices.pending = True
        self.clock.advance(1.0)  # the next look at the notices starts a walk
        assert len(self.runs) == walks + 1 and self.runs[-1].known is not None
        self.run_load()


class WriteLock:
    """Another program's write lock on the database, held from `take()` until `free()` (no sleeps)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None)

    def take(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def free(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")


def changing_list(
    script: Iterable[tuple[str, int]], new: Callable[[], Summary], index: Any, removed: Callable[[int], int]
) -> Iterator[tuple[list[Summary], int, int]]:
    """The library's list of records as it changes (a word index's tests): 30 records of `new`, then
    for each step of `script` a new list and version: "add" appends `number % 9` new records, "remove"
    deletes `removed(number)` records at `number % len` ("replace" then appends one), "index" catches
    `index` up, "some" catches it up a step and stops, "same" changes nothing. Yields the list, its
    version and the step's number."""
    records = [new() for _ in range(30)]
    version = 1
    for action, number in script:
        records = list(records)
        version += 1
        if action == "add":
            records += [new() for _ in range(number % 9)]
        elif action in ("remove", "replace") and records:
            for _ in range(removed(number)):
                if records:
                    del records[number % len(records)]
            if action == "replace":
                records.append(new())
        elif action == "index":
            index.catch_up(records, version)
        elif action == "some":
            index.catch_up(records, version, stop=iter([False, True]).__next__)
        yield records, version, number
