"""The user's reading state: which stories are read (and when), which are starred, saved filters, and a
small key/value "ui" memory (theme, last topic, last filter, last selection).

It lives in a SQLite database in the user data folder (`state_location()`), keyed by a stable story
identity (`story_id()`). Several copies of the reader may share the file: every change is one short
write transaction that writes only the rows it changes, so no copy overwrites another's changes, and
`StateStore.refresh()` picks up what the others committed.

Like the index, the store never stops the reader:

- a file that is not a usable database (garbage, truncated, failing `PRAGMA quick_check`, a schema
  this version does not know) is moved aside to `<path>.corrupt-<YYYYmmdd-HHMMSS>` and a new one is
  started;
- a location that cannot be used at all (its folder cannot be created, a directory in its place, no
  permission) gives an in-memory store;
- a database that fails in use (an `sqlite3.Error` while writing: disk full, I/O error, a lock held
  for longer than `BUSY_TIMEOUT`) makes the store carry on in memory: the change is kept, the method
  returns normally, and later changes are not saved.

Each of these sets `StateStore.notice` to one user-facing line.

Exported files (`StateStore.export_state`) are JSON, and importing one treats it as hostile: anything
malformed raises `StateFileError` with a one-line message, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

import platformdirs

SCHEMA_VERSION = 1
"""Kept in `PRAGMA user_version`; a file with a larger one was written by a newer reader."""

BUSY_TIMEOUT = 10.0
"""Seconds a change waits while another copy of the reader holds the write lock."""

EXPORT_FORMAT = "reader-state"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""Larger files are refused by `import_state`."""
MAX_IMPORT_CONTAINERS = 2_000_000
"""At most this many `{` and `[` in an imported file (a 64 MiB export holds about 1.2 million stories),
so that a hostile file cannot make the parser build tens of millions of objects."""
MAX_ID_CHARS = 4096
MAX_FILTER_CHARS = 1000

_SQL_CHUNK = 500  # ids per statement, well under SQLite's limit on parameters
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
_UPSERT = (
    "INSERT INTO stories (id, read_at, starred, updated) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
    "SET read_at = excluded.read_at, starred = excluded.starred, updated = excluded.updated"
)

_T = TypeVar("_T")
_Row = tuple[float | None, bool]  # (read_at, starred) of one story


def state_location() -> str:
    """Where the reading state lives: `state.sqlite3` in platformdirs' user data folder for "reader"
    (`$XDG_DATA_HOME/reader/`, by default `~/.local/share/reader/` on Linux)."""
    return os.path.join(platformdirs.user_data_dir("reader", appauthor=False), "state.sqlite3")


def story_id(url: str, path: str) -> str:
    """The identity of a story: its URL stripped of surrounding whitespace when it has one, else
    "file:" + path.

    Identities are always storable: text that is not valid UTF-8 (unpaired surrogates, as in file names
    that are not UTF-8) has those characters written as backslash escapes, and one longer than
    `MAX_ID_CHARS` is cut and ends in a hash of the whole (see `storable_id`)."""
    url = url.strip() if url else ""
    return storable_id(url if url else "file:" + path)


class _Located(Protocol):
    url: str
    path: str


def summary_id(summary: _Located) -> str:
    """The identity of a loaded record (a `record.Summary`): `story_id` of its URL and path."""
    return story_id(summary.url, summary.path)


def storable_id(text: str) -> str:
    """`text` as an identity that SQLite and an exported file can hold: unchanged for ordinary text
    (the fast path), else with unpaired surrogates escaped and cut to `MAX_ID_CHARS` (the end is a hash
    of the whole, so distinct long identities stay distinct)."""
    if len(text) <= MAX_ID_CHARS and text.isascii():
        return text
    text = _valid_text(text)
    if len(text) <= MAX_ID_CHARS:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text[: MAX_ID_CHARS - len(digest) - 1] + "#" + digest


def _valid_text(text: str) -> str:
    """`text` with unpaired surrogates written as backslash escapes, so it encodes as UTF-8 (the
    surrogate escapes of a file name that is not UTF-8 become its original bytes: "caf\\xe9")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")
    return text


def _one_line(error: BaseException | str) -> str:
    """An error message on one line (SQLite and OS messages may hold newlines)."""
    return " ".join(str(error).split()) or type(error).__name__


@dataclass(frozen=True, slots=True)
class Mark:
    """The state of one story before a change, so the change can be undone (`StateStore.restore`)."""

    id: str
    read_at: float | None
    starred: bool


class StateFileError(ValueError):
    """An exported state file that cannot be imported; the message is one user-facing line."""


class _Damaged(Exception):
    """The file is a database, but not one this store can use; the message says why."""


class _Newer(_Damaged):
    """The file was written by a newer reader (a schema version this one does not know)."""


def _is_damage(error: BaseException) -> bool:
    """Whether an error while opening means the file is not a usable database (rather than that the
    location cannot be used, or is busy)."""
    if isinstance(error, _Damaged):
        return True
    code = getattr(error, "sqlite_errorcode", 0) or 0
    return isinstance(error, sqlite3.DatabaseError) and (code & 0xFF) in _DAMAGE_CODES


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class StateStore:
    """The reading state in a SQLite database at `path` (":memory:" for one that is not saved).

    `clock` gives the time of changes (epoch seconds); tests pass a fake one. The constructor never
    raises: see the module's documentation for what happens to a damaged or unusable file, and
    `notice` for what the user is told. Every method that writes either saves its change in one
    transaction or, when the database fails, keeps the change in memory and says so in `notice` (it
    does not raise `sqlite3.Error`). The store may be used from several threads; `read` and `starred`
    are live views that its methods change in place, so iterate over them from the thread that makes
    the changes."""

    location: str
    """The database in use: the path given, or ":memory:" when nothing is saved."""
    notice: str | None
    """One user-facing line when something went wrong (at open or in use), else None."""
    version: int
    """Bumped by every change to read, starred or saved filters, local or picked up by `refresh`."""

    def __init__(self, path: str = ":memory:", *, clock: Callable[[], float] = time.time) -> None:
        self.location = path
        self.notice = None
        self.version = 0
        self._clock = clock
        self._lock = threading.RLock()
        self._read: dict[str, float] = {}
        self._starred: dict[str, None] = {}  # a dict, so that `starred` can be a live read-only view
        # Both are only ever changed in place, so these views stay live.
        self._read_view: Mapping[str, float] = MappingProxyType(self._read)
        self._starred_view: AbstractSet[str] = self._starred.keys()
        self._filters: list[tuple[str, str]] = []
        self._ui: dict[str, str] = {}
        self._data_version = -1
        self._db = self._open_location(path)
        try:
            self._load()
        except sqlite3.Error as error:  # the database failed between opening and loading
            self._detach(error)

    # -----------------------------------------------------------------------------------------------
    # opening

    def _open_location(self, path: str) -> sqlite3.Connection:
        """The connection to use for `path`, setting `location` and `notice` when it is not `path`."""
        if path == ":memory:":
            return _connect(":memory:")
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            before = _identity(path)
            try:
                return _connect_waiting(path)
            except (sqlite3.Error, _Damaged) as error:
                if not _is_damage(error):
                    raise
                return self._replace_damaged(path, before, error)
        except (OSError, sqlite3.Error, _Damaged) as error:
            self.notice = (
                f"The reading state {path} cannot be used ({_one_line(error)}); changes will not be saved."
            )
            self.location = ":memory:"
            return _connect(":memory:")

    def _replace_damaged(
        self, path: str, before: tuple[int, int] | None, error: BaseException
    ) -> sqlite3.Connection:
        """Move a damaged database aside and start a new one (unless another copy of the reader did so
        meanwhile: then its new file is used)."""
        if before is None or _identity(path) != before:
            return _connect(path)
        aside = self._aside_name(path)
        os.rename(path, aside)
        for suffix in ("-wal", "-shm"):  # a stale log must not be replayed into the new database
            try:
                os.rename(path + suffix, aside + suffix)
            except FileNotFoundError:
                pass
        why = "is from a newer version of reader" if isinstance(error, _Newer) else "was damaged"
        self.notice = (
            f"The reading state {path} {why} ({_one_line(error)}); it was moved to {aside} and a new one "
            "was started."
        )
        return _connect(path)

    def _aside_name(self, path: str) -> str:
        """`<path>.corrupt-<YYYYmmdd-HHMMSS>`, with a counter when that name is taken."""
        base = f"{path}.corrupt-{time.strftime('%Y%m%d-%H%M%S', time.localtime(self._clock()))}"
        name, n = base, 1
        while os.path.lexists(name):
            n += 1
            name = f"{base}-{n}"
        return name

    # -----------------------------------------------------------------------------------------------
    # what is in memory

    @property
    def read(self) -> Mapping[str, float]:
        """id -> when it was read (epoch seconds); only read stories are present. A live, read-only view
        (made once: filters ask for it for every record they test)."""
        return self._read_view

    @property
    def starred(self) -> AbstractSet[str]:
        """The ids of starred stories. A live, read-only view."""
        return self._starred_view

    def is_read(self, id: str) -> bool:
        """Whether the story is read."""
        return storable_id(id) in self._read

    def is_starred(self, id: str) -> bool:
        """Whether the story is starred."""
        return storable_id(id) in self._starred

    def recently_read(self, limit: int | None = None) -> list[tuple[str, float]]:
        """(id, read_at) of read stories, the most recently read first (ties by id); at most `limit`."""
        with self._lock:
            found = sorted(self._read.items(), key=lambda item: (-item[1], item[0]))
        return found if limit is None else found[: max(limit, 0)]

    def saved_filters(self) -> list[tuple[str, str]]:
        """(name, query) of each saved filter, in the order they were created."""
        with self._lock:
            return list(self._filters)

    def get_ui(self, key: str) -> str | None:
        """The remembered ui value for `key`, or None."""
        with self._lock:
            return self._ui.get(_valid_text(key))

    def _load(self) -> bool:
        """Read everything from the database into memory; True when read, starred or filters changed."""
        with self._lock:
            db = self._db
            self._data_version = db.execute("PRAGMA data_version").fetchone()[0]
            db.execute("BEGIN")  # one snapshot of all three tables
            try:
                stories = db.execute(
                    "SELECT id, read_at, starred FROM stories WHERE read_at IS NOT NULL OR starred"
                ).fetchall()
                filters = db.execute("SELECT name, query FROM filters ORDER BY position").fetchall()
                ui = db.execute("SELECT key, value FROM ui").fetchall()
            finally:
                db.execute("COMMIT")
            read = {i: float(r) for i, r, _ in stories if isinstance(i, str) and isinstance(r, (int, float))}
            starred = {i: None for i, _, s in stories if isinstance(i, str) and s}
            self._ui = {k: v for k, v in ui if isinstance(k, str) and isinstance(v, str)}
            new_filters = [(n, q) for n, q in filters if isinstance(n, str) and isinstance(q, str)]
            if read == self._read and starred.keys() == self._starred.keys() and new_filters == self._filters:
                return False
            # changed in place, never emptied on the way: the views handed out stay right throughout
            for gone in self._read.keys() - read.keys():
                del self._read[gone]
            self._read.update(read)
            for gone in self._starred.keys() - starred.keys():
                del self._starred[gone]
            self._starred.update(starred)
            self._filters = new_filters
            self.version += 1
            return True

    def refresh(self) -> bool:
        """Pick up changes committed by other connections (other stores, other processes). Cheap when
        nothing changed (one `PRAGMA data_version`). True when read, starred or the saved filters
        changed (then `version` was bumped). A database that fails here only sets `notice`."""
        with self._lock:
            try:
                if self._db.execute("PRAGMA data_version").fetchone()[0] == self._data_version:
                    return False
                return self._load()
            except sqlite3.Error as error:
                self.notice = f"The reading state {self.location} could not be read ({_one_line(error)})."
                return False

    # -----------------------------------------------------------------------------------------------
    # writing

    def _transact(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `work` in one write transaction (waiting up to `BUSY_TIMEOUT` for the lock). When the
        database fails, carry on in memory (`_detach`) and run it there instead."""
        with self._lock:
            try:
                return _in_transaction(self._db, work)
            except sqlite3.Error as error:
                self._detach(error)
                return _in_transaction(self._db, work)

    def _detach(self, error: BaseException) -> None:
        """Continue with an in-memory database holding what the failed one held (or, when it cannot
        even be copied, what is in memory); nothing is saved from now on."""
        failed, self._db = self._db, _connect(":memory:")
        try:
            failed.backup(self._db)
            if self._db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise sqlite3.DatabaseError("the copy is damaged")
        except sqlite3.Error:
            self._db.close()
            self._db = _connect(":memory:")
            self._fill_from_memory()
        try:
            failed.close()
        except sqlite3.Error:
            pass
        self.notice = (
            f"The reading state {self.location} failed ({_one_line(error)}); changes from now on will not be "
            "saved."
        )
        self.location = ":memory:"
        self._load()

    def _fill_from_memory(self) -> None:
        now = self._clock()
        stories = [(i, self._read.get(i), i in self._starred, now) for i in {**self._read, **self._starred}]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(_UPSERT, stories)
            self._db.executemany(
                "INSERT INTO filters VALUES (?, ?, ?)", [(n, q, p) for p, (n, q) in enumerate(self._filters)]
            )
            self._db.executemany("INSERT INTO ui VALUES (?, ?)", list(self._ui.items()))

    def _apply(self, rows: Mapping[str, _Row]) -> None:
        """Put the stories' new states in memory; bump `version` when that changes anything."""
        changed = False
        for id, (read_at, starred) in rows.items():
            if self._read.get(id) != read_at:
                changed = True
                if read_at is None:
                    del self._read[id]
                else:
                    self._read[id] = read_at
            if (id in self._starred) != starred:
                changed = True
                if starred:
                    self._starred[id] = None
                else:
                    del self._starred[id]
        if changed:
            self.version += 1

    def _set_filters(self, filters: list[tuple[str, str]]) -> None:
        if filters != self._filters:
            self._filters = filters
            self.version += 1

    def _change(self, ids: Iterable[str], new: Callable[[str, _Row], _Row]) -> list[Mark]:
        """Give each story the state `new(id, current)`, in one transaction; the marks of those that changed.

        The current state is read from the database under its write lock, so a change made meanwhile
        by another copy of the reader is neither lost nor undone."""
        keys = list(dict.fromkeys(storable_id(id) for id in ids))
        if not keys:
            return []
        now = self._clock()

        def work(db: sqlite3.Connection) -> tuple[list[Mark], dict[str, _Row]]:
            rows = _story_rows(db, keys)
            marks = []
            for key in keys:
                before = rows.get(key, (None, False))
                after = new(key, before)
                if after != before:
                    marks.append(Mark(key, *before))
                    rows[key] = after
            db.executemany(_UPSERT, [(m.id, *rows[m.id], now) for m in marks])
            return marks, {key: rows.get(key, (None, False)) for key in keys}

        with self._lock:
            marks, rows = self._transact(work)
            self._apply(rows)
        return marks

    def set_read(self, ids: Iterable[str], read: bool = True) -> list[Mark]:
        """Mark stories read (read_at = clock()) or unread, in one transaction. Returns the previous
        state of the stories that actually changed: a story already read keeps its original read_at
        and is not in the result (nor is one already unread when marking unread)."""
        when = self._clock() if read else None

        def new(key: str, row: _Row) -> _Row:
            read_at, starred = row
            return (read_at if read_at is not None else when, starred) if read else (None, starred)

        return self._change(ids, new)

    def set_starred(self, id: str, starred: bool) -> list[Mark]:
        """Star or unstar a story. Returns its previous state, or [] when it already was so."""
        return self._change([id], lambda key, row: (row[0], bool(starred)))

    def restore(self, marks: Iterable[Mark]) -> None:
        """Put back the given previous states (undo), in one transaction; for an id given twice the
        last mark wins. The restored rows count as changed now (so the undo wins when merging)."""
        wanted: dict[str, _Row] = {}
        for mark in marks:
            wanted[storable_id(mark.id)] = (mark.read_at, bool(mark.starred))
        self._change(wanted, lambda key, row: wanted[key])

    # saved filters -----------------------------------------------------------------------------------

    def save_filter(self, name: str, query: str) -> None:
        """Save a filter under `name`: a new name goes last, an existing one gets the new query and keeps
        its place. ValueError for an empty name, or a name or query longer than `MAX_FILTER_CHARS` or
        that is not valid text."""
        _check_filter_text("name", name, empty=False)
        _check_filter_text("query", query, empty=True)

        def work(db: sqlite3.Connection) -> list[tuple[str, str]]:
            _put_filter(db, name, query)
            return _filter_rows(db)

        with self._lock:
            self._set_filters(self._transact(work))

    def rename_filter(self, old: str, new: str) -> None:
        """Rename a saved filter, keeping its place. KeyError when `old` is not saved; ValueError when
        `new` is already saved, empty, too long or not valid text (renaming to the same name does nothing)."""
        _check_filter_text("name", new, empty=False)

        def work(db: sqlite3.Connection) -> list[tuple[str, str]]:
            names = {name for name, _ in _filter_rows(db)}
            if old not in names:
                raise KeyError(old)
            if new != old:
                if new in names:
                    raise ValueError(f"a filter named {new!r} already exists")
                db.execute("UPDATE filters SET name = ? WHERE name = ?", (new, old))
            return _filter_rows(db)

        with self._lock:
            self._set_filters(self._transact(work))

    def delete_filter(self, name: str) -> None:
        """Forget a saved filter. KeyError when it is not saved."""

        def work(db: sqlite3.Connection) -> list[tuple[str, str]]:
            if not db.execute("DELETE FROM filters WHERE name = ?", (_valid_text(name),)).rowcount:
                raise KeyError(name)
            return _filter_rows(db)

        with self._lock:
            self._set_filters(self._transact(work))

    # ui memory ---------------------------------------------------------------------------------------

    def set_ui(self, key: str, value: str | None) -> None:
        """Remember a ui value (None forgets it). Not versioned and not exported. Text that is not valid
        UTF-8 is stored with backslash escapes. Writes nothing when the value is already remembered."""
        key = _valid_text(key)
        value = None if value is None else _valid_text(value)
        with self._lock:
            if self._ui.get(key) == value:
                return

            def work(db: sqlite3.Connection) -> None:
                if value is None:
                    db.execute("DELETE FROM ui WHERE key = ?", (key,))
                else:
                    db.execute("INSERT OR REPLACE INTO ui VALUES (?, ?)", (key, value))

            self._transact(work)
            if value is None:
                self._ui.pop(key, None)
            else:
                self._ui[key] = value

    # moving state between machines -------------------------------------------------------------------

    def export_state(self, path: str) -> int:
        """Write the stories and saved filters (not the ui memory) to `path` as JSON, atomically: a
        temporary file in the same folder replaces `path` only when complete. Returns the number of
        stories written. OSError when the file cannot be written (`path` is then unchanged)."""

        def work(db: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
            sql = "SELECT id, read_at, starred, updated FROM stories ORDER BY rowid"
            stories = db.execute(sql).fetchall()
            return stories, _filter_rows(db)

        with self._lock:
            rows, filters = self._transact(work)
        stories = [
            {"id": i, "read_at": r, "starred": bool(s), "updated": u}
            for i, r, s, u in rows
            if _exportable(i, r, u)
        ]
        document = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported": datetime.fromtimestamp(self._clock(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "stories": stories,
            "saved_filters": [{"name": n, "query": q} for n, q in filters],
        }
        text = json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1)
        _write_atomically(path, text.encode("utf-8"))
        return len(stories)

    def import_state(self, path: str) -> int:
        """Merge an exported file into the store, in one transaction. A story from the file replaces the
        local one when its `updated` is newer (or there is no local one); saved filters are added by
        name (an existing name gets the file's query and keeps its place). Returns the number of stories
        taken from the file, so importing the same file again returns 0.

        The file is validated completely before anything is written; StateFileError (a ValueError) with
        a one-line message for a file that cannot be read or is malformed in any way."""
        stories, filters = _parse_state_file(path)

        def work(db: sqlite3.Connection) -> tuple[int, dict[str, _Row], list[tuple[str, str]]]:
            local = _story_updates(db, list(stories))
            taken = {k: v for k, v in stories.items() if k not in local or v[2] > local[k]}
            db.executemany(_UPSERT, [(k, *v) for k, v in taken.items()])
            for name, query in filters:
                _put_filter(db, name, query)
            return len(taken), {k: (v[0], v[1]) for k, v in taken.items()}, _filter_rows(db)

        with self._lock:
            count, rows, new_filters = self._transact(work)
            self._apply(rows)
            self._set_filters(new_filters)
        return count

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------------
# database helpers


def _connect_waiting(location: str) -> sqlite3.Connection:
    """`_connect`, tried again while the file is locked: when copies of the reader start together on a
    new file, SQLite answers "locked" at once (rather than waiting) where waiting could deadlock."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return _connect(location)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def _connect(location: str) -> sqlite3.Connection:
    """A connection with the schema in place. Raises _Damaged (or sqlite3.DatabaseError with a
    corruption code) when the file is not a database this store can use."""
    db = sqlite3.connect(location, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        _check(db)  # before anything is written, so that a file moved aside is as it was found
        if location != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: a power cut may lose the last change, no more
        _in_transaction(db, _prepare)
    except BaseException:
        db.close()
        raise
    return db


def _check(db: sqlite3.Connection) -> None:
    """Raise _Damaged (or sqlite3.DatabaseError) unless the file is a reading state this reader knows,
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
        raise _Newer(f"schema version {version}, this reader knows {SCHEMA_VERSION}")
    check = db.execute("PRAGMA quick_check").fetchall()
    if check != [("ok",)]:
        raise _Damaged("quick_check: " + _one_line(check[0][0] if check else "no answer"))
    if version == SCHEMA_VERSION:
        try:
            for probe in _PROBES:
                db.execute(probe)
        except sqlite3.OperationalError as error:
            raise _Damaged(f"unexpected tables: {_one_line(error)}") from error
    elif db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise _Damaged("it holds something other than a reading state")


def _prepare(db: sqlite3.Connection) -> None:
    """Create the schema in an empty database (inside a write transaction, so two copies of the reader
    starting together do not both create it)."""
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return  # (another copy of the reader created it since `_check`)
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise _Damaged("it holds something other than a reading state")
    for statement in _SCHEMA:
        db.execute(statement)


def _in_transaction(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], _T]) -> _T:
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


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _SQL_CHUNK):
        yield keys[start : start + _SQL_CHUNK]


def _story_rows(db: sqlite3.Connection, keys: list[str]) -> dict[str, _Row]:
    """(read_at, starred) of the stories among `keys` that have a row."""
    found: dict[str, _Row] = {}
    for chunk in _chunks(keys):
        sql = f"SELECT id, read_at, starred FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
        for id, read_at, starred in db.execute(sql, chunk):
            found[id] = (float(read_at) if isinstance(read_at, (int, float)) else None, bool(starred))
    return found


def _story_updates(db: sqlite3.Connection, keys: list[str]) -> dict[str, float]:
    """`updated` of the stories among `keys` that have a row."""
    found: dict[str, float] = {}
    for chunk in _chunks(keys):
        sql = f"SELECT id, updated FROM stories WHERE id IN ({','.join('?' * len(chunk))})"
        for id, updated in db.execute(sql, chunk):
            found[id] = float(updated) if isinstance(updated, (int, float)) else -math.inf
    return found


def _filter_rows(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return [
        (n, q)
        for n, q in db.execute("SELECT name, query FROM filters ORDER BY position")
        if isinstance(n, str) and isinstance(q, str)
    ]


def _put_filter(db: sqlite3.Connection, name: str, query: str) -> None:
    """Save a filter: an existing name gets the new query and keeps its place, a new one goes last."""
    if not db.execute("UPDATE filters SET query = ? WHERE name = ?", (query, name)).rowcount:
        db.execute(
            "INSERT INTO filters VALUES (?, ?, (SELECT coalesce(max(position), -1) + 1 FROM filters))",
            (name, query),
        )


def _check_filter_text(what: str, text: str, *, empty: bool) -> None:
    if not isinstance(text, str):
        raise ValueError(f"a filter {what} must be text")
    if not empty and not text.strip():
        raise ValueError(f"a filter {what} cannot be empty")
    if len(text) > MAX_FILTER_CHARS:
        raise ValueError(f"a filter {what} cannot be longer than {MAX_FILTER_CHARS} characters")
    if _valid_text(text) != text:
        raise ValueError(f"a filter {what} must be valid text")


# ---------------------------------------------------------------------------------------------------
# files


def _exportable(id: object, read_at: object, updated: object) -> bool:
    """Whether a row would pass `import_state` (a database damaged by hand might hold anything)."""
    return (
        isinstance(id, str) and 0 < len(id) <= MAX_ID_CHARS and _valid_text(id) == id
        and (read_at is None or _finite(read_at)) and _finite(updated)
    )


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _write_atomically(path: str, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then replace `path` with it."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def _read_limited(path: str) -> bytes:
    """The bytes of a regular file of at most MAX_IMPORT_BYTES (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise StateFileError(f"{path}: cannot be read ({_one_line(error.strerror or error)})") from error
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise StateFileError(f"{path}: not a regular file")
    with os.fdopen(fd, "rb") as file:
        if info.st_size > MAX_IMPORT_BYTES:
            raise StateFileError(f"{path}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
        try:
            data = file.read(MAX_IMPORT_BYTES + 1)
        except OSError as error:
            raise StateFileError(f"{path}: cannot be read ({_one_line(error.strerror or error)})") from error
    if len(data) > MAX_IMPORT_BYTES:
        raise StateFileError(f"{path}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
    return data


def _parse_state_file(path: str) -> tuple[dict[str, tuple[float | None, bool, float]], list[tuple[str, str]]]:
    """The stories (id -> (read_at, starred, updated)) and saved filters of an exported file, validated
    completely; StateFileError for anything else."""
    data = _read_limited(path)
    if data.count(b"{") + data.count(b"[") > MAX_IMPORT_CONTAINERS:
        raise StateFileError(f"{path}: too many entries (more than {MAX_IMPORT_CONTAINERS:,})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StateFileError(f"{path}: not UTF-8 text (byte {error.start})") from error
    try:
        document = json.loads(text)
    except RecursionError as error:
        raise StateFileError(f"{path}: not JSON (nested too deeply)") from error
    except ValueError as error:  # JSONDecodeError, and integers too long to convert
        raise StateFileError(f"{path}: not JSON ({_one_line(error)})") from error
    if not isinstance(document, dict):
        raise StateFileError(f"{path}: not a reading state (not a JSON object)")
    if document.get("format") != EXPORT_FORMAT:
        raise StateFileError(f'{path}: not a reading state (format is not "{EXPORT_FORMAT}")')
    version = document.get("version")
    if type(version) is not int:
        raise StateFileError(f"{path}: version: not a whole number")
    if version != EXPORT_VERSION:
        raise StateFileError(f"{path}: version: {version} is not supported (expected {EXPORT_VERSION})")
    stories: dict[str, tuple[float | None, bool, float]] = {}
    for where, entry in _entries(document, "stories"):
        id = _text(entry, where, "id", MAX_ID_CHARS, empty=False)
        read_at = _number(entry, where, "read_at", optional=True)
        if "starred" not in entry:
            _missing(where, "starred")
        starred = entry["starred"]
        if not isinstance(starred, bool):
            raise StateFileError(f"{where}.starred: not true or false")
        updated = _number(entry, where, "updated", optional=False)
        assert updated is not None
        if id not in stories or updated >= stories[id][2]:  # an id given twice: the newer wins
            stories[id] = (read_at, starred, updated)
    filters: dict[str, str] = {}
    for where, entry in _entries(document, "saved_filters"):
        name = _text(entry, where, "name", MAX_FILTER_CHARS, empty=False)
        filters[name] = _text(entry, where, "query", MAX_FILTER_CHARS, empty=True)
    return stories, list(filters.items())


def _entries(document: dict[str, Any], key: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """(where, entry) of each object in the list `document[key]` (missing: none)."""
    entries = document.get(key, [])
    if not isinstance(entries, list):
        raise StateFileError(f"{key}: not a list")
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise StateFileError(f"{key}[{n}]: not an object")
        yield f"{key}[{n}]", entry


def _missing(where: str, key: str) -> None:
    raise StateFileError(f"{where}.{key}: missing")


def _text(entry: dict[str, Any], where: str, key: str, limit: int, *, empty: bool) -> str:
    if key not in entry:
        _missing(where, key)
    value = entry[key]
    if not isinstance(value, str):
        raise StateFileError(f"{where}.{key}: not a string")
    if not empty and not value.strip():
        raise StateFileError(f"{where}.{key}: empty")
    if len(value) > limit:
        raise StateFileError(f"{where}.{key}: longer than {limit} characters")
    if _valid_text(value) != value:
        raise StateFileError(f"{where}.{key}: not valid text (unpaired surrogate)")
    return value


def _number(entry: dict[str, Any], where: str, key: str, *, optional: bool) -> float | None:
    if key not in entry:
        _missing(where, key)
    value = entry[key]
    if value is None and optional:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise StateFileError(f"{where}.{key}: not a number")
    try:
        number = float(value)
    except OverflowError as error:
        raise StateFileError(f"{where}.{key}: not a finite number") from error
    if not math.isfinite(number):
        raise StateFileError(f"{where}.{key}: not a finite number")
    return number
