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
- a file that can only be read (a read-only mount, a write lock held past `BUSY_TIMEOUT`) is read
  read-only;
- a change the database cannot take (another program holds the write lock, the disk is full, it
  could only be read) is made in memory and kept, and written with the next change that gets
  through (`reader.core.state_writer`): the method returns normally;
- a database found damaged in use makes the store carry on in memory, saving nothing more.

Each of these sets `StateStore.notice` to one user-facing line.

Exported files (`StateStore.export_state`, format in `reader.core.state_file`) are JSON, and
importing one treats it as hostile: anything malformed raises `StateFileError` with a one-line
message, before anything is written. The SQL lives in `reader.core.state_db`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import platformdirs

from . import state_db
from .filter_names import (
    SavedFilters,
    clean_filter_text,
    imitated_view,
    renamed_filter,
    with_filter,
    without_filter,
)
from .identity import storable_id, valid_text
from .state_db import (
    UPSERT,
    Row,
    T,
    add_filters,
    filter_rows,
    memory_copy,
    one_line,
    open_database,
    story_rows,
    stored_filter_name,
    story_updates,
)
from .state_file import MAX_FILTER_CHARS, StateFile, StateFileError, StoryState, write_state_file
from .state_memory import StateMemory
from .state_writer import Change, StateError, Writer

__all__ = ["Imported", "Mark", "StateError", "StateFileError", "StateStore", "state_location"]

MAX_SAVED_FILTERS = 50
"""Saved filters kept. The topic pane counts every one each time the library changes, and its counts
come when all are counted: a word filter costs ~1 ms per 1,000 records (~0.1 s at 100,000), so the
10,000 an import once brought held the counts back for minutes; 50 hold them back a few seconds at
most, in a worker."""
IMPORT_BATCH = 2000
"""Stories (or saved filters) `import_state` writes in one transaction (~20 ms): a running app waiting
to save a change gets the write lock between two."""
IMPORT_PAUSE = 0.005
"""Seconds `import_state` lets go of the write lock between two transactions."""


def state_location() -> str:
    """Where the reading state lives: `state.sqlite3` in platformdirs' user data folder for "reader"
    (`$XDG_DATA_HOME/reader/`, by default `~/.local/share/reader/` on Linux)."""
    return os.path.join(platformdirs.user_data_dir("reader", appauthor=False), "state.sqlite3")


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


class StateStore(StateMemory):
    """The reading state in a SQLite database at `path` (":memory:" for one that is not saved).

    `clock` gives the time of changes (epoch seconds); tests pass a fake one. `wait` is how long a
    change waits for another program's write lock before it is kept to be written later (the app
    waits briefly: it waits on its UI thread). The constructor never raises: see the module's
    documentation for what happens to a damaged or unusable file, and `notice` for what the user is
    told. Every method that changes the state makes the change in memory whatever happens to the
    database (it does not raise `sqlite3.Error`). The store may be used from several threads; `read`
    and `starred` are live views that its methods change in place, so iterate over them from the
    thread that makes the changes."""

    location: str
    """The database in use: the path given, or ":memory:" when nothing is saved."""
    notice: str | None
    """One user-facing line when something went wrong (at open or in use), else None."""
    read_only: bool
    """The file at `location` could only be opened for reading (changes are kept, not saved)."""
    moved_to: str | None
    """Where a damaged file found at open was moved (the store started a new, empty one)."""
    open_error: str | None
    """Why the file could not be opened for writing (or at all, when `location` is ":memory:")."""

    def __init__(
        self, path: str = ":memory:", *, clock: Callable[[], float] = time.time, wait: float | None = None
    ) -> None:
        super().__init__()
        self.notice = None
        self._clock = clock
        self._data_version = -1
        opened = open_database(path, clock())
        self.notice, self.moved_to, self.open_error = opened.notice, opened.moved_to, opened.error
        self._writer = Writer(opened, path, state_db.BUSY_TIMEOUT if wait is None else wait, self._tell)
        try:
            self._load()
        except sqlite3.Error as error:  # the database failed between opening and loading
            self._detach(error)

    @property
    def location(self) -> str:
        return self._writer.location

    @property
    def read_only(self) -> bool:
        return self._writer.read_only

    @property
    def unsaved(self) -> int:
        """How many changes are made in memory but not saved yet (kept to be written)."""
        return len(self._writer.kept)

    @property
    def unsaved_reason(self) -> str | None:
        """Why changes are not saved yet (one line), or None when every change is saved."""
        return self._writer.unsaved_reason if self._writer.kept else None

    def _tell(self, notice: str) -> None:
        self.notice = notice

    # -----------------------------------------------------------------------------------------------
    # reading

    def _load(self) -> bool:
        """Read everything from the database into memory, then make the kept changes on it again; True
        when read, starred or filters changed."""
        with self._lock:
            db = self._writer.db
            self._data_version = db.execute("PRAGMA data_version").fetchone()[0]
            stories, filters, ui = state_db.read_transaction(db, _everything)  # one snapshot of all three
            if len(filters) > MAX_SAVED_FILTERS and len(self._filters) < MAX_SAVED_FILTERS:
                self.notice = (
                    f"The reading state {self.location} holds more than {MAX_SAVED_FILTERS} saved filters; "
                    f"only the first {MAX_SAVED_FILTERS} are used."
                )
            before = self._snapshot()
            self._replace(
                {i: float(r) for i, r, _ in stories if isinstance(i, str) and isinstance(r, (int, float))},
                {i: None for i, _, s in stories if isinstance(i, str) and s},
                filters[:MAX_SAVED_FILTERS],
                {k: v for k, v in ui if isinstance(k, str) and isinstance(v, str)},
            )
            self._writer.overlay()
            return self._bump_if_changed(before)

    def refresh(self) -> bool:
        """Write the changes kept so far (waiting only a moment for the lock), then pick up changes
        committed by other connections (other stores, other processes). Cheap when nothing changed
        (one `PRAGMA data_version`). True when read, starred or the saved filters changed (then
        `version` was bumped). A database that fails here only sets `notice`."""
        with self._lock:
            try:
                self._writer.flush()
                if self._writer.db.execute("PRAGMA data_version").fetchone()[0] == self._data_version:
                    return False
                return self._load()
            except sqlite3.Error as error:
                self.notice = f"The reading state {self.location} could not be read ({one_line(error)})."
                return False

    # -----------------------------------------------------------------------------------------------
    # writing

    def _write(self, change: Change[T]) -> T:
        """Make `change` through the writer; a database found damaged is left for one in memory."""
        with self._lock:
            try:
                return self._writer.write(change)
            except sqlite3.Error as error:  # damaged: `Writer` keeps other failures to itself
                self._detach(error)
                return self._writer.write(change)

    def _detach(self, error: BaseException) -> None:
        """Continue with an in-memory database holding what the failed one held (or, when it cannot
        even be copied, what is in memory); nothing is saved from now on."""
        writer = self._writer
        writer.db = memory_copy(writer.db, self._remembered(), self._filters, self._ui, self._clock())
        self.notice = (
            f"The reading state {self.location} failed ({one_line(error)}); changes from now on will not be "
            "saved."
        )
        writer.location, writer.read_only = ":memory:", False
        self._load()

    def _change(self, ids: Iterable[str], new: Callable[[str, Row], Row]) -> list[Mark]:
        """Give each story the state `new(id, current)`, in one transaction; the marks of those that changed.

        The current state is read from the database under its write lock, so a change made meanwhile
        by another copy of the reader is neither lost nor undone (nor is it when the change is kept
        and written later: it is made again on what the database holds then)."""
        keys = list(dict.fromkeys(storable_id(id) for id in ids))
        if not keys:
            return []
        now = self._clock()

        def changed(rows: dict[str, Row]) -> tuple[list[Mark], dict[str, Row]]:
            marks = []
            for key in keys:
                before = rows.get(key, (None, False))
                after = new(key, before)
                if after != before:
                    marks.append(Mark(key, *before))
                    rows[key] = after
            return marks, {key: rows.get(key, (None, False)) for key in keys}

        def work(db: sqlite3.Connection) -> tuple[list[Mark], dict[str, Row]]:
            marks, rows = changed(story_rows(db, keys))
            db.executemany(UPSERT, [(m.id, *rows[m.id], now) for m in marks])
            return marks, rows

        def offline() -> tuple[list[Mark], dict[str, Row]]:
            return changed({key: (self._read.get(key), key in self._starred) for key in keys})

        return self._write(Change(work, offline, lambda result: self._apply(result[1])))[0]

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

    def _filters_change(
        self, work: Callable[[sqlite3.Connection], None], edit: Callable[[SavedFilters], SavedFilters]
    ) -> None:
        """Change the saved filters: `work` in the database, `edit` on a list of them (in memory)."""

        def in_database(db: sqlite3.Connection) -> SavedFilters:
            work(db)
            return filter_rows(db, MAX_SAVED_FILTERS)

        self._write(Change(in_database, lambda: edit(self._filters), self._set_filters))

    def save_filter(self, name: str, query: str) -> None:
        """Save a filter under `name`: a new name goes last, an existing one gets the new query and keeps
        its place. ValueError for an empty name, a name or query longer than `MAX_FILTER_CHARS` or that
        `clean_filter_text` would change, a name that would pass for a built-in view, or a new name
        when `MAX_SAVED_FILTERS` are saved."""
        _check_filter_text("name", name, empty=False)
        _check_filter_text("query", query, empty=True)

        def work(db: sqlite3.Connection) -> None:
            if add_filters(db, [(name, query)], MAX_SAVED_FILTERS)[1]:
                raise ValueError(f"at most {MAX_SAVED_FILTERS} filters can be saved: delete one first")

        self._filters_change(work, lambda filters: with_filter(filters, name, query, MAX_SAVED_FILTERS))

    def rename_filter(self, old: str, new: str) -> None:
        """Rename a saved filter, keeping its place. KeyError when `old` is not saved; ValueError when
        `new` is already saved or is refused as `save_filter` refuses names (renaming to the same name
        does nothing)."""
        _check_filter_text("name", new, empty=False)
        old = valid_text(old)

        def work(db: sqlite3.Connection) -> None:
            stored = stored_filter_name(db, old)
            if stored is None:
                raise KeyError(old)
            if new != old:
                if stored_filter_name(db, new) is not None:
                    raise ValueError(f"a filter named {new!r} already exists")
                db.execute("UPDATE filters SET name = ? WHERE name = ?", (new, stored))

        self._filters_change(work, lambda filters: renamed_filter(filters, old, new))

    def delete_filter(self, name: str) -> None:
        """Forget a saved filter. KeyError when it is not saved."""
        name = valid_text(name)

        def work(db: sqlite3.Connection) -> None:
            stored = stored_filter_name(db, name)
            if stored is None:
                raise KeyError(name)
            db.execute("DELETE FROM filters WHERE name = ?", (stored,))

        self._filters_change(work, lambda filters: without_filter(filters, name))

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

            def remember(_: None) -> None:
                if value is None:
                    self._ui.pop(key, None)
                else:
                    self._ui[key] = value

            self._write(Change(work, lambda: None, remember))

    # moving state between machines -------------------------------------------------------------------

    def export_state(self, path: str) -> int:
        """Write the stories and saved filters (not the ui memory) to `path` as JSON, atomically: a
        temporary file in the same folder replaces `path` only when complete. Returns the number of
        stories written. OSError when the file cannot be written, StateError when the database cannot
        be read (`path` is then unchanged)."""

        def work(db: sqlite3.Connection) -> int:
            rows = db.execute("SELECT id, read_at, starred, updated FROM stories ORDER BY rowid")
            return write_state_file(path, rows, filter_rows(db), self._clock())

        with self._lock:  # written as the rows are read, in one read transaction (writers go on)
            return self._writer.read(work)

    def import_state(self, path: str, on_batch: Callable[[int], None] | None = None) -> Imported:
        """Merge an exported file into the store, `IMPORT_BATCH` stories (then saved filters) a
        transaction, letting go of the write lock between two, so a long import never keeps another
        copy of the reader from saving. A story from the file replaces the local one when its
        `updated` is newer (or there is no local one); saved filters are added by name (an existing
        name gets the file's query and keeps its place; new ones while fewer than `MAX_SAVED_FILTERS`
        are saved). Returns what was taken: importing the same file again takes no stories.
        `on_batch(stories so far)` is called after each transaction.

        The file is validated completely before anything is written; StateFileError (a ValueError) with
        a one-line message for a file that cannot be read or is malformed in any way, StateError when
        the database cannot be written (what earlier transactions wrote stays, and the message says
        how much that was)."""
        with StateFile(path, self._clock()) as file:
            file.check()
            taken = added = left_out = 0
            for batch in _batches(file.stories()):
                stories: dict[str, StoryState] = {}
                for id, story in batch:  # an id given twice: the newer wins
                    if id not in stories or story[2] >= stories[id][2]:
                        stories[id] = story
                rows = self._import(lambda db: _take_stories(db, stories), taken)
                self._apply(rows)
                taken += len(rows)
                _next_batch(on_batch, taken)
            for filters in _batches(file.saved_filters()):
                more, out = self._import(lambda db: add_filters(db, filters, MAX_SAVED_FILTERS), taken)
                added, left_out = added + more, left_out + out
                _next_batch(on_batch, taken)
        with self._lock:
            self._set_filters(self._writer.read(lambda db: filter_rows(db, MAX_SAVED_FILTERS)))
        return Imported(taken, added, left_out)

    def _import(self, work: Callable[[sqlite3.Connection], T], taken: int) -> T:
        """One transaction of an import, or StateError saying how much was imported before."""
        with self._lock:
            try:
                return self._writer.strict(work)
            except StateError as error:
                if not taken:
                    raise
                raise StateError(f"{error}; {taken:,} stories from the file were saved before") from error

    def close(self) -> None:
        """Write the changes kept so far (waiting `wait` for the lock), then close the database; what
        still cannot be written is lost (`unsaved` says how many changes before closing)."""
        with self._lock:
            try:
                self._writer.flush(patient=True)
            except sqlite3.Error:
                pass
            self._writer.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _everything(db: sqlite3.Connection) -> tuple[list[Any], SavedFilters, list[Any]]:
    """The stories that are read or starred, the saved filters (one more than are used, to tell when
    there are too many) and the ui memory."""
    stories = db.execute("SELECT id, read_at, starred FROM stories WHERE read_at IS NOT NULL OR starred")
    ui = db.execute("SELECT key, value FROM ui").fetchall()
    return stories.fetchall(), filter_rows(db, MAX_SAVED_FILTERS + 1), ui


def _take_stories(db: sqlite3.Connection, stories: dict[str, StoryState]) -> dict[str, Row]:
    """Write the stories of a file that are newer than what the database holds; their new rows."""
    local = story_updates(db, list(stories))
    taken = {k: v for k, v in stories.items() if k not in local or v[2] > local[k]}
    db.executemany(UPSERT, [(k, *v) for k, v in taken.items()])
    return {k: (v[0], v[1]) for k, v in taken.items()}


def _batches(items: Iterable[T]) -> Iterator[list[T]]:
    """`items` in lists of `IMPORT_BATCH`."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _next_batch(on_batch: Callable[[int], None] | None, taken: int) -> None:
    """Between two transactions of an import: tell `on_batch`, and leave the write lock free a moment."""
    if on_batch is not None:
        on_batch(taken)
    time.sleep(IMPORT_PAUSE)


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
