"""The reading state's SQLite side: the schema, opening a file (and telling a damaged one from a
busy or unusable one), transactions, and the queries the store runs.

Plain functions over a `sqlite3.Connection`; `reader.core.state.StateStore` holds the connection and
decides what a failure means for the user.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from .filter_names import clean_filter_text

SCHEMA_VERSION = 1
"""Kept in `PRAGMA user_version`; a file with a larger one was written by a newer reader."""

BUSY_TIMEOUT = 10.0
"""Seconds a change waits while another copy of the reader holds the write lock."""

SQL_CHUNK = 500  # ids per statement, well under SQLite's limit on parameters
_DAMAGE_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)

_SCHEMA = (
    "CREATE TABLE stories (id TEXT PRIMARY KEY, read_at REAL, starred INTEGER NOT NULL DEFAULT 0, "
    "updated REAL NOT NULL)",
    "CREATE TABLE filters (name TEXT PRIMARY KEY, query TEXT NOT NULL, position INTEGER NOT NULL)",
    "CREATE TABLE ui (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)
# Reading each table's columns proves a file with our schema version really has our tables.
_PROBES = (
    "SELECT id, read_at, starred, updated FROM stories LIMIT 0",
    "SELECT name, query, position FROM filters LIMIT 0",
    "SELECT key, value FROM ui LIMIT 0",
)
# What the store reads: a copy that cannot be read so (a view in place of a table, a collation this
# reader lacks) is no better than the file it was copied from.
_READS = (
    "SELECT id, read_at, starred, updated FROM stories",
    "SELECT name, query, position FROM filters ORDER BY position",
    "SELECT key, value FROM ui",
)
UPSERT = (
    "INSERT INTO stories (id, read_at, starred, updated) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
    "SET read_at = excluded.read_at, starred = excluded.starred, updated = excluded.updated"
)

T = TypeVar("T")
Row = tuple[float | None, bool]
"""(read_at, starred) of one story."""


def one_line(error: BaseException | str) -> str:
    """An error message on one line (SQLite and OS messages may hold newlines)."""
    return " ".join(str(error).split()) or type(error).__name__


class Damaged(Exception):
    """The file is a database, but not one this store can use; the message says why."""


class Newer(Damaged):
    """The file was written by a newer reader (a schema version this one does not know)."""


def is_damage(error: BaseException) -> bool:
    """Whether an error while opening means the file is not a usable database (rather than that the
    location cannot be used, or is busy)."""
    if isinstance(error, Damaged):
        return True
    code = getattr(error, "sqlite_errorcode", 0) or 0
    return isinstance(error, sqlite3.DatabaseError) and (code & 0xFF) in _DAMAGE_CODES


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


@dataclass(frozen=True, slots=True)
class Opened:
    """What `open_database` found: the connection to use, where it is, and what to tell the user."""

    db: sqlite3.Connection
    location: str
    """The path given, or ":memory:" when nothing can be read or saved."""
    notice: str | None
    error: str | None = None
    """Why the file cannot be written (or read, for ":memory:"), on one line; None when it can."""
    read_only: bool = False
    """The file could be opened only for reading (a read-only mount, a lock held too long)."""
    moved_to: str | None = None
    """Where a damaged file was moved before a new one was started."""


def open_database(path: str, now: float) -> Opened:
    """The connection to use for `path` (":memory:" for one that is not saved). A damaged file is
    moved aside (named for `now`) and a new one started; one that can only be read (a read-only
    mount, a write lock held past `BUSY_TIMEOUT`) is opened read-only; a location that cannot be
    used at all gives an in-memory database. Never raises for what is found at `path`."""
    if path == ":memory:":
        return Opened(connect(":memory:"), path, None)
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        before = file_identity(path)
        try:
            return Opened(connect_waiting(path), path, None)
        except (sqlite3.Error, Damaged) as error:
            if not is_damage(error):
                raise
            return _replace_damaged(path, before, error, now)
    except (OSError, sqlite3.Error, Damaged) as error:
        why = one_line(error)
        reading = _connect_read_only(path)
        if reading is not None:
            notice = f"The reading state {path} can only be read ({why}); changes will not be saved."
            return Opened(reading, path, notice, why, read_only=True)
        notice = f"The reading state {path} cannot be used ({why}); changes will not be saved."
        return Opened(connect(":memory:"), ":memory:", notice, why)


def _connect_read_only(path: str) -> sqlite3.Connection | None:
    """A read-only connection to a reading state this reader knows at `path`, or None. On a read-only
    mount SQLite cannot make the files that reading a WAL database needs; `immutable` reads the
    database file alone (what was still in a left-over WAL file is not seen)."""
    if not os.path.isfile(path):
        return None
    uri = "file:" + urllib.parse.quote(os.path.abspath(path))
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        db = sqlite3.connect(uri + query, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False,
                             isolation_level=None)
        try:
            _check(db)
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return db
        except (sqlite3.Error, Damaged):
            pass
        db.close()
    return None


def _replace_damaged(path: str, before: tuple[int, int] | None, error: BaseException, now: float) -> Opened:
    """Move a damaged database aside and start a new one (unless another copy of the reader did so
    meanwhile: then its new file is used)."""
    if before is None or file_identity(path) != before:
        return Opened(connect(path), path, None)
    aside = _aside_name(path, now)
    os.rename(path, aside)
    for suffix in ("-wal", "-shm"):  # a stale log must not be replayed into the new database
        try:
            os.rename(path + suffix, aside + suffix)
        except FileNotFoundError:
            pass
    why = "is from a newer version of reader" if isinstance(error, Newer) else "was damaged"
    notice = (
        f"The reading state {path} {why} ({one_line(error)}); it was moved to {aside} and a new one was "
        "started."
    )
    return Opened(connect(path), path, notice, moved_to=aside)


def _aside_name(path: str, now: float) -> str:
    """`<path>.corrupt-<YYYYmmdd-HHMMSS>`, with a counter when that name is taken."""
    base = f"{path}.corrupt-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}"
    name, n = base, 1
    while os.path.lexists(name):
        n += 1
        name = f"{base}-{n}"
    return name


def connect_waiting(location: str) -> sqlite3.Connection:
    """`connect`, tried again while the file is locked: when copies of the reader start together on a
    new file, SQLite answers "locked" at once (rather than waiting) where waiting could deadlock."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return connect(location)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def connect(location: str, wait: float | None = None) -> sqlite3.Connection:
    """A connection with the schema in place, waiting `wait` seconds (default `BUSY_TIMEOUT`) for
    another connection's write lock. Raises Damaged (or sqlite3.DatabaseError with a corruption code)
    when the file is not a database this store can use."""
    wait = BUSY_TIMEOUT if wait is None else wait
    db = sqlite3.connect(location, timeout=wait, check_same_thread=False, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        _check(db)  # before anything is written, so that a file moved aside is as it was found
        if location != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: a power cut may lose the last change, no more
        in_transaction(db, _prepare)
    except BaseException:
        db.close()
        raise
    return db


def _check(db: sqlite3.Connection) -> None:
    """Raise Damaged (or sqlite3.DatabaseError) unless the file is a reading state this reader knows,
    or an empty database. Reads only, in one read transaction: another copy of the reader may be
    creating the schema at this moment, and every answer must come from the same state of the file."""
    db.execute("BEGIN")
    try:
        _check_now(db)
    finally:
        if db.in_transaction:
            db.execute("COMMIT")


def _check_now(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise Newer(f"schema version {version}, this reader knows {SCHEMA_VERSION}")
    check = db.execute("PRAGMA quick_check").fetchall()
    if check != [("ok",)]:
        raise Damaged("quick_check: " + one_line(check[0][0] if check else "no answer"))
    if version == SCHEMA_VERSION:
        try:
            for probe in _PROBES:
                db.execute(probe)
        except sqlite3.OperationalError as error:
            raise Damaged(f"unexpected tables: {one_line(error)}") from error
    elif db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise Damaged("it holds something other than a reading state")


def _prepare(db: sqlite3.Connection) -> None:
    """Create the schema in an empty database (inside a write transaction, so two copies of the reader
    starting together do not both create it)."""
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return  # (another copy of the reader created it since `_check`)
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise Damaged("it holds something other than a reading state")
    for statement in _SCHEMA:
        db.execute(statement)


def in_transaction(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` inside BEGIN IMMEDIATE ... COMMIT, rolling back when anything fails."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
        db.execute("COMMIT")
    except BaseException:
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise
    return result


def memory_copy(
    failed: sqlite3.Connection, stories: list[tuple[str, float | None, bool]], filters: list[tuple[str, str]],
    ui: dict[str, str], now: float,
) -> sqlite3.Connection:
    """An in-memory database holding what `failed` held, or, when it cannot even be copied, the given
    stories (id, read_at, starred), filters and ui memory as of `now`; `failed` is closed."""
    db = connect(":memory:")
    try:
        failed.backup(db)
        if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise sqlite3.DatabaseError("the copy is damaged")
        for read in _READS:
            db.execute(read).fetchall()
    except sqlite3.Error:
        db.close()
        db = connect(":memory:")
        with db:
            db.execute("BEGIN")
            db.executemany(UPSERT, [(*story, now) for story in stories])
            positions = [(n, q, p) for p, (n, q) in enumerate(filters)]
            db.executemany("INSERT INTO filters VALUES (?, ?, ?)", positions)
            db.executemany("INSERT INTO ui VALUES (?, ?)", list(ui.items()))
    try:
        failed.close()
    except sqlite3.Error:
        pass
    return db


def read_transaction(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` inside one read transaction (one snapshot of the file; it takes no lock that keeps
    other copies of the reader from writing)."""
    db.execute("BEGIN")
    try:
        return work(db)
    finally:
        if db.in_transaction:
            db.execute("COMMIT")


def chunks(keys: list[str]) -> Iterable[list[str]]:
    """`keys` in lists short enough for one statement's parameters."""
    for start in range(0, len(keys), SQL_CHUNK):
        yield keys[start : start + SQL_CHUNK]


def story_rows(db: sqlite3.Connection, keys: list[str]) -> dict[str, Row]:
    """(read_at, starred) of the stories among `keys` that have a row."""
    found: dict[str, Row] = {}
    for chunk in chunks(keys):
        sql = f"SELECT id, read_at, starred FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
        for id, read_at, starred in db.execute(sql, chunk):
            found[id] = (float(read_at) if isinstance(read_at, (int, float)) else None, bool(starred))
    return found


def story_updates(db: sqlite3.Connection, keys: list[str]) -> dict[str, float]:
    """`updated` of the stories among `keys` that have a row."""
    found: dict[str, float] = {}
    for chunk in chunks(keys):
        sql = f"SELECT id, updated FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
        for id, updated in db.execute(sql, chunk):
            found[id] = float(updated) if isinstance(updated, (int, float)) else -math.inf
    return found


def filter_rows(db: sqlite3.Connection, limit: int = -1) -> list[tuple[str, str]]:
    """(name, query) of the saved filters in their order, cleaned for the terminal (a row from before
    names were cleaned on import may hold anything): the first `limit` (-1: all)."""
    rows: dict[str, str] = {}
    for name, query in db.execute("SELECT name, query FROM filters ORDER BY position"):
        if isinstance(name, str) and isinstance(query, str):
            rows.setdefault(clean_filter_text(name), clean_filter_text(query))
            if len(rows) == limit:
                break
    return list(rows.items())


def stored_filter_name(db: sqlite3.Connection, name: str) -> str | None:
    """The name under which the saved filter shown as `name` is stored (it differs for a row from
    before names were cleaned), or None when there is none."""
    if db.execute("SELECT 1 FROM filters WHERE name = ?", (name,)).fetchone():
        return name
    for (stored,) in db.execute("SELECT name FROM filters ORDER BY position"):
        if isinstance(stored, str) and clean_filter_text(stored) == name:
            return stored
    return None


def add_filters(db: sqlite3.Connection, filters: Iterable[tuple[str, str]], limit: int) -> tuple[int, int]:
    """Save filters: an existing name gets the new query and keeps its place, a new one goes last
    while there are fewer than `limit`. Linear: one lookup by name each, the last place read once.
    Returns (how many were added, how many new ones were left out for the limit)."""
    total, last = db.execute("SELECT count(*), coalesce(max(position), -1) FROM filters").fetchone()
    added = left_out = 0
    for name, query in filters:
        if db.execute("UPDATE filters SET query = ? WHERE name = ?", (query, name)).rowcount:
            continue
        if total >= limit:
            left_out += 1
            continue
        total, last, added = total + 1, last + 1, added + 1
        db.execute("INSERT INTO filters VALUES (?, ?, ?)", (name, query, last))
    return added, left_out
