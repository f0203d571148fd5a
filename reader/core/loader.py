"""Folders in, batches of summaries out: the index first, then what changed on disk, parsed on all cores."""

from __future__ import annotations

import gc
import operator
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from .frontmatter import (
    MAX_RELATED, MAX_TITLE, RECORD_SUFFIXES, _items, _story_urls, _text, _video, read_for_index,
)
from .index import (
    Entry, Index, Row, _from_row, keyed_row, problem_row, record_columns, row_entry,
)
from .record import Problem, Summary, Urls
from .urls import normalise_title, normalise_titles, normalise_url, story_keys

# Below this many files a process pool costs more to start than it saves.
POOL_THRESHOLD = 400
BATCH_SIZE = 1000
FIRST_BATCH = 100
# Parsed files are stored in transactions of up to this many: each transaction rewrites most pages of
# the links tree once it is large, so storing more at a time is cheaper (see `_store_due`).
STORE_BATCH = 10_000
# Files a task of the process pool parses: one message each way for all of them.
CHUNK = 128
# From this many files to parse, the index is written without syncing it to the disk (see Index.store_rows).
BULK = 5_000

# path -> (size, mtime_ns); (-1, -1) for a path that could not be examined.
Stats = dict[str, tuple[int, int]]


@dataclass(slots=True)
class Batch:
    """A step of loading: records and problems to add or replace, paths that are gone, and progress."""

    summaries: list[Summary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stats: Stats = field(default_factory=dict)
    """Size and mtime of every file in this batch: each replaces whatever was loaded for its path."""
    scan_problems: list[Problem] | None = None
    """Given paths and folders that could not be read; when set, they replace the previous scan's."""
    notice: str = ""
    """Something the user should know, such as an index that had to be rebuilt."""
    done: int = 0
    total: int = 0
    final: bool = False


def link_keys(urls_keys: Iterable[str], title: str) -> list[str]:
    """The keys under which a story is found: its URL keys, then its title key (`t:` prefixed)."""
    keys = [key for key in urls_keys if key]
    if title_key := normalise_title(title):
        keys.append("t:" + title_key)
    return list(dict.fromkeys(keys))


def mention_keys(urls: Urls) -> list[str]:
    """The URL keys a related story is indexed under: its original and web URLs, which the AMP forms
    normalise to anyway; the AMP forms only when it has neither (this halves the work of indexing)."""
    if urls.original or urls.web:
        return story_keys(Urls(original=urls.original, web=urls.web))
    return story_keys(urls)


def parse_entry(item: tuple[str, int, int]) -> Entry:
    """Parse one file into an index entry (see `parse_row`)."""
    return row_entry(parse_row(item))


def parse_row(item: tuple[str, int, int]) -> Row:
    """Parse one file into the row the index stores (runs in worker processes).

    The keys are those of `link_keys` for the record, and of `link_keys(mention_keys(...))` for each
    related story, in order (see `related_keys`)."""
    path, size, mtime_ns = item
    result, (has_related, mentions) = read_for_index(path, related_keys)
    if isinstance(result, Problem):
        return problem_row(path, size, mtime_ns, result.reason)
    own = link_keys(story_keys(result.urls), result.title)
    return keyed_row(path, size, mtime_ns, record_columns(result, has_related), own, mentions)


def related_keys(value: Any) -> tuple[bool, Iterable[str]]:
    """(whether a record has related stories, their mention keys) from its front matter's `related`
    value: whether `links = _related_links(value)` has any, and `link_keys(mention_keys(...))` of each
    link, in order, without repeats; made in one pass, without the tuples. The titles that `_text`
    keeps as they are (printable ASCII without "&", most) are normalised a list at a time, each key
    keeping its place."""
    has_related = False
    keys: list[str] = []
    titles: list[str] = []
    places: list[int] = []  # where the keys of `titles` go in `keys`
    for item in _items(value, MAX_RELATED):
        if not isinstance(item, dict):
            continue
        original, web, amp, cdn_amp = _story_urls(item)
        for url in (original, web if web != original else "") if original or web else (amp, cdn_amp):
            if url and (key := normalise_url(url)):
                keys.append(key)
        title = item.get("title")
        if title.__class__ is str and title.isascii() and len(title) <= MAX_TITLE and title.isprintable() and "&" not in title:
            places.append(len(keys))
            keys.append("")
            titles.append(title)
            title = title.strip()  # empty when what _text leaves of it is (printable: " " is its only space)
        else:
            title = _text(title, MAX_TITLE, unescape=True)
            if title_key := normalise_title(title):
                keys.append("t:" + title_key)
        if not has_related:
            has_related = bool(title or original or web or amp or cdn_amp or _video(item.get("featuredContent")))
    for place, title_key in zip(places, normalise_titles(titles)):
        if title_key:
            keys[place] = "t:" + title_key
    mentions = dict.fromkeys(keys)
    mentions.pop("", None)
    return has_related, mentions


def parse_rows(items: list[tuple[str, int, int]]) -> list[Row]:
    """Parse a chunk of files (a task of the process pool: one message each way for many files)."""
    return [parse_row(item) for item in items]


def scan(paths: Iterable[str]) -> tuple[Stats, list[Problem]]:
    """Every record file under the given files and folders with its size and mtime, and the paths that failed."""
    problems: list[Problem] = []
    found = dict(walk(paths, problems))
    return found, problems


def walk(paths: Iterable[str], problems: list[Problem]) -> Iterator[tuple[str, tuple[int, int]]]:
    """(path, (size, mtime_ns)) for every record file under the given files and folders, as found;
    paths that cannot be read are added to `problems`."""
    seen_dirs: set[tuple[int, int]] = set()
    seen: set[str] = set()
    for given in paths:
        path = os.path.abspath(given)
        if os.path.isdir(path):
            found = _walk(path, problems, seen_dirs)
        elif os.path.lexists(path):
            found = iter([(path, _stat(path))])
        else:
            problems.append(Problem(path, "no such file or folder"))
            continue
        for item in found:
            if item[0] not in seen:
                seen.add(item[0])
                yield item


def _return_freed_memory() -> None:
    """Give back to the system the memory of what a walk made once it is freed (~25 MiB at 100,000
    files). Python keeps a few thousand freed tuples for reuse, scattered over that memory, and each
    keeps its whole 1 MiB arena; a full collection empties those free lists. Frozen objects are not
    examined, so freezing everything first makes that collection take ~3 ms instead of ~0.1 s. What
    was frozen before stays frozen (the app freezes the records it loaded: see idle_gc.settle)."""
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        gc.collect()
    finally:
        if not frozen_before:
            gc.unfreeze()


def _stat(path: str, entry: os.DirEntry[str] | None = None) -> tuple[int, int]:
    try:
        info = entry.stat() if entry is not None else os.stat(path)
    except OSError:
        return (-1, -1)  # parsing it gives the reason (a broken link, a loop)
    if not stat.S_ISREG(info.st_mode):
        return (-1, info.st_mtime_ns)
    return (info.st_size, info.st_mtime_ns)


def _walk(
    top: str, problems: list[Problem], seen_dirs: set[tuple[int, int]]
) -> Iterator[tuple[str, tuple[int, int]]]:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen_dirs:
                continue  # a symbolic link back into a folder already read
            seen_dirs.add((info.st_dev, info.st_ino))
            found = _folder(folder, stack)
        except OSError as error:
            problems.append(Problem(folder, error.strerror or "cannot read folder"))
            continue
        yield from found


def _folder(folder: str, stack: list[str]) -> list[tuple[str, tuple[int, int]]]:
    """The record files of one folder with their sizes and mtimes, in name order; its subfolders are
    pushed on `stack`. The folder is read through a descriptor where the system allows it, so each
    file is examined relative to it (fstatat) instead of by its whole path."""
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    if not _BY_DESCRIPTOR:
        with os.scandir(folder) as scanner:
            return _entries(sorted(scanner, key=_name), prefix, stack)
    descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
    try:
        with os.scandir(descriptor) as scanner:
            return _entries(sorted(scanner, key=_name), prefix, stack)
    finally:
        os.close(descriptor)


_BY_DESCRIPTOR = os.scandir in os.supports_fd
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_name = operator.attrgetter("name")


def _entries(
    entries: list[os.DirEntry[str]], prefix: str, stack: list[str]
) -> list[tuple[str, tuple[int, int]]]:
    found = []
    is_regular = stat.S_ISREG
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            stack.append(prefix + name)
        elif name.lower().endswith(RECORD_SUFFIXES):
            try:
                info = entry.stat()
            except OSError:
                found.append((prefix + name, (-1, -1)))  # parsing it gives the reason (a broken link, a loop)
                continue
            found.append((prefix + name, (info.st_size if is_regular(info.st_mode) else -1, info.st_mtime_ns)))
    return found


def parse_entries(
    files: list[tuple[str, int, int]], workers: int | None = None, cancelled: Callable[[], bool] = lambda: False
) -> Iterator[list[Entry]]:
    """`parse_row_batches`, as entries."""
    for rows in parse_row_batches(files, workers, cancelled):
        yield [row_entry(row) for row in rows]


def parse_row_batches(
    files: list[tuple[str, int, int]], workers: int | None = None, cancelled: Callable[[], bool] = lambda: False
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
    parsing = _Parsing(workers)
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


class _Parsing:
    """Files parsed on a process pool, handed over as they are found, a chunk of `CHUNK` at a time (one
    message each way for many files); their rows come back in the order the files were given."""

    def __init__(self, workers: int | None) -> None:
        self._pool = ProcessPoolExecutor(
            workers or os.cpu_count() or 1, mp_context=get_context("spawn"), initializer=_start_worker
        )
        self._tasks: list[tuple[list[tuple[str, int, int]], Future[list[Row]] | None]] = []
        self._waiting: list[tuple[str, int, int]] = []

    def add(self, items: list[tuple[str, int, int]]) -> None:
        """Files to parse, after those given before; they are sent to the pool a chunk at a time."""
        self._waiting += items
        while len(self._waiting) >= CHUNK:
            self._send(self._waiting[:CHUNK])
            del self._waiting[:CHUNK]

    def _send(self, chunk: list[tuple[str, int, int]]) -> None:
        future: Future[list[Row]] | None
        try:
            future = self._pool.submit(parse_rows, chunk)
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
        for chunk, future in self._tasks:
            rows = None
            if future is not None and not broken:
                try:
                    rows = future.result()
                except BrokenProcessPool:
                    broken = True
            if rows is None:
                rows = [parse_row(item) for item in chunk]
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


def _split(rows: Iterable[Row]) -> tuple[list[Summary], list[Problem], Stats]:
    summaries: list[Summary] = []
    problems: list[Problem] = []
    stats: Stats = {}
    for row in rows:
        stats[row[0]] = (row[1], row[2])
        if row[3] is not None:
            problems.append(Problem(row[0], row[3]))
        else:
            summaries.append(_from_row(row[:17]))
    return summaries, problems, stats


def _store(index: Index, rows: list[Row], *, bulk: bool = False) -> str:
    """Store rows; a database that fails is reset, and the notice saying so is returned."""
    try:
        index.store_rows(rows, bulk=bulk)
    except sqlite3.DatabaseError as error:
        index.reset(error)
        return index.notice
    return ""


def stream(
    paths: list[str],
    index: Index,
    *,
    known: Stats | None = None,
    workers: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[Batch]:
    """Load `paths`: first what the index holds (unless `known` says what is loaded already), then
    every file that is new or changed on disk, parsed and stored; removed files are reported.

    Parsed files are stored a few thousand at a time, while their batches are yielded as they come;
    whatever is yielded is stored by the time the stream ends or is closed, except when it stopped
    because `cancelled()` turned true: then the last files parsed are left for the next load to parse
    again, so that quitting is quick. Parsing stops soon after `cancelled()` turns true."""
    notice = ""
    if known is None:
        known = {}
        batch = Batch()
        try:
            for path, size, mtime_ns, result in index.entries(os.path.abspath(p) for p in paths):
                known[path] = batch.stats[path] = (size, mtime_ns)
                (batch.problems if isinstance(result, Problem) else batch.summaries).append(result)  # type: ignore[arg-type]
                if len(batch.stats) >= BATCH_SIZE:
                    yield batch
                    batch = Batch()
        except sqlite3.DatabaseError as error:
            index.reset(error)  # what was read stays loaded; every file is checked again below
            notice, known, batch = index.notice, {}, Batch()
        if batch.stats:
            yield batch
    scan_problems: list[Problem] = []
    files = walk(paths, scan_problems)
    found: Stats = {}
    parsing: _Parsing | None = None
    try:
        if not known:  # nothing indexed: show the first files found before the whole tree is walked
            first = [parse_row((path, *stat_)) for path, stat_ in islice(files, FIRST_BATCH)]
            if first:
                notice = _store(index, first) or notice
                summaries, problems, stats = _split(first)
                found.update(stats)
                known = dict(stats)
                yield Batch(summaries, problems, stats=stats)
            if workers != 1:
                parsing = _parse_while_walking(files, found, workers)
        found.update(files)
        changed = [(path, *stat_) for path, stat_ in found.items() if known.get(path) != stat_]
        removed = [path for path in known if path not in found]
        del found, known
        _return_freed_memory()  # of the walk's results
        yield from _load_changed(index, changed, removed, scan_problems, parsing, notice, workers, cancelled)
    finally:
        if parsing is not None:
            parsing.close()


def _parse_while_walking(files: Iterator[tuple[str, tuple[int, int]]], found: Stats, workers: int | None) -> _Parsing | None:
    """Walk on into `found`; once there are enough files for a process pool, start one and hand it the
    files as they are found, so that the workers start (and parse) while the walk goes on. Every file
    walked here is new (a build from scratch). The pool, if one was started."""
    parsing = None
    waiting: list[tuple[str, int, int]] = []
    for path, stat_ in files:
        found[path] = stat_
        waiting.append((path, *stat_))
        if len(waiting) >= CHUNK and (parsing is not None or len(waiting) >= POOL_THRESHOLD):
            if parsing is None:
                parsing = _Parsing(workers)
            parsing.add(waiting)
            waiting = []
    if parsing is not None:
        parsing.add(waiting)
    return parsing


def _load_changed(
    index: Index,
    changed: list[tuple[str, int, int]],
    removed: list[str],
    scan_problems: list[Problem],
    parsing: _Parsing | None,
    notice: str,
    workers: int | None,
    cancelled: Callable[[], bool],
) -> Iterator[Batch]:
    """`stream` once the walk is done: forget what is gone, parse and store what changed (`parsing`
    has it when it was given the files as they were found)."""
    if removed:
        try:
            index.remove(removed)
        except sqlite3.DatabaseError as error:
            index.reset(error)
            notice = index.notice
    yield Batch(removed=removed, scan_problems=scan_problems, total=len(changed), final=not changed, notice=notice)
    done = stored = 0
    pending: list[Row] = []
    bulk = len(changed) >= BULK
    try:
        for rows in parsing.batches(cancelled) if parsing is not None else parse_row_batches(changed, workers, cancelled):
            pending += rows
            done += len(rows)
            batch_notice = ""
            if done >= len(changed) or _store_due(len(pending), stored):
                batch_notice = _store(index, pending, bulk=bulk)
                stored += len(pending)
                pending = []
            summaries, problems, stats = _split(rows)
            yield Batch(
                summaries, problems, stats=stats, done=done, total=len(changed), final=done >= len(changed),
                notice=batch_notice,
            )
    finally:
        if pending and not cancelled():
            try:
                index.store_rows(pending)
            except sqlite3.ProgrammingError:
                pass  # the index was closed before the stream: these files are parsed again next time
            except sqlite3.DatabaseError as error:
                index.reset(error)


def _store_due(pending: int, stored: int) -> bool:
    """Whether to store the files parsed so far: in transactions that grow with the index, up to
    `STORE_BATCH`, since each rewrites most of the links tree's pages once the tree is large."""
    return pending >= min(STORE_BATCH, max(BATCH_SIZE, stored // 2))
