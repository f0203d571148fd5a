"""The cycle collector runs when the user pauses, not in the middle of keystrokes."""

from __future__ import annotations

import gc
from pathlib import Path

from reader import idle_gc
from reader.app import ReaderApp
from reader.idle_gc import IdleCollector

from .corpus import write_library


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
    collected: list[int] = []
    app.collector = IdleCollector(collected.append)
    async with app.run_test() as pilot:
        assert not gc.isenabled()
        await pilot.press("j")
        await pilot.pause(idle_gc.IDLE_AFTER / 3)
        assert set(collected) <= {0}  # a key came a moment ago: the youngest objects at most
        await pilot.pause(idle_gc.IDLE_AFTER + 0.3)
        assert 1 in collected and 2 not in collected  # a full collection waits FULL_EVERY
    assert gc.isenabled()
