"""Keeping the library in step with its folders: the first load, then walks for changes, spaced out so
that they take at most a tenth of the time, and the reading state another copy of the app wrote."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..core.grouping import Live, warm_index
from ..core.library import Library
from ..core.loader import Batch, stream, stream_named
from ..core.record import Problem
from ..core.stamps import Stamps
from ..core.state import StateStore
from ..core.watch import FolderWatch
from .clock import Scheduler, Timer

# How often the list is refreshed while records stream in, in seconds.
LOAD_REFRESH_INTERVAL = 0.5
# ...and only once the records received since the last refresh are at least this share of the records
# loaded then. Each refresh sorts, filters and counts everything loaded: one every half second made a
# load's time grow with the square of its records (a million took 323-440 s, 300,000 took 8.6 s), where
# refreshes spaced by growth cost in all about three times the last one (1 + 2/3 + 4/9 + ...).
LOAD_GROWTH = 0.5
# ...and while the index is read (~100,000 records a second), once they are at least this share: the
# index's whole list comes within seconds (see `Batch.complete`), so the refreshes on the way, which
# took twice the CPU of the last one with LOAD_GROWTH, are fewer (at 100,000 records, one or two).
INDEX_GROWTH = 2.0
# While the index is read, its batches are posted to the screen together, up to this many records (the
# first at once, for the first titles): each post redraws the status line, 100 times at 100,000 records.
INDEX_POST = 10_000
# How often the folders are checked for changes: at least this often, and at most 10% of the time.
WATCH_INTERVAL = 3.0
# Where the system tells of changes (inotify), how often its notices are read, and how often the
# folders are still walked to be safe (it misses changes made by another machine to a network folder).
NOTICE_INTERVAL = 0.5
SAFETY_INTERVAL = 60.0
# Where an event loop runs (the app), it tells as soon as the system has notices; what they name is read
# this long after (a file is made, then written: reading it at once would find it empty).
NOTICE_SETTLE = 0.05
# A load's end freezes its records (see idle_gc.settle) the first time, and then once the records changed
# since the last are at least this share of the library: a settle walks every record (0.1-0.4 s of the UI
# thread at 100,000, most of a new file's time on screen), and the few records a watcher's change brings
# stay with the collector's young generations, whose walks are short.
SETTLE_SHARE = 0.1
# How long after the first load the story grouper is read back for the watcher (see `FolderSync.warm`),
# so that it does not compete with the first list and counts...
WARM_DELAY = 2.0
# ...and after a first walk that found nothing the index did not hold: the list and counts were made
# when the index was read, so the grouper is read back at once (a file the watcher finds in the first
# seconds joined its story in ~0.7 s at 100,000 records with the grouper read back in its load).
WARM_SOON = 0.1


class Running(Protocol):
    """A load under way (a Textual worker)."""

    @property
    def is_finished(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a load is: files `done` of `total`, since `started` (the clock's seconds), after `base`
    records that were loaded before these were counted (the first files shown, or those of the index)."""

    done: int
    total: int
    started: float
    base: int = 0

    @property
    def loaded(self) -> int:
        """How many records are loaded: what the list can show."""
        return self.base + self.done

    @property
    def expected(self) -> int:
        return self.base + self.total


@dataclass(frozen=True, slots=True)
class Arrival:
    """What a batch asks of the screen once the library has it."""

    relist: bool
    """Count the topics and filter the list again (while loading, at most every LOAD_REFRESH_INTERVAL
    and once the library has grown by LOAD_GROWTH)."""
    settle: bool
    """A load that changed the library is done: its records can be frozen at the next pause (see idle_gc)."""


class FolderSync:
    """Loads `paths` into `library` and keeps it up to date.

    `start_load(known)` runs `load` off the UI thread and hands its batches to `received` and its end to
    `walked`; `state_changed()` is told when another copy of the app changed the reading state."""

    def __init__(
        self,
        paths: list[str],
        library: Library,
        state: StateStore,
        scheduler: Scheduler,
        *,
        start_load: Callable[[Stamps | None], Running],
        state_changed: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = paths
        self.library = library
        self.state = state
        self._scheduler = scheduler
        self._start_load = start_load
        self._state_changed = state_changed
        self._clock = clock
        self._loader: Running | None = None
        self.watch: FolderWatch | None = None
        """The system's notices of changes (None where there are none: the folders are walked on a timer)."""
        self._watch_tried = False
        self._notice_timer: Timer | None = None
        self._settle_timer: Timer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        """The event loop that tells of the system's notices as they come (None: they are looked at on
        the notices' timer only)."""
        self._walk_timer: Timer | None = None
        """The next walk of every folder (None: it came due)."""
        self._files_changed = False
        """The system told of a change that no walk has looked at yet."""
        self.walk_allowed_at = 0.0
        """When a walk may start again on a notice: walks take at most 10% of the time."""
        self.named_allowed_at = 0.0
        """When a load of the paths the system named may start again (they too take at most 10%)."""
        self._named: tuple[set[str], set[str]] | None = None
        """The files and folders the system named, for the next load to read (None: walk them all)."""
        self._kind = "all"
        """What the load under way does: walk every folder ("all"), read the paths named ("named"), or
        read the story grouper back ("warm")."""
        self._walk_due = False  # a walk of every folder was asked for while a load ran
        self._scan_problems: list[Problem] = []  # what the last whole walk could not read
        self.progress: Progress | None = None
        """How far the load under way is (None when none is, or it has not counted its files yet)."""
        self.finished = False
        """The first load has finished."""
        self._last_refresh = 0.0
        self._refreshed_size = 0  # how many records were loaded at the last refresh
        self._received = 0  # records, problems and removals received since then
        self._listed_version = -1  # the library version the topics and list were last computed for
        self._indexed_version = -1  # the library version once the index's whole list was in
        self._settled_version = -1  # the library version whose records were last frozen
        self._unsettled = 0  # records, problems and removals received since then
        self.grouping = Live()
        """The grouper of the last grouping done here, kept so that a file the watcher finds joins its
        story without the grouper being read back from the index."""

    @property
    def loading(self) -> bool:
        """Whether a load or walk is under way."""
        return self._loader is not None and not self._loader.is_finished

    @property
    def all_listed(self) -> bool:
        """Whether no load is under way and the topics and list were computed for the library as it is."""
        return self.progress is None and self._listed_version == self.library.version

    def start(self) -> None:
        """Load what the index holds, then what changed on disk."""
        self._loader = self._start_load(None)

    def load(
        self, known: Stamps | None, post: Callable[[Batch], object], cancelled: Callable[[], bool]
    ) -> float | None:
        """Load (off the UI thread) from the index, or, given what is `known`, only what changed on disk,
        posting each batch; the seconds it took, or None when cancelled."""
        started = self._clock()
        seconds = 0.0
        if self._kind == "warm":
            try:
                warm_index(self.library.index, self.grouping)
            except sqlite3.DatabaseError:
                pass  # the next change reads it back, or groups elsewhere
            return self._clock() - started
        named, self._named = self._named, None
        if known is not None and named is not None:
            batches = stream_named(self.paths, self.library.index, known, *named,
                                   scan_problems=self._scan_problems, cancelled=cancelled, live=self.grouping)
        else:
            batches = stream(self.paths, self.library.index, known=known, cancelled=cancelled,
                             live=self.grouping)
        held: Batch | None = None  # the index's batches not posted yet
        posted = False
        for batch in batches:
            if cancelled():
                return None
            if batch.indexed:
                held = batch if held is None else _joined(held, batch)
                if posted and not held.complete and len(held.stats) < INDEX_POST:
                    continue
                batch, held = held, None
            elif held is not None:  # the index failed on the way: what was read of it goes first
                post(held)
                held = None
            post(batch)
            posted = True
            if not (batch.stories and not (batch.stats or batch.removed) and batch.scan_problems is None):
                # The walk's and the parse's time: the grouping that may follow runs in a process of
                # its own at scale, so it does not count against the next walk (see `walked`).
                seconds = self._clock() - started
        if held is not None:
            post(held)
        if not self._watch_tried:  # here, off the UI thread: finding the folders reads every one
            self._watch_tried = True
            self.watch = FolderWatch.start(self.paths)
        return seconds

    def received(self, batch: Batch, *, nothing_listed: bool) -> Arrival:
        """Put a batch in the library; `nothing_listed`: the list is empty and no filter is under way."""
        before = len(self.library)
        self.library.apply(batch)
        if batch.scan_problems is not None:
            self._scan_problems = batch.scan_problems
        now = self._clock()
        if batch.total and self.progress is None:
            self.progress = Progress(batch.done, batch.total, now, before)
        elif self.progress is not None:
            self.progress = Progress(batch.done, batch.total, self.progress.started, self.progress.base)
        changed = self.library.version != self._listed_version  # the watcher's walks mostly change nothing
        arrived = len(batch.summaries) + len(batch.problems) + len(batch.removed)
        self._received += arrived
        self._unsettled += arrived
        # An empty list is refreshed without waiting for the timer (the first titles come at once), but
        # not without the growth either: a query that matches nothing would be run again every batch.
        grown = self._received >= (INDEX_GROWTH if batch.indexed else LOAD_GROWTH) * self._refreshed_size
        due = now - self._last_refresh >= LOAD_REFRESH_INTERVAL or nothing_listed
        # The index's whole list (`complete`) is shown and counted as a load's end is: the walk that
        # checks it against the files follows, its findings taken as a watcher's walk's are.
        ended = batch.final or batch.complete
        if batch.complete:
            self._indexed_version = self.library.version
        relist = changed and (ended or (grown and due))
        if relist:
            self._last_refresh = now
            self._listed_version = self.library.version
            self._refreshed_size, self._received = len(self.library), 0
        settle = False
        if ended:
            self.progress = None
            self.finished = True
            first = self._settled_version == -1
            if self.library.version != self._settled_version and (
                first or self._unsettled >= SETTLE_SHARE * len(self.library)
            ):
                self._settled_version, self._unsettled = self.library.version, 0
                settle = True
        return Arrival(relist, settle)

    def walked(self, seconds: float) -> None:
        """A load or walk finished, taking `seconds`: plan the next."""
        if self.watch is not None and self._notice_timer is None:  # the first load is done
            self._notice_timer = self._scheduler.set_interval(NOTICE_INTERVAL, self.check_notices,
                                                              name="notices")
            self._scheduler.set_interval(WATCH_INTERVAL, self.check_state, name="state")
            quiet = self.library.version == self._indexed_version  # the walk changed nothing
            self._scheduler.set_timer(WARM_SOON if quiet else WARM_DELAY, self.warm, name="warm")
            self._listen()
        if self._kind != "all":  # the paths named, or the grouper read back: the whole walk keeps its time
            if self._kind == "named":
                self.named_allowed_at = self._clock() + 9 * seconds
            if self._files_changed:  # told of while it ran
                self._settle_at(self.named_allowed_at - self._clock())
            if self._walk_due or self._walk_timer is None:  # the safety walk, or `r`, came while it ran
                self._walk_due = False
                self._walk_timer = self._scheduler.set_timer(NOTICE_INTERVAL, self._walk_due_now, name="walk")
            return
        self._walk_due = False
        if self._walk_timer is not None:
            self._walk_timer.stop()
        interval = SAFETY_INTERVAL if self.watch is not None else WATCH_INTERVAL
        self._walk_timer = self._scheduler.set_timer(max(interval, 10 * seconds), self._walk_due_now,
                                                     name="walk")
        self.walk_allowed_at = self._clock() + 9 * seconds

    def check_notices(self) -> None:
        """Load what the system told of a change in, once the last load is done and loads have taken
        less than 10% of the time. Only the files and folders it named are read (a walk of every folder
        takes ~1 s at 100,000 files); when it cannot name them (events lost), every folder is walked,
        no more often than walks take 10% of the time (a folder written to all the time is then walked
        every ~10 s, not back to back)."""
        if self.watch is not None and self.watch.changed():
            self._files_changed = True
        if not self._files_changed or self.loading or self.watch is None:
            return
        now = self._clock()
        if now < self.named_allowed_at:
            self._settle_at(self.named_allowed_at - now)
            return
        named = self.watch.take()
        if named is None and now < self.walk_allowed_at:
            self._files_changed = True  # walked once allowed
            return
        self._files_changed = False
        self.check_state()
        self._load(named)

    def _listen(self) -> None:
        """Be told of the system's notices as they come, by the event loop running here (the app's:
        there is none in a plain thread); the notices' timer looks at them anyway."""
        try:
            loop = asyncio.get_running_loop()
            loop.add_reader(self.watch.fileno(), self._noticed)  # type: ignore[union-attr]
        except (RuntimeError, NotImplementedError, AttributeError, ValueError, OSError):
            return  # no loop here, or none that watches descriptors (Windows'), or a watch without one
        self._loop = loop

    def _noticed(self) -> None:
        """The system has notices: what they name is read in a moment (NOTICE_SETTLE)."""
        if self.watch is None:
            return
        if self.watch.changed():
            self._files_changed = True
            self._settle_at(0.0)
        if not self.watch.complete:  # it may not be drained any more: the timer looks instead
            self._stop_listening()

    def _settle_at(self, delay: float) -> None:
        """Look at the notices in `delay` seconds (NOTICE_SETTLE at least), where the event loop tells
        of them as they come (else, or when that is later than the notices' timer, the timer looks)."""
        if self._loop is not None and self._settle_timer is None and delay < NOTICE_INTERVAL:
            self._settle_timer = self._scheduler.set_timer(max(delay, NOTICE_SETTLE), self._settled,
                                                           name="settle")

    def _settled(self) -> None:
        self._settle_timer = None
        self.check_notices()

    def _stop_listening(self) -> None:
        if self._loop is not None and self.watch is not None:
            self._loop.remove_reader(self.watch.fileno())
        self._loop = None

    def warm(self) -> None:
        """Read the story grouper back from the index (off the UI thread), unless one is kept: the
        first file the system names then joins its story as quickly as the next."""
        if not self.loading and self.grouping.grouper is None:
            self._named, self._kind = None, "warm"
            self._loader = self._start_load({})

    def check_state(self) -> None:
        """Pick up the reading state another copy of the app wrote."""
        if self.state.refresh():
            self._state_changed()

    def _walk_due_now(self) -> None:
        self._walk_timer = None
        self.check_for_changes()

    def check_for_changes(self) -> None:
        """Look for new, changed and removed files (the timer's walk, and `r`), and for reading state
        another copy of the app wrote."""
        self.check_state()
        if self.loading:
            self._walk_due = True
            return
        if self.watch is not None:
            self.watch.take()  # what it named is walked now
        self._load(None)

    def _load(self, named: tuple[set[str], set[str]] | None) -> None:
        """Load what changed: in the paths `named` (files, folders), or in every folder (None)."""
        if not self.loading:
            self._named, self._kind = named, "all" if named is None else "named"
            self._loader = self._start_load(self.library.stats.copy())

    def close(self) -> None:
        self._stop_listening()
        if self.watch is not None:
            self.watch.close()


def _joined(first: Batch, then: Batch) -> Batch:
    """Two batches of what the index holds as one (`then`'s rows after `first`'s)."""
    first.summaries += then.summaries
    first.problems += then.problems
    first.stats.update(then.stats)
    first.complete = then.complete
    return first
