"""The user's reading state: which stories are read (and when), which are starred, saved filters, and a
small key/value "ui" memory (theme, last topic, last filter, last selection).

It lives in a SQLite database in the user data folder (`state_location()`), keyed by a stable story
identity (`reader.core.identity.story_id`). Several copies of the reader may share the file: every
change is one short write transaction that writes only the rows it changes, so no copy overwrites
another's changes, and `StateStore.refresh()` picks up what the others committed.

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

Exported files (`StateStore.export_state`, format in `reader.core.state_file`) are JSON, and
importing one treats it as hostile: anything malformed raises `StateFileError` with a one-line
message, before anything is written. The SQL lives in `reader.core.state_db`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import platformdirs

from .filter_names import clean_filter_text, imitated_view
from .identity import storable_id, valid_text
from .state_db import (
    UPSERT,
    Row,
    T,
    add_filters,
    filter_rows,
    in_transaction,
    memory_copy,
    one_line,
    open_database,
    read_transaction,
    story_rows,
    stored_filter_name,
    story_updates,
)
from .state_file import MAX_FILTER_CHARS, StateFileError, read_state_file, write_state_file

__all__ = ["Imported", "Mark", "StateError", "StateFileError", "StateStore", "state_location"]

MAX_SAVED_FILTERS = 50
"""Saved filters kept. The topic pane counts every one each time the library changes, and its counts
come when all are counted: a word filter costs ~1 ms per 1,000 records (~0.1 s at 100,000), so the
10,000 an import once brought held the counts back for minutes; 50 hold them back a few seconds at
most, in a worker."""


def state_location() -> str:
    """Where the reading state lives: `state.sqlite3` in platformdirs' user data folder for "reader"
    (`$XDG_DATA_HOME/reader/`, by default `~/.local/share/reader/` on Linux)."""
    return os.path.join(platformdirs.user_data_dir("reader", appauthor=False), "state.sqlite3")


class StateError(Exception):
    """The database cannot be read or written for a command that must not pretend it was (an export,
    an import); the message is one user-facing line."""


@dataclass(frozen=True, slots=True)
class Imported:
    """What `StateStore.import_state` took from a file."""

    stories: int
    """Stories whose state came from the file (importing the same file again takes none)."""
    filters_added: int
    """Saved filters with a new name."""
    filters_left_out: int = 0
    """New saved filters not kept, as `MAX_SAVED_FILTERS` were already saved."""


@dataclass(frozen=True, slots=True)
class Mark:
    """The state of one story before a change, so the change can be undone (`StateStore.restore`)."""

    id: str
    read_at: float | None
    starred: bool


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
    read_only: bool
    """The file at `location` could only be opened for reading (changes are not saved)."""
    moved_to: str | None
    """Where a damaged file found at open was moved (the store started a new, empty one)."""
    open_error: str | None
    """Why the file could not be opened for writing (or at all, when `location` is ":memory:")."""
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
        opened = open_database(path, clock())
        self._db, self.location, self.notice = opened.db, opened.location, opened.notice
        self.read_only, self.moved_to, self.open_error = opened.read_only, opened.moved_to, opened.error
        try:
            self._load()
        except sqlite3.Error as error:  # the database failed between opening and loading
            self._detach(error)

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
            return self._ui.get(valid_text(key))

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
                filters = filter_rows(db, MAX_SAVED_FILTERS + 1)
                ui = db.execute("SELECT key, value FROM ui").fetchall()
            finally:
                db.execute("COMMIT")
            read = {i: float(r) for i, r, _ in stories if isinstance(i, str) and isinstance(r, (int, float))}
            starred = {i: None for i, _, s in stories if isinstance(i, str) and s}
            self._ui = {k: v for k, v in ui if isinstance(k, str) and isinstance(v, str)}
            new_filters = filters[:MAX_SAVED_FILTERS]
            if len(filters) > MAX_SAVED_FILTERS and len(self._filters) < MAX_SAVED_FILTERS:
                self.notice = (
                    f"The reading state {self.location} holds more than {MAX_SAVED_FILTERS} saved filters; "
                    f"only the first {MAX_SAVED_FILTERS} are used."
                )
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
                self.notice = f"The reading state {self.location} could not be read ({one_line(error)})."
                return False

    # -----------------------------------------------------------------------------------------------
    # writing

    def _transact(self, work: Callable[[sqlite3.Connection], T], *, strict: bool = False) -> T:
        """Run `work` in one write transaction (waiting up to `BUSY_TIMEOUT` for the lock). When the
        database fails, carry on in memory (`_detach`) and run it there instead; or, when `strict`,
        raise StateError (nothing was written)."""
        with self._lock:
            try:
                if strict and self.read_only:
                    raise sqlite3.OperationalError("it could only be opened for reading")
                return in_transaction(self._db, work)
            except sqlite3.Error as error:
                if strict:
                    why = f"The reading state {self.location} cannot be written ({one_line(error)})"
                    raise StateError(why) from error
                self._detach(error)
                return in_transaction(self._db, work)

    def _detach(self, error: BaseException) -> None:
        """Continue with an in-memory database holding what the failed one held (or, when it cannot
        even be copied, what is in memory); nothing is saved from now on."""
        stories = [(i, self._read.get(i), i in self._starred) for i in {**self._read, **self._starred}]
        self._db = memory_copy(self._db, stories, self._filters, self._ui, self._clock())
        self.notice = (
            f"The reading state {self.location} failed ({one_line(error)}); changes from now on will not be "
            "saved."
        )
        self.location = ":memory:"
        self._load()

    def _apply(self, rows: Mapping[str, Row]) -> None:
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

    def _change(self, ids: Iterable[str], new: Callable[[str, Row], Row]) -> list[Mark]:
        """Give each story the state `new(id, current)`, in one transaction; the marks of those that changed.

        The current state is read from the database under its write lock, so a change made meanwhile
        by another copy of the reader is neither lost nor undone."""
        keys = list(dict.fromkeys(storable_id(id) for id in ids))
        if not keys:
            return []
        now = self._clock()

        def work(db: sqlite3.Connection) -> tuple[list[Mark], dict[str, Row]]:
            rows = story_rows(db, keys)
            marks = []
            for key in keys:
                before = rows.get(key, (None, False))
                after = new(key, before)
                if after != before:
                    marks.append(Mark(key, *before))
                    rows[key] = after
            db.executemany(UPSERT, [(m.id, *rows[m.id], now) for m in marks])
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

        def new(key: str, row: Row) -> Row:
            read_at, starred = row
            return (read_at if read_at is not None else when, starred) if read else (None, starred)

        return self._change(ids, new)

    def set_starred(self, id: str, starred: bool) -> list[Mark]:
        """Star or unstar a story. Returns its previous state, or [] when it already was so."""
        return self._change([id], lambda key, row: (row[0], bool(starred)))

    def restore(self, marks: Iterable[Mark]) -> None:
        """Put back the given previous states (undo), in one transaction; for an id given twice the
        last mark wins. The restored rows count as changed now (so the undo wins when merging)."""
        wanted: dict[str, Row] = {}
        for mark in marks:
            wanted[storable_id(mark.id)] = (mark.read_at, bool(mark.starred))
        self._change(wanted, lambda key, row: wanted[key])

    # saved filters -----------------------------------------------------------------------------------

    def save_filter(self, name: str, query: str) -> None:
        """Save a filter under `name`: a new name goes last, an existing one gets the new query and keeps
        its place. ValueError for an empty name, a name or query longer than `MAX_FILTER_CHARS` or that
        `clean_filter_text` would change, a name that would pass for a built-in view, or a new name
        when `MAX_SAVED_FILTERS` are saved."""
        _check_filter_text("name", name, empty=False)
        _check_filter_text("query", query, empty=True)

        def work(db: sqlite3.Connection) -> list[tuple[str, str]]:
            if add_filters(db, [(name, query)], MAX_SAVED_FILTERS)[1]:
                raise ValueError(f"at most {MAX_SAVED_FILTERS} filters can be saved: delete one first")
            return filter_rows(db, MAX_SAVED_FILTERS)

        with self._lock:
            self._set_filters(self._transact(work))

    def rename_filter(self, old: str, new: str) -> None:
        """Rename a saved filter, keeping its place. KeyError when `old` is not saved; ValueError when
        `new` is already saved or is refused as `save_filter` refuses names (renaming to the same name
        does nothing)."""
        _check_filter_text("name", new, empty=False)

        def work(db: sqlite3.Connection) -> list[tuple[str, str]]:
            stored = stored_filter_name(db, old)
            if stored is None:
                raise KeyError(old)
            if new != old:
                if stored_filter_name(db, new) is not None:
                    raise ValueError(f"a filter named {new!r} already exists")
                db.execute("UPDATE filters SET name = ? WHERE name = ?", (new, stored))
            return filter_rows(db, MAX_SAVED_FILTERS)

        with self._lock:
            self._set_filters(self._transact(work))

    def delete_filter(self, name: str) -> None:
        """Forget a saved filter. KeyError when it is not saved."""

        def work(db: sqlite3.Connection) -> list[tuple[str, str]]:
            stored = stored_filter_name(db, valid_text(name))
            if stored is None:
                raise KeyError(name)
            db.execute("DELETE FROM filters WHERE name = ?", (stored,))
            return filter_rows(db, MAX_SAVED_FILTERS)

        with self._lock:
            self._set_filters(self._transact(work))

    # ui memory ---------------------------------------------------------------------------------------

    def set_ui(self, key: str, value: str | None) -> None:
        """Remember a ui value (None forgets it). Not versioned and not exported. Text that is not valid
        UTF-8 is stored with backslash escapes. Writes nothing when the value is already remembered."""
        key = valid_text(key)
        value = None if value is None else valid_text(value)
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
        stories written. OSError when the file cannot be written, StateError when the database cannot
        be read (`path` is then unchanged)."""

        def work(db: sqlite3.Connection) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
            sql = "SELECT id, read_at, starred, updated FROM stories ORDER BY rowid"
            return db.execute(sql).fetchall(), filter_rows(db)

        with self._lock:
            try:
                rows, filters = read_transaction(self._db, work)
            except sqlite3.Error as error:
                why = one_line(error)
                raise StateError(f"The reading state {self.location} cannot be read ({why})") from error
        return write_state_file(path, rows, filters, self._clock())

    def import_state(self, path: str) -> Imported:
        """Merge an exported file into the store, in one transaction. A story from the file replaces the
        local one when its `updated` is newer (or there is no local one); saved filters are added by
        name (an existing name gets the file's query and keeps its place; new ones while fewer than
        `MAX_SAVED_FILTERS` are saved). Returns what was taken: importing the same file again takes no
        stories.

        The file is validated completely before anything is written; StateFileError (a ValueError) with
        a one-line message for a file that cannot be read or is malformed in any way, StateError when
        the database cannot be written (then nothing from the file is kept, not even in memory)."""
        stories, filters = read_state_file(path)

        def work(db: sqlite3.Connection) -> tuple[Imported, dict[str, Row], list[tuple[str, str]]]:
            local = story_updates(db, list(stories))
            taken = {k: v for k, v in stories.items() if k not in local or v[2] > local[k]}
            db.executemany(UPSERT, [(k, *v) for k, v in taken.items()])
            added, left_out = add_filters(db, filters, MAX_SAVED_FILTERS)
            rows = {k: (v[0], v[1]) for k, v in taken.items()}
            return Imported(len(taken), added, left_out), rows, filter_rows(db, MAX_SAVED_FILTERS)

        with self._lock:
            imported, rows, new_filters = self._transact(work, strict=True)
            self._apply(rows)
            self._set_filters(new_filters)
        return imported

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_filter_text(what: str, text: str, *, empty: bool) -> None:
    if not isinstance(text, str):
        raise ValueError(f"a filter {what} must be text")
    if not empty and not text.strip():
        raise ValueError(f"a filter {what} cannot be empty")
    if len(text) > MAX_FILTER_CHARS:
        raise ValueError(f"a filter {what} cannot be longer than {MAX_FILTER_CHARS} characters")
    if valid_text(text) != text or clean_filter_text(text) != text:
        raise ValueError(f"a filter {what} must be text on one line, without control or invisible characters")
    if what == "name" and (view := imitated_view(text)) is not None:
        raise ValueError(f"{clean_filter_text(text).strip()!r} would look like the built-in view {view!r}")
