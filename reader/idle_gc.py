"""Python's cycle collector, run while the user is not typing or scrolling.

With 100,000 records loaded, an automatic collection stops every thread for 2-55 ms (the lists of
records that filters and sort orders keep are walked item by item), landing on keystrokes and
page-downs at random: page-down's p95 was 50-100 ms with the collector on and 19 ms with it off.
So the automatic collector is switched off while the app runs and `tick` collects instead, when no
key or mouse event came for a while, or when young objects pile up however busy the user is.
No Textual import: the app calls `touched` on input and `tick` on a timer.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# How often `tick` should be called, in seconds.
TICK = 0.1
# How long after the last key or mouse event the collector may run, in seconds.
IDLE_AFTER = 0.6
# How often a full collection may run (the others look at young objects only), in seconds...
FULL_EVERY = 10.0
# ...and at most this share of the time: a full collection walks every object not frozen, so while a
# large library loads (nothing is frozen before it is done) each takes longer, ~1 s at 300,000 records
# on a busy machine, and one every FULL_EVERY made the load's time grow with the square of its size.
FULL_SHARE = 0.05
# Young container objects that are collected at the next tick even while the user is busy (about
# 2 ms for 5,000; paging through the list makes some 100,000 a second, as each strip of a drawn
# line brings several small caches).
YOUNG_LIMIT = 5_000
# What `tick` returns when it froze what piled up instead of collecting (during the first load).
FROZEN = -1


def settle() -> None:
    """Keep the loaded records out of the collector's walks: at 100,000 records a full collection
    walks every summary and took 100-250 ms. Summaries hold no cycles (reference counting frees them),
    so what survives a full collection is frozen once a load is done; what was frozen before is
    collected once first, so cyclic garbage does not pile up across reloads."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class IdleCollector:
    """Decides when to collect; `collect(generation)` and `clock()` are gc.collect and a monotonic
    clock unless a test passes its own."""

    def __init__(
        self,
        collect: Callable[[int], object] = gc.collect,
        clock: Callable[[], float] = time.monotonic,
        count: Callable[[], tuple[int, int, int]] = gc.get_count,
        settle: Callable[[], None] = settle,
        freeze: Callable[[], None] = gc.freeze,
    ) -> None:
        self._collect, self._clock, self._count, self._settle = collect, clock, count, settle
        self._freeze = freeze
        self._settle_wanted = False
        self._settle_ready: Callable[[], bool] = lambda: True
        self._first_load = False
        self._last_input = self._last_full = clock()
        self._full_wait = FULL_EVERY  # until the next full collection: longer when the last one took long
        self._was_enabled: bool | None = None

    def start(self) -> None:
        """Switch the automatic collector off (`stop` restores it)."""
        if self._was_enabled is None:
            self._was_enabled = gc.isenabled()
            gc.disable()

    def stop(self) -> None:
        gc.unfreeze()  # the app is done with its records: nothing is kept from the collector now
        if self._was_enabled is not None:
            if self._was_enabled:
                gc.enable()
            self._was_enabled = None

    def settle_soon(self, ready: Callable[[], bool] = lambda: True) -> None:
        """Ask for `settle` (a full collection that freezes what survives) at the next pause once
        `ready()` (the list the load gave is shown): a load that changed the library is done (with
        files changing every few seconds, doing it at once would stall the screen for 100-250 ms each
        time; at 100,000 records, done before the list was computed, it held the list back 0.4-0.75 s)."""
        self._settle_wanted = True
        self._settle_ready = ready

    def first_load(self, under_way: bool) -> None:
        """The first load is under way (or over). Meanwhile nothing is collected: what piles up is
        frozen instead, which walks nothing (records stream in by the thousand and all survive, so
        each collection walked them for nothing: at 100,000 records some 115 middle and 3 full
        collections, 1.5 s each kind on a busy machine). Cyclic garbage frozen meanwhile is collected
        by the `settle` that follows the load, which thaws everything first."""
        self._first_load = under_way

    def touched(self) -> None:
        """A key or mouse event arrived."""
        self._last_input = self._clock()

    def tick(self) -> int | None:
        """Collect if it is time; the generation collected, or None."""
        now = self._clock()
        young, middle, _ = self._count()
        if self._first_load:
            if young < YOUNG_LIMIT:
                return None
            self._freeze()
            return FROZEN
        if now - self._last_input < IDLE_AFTER:
            if young < YOUNG_LIMIT:
                return None
            generation = 0  # busy for long: the young ones only, a few milliseconds
        elif self._settle_wanted and self._settle_ready():
            self._settle_wanted = False
            self._settle()
            self._full_done(now)
            return 2
        elif now - self._last_full >= self._full_wait:
            generation = 2
        elif young or middle:
            generation = 1
        else:
            return None
        self._collect(generation)
        if generation == 2:
            self._full_done(now)
        return generation

    def _full_done(self, started: float) -> None:
        """A full collection (or a settle) that began at `started` is over: the next one waits
        FULL_EVERY, or longer so that they take at most FULL_SHARE of the time."""
        now = self._clock()
        self._last_full = now
        self._full_wait = max(FULL_EVERY, (now - started) / FULL_SHARE)
