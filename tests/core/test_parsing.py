"""Record files parsed into index rows: one file's entry, batches parsed here or on a process pool (the
same rows in the same order either way), stopping early, and a pool that breaks or is closed."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from concurrent.futures import CancelledError
from pathlib import Path

import pytest

from reader.core import parsing
from reader.core.frontmatter import read_record
from reader.core.index_rows import Row, key_hash, row_entry
from reader.core.parsing import (
    CHUNK,
    FIRST_BATCH,
    POOL_THRESHOLD,
    FoundFile,
    ParsePool,
    parse_entries,
    parse_entry,
    parse_row,
    parse_row_batches,
    parse_rows,
)
from reader.core.record import Problem, Summary
from reader.core.record_files import examine


def found(path: Path) -> FoundFile:
    return (str(path), examine(str(path)))


def write(path: Path, text: str) -> FoundFile:
    path.write_text(text, encoding="utf-8")
    return found(path)


def story(folder: Path, number: int) -> FoundFile:
    if number % 37 == 5:
        return write(folder / f"{number:04}-bad.md", "no front matter\n")
    return write(
        folder / f"{number:04}.md",
        f"---\ntitle: Story {number}\nwebUrl: https://example.com/{number}\nrelated:\n"
        f"  - title: Story {number + 1}\n    webUrl: https://example.com/{number + 1}\n---\nbody {number}\n",
    )


@pytest.fixture(scope="module")
def folder_of_stories(tmp_path_factory: pytest.TempPathFactory) -> list[FoundFile]:
    """POOL_THRESHOLD files (one in 37 not a record), in the order a walk gives them."""
    folder = tmp_path_factory.mktemp("stories")
    return [story(folder, number) for number in range(POOL_THRESHOLD)]


def paths(rows: list[Row]) -> list[str]:
    return [row[0] for row in rows]


def flat(batches: Iterator[list[Row]]) -> list[Row]:
    return [row for batch in batches for row in batch]


class PoolsStarted:
    """The ParsePools started while it is installed (each still the real pool)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pools: list[ParsePool] = []
        real_init = ParsePool.__init__

        def recording(pool: ParsePool, workers: int | None, **options: bool) -> None:
            real_init(pool, workers, **options)
            self.pools.append(pool)

        monkeypatch.setattr(ParsePool, "__init__", recording)


# --- one file -----------------------------------------------------------------------------------------


def test_a_record_becomes_an_entry_with_its_summary_and_link_keys(tmp_path: Path) -> None:
    item = write(
        tmp_path / "a.md",
        "---\ntitle: Hello, World!\noriginalUrl: https://www.a.example/x/\nrelated:\n"
        "  - title: Other\n    webUrl: https://b.example/y\n  - junk\n---\nbody\n",
    )
    entry = parse_entry(item)
    assert (entry.path, entry.stamp) == item
    assert entry.result == Summary.of(read_record(item[0]))
    assert entry.own_keys == (key_hash("a.example/x"), key_hash("t:hello world"))
    assert entry.mention_keys == (key_hash("b.example/y"), key_hash("t:other"))
    assert entry.note is None


def test_a_file_that_is_no_record_is_a_problem_entry_with_its_reason(tmp_path: Path) -> None:
    item = write(tmp_path / "bad.md", "no front matter\n")
    entry = parse_entry(item)
    assert (entry.path, entry.stamp) == item
    assert entry.result == Problem(item[0], "no front matter (the file does not start with ---)")
    assert (entry.own_keys, entry.mention_keys, entry.note) == ((), (), None)


def test_the_notes_of_a_record_are_kept_joined(tmp_path: Path) -> None:
    item = write(tmp_path / "a.md", "---\ntitle: A\npublishedDateTime: 9999-12-31T23:00:00-14:00\n"
                 "quality: '12345678901234567890'\n---\n")
    notes = read_record(item[0]).notes
    assert len(notes) == 2
    assert parse_entry(item).note == "; ".join(notes)
    assert notes[1] == "quality: a number out of range, left out"


def test_a_chunk_of_files_gives_a_row_each_in_order(tmp_path: Path) -> None:
    items = [story(tmp_path, number) for number in (4, 5, 6)]
    rows = parse_rows(items)
    assert paths(rows) == [path for path, _ in items]
    assert [type(row_entry(row).result) for row in rows] == [Summary, Problem, Summary]


# --- batches parsed here ----------------------------------------------------------------------------


def test_below_the_threshold_files_are_parsed_here_in_first_batches(
    folder_of_stories: list[FoundFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = PoolsStarted(monkeypatch)
    files = folder_of_stories[: 2 * FIRST_BATCH + 7]
    assert len(files) < POOL_THRESHOLD
    batches = list(parse_row_batches(files))
    assert [len(batch) for batch in batches] == [FIRST_BATCH, FIRST_BATCH, 7]
    assert flat(iter(batches)) == [parse_row(item) for item in files]
    assert started.pools == []


def test_one_worker_parses_everything_here_however_many_files(
    folder_of_stories: list[FoundFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = PoolsStarted(monkeypatch)
    batches = list(parse_row_batches(folder_of_stories, workers=1))
    assert {len(batch) for batch in batches[:-1]} == {FIRST_BATCH} and 0 < len(batches[-1]) <= FIRST_BATCH
    assert paths(flat(iter(batches))) == [path for path, _ in folder_of_stories]
    assert started.pools == []


def test_entries_are_the_rows_entries(folder_of_stories: list[FoundFile]) -> None:
    files = folder_of_stories[:150]
    entries = list(parse_entries(files, workers=1))
    assert [len(batch) for batch in entries] == [FIRST_BATCH, 50]
    assert [entry for batch in entries for entry in batch] == [parse_entry(item) for item in files]
    assert list(parse_entries([])) == []


def test_stopping_early_parses_no_further_batch(folder_of_stories: list[FoundFile]) -> None:
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1  # cancelled once the first batch is given

    batches = list(parse_row_batches(folder_of_stories[:250], workers=1, cancelled=cancelled))
    assert [len(batch) for batch in batches] == [FIRST_BATCH]
    assert list(parse_row_batches(folder_of_stories[:10], workers=1, cancelled=lambda: True)) == []


# --- batches parsed on a pool ------------------------------------------------------------------------


def test_from_the_threshold_on_a_pool_parses_all_but_the_first_batch(
    folder_of_stories: list[FoundFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = PoolsStarted(monkeypatch)
    parsed_here: list[str] = []
    real = parsing.parse_row
    monkeypatch.setattr(parsing, "parse_row", lambda item: (parsed_here.append(item[0]), real(item))[1])
    batches = list(parse_row_batches(folder_of_stories, workers=2))
    assert [len(batch) for batch in batches] == [FIRST_BATCH, POOL_THRESHOLD - FIRST_BATCH]
    assert flat(iter(batches)) == [real(item) for item in folder_of_stories]
    assert parsed_here == [path for path, _ in folder_of_stories[:FIRST_BATCH]]  # the rest by the pool alone
    (pool,) = started.pools
    assert pool._pool._shutdown_thread  # stopped once its rows are in


def test_a_pool_with_no_count_of_workers_takes_one_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    for workers, expected in ((2, 2), (None, os.cpu_count())):
        pool = ParsePool(workers)
        try:
            assert pool._pool._max_workers == expected
        finally:
            pool.close()
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # a system that cannot tell
    pool = ParsePool(None)
    try:
        assert pool._pool._max_workers == 1
    finally:
        pool.close()


def test_a_full_chunk_goes_to_the_pool_as_soon_as_it_is_added(
    folder_of_stories: list[FoundFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    real_send = ParsePool._send
    monkeypatch.setattr(
        ParsePool, "_send", lambda pool, chunk: (sent.append(len(chunk)), real_send(pool, chunk))[1]
    )
    pool = ParsePool(1)
    try:
        pool.add(folder_of_stories[: CHUNK - 1])
        assert sent == []  # less than a chunk waits for more
        pool.add(folder_of_stories[CHUNK - 1 : CHUNK])
        assert sent == [CHUNK]
        pool.add(folder_of_stories[CHUNK : 3 * CHUNK + 5])
        assert sent == [CHUNK] * 3
        rows = flat(pool.batches(lambda: False))
        assert sent == [CHUNK] * 3 + [5]  # the rest, once no more will come
    finally:
        pool.close()
    assert rows == [parse_row(item) for item in folder_of_stories[: 3 * CHUNK + 5]]


def test_the_pool_s_rows_come_in_batches_of_at_least_the_batch_size(
    folder_of_stories: list[FoundFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "BATCH_SIZE", 2 * CHUNK)
    files = folder_of_stories[: 3 * CHUNK + 10]
    pool = ParsePool(2)
    try:
        pool.add(files)
        batches = list(pool.batches(lambda: False))
    finally:
        pool.close()
    assert [len(batch) for batch in batches] == [2 * CHUNK, CHUNK + 10]
    assert flat(iter(batches)) == [parse_row(item) for item in files]


def test_a_cancelled_pool_gives_nothing_more(folder_of_stories: list[FoundFile]) -> None:
    pool = ParsePool(1)
    try:
        pool.add(folder_of_stories[: 2 * CHUNK])
        assert list(pool.batches(lambda: True)) == []
    finally:
        pool.close()


def test_files_a_pool_can_no_longer_take_are_parsed_here(folder_of_stories: list[FoundFile]) -> None:
    files = folder_of_stories[: CHUNK + 3]
    pool = ParsePool(1)
    pool.close()  # as after a worker was killed: the pool refuses new work
    pool.add(files)
    assert flat(pool.batches(lambda: False)) == [parse_row(item) for item in files]


def test_a_worker_killed_mid_parse_leaves_no_file_out(folder_of_stories: list[FoundFile]) -> None:
    import signal

    files = folder_of_stories[: 3 * CHUNK]
    pool = ParsePool(1)
    try:
        pool.add(files)
        workers = list(pool._pool._processes.values())
        assert workers
        for process in workers:
            os.kill(process.pid, signal.SIGKILL)
        assert flat(pool.batches(lambda: False)) == [parse_row(item) for item in files]
    finally:
        pool.close()


def test_closing_a_pool_does_not_wait_and_cancels_what_has_not_started(tmp_path: Path) -> None:
    # The first file takes a while to parse (tens of thousands of keys), so the worker is busy with
    # the first chunk when the pool is closed.
    keys = "".join(f"k{i}: v\n" for i in range(40_000))
    slow = write(tmp_path / "slow.md", "---\ntitle: slow\n" + keys + "---\n")
    files = [slow] + [story(tmp_path, number) for number in range(6 * CHUNK)]
    pool = ParsePool(1)
    pool.add(files)
    pool.close()
    futures = [future for _, future in pool._tasks]
    assert all(futures)
    assert not futures[0].done()  # close did not wait for the busy worker
    with pytest.raises(CancelledError):  # not started: never parsed
        futures[-1].result()


def test_a_worker_leaves_what_its_imports_made_out_of_the_cycle_collector() -> None:
    before = gc.get_freeze_count()
    try:
        parsing._start_worker()  # what each worker runs first
        assert gc.get_freeze_count() > before + 1000
    finally:
        gc.unfreeze()
