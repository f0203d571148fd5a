"""A warm start shows the list the index holds, counted, before the walk has checked it against the
files; what changed while the reader was closed then arrives as a watcher's walk's findings do."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import reader.core.loader as loader
from reader.app import ReaderApp
from reader.core.library import load_library, open_index
from reader.core.record import Problem
from reader.core.record_files import FileStamp

from tests.corpus import write_story
from tests.helpers import SIZE, count, screen, settle, status, titles


async def test_a_warm_start_lists_the_index_before_the_walk_then_what_changed_while_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "news"
    write_story(folder, "kept.md", "Kept as it was", "Alpha", "2024-03-01T08:00:00Z")
    changed = write_story(folder, "changed.md", "The title before", "Beta", "2024-03-02T08:00:00Z")
    gone = write_story(folder, "gone.md", "Deleted while closed", "Gamma", "2024-03-03T08:00:00Z")
    index = open_index()  # the index a first start made (the test's own cache folder)
    load_library([str(folder)], index)
    index.close()
    gone.unlink()
    write_story(folder, "changed.md", "The title after", "Beta", "2024-03-02T08:00:00Z")
    info = os.stat(changed)
    os.utime(changed, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))

    # The walk waits until the test has seen the list the index holds.
    seen = threading.Event()
    walk = loader.walk_record_files

    def walk_when_seen(paths: Iterable[str], problems: list[Problem]) -> Iterator[tuple[str, FileStamp]]:
        seen.wait(timeout=30)
        yield from walk(paths, problems)

    monkeypatch.setattr(loader, "walk_record_files", walk_when_seen)
    monkeypatch.setattr(loader, "BATCH_SIZE", 1)  # one row a batch: only the first is listed at once
    app = ReaderApp([str(folder)])
    try:
        async with app.run_test(size=SIZE) as pilot:
            main = screen(app)
            for _ in range(500):
                await pilot.pause(0.01)
                counted = main.topic_counts.counts.total == 3
                listed = main.folders.all_listed and main.listing.complete and not main.listing.in_flight
                if main.folders.finished and listed and counted:
                    break
            assert main.folders.finished and main.folders.loading  # the index's list is whole; the walk waits
            assert titles(app) == ["Deleted while closed", "The title before", "Kept as it was"]
            assert "showing 3 of 3" in count(app) and "3 unread" in status(app)
            seen.set()
            await settle(pilot)
            assert titles(app) == ["The title after", "Kept as it was"]
            assert "showing 2 of 2" in count(app) and "2 unread" in status(app)
            assert main.topic_counts.counts.total == 2
    finally:
        seen.set()
