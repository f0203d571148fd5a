"""Stories for the indexed records: `stories.Grouper` run over the index, its result kept beside the files.

The grouping covers every record the index holds (whichever folders they were loaded from), so a
record's story id is the same whichever of its folders is listed; a listing or the app counts a story's
sources among the records it loaded. What the grouper knows of each record (the fields it reads, its
story, why it joined, the length of its word vector) is kept in the `stories` table and its word counts
in `meta`, so that:

- a start with nothing changed reads each record's story with its row (`files.story`) and groups
  nothing: the index's `generation`, bumped by every store or removal, equals the one last grouped;
- a change is grouped by the grouper of the last grouping in this process when it is kept (`Live`:
  the watcher's walks), else by one read back from the table with only the records a change needs
  (those from `MARGIN` before its earliest time on, and their stories' leads: `Grouper.from_state`);
  only what is new, changed or gone is grouped: records later than the earliest of those are replayed
  (the grouper's own rule), earlier ones are not touched.

Over `grouping_apart.IN_PROCESS_LIMIT` records the grouping runs in a process of its own (see there).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, NamedTuple

from .index_schema import meta_value as _meta
from .stories import STATE_VERSION, Grouper, Item, Reason, Settings, story_id
from .story_window import DAY

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


def items_from_rows(rows: list[tuple[Any, ...]]) -> list[Item]:
    """`_item` of many rows, their URL lists decoded as one JSON document (~20 times faster than one
    at a time); a row whose list is not one of strings is decoded on its own."""
    try:
        lists = json.loads("[" + ",".join(row[6] or "[]" for row in rows) + "]")
    except ValueError:
        lists = None
    if lists is None or len(lists) != len(rows):  # a broken list, or one stored as several values
        return [_item(row) for row in rows]
    items = []
    for (path, title, excerpt, timestamp, provider, domain, stored), urls in zip(rows, lists):
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            urls = _urls(stored)
        items.append(Item(path, title or "", excerpt or "", timestamp, provider or "", domain or "", tuple(urls)))
    return items


def _state(meta: dict[str, Any], stored: list[tuple[Any, ...]], count: int | None = None) -> dict[str, Any]:
    """The grouper's `state()` from the `stories` table's rows and the word counts kept in `meta` (the
    table is the grouping's own: its URL lists are decoded as one JSON document). With `count` (how
    many records the table holds), the rows may be the latest records only, with their stories' leads:
    a peer not among them is left out of its record's reason (that record is not grouped again)."""
    stored = sorted(stored, key=lambda row: (_time(row[4]), row[0]))
    at = {row[0]: index for index, row in enumerate(stored)}
    lists = json.loads("[" + ",".join(row[7] for row in stored) + "]")
    records = [
        [path, title, excerpt, timestamp, provider, domain, urls, at[lead], norm,
         [how, at.get(peer, -1) if peer else -1, score, best, detail]]
        for (path, lead, title, excerpt, timestamp, provider, domain, _, norm, how, peer, score, best, detail), urls
        in zip(stored, lists)
    ]
    state = {"version": STATE_VERSION, "settings": meta["settings"], "records": records, "df": meta["df"]}
    if count is not None:
        state["count"] = count
    return state


def _stories_meta(meta_text: str | None) -> dict[str, Any] | None:
    """The `stories` meta when this grouping wrote it (same settings and state version), else None."""
    try:
        meta = json.loads(meta_text) if meta_text else None
    except ValueError:
        return None
    if not isinstance(meta, dict) or meta.get("version") != STATE_VERSION or meta.get("settings") != asdict(Settings()):
        return None
    return meta


_SETTINGS = Settings()
MARGIN = (max(_SETTINGS.window_days, _SETTINGS.span_days, _SETTINGS.url_days, _SETTINGS.title_days) + 2) * DAY
"""How much earlier than a change a grouper must hold the records grouped: a record is compared only
with records within the longest of its windows (see `stories`), a day more either side."""
_TAIL = f"SELECT {_STORED} FROM stories WHERE timestamp >= ? OR timestamp IS NULL"


def _start(db: sqlite3.Connection, since: float) -> float:
    """The earliest time of a change `since` (records without a time come after every other): the
    latest time the table holds when it is none, -inf when the table holds no time at all."""
    if since < math.inf:
        return since
    (latest,) = db.execute("SELECT max(timestamp) FROM stories WHERE timestamp IS NOT NULL").fetchone()
    return _time(latest) if latest is not None and _time(latest) < math.inf else -math.inf


def _tail_size(db: sqlite3.Connection, since: float) -> int:
    """How many records `_grouper(db, meta, since)` reads (their stories' earlier leads not counted)."""
    start = _start(db, since)
    if start == -math.inf:
        return db.execute("SELECT count(*) FROM stories").fetchone()[0]
    return db.execute("SELECT count(*) FROM (" + _TAIL + ")", (start - MARGIN,)).fetchone()[0]


def _grouper(db: sqlite3.Connection, meta: dict[str, Any] | None, since: float = -math.inf) -> tuple[Grouper, float] | None:
    """The grouper as the table left it, able to group changes from time `since` on (and the earliest
    time it can: `since`, or earlier): only the records within `MARGIN` before that and later, and
    their stories' leads, are read. None when the table was written by another grouping (other
    settings or state version) or cannot be read: then everything is grouped again."""
    if meta is None:
        return None
    try:
        start = _start(db, since)
        if start == -math.inf:
            stored = db.execute(f"SELECT {_STORED} FROM stories").fetchall()
            return Grouper.from_state(_state(meta, stored)), -math.inf
        stored = db.execute(_TAIL, (start - MARGIN,)).fetchall()
        leads = list({row[1] for row in stored}.difference(row[0] for row in stored))
        for first in range(0, len(leads), _CHUNK):
            chunk = leads[first : first + _CHUNK]
            marks = ",".join("?" * len(chunk))
            stored += db.execute(f"SELECT {_STORED} FROM stories WHERE path IN ({marks})", chunk).fetchall()
        (count,) = db.execute("SELECT count(*) FROM stories").fetchone()
        return Grouper.from_state(_state(meta, stored, count)), start
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


class Live:
    """The grouper of the last grouping done in this process, kept for the next (the watcher's walks):
    a new file then joins its story without the grouper being read back from the index. It is taken
    while the index holds what it wrote (the token it left in the `stories` meta) and for changes no
    earlier than it holds records for; else the grouping reads one back as before."""

    def __init__(self) -> None:
        self.grouper: Grouper | None = None
        self.token = ""
        self.since = math.inf
        """It groups changes from this time on."""

    def takes(self, meta: dict[str, Any], since: float) -> bool:
        """Whether it can group changes from time `since` on into the table whose meta is `meta`."""
        return self.grouper is not None and meta.get("token") == self.token and since >= self.since

    def keep(self, grouper: Grouper, token: str, since: float) -> None:
        if len(grouper) > LIVE_LIMIT:
            self.forget()  # read back, the last weeks only, the next time
        else:
            self.grouper, self.token, self.since = grouper, token, since

    def forget(self) -> None:
        self.grouper, self.token, self.since = None, "", math.inf


LIVE_LIMIT = 20_000
"""A grouper of more records than this is not kept between groupings (its memory is the app's)."""


class Elsewhere(Exception):
    """The grouping would read more records than it was allowed here: it is for a process of its own."""


class Ahead:
    """A grouping begun while the files are still parsed (see `Feed`): the grouper as the index left
    it, given the new records a batch at a time as they come. The files come in the order of the dates
    in their names, so the records of a batch's last `HOLD` are kept until a later batch comes: the
    next batch begins with records of those days, and grouping them first would replay them (each
    replay rebuilds the grouper's windows: at 100,000 records, ~0.15 CPU s a batch). A batch that would
    replay many records already grouped (it is earlier than they are) waits for the end, when the rest
    is grouped."""

    def __init__(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN")
        try:
            loaded = _grouper(db, _stories_meta(_meta(db, "stories")))
            grouper = None if loaded is None else loaded[0]
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
        self.held: list[Item] = []
        """Records of the last days fed, kept for the next batch."""
        self.latest = -math.inf
        self.changed: set[str] = set()
        """Records grouped before whose story the records fed may have changed."""
        self.before_write: Callable[[], object] = lambda: None
        """Called once the stories are grouped, before they are written, each time they are (see
        `grouping_apart.Feed`)."""

    def feed(self, items: list[Item]) -> None:
        """Group these new records now, or keep them: those of the last days for the next batch, and
        those earlier than many records already grouped for the end (the grouper would replay those)."""
        times = [_time(item.timestamp) for item in items]
        self.fed.update(zip((item.id for item in items), times))
        self.latest = max([self.latest, *(time for time in times if time < math.inf)])
        cutoff = self.latest - HOLD
        self.held += items
        items = [item for item in self.held if _time(item.timestamp) < cutoff]
        if not items:
            return
        self.held = [item for item in self.held if _time(item.timestamp) >= cutoff]
        earliest = min(_time(item.timestamp) for item in items)
        later = len(self.times) - bisect_right(self.times, earliest)
        if later > max(REPLAY_LIMIT, len(items)):
            self.waiting += items
            return
        self.changed.update(self.grouper.add(items))
        times = sorted(_time(item.timestamp) for item in items)
        if self.times and times[0] < self.times[-1]:
            self.times += times
            self.times.sort()  # nearly in order: one pass
        else:  # later than every record grouped (nearly always): no pass over them all
            self.times += times


REPLAY_LIMIT = 2_000
"""A batch fed ahead is grouped at once when it replays at most this many records (or as many as it has)."""
HOLD = 2 * DAY
"""The last days of the records fed ahead that wait for the next batch (a file's date in its name and
its time may be a day apart: time zones)."""


def regroup(db: sqlite3.Connection, ahead: Ahead | None = None, *, live: Live | None = None,
            limit: int | None = None) -> dict[str, str]:
    """Group what changed in the index since it was last grouped (`ahead`: what was grouped of it
    already; `live`: the grouper of the last grouping here, used when it can be and kept for the next),
    and store the result; path -> story id of every record whose story is new or changed. Nothing is
    grouped when nothing changed. With `limit`, raises `Elsewhere` rather than read more records."""
    try:
        for _ in range(3):
            result = _regroup_once(db, ahead, live, limit)
            if result is not None:
                return result
            if live is not None:
                live.forget()  # it took changes that were not stored
    except BaseException:
        if live is not None:
            live.forget()
        raise
    return {}  # other copies of the reader keep writing: the next load groups what they wrote


def _regroup_once(db: sqlite3.Connection, ahead: Ahead | None, live: Live | None, limit: int | None
                  ) -> dict[str, str] | None:
    """`regroup`, or None when another connection stored files while this one grouped."""
    db.execute("BEGIN")  # one snapshot to read
    try:
        generation = _meta(db, "generation") or "0"
        if generation == (_meta(db, "grouped") or "0") and ahead is None:
            return {}
        meta = _stories_meta(_meta(db, "stories"))
        fed: dict[str, float] = ahead.fed if ahead is not None else {}
        grouper, full, reach = _what_groups(db, ahead, meta, limit)
        since = -math.inf
        if full:
            fresh = _unfed(db, fed)
            gone: list[str] = []
        else:
            fresh = [row for row in db.execute(_FRESH + " AND story IS NULL") if row[0] not in fed]
            before = _stored_times(db, [*(row[0] for row in fresh), *fed])
            gone = _gone(db, len(before))
            before.update(_stored_times(db, gone))
            since = min([*before.values(), *fed.values(), *(_time(row[3]) for row in fresh)], default=math.inf)
            if grouper is None:
                grouper, full, reach = _reader(db, live, meta, since, limit)
                if full:  # the table could not be read: everything is grouped again
                    fresh, gone = _unfed(db, fed), []
    finally:
        db.execute("COMMIT")
    changed: set[str] = set(ahead.changed) if ahead is not None else set()
    if gone:
        changed.update(grouper.remove(gone))
    items = items_from_rows(fresh)
    if ahead is not None:
        items += ahead.waiting + ahead.held
        ahead.waiting, ahead.held = [], []
    changed.update(grouper.add(items))
    assigned = {record_id: grouper.story_of(record_id)
                for record_id in [*(item.id for item in items), *fed, *changed] if record_id in grouper}
    state = grouper.state()
    token = os.urandom(8).hex()
    if ahead is not None:
        ahead.before_write()
    with db:
        db.execute("BEGIN IMMEDIATE")
        if (_meta(db, "generation") or "0") != generation:
            db.execute("ROLLBACK")
            return None
        _write(db, state, -math.inf if full else since, gone, full, assigned)
        meta = {"version": state["version"], "settings": state["settings"], "df": state["df"], "token": token}
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stories', ?)", (json.dumps(meta),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('grouped', ?)", (generation,))
    if live is not None:
        live.keep(grouper, token, reach)
    return assigned


def _what_groups(db: sqlite3.Connection, ahead: Ahead | None, meta: dict[str, Any] | None,
                 limit: int | None) -> tuple[Grouper | None, bool, float]:
    """The grouper to take (None: to be read once the changes are known), whether every record is
    grouped again, and the earliest time of a change it can take (see `Live`)."""
    if ahead is not None:
        return ahead.grouper, ahead.full, -math.inf
    if meta is not None:
        return None, False, math.inf
    if limit is not None and db.execute("SELECT count(*) FROM files WHERE problem IS NULL").fetchone()[0] > limit:
        raise Elsewhere
    return Grouper(), True, -math.inf


def _reader(db: sqlite3.Connection, live: Live | None, meta: dict[str, Any], since: float,
            limit: int | None) -> tuple[Grouper, bool, float]:
    """The grouper for changes from time `since` on: the one kept (`live`) when it can, else read
    back from the table (the records it needs only); a new one, grouping everything, when the table
    cannot be read."""
    if live is not None and live.takes(meta, since):
        return live.grouper, False, live.since  # type: ignore[return-value]
    if live is not None:
        live.forget()
    if limit is not None and _tail_size(db, since) > limit:
        raise Elsewhere
    loaded = _grouper(db, meta, since)
    if loaded is None:
        return _what_groups(db, None, None, limit)  # type: ignore[return-value]
    return loaded[0], False, loaded[1]


def _gone(db: sqlite3.Connection, changed: int) -> list[str]:
    """The records the table holds that the index no longer has as records. Every record with a story
    id has a row in the table (both are written together), and so do `changed` of those without: when
    the counts add up, nothing is gone and the table is not searched."""
    (rows,) = db.execute("SELECT count(*) FROM stories").fetchone()
    (grouped,) = db.execute("SELECT count(*) FROM files WHERE problem IS NULL AND story IS NOT NULL").fetchone()
    if rows == grouped + changed:
        return []
    return [path for (path,) in db.execute(
        "SELECT s.path FROM stories s WHERE NOT EXISTS "
        "(SELECT 1 FROM files f WHERE f.path = s.path AND f.problem IS NULL)"
    )]


def _unfed(db: sqlite3.Connection, fed: dict[str, float]) -> list[tuple[Any, ...]]:
    """The fields of every record in the index but those `fed` (read only for those: a cold build's
    grouping was fed nearly all of them)."""
    if not fed:
        return db.execute(_FRESH).fetchall()
    paths = [path for (path,) in db.execute("SELECT path FROM files WHERE problem IS NULL") if path not in fed]
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(paths), _CHUNK):
        chunk = paths[start : start + _CHUNK]
        rows += db.execute(_FRESH + f" AND path IN ({','.join('?' * len(chunk))})", chunk)
    return rows


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
    stories: dict[int, str] = {}  # lead -> its story id
    encode = json.JSONEncoder().encode
    rows = []
    for record_id, title, excerpt, timestamp, provider, domain, urls, lead, norm, why in records:
        if _time(timestamp) < since:
            continue
        how, peer, score, best, detail = why
        story = stories.get(lead)
        if story is None:
            story = stories[lead] = story_id(ids[lead])
        rows.append((
            story, record_id, ids[lead], title, excerpt, timestamp, provider, domain,
            encode(urls), norm, how, ids[peer] if peer >= 0 else "", score, best, detail,
        ))
    rows.sort(key=lambda row: row[1])  # in the order of the table's key: pages filled in turn
    db.executemany(f"INSERT OR REPLACE INTO stories (story, {_STORED}) VALUES ({', '.join('?' * 15)})", rows)
    db.executemany("UPDATE files SET story = ? WHERE path = ?", sorted(
        ((story, path) for path, story in assigned.items()), key=lambda pair: pair[1]
    ))


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


def warm(db: sqlite3.Connection, live: Live) -> None:
    """Read the grouper back into `live` for the changes to come (records from `HOLD` before the latest
    the table holds on), unless it holds one: the first file the watcher finds then joins its story as
    quickly as the next (the grouper read back for it took ~0.4 CPU s of the ~0.5 at 100,000 records).
    Nothing when the table is not this grouping's, holds no time, or is not up to date."""
    if live.grouper is not None:
        return
    db.execute("BEGIN")
    try:
        meta = _stories_meta(_meta(db, "stories"))
        grouped = (_meta(db, "generation") or "0") == (_meta(db, "grouped") or "0")
        if meta is None or not meta.get("token") or not grouped:
            return
        latest = _start(db, math.inf)
        if latest == -math.inf or _tail_size(db, latest - HOLD) > LIVE_LIMIT:
            return
        loaded = _grouper(db, meta, latest - HOLD)
    finally:
        db.execute("COMMIT")
    if loaded is not None:
        live.keep(loaded[0], meta["token"], loaded[1])


def warm_index(index: Any, live: Live) -> None:
    """`warm` for an `index.Index`: on a connection of its own where the index is a file, so that the
    index's own stays free for the app meanwhile (the story pane reads links through it)."""
    if index.location == ":memory:":
        index.run(lambda db: warm(db, live))
        return
    db = sqlite3.connect(index.location, timeout=30, isolation_level=None)
    try:
        db.execute("PRAGMA busy_timeout=30000")
        warm(db, live)
    finally:
        db.close()
