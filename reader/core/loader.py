"""Folders in, batches of summaries out: the index first, then what changed on disk, parsed on all cores."""

from __future__ import annotations

import ctypes
import gc
import os
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from typing import Any

from .grouping import Live
from .grouping_apart import Feed, feed_for, groups_here
from .grouping_apart import group_index as _group_index
from .index import Index
from .index_rows import Row
from .index_schema import (
    NOTE_AT,
    PATH_ESCAPE,
    PROBLEM_AT,
    STAMP_AT,
    STORED_COLUMN_COUNT,
    real_path,
    rows_to_store,
    summary_from_row,
)
from .parsing import (
    BATCH_SIZE,
    CHUNK,
    FIRST_BATCH,
    POOL_THRESHOLD,
    FoundFile,
    ParsePool,
    parse_row,
    parse_row_batches,
)
from .record import Problem, Summary
from .record_files import FileStamp, Stats, examine_named, walk_record_files
from .stamps import Packed, Stamps, pack

# Parsed files are stored in transactions of up to this many: each transaction rewrites most pages of
# the links tree once it is large, so storing more at a time is cheaper (see `_store_due`).
STORE_BATCH = 10_000
# From this many files to parse, the index is written without syncing it to the disk (see Index.store_rows).
BULK = 5_000


@dataclass(slots=True)
class Batch:
    """A step of loading: records and problems to add or replace, paths that are gone, and progress."""

    summaries: list[Summary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stats: dict[str, FileStamp | Packed] = field(default_factory=dict)
    """The stamp of every file in this batch, packed for what the index holds (`stamps.pack`): each
    replaces whatever was loaded for its path."""
    scan_problems: list[Problem] | None = None
    """Given paths and folders that could not be read; when set, they replace the previous scan's."""
    stories: dict[str, str] = field(default_factory=dict)
    """New story ids of records already loaded (path -> story id), as the grouping decided them."""
    notice: str = ""
    """Something the user should know, such as an index that had to be rebuilt."""
    done: int = 0
    total: int = 0
    final: bool = False
    indexed: bool = False
    """What the index holds (no file was read for it)."""
    complete: bool = False
    """The last of what the index holds: the list is whole (as the index knows it) before the walk
    checks it against the files; what the walk finds follows, as a watcher's walk's findings do."""


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
    _trim_malloc()


def _trim_malloc() -> None:
    """Give back to the system what the C allocator keeps of memory freed (SQLite's buffers while
    the index was read, in this thread's arena: ~3-4 MiB at 100,000 records). glibc only."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]  # (the C library is loaded)
    except (OSError, AttributeError):
        return None  # not glibc (macOS, musl): nothing to do


_MALLOC_TRIM = _malloc_trim()


def _split(rows: Iterable[Row]) -> tuple[list[Summary], list[Problem], Stats]:
    summaries: list[Summary] = []
    problems: list[Problem] = []
    stats: Stats = {}
    for row in rows:
        stats[row[0]] = row[STAMP_AT]
        if row[PROBLEM_AT] is not None:
            problems.append(Problem(row[0], row[PROBLEM_AT]))
        else:
            summaries.append(summary_from_row(row[:STORED_COLUMN_COUNT]))
            if row[NOTE_AT] is not None:
                problems.append(Problem(row[0], row[NOTE_AT]))
    return summaries, problems, stats


_PROBLEM_AND_NOTE = itemgetter(PROBLEM_AT, NOTE_AT)
_NEITHER = (None, None)


def _indexed_batch(rows: list[tuple[Any, ...]], packed: dict[str, Packed]) -> Batch:
    """A batch of what the index holds (stored rows, `STORED_COLUMNS`), each stamp packed at once
    and shared with `packed` (what the walk compares with): a tuple of four ints kept until the
    batch is applied took ~150 bytes more a file, and its memory, freed among the summaries made
    meanwhile, stayed taken. The summaries are made in one go when no row is a problem or has notes
    (nearly always): the per-row loop was a fifth of reading the index."""
    paths = [row[0] for row in rows]
    stats: dict[str, Packed] = dict(zip(paths, [pack(row[STAMP_AT]) for row in rows]))
    packed.update(stats)
    batch = Batch(stats=stats, indexed=True)
    if list(map(_PROBLEM_AND_NOTE, rows)).count(_NEITHER) == len(rows):
        batch.summaries = list(map(summary_from_row, rows))
        return batch
    for row in rows:
        if row[PROBLEM_AT] is not None:
            batch.problems.append(Problem(row[0], row[PROBLEM_AT]))
            continue
        batch.summaries.append(summary_from_row(row))
        if row[NOTE_AT] is not None:
            batch.problems.append(Problem(row[0], row[NOTE_AT]))
    return batch


def _real(grouped: tuple[dict[str, str], str]) -> tuple[dict[str, str], str]:
    """A grouping's answer with its paths as they are on disk (the grouping has them as the index
    stores them: see `index_schema.stored_path`)."""
    stories, notice = grouped
    if any(PATH_ESCAPE in path for path in stories):
        stories = {real_path(path): story for path, story in stories.items()}
    return stories, notice


def group_index(
    index: Index, cancelled: Callable[[], bool] = lambda: False, live: Live | None = None
) -> tuple[dict[str, str], str]:
    """`grouping_apart.group_index`, its paths as they are on disk."""
    return _real(_group_index(index, cancelled, live))


def _store(index: Index, rows: list[Row], *, bulk: bool = False, last: bool = False,
           feed: Feed | None = None) -> str:
    """Store rows (the `last` of a load: a bulk load's links then join the links tree, while `feed`'s
    process, told every row is stored, groups the last of them); a database that fails is reset, and
    the notice saying so is returned."""
    try:
        index.store_rows(rows, bulk=bulk)
        if last and feed is not None:
            feed.end()
        if bulk and last:
            index.link_pending()
    except sqlite3.DatabaseError as error:
        index.reset(error)
        return index.notice
    return ""


def stream(
    paths: list[str],
    index: Index,
    *,
    known: Mapping[str, FileStamp] | None = None,
    workers: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    live: Live | None = None,
) -> Iterator[Batch]:
    """Load `paths`: first what the index holds (unless `known` says what is loaded already), then
    every file that is new or changed on disk, parsed and stored; removed files are reported.

    What the index holds ends with a `complete` batch when it holds anything: the list is whole then,
    so it can be shown and counted at once, and the walk that follows checks it against the files, its
    findings arriving as a watcher's walk's do (ending with the final batch).

    Parsed files are stored a few thousand at a time, while their batches are yielded as they come;
    whatever is yielded is stored by the time the stream ends or is closed, except when it stopped
    because `cancelled()` turned true: then the last files parsed are left for the next load to parse
    again, so that quitting is quick. Parsing stops soon after `cancelled()` turns true.

    Once every file is stored, what changed is grouped into stories (`grouping`): the last batch gives
    the records whose story ids are new or changed (none when nothing changed); when the grouping runs
    in a process of its own (a large index), it is one more batch, final too, after the files' last.
    `live` keeps the grouper from one load to the next (the watcher's walks: see `grouping.Live`)."""
    notice = ""
    stamps = known if isinstance(known, Stamps) else Stamps(known)
    if known is None:
        batch = Batch(indexed=True)
        try:
            # A row at a time: a record with notes gives its summary and its notes (a problem) in the
            # same batch, as a batch ending between the two made the next one replace the summary
            # with the notes alone (`Library.apply`).
            for rows in index.stored_rows((os.path.abspath(p) for p in paths), BATCH_SIZE):
                if batch.stats:
                    yield batch
                batch = _indexed_batch(rows, stamps.packed)
        except sqlite3.DatabaseError as error:
            index.reset(error)  # what was read stays loaded; every file is checked again below
            notice, stamps, batch = index.notice, Stamps(), Batch()
        if batch.stats:  # the list the index holds is whole: shown and counted now, before the walk
            batch.complete = True
            _trim_malloc()
            yield batch
    scan_problems: list[Problem] = []
    files = walk_record_files(paths, scan_problems)
    parsing: ParsePool | None = None
    feed: Feed | None = None
    first: list[Row] = []
    grouped = False  # the stories were grouped with the first batch (the whole library was in it)
    try:
        if not stamps:  # nothing indexed: show the first files found before the whole tree is walked
            first = [parse_row(found_file) for found_file in islice(files, FIRST_BATCH)]
            more = list(islice(files, 1))
            files = chain(more, files)
            if first:
                notice = _store(index, first) or notice
                summaries, problems, stats = _split(first)
                stamps = Stamps(stats)
                stories: dict[str, str] = {}
                if not more:  # the whole library: its stories now, so that the list is made once
                    stories, grouped_notice = group_index(index, cancelled, live)
                    notice = " ".join(filter(None, (notice, grouped_notice)))
                    grouped = True
                yield Batch(summaries, problems, stats=stats, stories=stories)
        # Each file is compared with what is known as the walk finds it, so that only the changed ones
        # are kept, not every path and stamp walked (~35 MiB at 100,000 files); what the walk did not
        # find is gone. The first files shown are known already and are not walked again.
        # The stamps are compared packed (`stamps.Stamps`): a C comparison of two byte strings.
        packed = stamps.packed
        left = {} if first else dict(packed)
        fresh: Stats = {}  # (a dict: a file found twice, under two of the paths given, is parsed once)
        for path, stamp in files:
            walked = pack(stamp)
            if left.pop(path, None) != walked and packed.get(path) != walked:
                fresh[path] = stamp
        # Oldest first by the dates in the file names (the aggregator's `_news/2024-03-01-....md`), so
        # that the grouping can take each batch as it comes (see `grouping.Feed`).
        changed = sorted(fresh.items(), key=_name_date)
        removed = list(left)
        cold = len(stamps) == len(first)
        del fresh, left, known, stamps, packed
        _return_freed_memory()  # of the walk's results
        feed = feed_for(index, len(changed))
        if cold and workers != 1 and len(changed) >= POOL_THRESHOLD:
            parsing = ParsePool(workers, signals=feed is not None)
            parsing.add(changed)
        early = sorted(first, key=_name_date) if feed is not None else []
        del first
        here = feed is None and groups_here(index)
        for last in _load_changed(index, changed, removed, scan_problems, parsing, notice, workers, cancelled, feed,
                                  early):
            if last.final and here and not grouped and not cancelled():
                # Every file is stored: a quick grouping gives the stories with the last batch, so
                # that the list is made once with them.
                last.stories, grouped_notice = group_index(index, cancelled, live)
                last.notice = " ".join(filter(None, (last.notice, grouped_notice)))
            yield last
        if not here and not cancelled():  # every file is stored: the stories come in a last batch
            if parsing is not None:
                parsing.close()
                parsing = None
            if feed is not None:
                stories, notice = _real(feed.finish(cancelled))
            else:
                stories, notice = group_index(index, cancelled, live)
            if stories or notice:
                yield Batch(stories=stories, notice=notice, done=last.done, total=last.total, final=True)
    finally:
        if parsing is not None:
            parsing.close()
        if feed is not None:
            feed.close()


def build(paths: list[str], index: Index, *, workers: int | None = None) -> None:
    """Bring `index` up to date with the files under `paths` and group its stories, keeping nothing
    loaded: what `stream` does, its batches let go as they come (a cold `reader --list`, which then
    lists from the index: its memory is that of the parse, not of the library). A database that
    fails is reset (see `Index.notice`)."""
    try:
        known = index.stamps(os.path.abspath(path) for path in paths)
    except sqlite3.DatabaseError as error:
        index.reset(error)
        known = {}
    for _ in stream(paths, index, known=known, workers=workers):
        pass


_NAME_DATE = re.compile(r"(?<![0-9])[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9])")


def _name_date(found_file: FoundFile) -> str:
    """The date in a file's name ("~", after every date, for none)."""
    match = _NAME_DATE.search(os.path.basename(found_file[0]))
    return match.group() if match else "~"


def _load_changed(
    index: Index,
    changed: list[FoundFile],
    removed: list[str],
    scan_problems: list[Problem] | None,
    parsing: ParsePool | None,
    notice: str,
    workers: int | None,
    cancelled: Callable[[], bool],
    feed: Feed | None = None,
    early: list[Row] | None = None,
) -> Iterator[Batch]:
    """`stream` once the walk is done: forget what is gone, parse and store what changed (`parsing`
    has it when it was given the files already), giving the rows to `feed` as they come; the rows
    stored `early` (the first files shown, in the order of the dates in their names) go with the
    batch of their dates. (They are the first files the walk found, of one folder: fed first, they
    made the grouping replay the earlier records of every other folder against them, ~1.2 CPU s at
    100,000 records.)"""
    early = list(early or [])
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
            if feed is not None:
                taken = 0
                if early:  # those of dates up to this batch's last ("~~": after any, for the last batch)
                    last_date = _name_date(rows[-1]) if done < len(changed) else "~~"
                    taken = bisect_right([_name_date(row) for row in early], last_date)
                feed.add(rows_to_store([*early[:taken], *rows] if taken else rows)[0])
                del early[:taken]
            batch_notice = ""
            if done >= len(changed) or _store_due(len(pending), stored):
                batch_notice = _store(index, pending, bulk=bulk, last=done >= len(changed), feed=feed)
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


def stream_named(
    paths: list[str],
    index: Index,
    known: Stats,
    files: Iterable[str],
    folders: Iterable[str],
    *,
    scan_problems: Iterable[Problem] = (),
    workers: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    live: Live | None = None,
) -> Iterator[Batch]:
    """`stream` for the files and folders the system named as changed (see `watch.FolderWatch.take`),
    given what is `known` (loaded) and the problems of the last walk: only those paths are examined,
    parsed and grouped. What only the whole walk can tell (see `record_files.examine_named`), and many
    files to parse (the pool's work), go to `stream`. The batches leave the scan's problems as they were.

    The grouping joins the new records with the grouper kept from the last one (`live`) and comes with
    the files' last batch, so that the list is made once; without a grouper kept, it may have to read
    one back or run in a process of its own, and comes in a batch after the files'."""
    named = examine_named(paths, files, folders, known, scan_problems)
    if named is not None:
        found, removed = named
        changed = sorted(
            ((path, stamp) for path, stamp in found.items() if known.get(path) != stamp), key=_name_date
        )
    if named is None or len(changed) >= POOL_THRESHOLD:
        yield from stream(paths, index, known=known, workers=workers, cancelled=cancelled, live=live)
        return
    kept = live is not None and live.grouper is not None
    last = Batch()
    for last in _load_changed(index, changed, removed, None, None, "", workers, cancelled):
        if last.final and kept and not cancelled():
            last.stories, notice = group_index(index, cancelled, live)
            last.notice = " ".join(filter(None, (last.notice, notice)))
        yield last
    if last.final and not kept and not cancelled():
        stories, notice = group_index(index, cancelled, live)
        if stories or notice:
            yield Batch(stories=stories, notice=notice, done=last.done, total=last.total, final=True)


def _store_due(pending: int, stored: int) -> bool:
    """Whether to store the files parsed so far: in transactions that grow with the index, up to
    `STORE_BATCH`, since each rewrites most of the links tree's pages once the tree is large."""
    return pending >= min(STORE_BATCH, max(BATCH_SIZE, stored // 2))
