"""Record files parsed into index rows, on every core when there are many (a process pool), the first
ones at once where the caller is, so the first titles can be shown while the pool starts."""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from .frontmatter import read_for_index
from .index_rows import Entry, Row, item_columns, keyed_row, problem_row, record_columns, row_entry
from .record import Problem
from .record_files import FileStamp
from .story_links import link_keys, related_keys
from .story_window import signals_of
from .urls import story_keys

# Below this many files a process pool costs more to start than it saves.
POOL_THRESHOLD = 400
BATCH_SIZE = 1000
FIRST_BATCH = 100
# Files a task of the process pool parses: one message each way for all of them.
CHUNK = 128

FoundFile = tuple[str, FileStamp]
"""A file to parse: its path and the stamp the walk found it with (stored with what it parses to)."""


def parse_entry(item: FoundFile) -> Entry:
    """Parse one file into an index entry (see `parse_row`)."""
    return row_entry(parse_row(item))


def parse_row(item: FoundFile, signals: bool = False) -> Row:
    """Parse one file into the row the index stores (runs in worker processes).

    The keys are those of `link_keys` for the record, and of `link_keys(mention_keys(...))` for each
    related story, in order (see `related_keys`). With `signals`, the row has one more value at
    `SIGNALS_AT`, not stored: what the grouping derives from the record alone (`stories.item_of`'s
    signals, as a plain tuple; None for a problem), so that a cold build's grouping process only links."""
    path, stamp = item
    result, (has_related, mentions) = read_for_index(path, related_keys)
    if isinstance(result, Problem):
        row = problem_row(path, stamp, result.reason)
        return (*row, None) if signals else row
    own = link_keys(story_keys(result.urls), result.title)
    note = "; ".join(result.notes) if result.notes else None
    row = keyed_row(path, stamp, record_columns(result, has_related), own, mentions, note, item_columns(result))
    if not signals:
        return row
    urls = result.urls
    made = signals_of(result.title, result.excerpt, result.provider.name, result.provider.domain,
                      (urls.original, urls.web, urls.amp, urls.cdn_amp))
    return (*row, (made.words, made.weights, made.ukeys, made.tkey, made.ekey))


def parse_rows(items: list[FoundFile], signals: bool = False) -> list[Row]:
    """Parse a chunk of files (a task of the process pool: one message each way for many files)."""
    return [parse_row(item, signals) for item in items]


def parse_entries(
    files: list[FoundFile], workers: int | None = None, cancelled: Callable[[], bool] = lambda: False
) -> Iterator[list[Entry]]:
    """`parse_row_batches`, as entries."""
    for rows in parse_row_batches(files, workers, cancelled):
        yield [row_entry(row) for row in rows]


def parse_row_batches(
    files: list[FoundFile], workers: int | None = None, cancelled: Callable[[], bool] = lambda: False
) -> Iterator[list[Row]]:
    """Parse files in batches, on every core when there are many; batches arrive as they are ready.

    While the process pool starts, the first files are parsed right here, so the first titles can be
    shown at once. Stopping early (closing the iterator, or `cancelled()` turning true) cancels the
    files not yet started instead of waiting for all of them: quitting during a first load is quick."""
    if len(files) < POOL_THRESHOLD or workers == 1:
        for start in range(0, len(files), FIRST_BATCH):
            if cancelled():
                return
            yield [parse_row(item) for item in files[start : start + FIRST_BATCH]]
        return
    parsing = ParsePool(workers)
    try:
        parsing.add(files[FIRST_BATCH:])
        yield [parse_row(item) for item in files[:FIRST_BATCH]]
        yield from parsing.batches(cancelled)
    finally:
        parsing.close()


def _start_worker() -> None:
    """In a new worker: what the imports made lives as long as the worker, so the cycle collector is
    told to leave it out of its passes (~3% of a worker's time otherwise)."""
    gc.freeze()


class ParsePool:
    """Files parsed on a process pool, handed over as they are found, a chunk of `CHUNK` at a time (one
    message each way for many files); their rows come back in the order the files were given."""

    def __init__(self, workers: int | None, *, signals: bool = False) -> None:
        self._pool = ProcessPoolExecutor(
            workers or os.cpu_count() or 1, mp_context=get_context("spawn"), initializer=_start_worker
        )
        self._signals = signals
        """Whether rows carry the grouping's signals (see `parse_row`)."""
        # Taken from the left as their rows are handed over: a task kept after that would keep its
        # rows (the whole library, by the end of a cold build).
        self._tasks: deque[tuple[list[FoundFile], Future[list[Row]] | None]] = deque()
        self._waiting: list[FoundFile] = []

    def add(self, items: list[FoundFile]) -> None:
        """Files to parse, after those given before; they are sent to the pool a chunk at a time."""
        self._waiting += items
        while len(self._waiting) >= CHUNK:
            self._send(self._waiting[:CHUNK])
            del self._waiting[:CHUNK]

    def _send(self, chunk: list[FoundFile]) -> None:
        future: Future[list[Row]] | None
        try:
            future = self._pool.submit(parse_rows, chunk, self._signals)
        except (BrokenProcessPool, RuntimeError):
            future = None  # a pool that broke (a worker killed): this chunk is parsed here
        self._tasks.append((chunk, future))

    def batches(self, cancelled: Callable[[], bool]) -> Iterator[list[Row]]:
        """The rows of every file added, in order, in batches of `BATCH_SIZE` or more. Files whose
        worker died (killed, out of memory) are parsed here, and so is everything after them."""
        if self._waiting:
            self._send(self._waiting)
            self._waiting = []
        batch: list[Row] = []
        broken = False
        tasks = self._tasks
        while tasks:
            chunk, future = tasks.popleft()
            rows = None
            if future is not None and not broken:
                try:
                    rows = future.result()
                except BrokenProcessPool:
                    broken = True
            if rows is None:
                rows = parse_rows(chunk, self._signals)
            batch += rows
            if cancelled():
                return
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    def close(self) -> None:
        """Stop: files not started are not parsed."""
        self._pool.shutdown(wait=False, cancel_futures=True)
