"""The grouping at scale, in a process of its own (see `grouping`): so that neither its memory (every
record's fields) nor its CPU time is the app's, and quitting stops it. A load that parses more files
than `IN_PROCESS_LIMIT` starts the process at once and feeds it the rows as they are parsed (`Feed`),
so that the grouping runs beside the parse rather than after it. A change the watcher finds is
grouped where it is found when the grouper kept from the last grouping (`grouping.Live`), or the few
records it needs, will do."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any

from .grouping import Ahead, Elsewhere, Live, items_from_rows, regroup
from .index_rows import ITEM_AT, SIGNALS_AT
from .index_schema import NOTE_AT, PROBLEM_AT, pending
from .story_window import Item, Signals

IN_PROCESS_LIMIT = 5_000
"""Up to this many indexed files the grouping runs where it is asked for; above, in its own process."""
STORED = "stored"
"""What `Feed.end` sends: every row is given, and the stories are written after the next message."""


def _grouping_process(location: str, conn: Any, fed: Any = None) -> None:
    """The grouping in a process of its own: it opens the index itself and sends back its answer.
    With `fed` (a queue), it first groups the records the queue brings (lists of rows as `_FRESH`
    reads them), while the loader parses and stores them, until None comes, or `STORED`: then it
    groups the last of them at once, and writes the stories once the next message comes."""
    try:
        db = sqlite3.connect(location, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            ahead = None
            if fed is not None:
                ahead = Ahead(db)
                while (fields := fed.get()) is not None:
                    if fields == STORED:  # every row is given: the stories are written once the
                        ahead.before_write = _once(fed.get)  # loader says it writes no more (`Feed.end`)
                        break
                    ahead.feed(fed_items(fields))
                    # What the grouper keeps lives to the end: the cycle collector is told to leave
                    # it out of its passes, which otherwise walk every record kept, again and again
                    # (~15% of the process's time at 100,000 records).
                    gc.freeze()
            conn.send(("ok", regroup(db, ahead)))
        finally:
            db.close()
    except BaseException as error:  # sent to the caller, which reports it
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


def _once(call: Callable[[], object]) -> Callable[[], None]:
    """`call`, made the first time only."""
    done: list[bool] = []

    def once() -> None:
        if not done:
            done.append(True)
            call()

    return once


def fed_items(fields: list[tuple[Any, ...]]) -> list[Item]:
    """The grouper's items of what `Feed.add` sends: the fields as `grouping.items_from_rows` reads
    them, with the signals when the parse made them (the grouper then derives nothing itself)."""
    items = items_from_rows([row[:7] for row in fields])
    return [
        item if row[7] is None else Item(item.id, item.title, item.excerpt, item.timestamp, item.provider,
                                          item.domain, item.urls, Signals(*row[7]))
        for item, row in zip(items, fields)
    ]


class Feed:
    """The grouping of a large load, begun while its files are parsed: the loader gives it each
    batch of stored rows (`add`), a process of its own groups them as they come, and `finish` waits
    for the rest (see `Ahead`). The loader parses files in the order of the dates in their names
    (see `loader`), so most batches come later than those before them and cost only their own turns."""

    def __init__(self, location: str) -> None:
        context = get_context("spawn")
        self._queue = context.Queue()
        self._receiving, sending = context.Pipe(duplex=False)
        self._process = context.Process(target=_grouping_process, args=(location, sending, self._queue),
                                        daemon=True, name="reader-grouping")
        self._process.start()
        sending.close()
        self._ended = False

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows the loader stored (index rows: records and problems); never waits (the queue's thread
        sends). The fields are sent as stored (the process decodes the URL lists, many at once), with
        the signals the parse made of them when it did (see `parsing.parse_row`)."""
        items = []
        for row in rows:
            if row[PROBLEM_AT] is None:
                excerpt, urls = row[ITEM_AT]
                title, timestamp, provider, domain = row[NOTE_AT + 1 : NOTE_AT + 5]  # the summary's first
                signals = row[SIGNALS_AT] if len(row) > SIGNALS_AT else None
                items.append((row[0], title, excerpt, timestamp, provider, domain, urls, signals))
        if items:
            self._queue.put(items)

    def end(self) -> None:
        """Every row is given and stored: the process groups the last of them while the loader puts
        the links into their tree (one long write), and writes the stories once `finish` says that
        write is done (two writers would wait for each other, and the loader's wait is bounded)."""
        if not self._ended:
            self._ended = True
            self._queue.put(STORED)

    def finish(self, cancelled: Callable[[], bool]) -> tuple[dict[str, str], str]:
        """Every row is given, and the loader writes no more: the answer (see `group_index`)."""
        self._queue.put(None)  # after `end`: the stories may be written; else every row is given
        return _answer(self._process, self._receiving, cancelled)

    def close(self) -> None:
        """Stop the process if it still runs (a cancelled load)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)
        self._queue.cancel_join_thread()
        self._queue.close()
        self._receiving.close()


def feed_for(index: Any, count: int) -> Feed | None:
    """A `Feed` for a load about to parse `count` files into `index`, when it is worth one: the grouping
    would run in a process of its own anyway."""
    if count > IN_PROCESS_LIMIT and index.location != ":memory:":
        return Feed(index.location)
    return None


def _answer(process: Any, receiving: Any, cancelled: Callable[[], bool]) -> tuple[dict[str, str], str]:
    """Wait for the grouping process's answer (none when `cancelled()` turns true)."""
    try:
        while not receiving.poll(0.1):
            if cancelled():
                return {}, ""
            if not process.is_alive() and not receiving.poll(0):
                return {}, "Stories could not be grouped (the grouping process stopped)."
        kind, answer = receiving.recv()
    except EOFError:  # it stopped (killed, say) without an answer: its end of the pipe closed with it
        return {}, "Stories could not be grouped (the grouping process stopped)."
    except OSError as error:
        return {}, f"Stories could not be grouped ({error})."
    if kind != "ok":
        return {}, f"Stories could not be grouped ({answer})."
    return answer, ""


def groups_here(index: Any) -> bool:
    """Whether `group_index` groups where it is called (a small index, or one in memory) rather than
    in a process of its own."""
    try:
        size = index.run(lambda db: db.execute("SELECT count(*) FROM files").fetchone()[0])
    except sqlite3.DatabaseError:
        return True  # group_index says what failed
    return index.location == ":memory:" or size <= IN_PROCESS_LIMIT


def group_index(
    index: Any, cancelled: Callable[[], bool] = lambda: False, live: Live | None = None
) -> tuple[dict[str, str], str]:
    """Group what changed in `index` (an `index.Index`): (path -> new story id, a notice when the
    grouping failed). At scale in a process of its own, which `cancelled()` turning true stops, unless
    `live` (the grouper kept from the last grouping here) or the few records a change needs will do."""
    try:
        if not index.run(pending):
            return {}, ""
        if groups_here(index):
            return index.run(lambda db: regroup(db, live=live)), ""
        if live is not None:
            return index.run(lambda db: regroup(db, live=live, limit=IN_PROCESS_LIMIT)), ""
    except Elsewhere:
        pass
    except Exception as error:  # noqa: BLE001 - the records stay loaded without stories; the next load tries again
        return {}, f"Stories could not be grouped ({type(error).__name__}: {error})."
    context = get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_grouping_process, args=(index.location, sending), daemon=True,
                              name="reader-grouping")
    process.start()
    sending.close()
    try:
        return _answer(process, receiving, cancelled)
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        receiving.close()
