"""The topic pane's counts: recounted off the UI thread, a moment after the reading state changes so
that a burst of changes is counted once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from operator import attrgetter

from ..core.changes import Delta
from ..core.counts import Counts, TopicCounter
from ..core.record import Summary
from ..core.state import StateStore
from .clock import Scheduler, Timer

_published = attrgetter("published")

# How long the topic counts wait after a change to the reading state, so a burst is counted once.
COUNT_DELAY = 0.3


class TopicCounts:
    """The latest `counts`, and when to count again: `recount()` starts a count (off the UI thread)."""

    def __init__(
        self, scheduler: Scheduler, recount: Callable[[], None], *, show_unpublished: bool,
        stories: Callable[[], bool] = lambda: False,
        changes: Callable[[int, int], Delta | None] | None = None,
    ) -> None:
        self._scheduler = scheduler
        self._recount = recount
        self._timer: Timer | None = None
        self.show_unpublished = show_unpublished
        self.counter = TopicCounter()
        self._unshown = 0
        self._lock = threading.Lock()
        self._counts = Counts()
        self.stories = stories
        self._changes = changes
        """What changed in the library between two versions (`Library.changes`): a count follows a
        small change rather than counting everything again."""
        """Whether stories are counted rather than records (the list's grouping)."""
        self.pending = False
        """Counting waits for a burst of state changes to end."""

    @property
    def counts(self) -> Counts:
        """The counts shown: set it when a count made by `count` is shown."""
        return self._counts

    @counts.setter
    def counts(self, counts: Counts) -> None:
        with self._lock:
            self._unshown = max(0, self._unshown - 1)
        self._counts = counts

    @property
    def unshown(self) -> bool:
        """A count was made (off the UI thread) and is not shown yet: the full collection that follows
        a load waits for it, as it would hold the interpreter between the count and its showing."""
        return self._unshown > 0

    def soon(self) -> None:
        """Count again once the reading state has stopped changing for COUNT_DELAY seconds."""
        if self._timer is not None:
            self._timer.stop()
        self.pending = True
        self._timer = self._scheduler.set_timer(COUNT_DELAY, self._delay_over)

    def now(self) -> None:
        """Count again at once (a key marked a story: the unread count follows the key, not a moment
        later), unless a count was started so in the last COUNT_DELAY seconds or one waits: then
        `soon`, so a key held down is still counted once after the burst."""
        if self._timer is not None:
            self.soon()
            return
        self._recount()
        self._timer = self._scheduler.set_timer(COUNT_DELAY, self._quiet)

    def _delay_over(self) -> None:
        self._timer = None
        self._recount()

    def _quiet(self) -> None:
        self._timer = None

    def started(self) -> None:
        """A count was started (the delay's, or one asked for at once)."""
        self.pending = False

    def count(
        self, summaries: Sequence[Summary], saved: Sequence[tuple[str, str]], version: int, state: StateStore
    ) -> Counts:
        """Count topics, unread records and saved filters (off the UI thread)."""
        listed = None if self.show_unpublished else _published  # a C call per record, not a lambda
        stories = self.stories()
        known = self._changes

        def changes(old: object) -> Delta | None:
            if known is None or not isinstance(old, tuple) or old[1] != stories:
                return None
            return known(old[0], version)

        counts = self.counter.count(
            summaries, (version, stories), state, saved, listed=listed, stories=stories, changes=changes
        )
        with self._lock:
            self._unshown += 1
        return counts
