"""Stories for the indexed records: `stories.Grouper` run over the index, its result kept beside the files.

The grouping covers every record the index holds (whichever folders they were loaded from), so a
record's story id is the same whichever of its folders is listed; a listing or the app counts a story's
sources among the records it loaded. What the grouper knows of each record (the fields it reads, its
story, why it joined, the length of its word vector) is kept in the `stories` table and its word counts
in `meta`, so that:

- a start with nothing changed reads each record's story with its row (`files.story`) and groups
  nothing: the index's `generation`, bumped by every store or removal, equals the one last grouped;
- a change rebuilds the grouper from the table (`Grouper.from_state`, which computes the words of the
  last days' records only) and groups only what is new, changed or gone: records later than the
  earliest of those are replayed (the grouper's own rule), earlier ones are not touched.

Over `IN_PROCESS_LIMIT` records the grouping runs in a process of its own (`group_index`), so that
neither its memory (every record's fields) nor its CPU time is the app's, and quitting stops it. A
load that parses more files than that starts the process at once and feeds it the rows as they are
parsed (`Feed`), so that the grouping runs beside the parse rather than after it.
"""

from __future__ import annotations

import json
import math
import sqlite3
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import asdict
from multiprocessing import get_context
from typing import Any, NamedTuple

from .index_rows import ITEM_AT
from .index_schema import NOTE_AT, PROBLEM_AT
from .index_schema import meta_value as _meta
from .index_schema import pending
from .stories import STATE_VERSION, Grouper, Item, Reason, Settings, story_id

IN_PROCESS_LIMIT = 5_000
"""Up to this many indexed files the grouping runs where it is asked for; above, in its own process."""
_CHUNK = 500

_STORED = "path, lead, title, excerpt, timestamp, provider, domain, urls, norm, how, peer, score, best, detail"
_FRESH = (
    "SELECT path, title, excerpt, timestamp, provider_name, provider_domain, urls FROM files "
    "WHERE problem IS NULL"
)


def _time(timestamp: float | None) -> float:
    return timestamp if timestamp is not None and math.isfinite(timestamp) else math.inf


def _urls(stored: str | None) -> tuple[str, ...]:
    try:
        urls = json.loads(stored) if stored else []
    except ValueError:
        return ()
    return tuple(url for url in urls if isinstance(url, str)) if isinstance(urls, list) else ()


def _item(row: tuple[Any, ...]) -> Item:
    path, title, excerpt, timestamp, provider, domain, urls = row
    return Item(path, title or "", excerpt or "", timestamp, provider or "", domain or "", _urls(urls))


def _items(rows: list[tuple[Any, ...]]) -> list[Item]:
    """`_item` of many rows, their URL lists decoded as one JSON document (~20 times faster than one
    at a time); a row whose list is not one of strings is decoded on its own."""
    try:
        lists = json.loads("[" + ",".join(row[6] or "[]" for row in rows) + "]")
    except ValueError:
        return [_item(row) for row in rows]
    items = []
    for (path, title, excerpt, timestamp, provider, domain, stored), urls in zip(rows, lists):
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            urls = _urls(stored)
        items.append(Item(path, title or "", excerpt or "", timestamp, provider or "", domain or "", tuple(urls)))
    return items


def _state(meta: dict[str, Any], stored: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The grouper's `state()` from the `stories` table's rows and the word counts kept in `meta` (the
    table is the grouping's own: its URL lists are decoded as one JSON document)."""
    stored = sorted(stored, key=lambda row: (_time(row[4]), row[0]))
    at = {row[0]: index for index, row in enumerate(stored)}
    lists = json.loads("[" + ",".join(row[7] for row in stored) + "]")
    records = [
        [path, title, excerpt, timestamp, provider, domain, urls, at[lead], norm,
         [how, at[peer] if peer else -1, score, best, detail]]
        for (path, lead, title, excerpt, timestamp, provider, domain, _, norm, how, peer, score, best, detail), urls
        in zip(stored, lists)
    ]
    return {"version": STATE_VERSION, "settings": meta["settings"], "records": records, "df": meta["df"]}


def _grouper(db: sqlite3.Connection, meta_text: str | None) -> Grouper | None:
    """The grouper as the table left it; None when the table was written by another grouping (other
    settings or state version) or cannot be read: then everything is grouped again."""
    try:
        meta = json.loads(meta_text) if meta_text else None
        if not isinstance(meta, dict) or meta.get("version") != STATE_VERSION:
            return None
        if meta.get("settings") != asdict(Settings()):
            return None
        stored = db.execute(f"SELECT {_STORED} FROM stories").fetchall()
        return Grouper.from_state(_state(meta, stored)) if stored else Grouper()
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


class Ahead:
    """A grouping begun while the files are still parsed (see `Feed`): the grouper as the index left
    it, given the new records a batch at a time as they come. A batch that would replay many records
    already grouped (it is earlier than they are) waits for the end, when the rest is grouped."""

    def __init__(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN")
        try:
            grouper = _grouper(db, _meta(db, "stories"))
            times = [] if grouper is None else [_time(t) for (t,) in db.execute("SELECT timestamp FROM stories")]
        finally:
            db.execute("COMMIT")
        self.full = grouper is None
        self.grouper = grouper if grouper is not None else Grouper()
        self.times = sorted(times)
        """The time of every record grouped, in order."""
        self.fed: dict[str, float] = {}
        """The id and time of every record fed (grouped, or waiting)."""
        self.waiting: list[Item] = []
        self.changed: set[str] = set()
        """Records grouped before whose story the records fed may have changed."""

    def feed(self, items: list[Item]) -> None:
        """Group these new records now, or keep them for the end when they are earlier than many
        records already grouped (the grouper would replay those)."""
        if not items:
            return
        for item in items:
            self.fed[item.id] = _time(item.timestamp)
        earliest = min(_time(item.timestamp) for item in items)
        later = len(self.times) - bisect_right(self.times, earliest)
        if later > max(REPLAY_LIMIT, len(items)):
            self.waiting += items
            return
        self.changed.update(self.grouper.add(items))
        self.times += (_time(item.timestamp) for item in items)
        self.times.sort()  # nearly in order: one pass


REPLAY_LIMIT = 2_000
"""A batch fed ahead is grouped at once when it replays at most this many records (or as many as it has)."""


def regroup(db: sqlite3.Connection, ahead: Ahead | None = None) -> dict[str, str]:
    """Group what changed in the index since it was last grouped (`ahead`: what was grouped of it
    already), and store the result; path -> story id of every record whose story is new or changed.
    Nothing is grouped when nothing changed."""
    for _ in range(3):
        result = _regroup_once(db, ahead)
        if result is not None:
            return result
    return {}  # other copies of the reader keep writing: the next load groups what they wrote


def _regroup_once(db: sqlite3.Connection, ahead: Ahead | None) -> dict[str, str] | None:
    """`regroup`, or None when another connection stored files while this one grouped."""
    db.execute("BEGIN")  # one snapshot to read
    try:
        generation = _meta(db, "generation") or "0"
        if generation == (_meta(db, "grouped") or "0") and ahead is None:
            return {}
        grouper = ahead.grouper if ahead is not None else _grouper(db, _meta(db, "stories"))
        full = grouper is None or (ahead is not None and ahead.full)
        fed: dict[str, float] = ahead.fed if ahead is not None else {}
        if grouper is None:
            grouper = Grouper()
        if full:
            fresh = [row for row in db.execute(_FRESH) if row[0] not in fed]
            gone: list[str] = []
            before: dict[str, float] = {}
        else:
            fresh = [row for row in db.execute(_FRESH + " AND story IS NULL") if row[0] not in fed]
            gone = [path for (path,) in db.execute(
                "SELECT s.path FROM stories s WHERE NOT EXISTS "
                "(SELECT 1 FROM files f WHERE f.path = s.path AND f.problem IS NULL)"
            )]
            before = _stored_times(db, [*gone, *(row[0] for row in fresh), *fed])
    finally:
        db.execute("COMMIT")
    changed: set[str] = set(ahead.changed) if ahead is not None else set()
    if gone:
        changed.update(grouper.remove(gone))
    items = _items(fresh)
    if ahead is not None:
        items += ahead.waiting
        ahead.waiting = []
    changed.update(grouper.add(items))
    assigned = {record_id: grouper.story_of(record_id)
                for record_id in [*(item.id for item in items), *fed, *changed] if record_id in grouper}
    since = -math.inf if full else min(
        [*before.values(), *fed.values(), *(_time(item.timestamp) for item in items)], default=math.inf
    )
    state = grouper.state()
    with db:
        db.execute("BEGIN IMMEDIATE")
        if (_meta(db, "generation") or "0") != generation:
            db.execute("ROLLBACK")
            return None
        _write(db, state, since, gone, full, assigned)
        meta = {"version": state["version"], "settings": state["settings"], "df": state["df"]}
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stories', ?)", (json.dumps(meta),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('grouped', ?)", (generation,))
    return assigned


def _stored_times(db: sqlite3.Connection, paths: list[str]) -> dict[str, float]:
    """The times the `stories` table holds for these paths (those it holds)."""
    times: dict[str, float] = {}
    for start in range(0, len(paths), _CHUNK):
        chunk = paths[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for path, timestamp in db.execute(f"SELECT path, timestamp FROM stories WHERE path IN ({marks})", chunk):
            times[path] = _time(timestamp)
    return times


def _write(
    db: sqlite3.Connection, state: dict[str, Any], since: float, gone: list[str], full: bool,
    assigned: dict[str, str],
) -> None:
    """Store the grouper's records from time `since` on (the earlier ones are as they were), forget
    those `gone`, and give the files their new story ids."""
    if full:
        db.execute("DELETE FROM stories")
    db.executemany("DELETE FROM stories WHERE path = ?", [(path,) for path in gone])
    records = state["records"]
    ids = [record[0] for record in records]
    rows = []
    for record_id, title, excerpt, timestamp, provider, domain, urls, lead, norm, why in records:
        if _time(timestamp) < since:
            continue
        how, peer, score, best, detail = why
        rows.append((
            record_id, story_id(ids[lead]), ids[lead], title, excerpt, timestamp, provider, domain,
            json.dumps(urls), norm, how, ids[peer] if peer >= 0 else "", score, best, detail,
        ))
    db.executemany(f"INSERT OR REPLACE INTO stories (story, {_STORED}) VALUES ({', '.join('?' * 15)})",
                   [(row[1], row[0], *row[2:]) for row in rows])
    db.executemany("UPDATE files SET story = ? WHERE path = ?", [(story, path) for path, story in assigned.items()])


def _grouping_process(location: str, conn: Any, fed: Any = None) -> None:
    """The grouping in a process of its own: it opens the index itself and sends back its answer.
    With `fed` (a queue), it first groups the records the queue brings (lists of rows as `_FRESH`
    reads them), while the loader parses and stores them, until None comes."""
    try:
        db = sqlite3.connect(location, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            ahead = None
            if fed is not None:
                ahead = Ahead(db)
                while (fields := fed.get()) is not None:
                    ahead.feed(_items(fields))
            conn.send(("ok", regroup(db, ahead)))
        finally:
            db.close()
    except BaseException as error:  # sent to the caller, which reports it
        conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()


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

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows the loader stored (index rows: records and problems); never waits (the queue's thread
        sends). The fields are sent as stored (the process decodes the URL lists, many at once)."""
        items = []
        for row in rows:
            if row[PROBLEM_AT] is None:
                excerpt, urls = row[ITEM_AT]
                title, timestamp, provider, domain = row[NOTE_AT + 1 : NOTE_AT + 5]  # the summary's first
                items.append((row[0], title, excerpt, timestamp, provider, domain, urls))
        if items:
            self._queue.put(items)

    def finish(self, cancelled: Callable[[], bool]) -> tuple[dict[str, str], str]:
        """Every row is given: the answer (see `group_index`)."""
        self._queue.put(None)
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
    except (EOFError, OSError) as error:
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


def group_index(index: Any, cancelled: Callable[[], bool] = lambda: False) -> tuple[dict[str, str], str]:
    """Group what changed in `index` (an `index.Index`): (path -> new story id, a notice when the
    grouping failed). At scale in a process of its own, which `cancelled()` turning true stops."""
    try:
        if not index.run(pending):
            return {}, ""
        if groups_here(index):
            return index.run(regroup), ""
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


class Member(NamedTuple):
    """A record of a story as the grouping saw it, and why it is in the story."""

    path: str
    title: str
    provider: str
    timestamp: float | None
    reason: Reason


def story_members(index: Any, story: str) -> list[Member]:
    """Every indexed record of the story `story`, earliest first, with why it joined."""

    def read(db: sqlite3.Connection) -> list[Member]:
        rows = db.execute(
            "SELECT path, title, provider, timestamp, how, peer, score, best, detail FROM stories WHERE story = ?",
            (story,),
        ).fetchall()
        members = [Member(path, title, provider, timestamp, Reason(how, peer, score, best, detail))
                   for path, title, provider, timestamp, how, peer, score, best, detail in rows]
        return sorted(members, key=lambda member: (_time(member.timestamp), member.path))

    return index.run(read)
