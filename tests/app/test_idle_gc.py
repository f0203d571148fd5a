"""The cycle collector runs when the user pauses, not in the middle of keystrokes."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from reader import idle_gc
from reader.app import ReaderApp
from reader.idle_gc import IdleCollector

from tests.corpus import write_library
from tests.helpers import screen


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def collector(counts: list[tuple[int, int, int]]) -> tuple[IdleCollector, Clock, list[int]]:
    clock, collected = Clock(), []
    count = iter(counts)
    return IdleCollector(collected.append, clock, lambda: next(count)), clock, collected


def test_nothing_is_collected_while_keys_come_unless_young_objects_pile_up() -> None:
    gcs, clock, collected = collector([(500, 3, 1), (idle_gc.YOUNG_LIMIT, 0, 0)])
    gcs.touched()
    clock.now += idle_gc.IDLE_AFTER / 2
    assert gcs.tick() is None
    assert gcs.tick() == 0 and collected == [0]  # busy for long: only the young generation


def test_a_pause_collects_young_objects_and_now_and_then_everything() -> None:
    gcs, clock, collected = collector([(500, 3, 1), (0, 0, 4), (10, 0, 0), (10, 0, 0)])
    gcs.touched()
    clock.now += idle_gc.IDLE_AFTER + 0.01
    assert gcs.tick() == 1
    assert gcs.tick() is None  # nothing young left
    clock.now += idle_gc.FULL_EVERY
    assert gcs.tick() == 2
    assert gcs.tick() == 1  # the next full one waits FULL_EVERY again
    assert collected == [1, 2, 1]


def test_a_full_collection_that_took_long_waits_in_proportion_before_the_next() -> None:
    clock = Clock()

    def collect(generation: int) -> None:
        collected.append(generation)
        clock.now += 2.0 if generation == 2 else 0.001  # a large library: a full collection takes 2 s

    collected: list[int] = []
    gcs = IdleCollector(collect, clock, lambda: (10, 0, 0))
    clock.now += idle_gc.FULL_EVERY
    assert gcs.tick() == 2
    clock.now += idle_gc.FULL_EVERY
    assert gcs.tick() == 1  # 2 s every FULL_EVERY would be a fifth of the time
    clock.now += 2.0 / idle_gc.FULL_SHARE - idle_gc.FULL_EVERY
    assert gcs.tick() == 2
    assert collected == [2, 1, 2]


def test_a_settle_asked_for_waits_for_a_pause_and_runs_once() -> None:
    clock, settled, collected = Clock(), [], []
    gcs = IdleCollector(collected.append, clock, lambda: (10, 0, 0), lambda: settled.append(clock.now))
    gcs.touched()
    gcs.settle_soon()
    assert gcs.tick() is None and settled == []  # a key came a moment ago
    clock.now += idle_gc.IDLE_AFTER + 0.01
    assert gcs.tick() == 2 and settled == [clock.now] and collected == []
    assert gcs.tick() == 1 and len(settled) == 1  # once; then the young ones as usual


def test_the_first_load_freezes_what_piles_up_instead_of_collecting_then_settles() -> None:
    clock, settled, collected, frozen = Clock(), [], [], []
    counts = iter([(idle_gc.YOUNG_LIMIT - 1, 9, 0), (idle_gc.YOUNG_LIMIT, 9, 0), (10, 0, 0), (10, 0, 0)])
    gcs = IdleCollector(collected.append, clock, lambda: next(counts), lambda: settled.append(clock.now),
                        lambda: frozen.append(clock.now))
    gcs.first_load(True)
    clock.now += idle_gc.FULL_EVERY  # no key for long: a full collection would be due
    assert gcs.tick() is None and frozen == []  # too few young objects to bother
    assert gcs.tick() == idle_gc.FROZEN and frozen == [clock.now] and collected == []
    gcs.first_load(False)
    gcs.settle_soon()  # the load is done: its records, and any cycle frozen meanwhile, are settled
    assert gcs.tick() == 2 and settled == [clock.now]
    assert gcs.tick() == 1 and collected == [1] and len(frozen) == 1


def test_start_switches_the_automatic_collector_off_and_stop_restores_it() -> None:
    assert gc.isenabled()
    gcs = IdleCollector()
    gcs.start()
    try:
        assert not gc.isenabled()
        gcs.start()  # twice: stop still restores what was there before the first
    finally:
        gcs.stop()
    assert gc.isenabled()
    gcs.stop()
    assert gc.isenabled()


async def test_the_app_runs_without_the_automatic_collector_and_collects_when_idle(tmp_path: Path) -> None:
    app = ReaderApp([str(write_library(tmp_path / "library"))])
    log: list[tuple[float, int | str]] = []
    app.collector = IdleCollector(
        lambda generation: log.append((time.monotonic(), generation)),
        settle=lambda: log.append((time.monotonic(), "settle")),
    )
    touched = app.collector.touched
    app.collector.touched = lambda: (log.append((time.monotonic(), "key")), touched())  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        assert not gc.isenabled()
        await pilot.pause(0.5)
        await pilot.press("j")
        await pilot.pause(idle_gc.IDLE_AFTER + 0.5)
    assert gc.isenabled()
    key = max(t for t, what in log if what == "key")
    soon = [what for t, what in log if key < t < key + idle_gc.IDLE_AFTER - 0.05]
    later = [what for t, what in log if t >= key + idle_gc.IDLE_AFTER]
    assert set(soon) <= {0}  # a key came a moment ago: the youngest objects at most
    assert later and set(later) <= {1, "settle"}  # in the pause; a full collection waits FULL_EVERY


def test_a_walk_gives_memory_back_without_thawing_what_the_app_froze() -> None:
    from reader.core import loader

    gc.unfreeze()
    loader._return_freed_memory()
    assert gc.get_freeze_count() == 0  # outside the app nothing stays frozen
    kept = [[object()] for _ in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        loader._return_freed_memory()
        assert gc.get_freeze_count() >= frozen  # the app's frozen records stay out of the walks
    finally:
        gc.unfreeze()
    assert kept


async def test_the_records_loaded_are_frozen_at_the_first_pause(tmp_path: Path) -> None:
    app = ReaderApp([str(write_library(tmp_path / "library"))])
    async with app.run_test() as pilot:
        for _ in range(40):
            await pilot.pause(0.1)
            if gc.get_freeze_count():
                break
        assert gc.get_freeze_count() > 0
        screen(app).folders.check_for_changes()  # a walk that finds nothing new keeps them frozen
        await pilot.pause(0.5)
        assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_a_settle_waits_until_it_is_ready_however_idle_the_user_is() -> None:
    clock, settled, collected = Clock(), [], []
    gcs = IdleCollector(collected.append, clock, lambda: (10, 0, 0), lambda: settled.append(clock.now))
    shown = [False]
    gcs.settle_soon(ready=lambda: shown[0])  # the list of the load is still being computed
    clock.now += idle_gc.IDLE_AFTER + 0.01
    assert gcs.tick() == 1 and settled == []  # the young ones only meanwhile
    shown[0] = True
    assert gcs.tick() == 2 and settled == [clock.now]
    assert gcs.tick() == 1 and len(settled) == 1


async def test_the_settle_after_a_load_waits_for_counts_made_but_not_shown(tmp_path: Path) -> None:
    from reader.screens.main import _listed

    app = ReaderApp([str(write_library(tmp_path / "library"))])
    async with app.run_test() as pilot:
        main = screen(app)
        while not (main.folders.finished and _listed(main)):
            await pilot.pause(0.05)
        library = main.library
        made = main.topic_counts.count(library.summaries, [], library.version, main.state)
        assert not _listed(main)  # a count made off the UI thread, its message not handled yet
        main.topic_counts.counts = made
        assert _listed(main)
