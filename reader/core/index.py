"""The on-disk index: a SQLite database of parsed files, so a second start parses no YAML.

Each file is keyed by its absolute path and its stamp (size, mtime, inode, ctime); the summary columns are what the
list and filter need (see `index_schema`). Links between stories (a record's own URL and title keys,
and the keys of the stories in its related list) live in their own table as 64-bit hashes and are
queried on demand, so they cost no memory. The links are one B-tree ordered by key (a table without
row ids, which a from-scratch build fills in key order a batch at a time); `file_keys` lists each
file's keys, so its links are found again to delete without a second tree of links ordered by file.
One connection is shared by the loader and the UI's workers behind a lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .index_rows import (
    ITEM_AT,
    KEYS_BLOB_AT,
    MENTION_KEYS_AT,
    OWN_KEYS_AT,
    Entry,
    Row,
    entry_row,
    keys_json,
    unpacked_keys,
)
from .index_schema import (
    ESCAPED_KEY,
    ITEM_COLUMNS,
    NOTE_AT,
    OUR_TABLES,
    PAGE_SIZE,
    PROBLEM_AT,
    SCHEMA_VERSION,
    STAMP_AT,
    STAMP_COLUMNS,
    STORED_COLUMN_COUNT,
    STORED_COLUMNS,
    TABLES,
    LinkRole,
    holds_escapes,
    newest_first,
    real_path,
    real_rows,
    rows_to_store,
    stored_path,
    summary_from_row,
    under_roots,
)
from .record import Problem, Summary
from .record_files import FileStamp, Stats

T = TypeVar("T")


class IndexError_(Exception):
    """The index cannot be used (corrupt, unreadable); the caller rebuilds or goes without."""


class NotOurs(Exception):
    """The index location holds what is not the reader's to write or delete: a symbolic link (to
    another database, maybe), or a database with other tables. The reader goes without an index."""


_SQLITE_FILES = ("", "-wal", "-shm", "-journal")  # the database and the files SQLite keeps beside it


def _refusal(location: str) -> str | None:
    """Why the reader will not open the database at `location`, if it will not: SQLite follows a
    symbolic link, so our tables (and the journal mode) would be written into whatever it leads to."""
    for suffix in _SQLITE_FILES:
        if os.path.islink(location + suffix):
            return f"{location + suffix} is a symbolic link; remove it to let the reader keep an index there"
    return None


def _json_each_works() -> bool:
    """Whether this SQLite has json_each, exact for 64-bit integers (built in since 3.38)."""
    try:
        db = sqlite3.connect(":memory:")
        try:
            keys = [-(2**63), 2**63 - 1, -1, 0]
            return [value for (value,) in db.execute("SELECT value FROM json_each(?)", (keys_json(keys),))] == keys
        finally:
            db.close()
    except sqlite3.Error:
        return False


_HAS_JSON_EACH = _json_each_works()

_PENDING_LINKS = (
    "CREATE TABLE IF NOT EXISTS pending_links (file_id INTEGER NOT NULL, role INTEGER NOT NULL, "
    "keys TEXT NOT NULL, PRIMARY KEY (file_id, role)) WITHOUT ROWID"
)
"""The links of a bulk build, waiting for `Index.link_pending` (appended in file order: cheap)."""


def _has_pending(db: sqlite3.Connection) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pending_links'")
    return found.fetchone() is not None


def _link_pending(db: sqlite3.Connection) -> None:
    """Put the links waiting in `pending_links` into the links tree, in key order, in one transaction
    (a bulk build's end; or the next start, after a build that was stopped)."""
    if not _has_pending(db):
        return
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT OR IGNORE INTO links SELECT j.value, p.role, p.file_id "
            "FROM pending_links p, json_each(p.keys) j ORDER BY 1, 2, 3"
        )
        db.execute("DROP TABLE pending_links")


class Index:
    """A SQLite index at `location` (a file path, or ":memory:" for a throwaway one).

    It never stops the reader: a corrupt or outdated file is discarded and rebuilt, and a location
    that cannot be used at all gives an in-memory index; either way `notice` says what happened."""

    def __init__(self, location: str = ":memory:") -> None:
        self.location = location
        self.notice = ""
        self._lock = threading.RLock()
        try:
            self._db = self._open_waiting()
        except NotOurs as error:
            self._fall_back(error)
        except (sqlite3.DatabaseError, IndexError_) as error:
            if location == ":memory:":
                raise
            self._rebuild(f"could not be used ({error})")
        except OSError as error:
            self._fall_back(error)

    def _open_waiting(self) -> sqlite3.Connection:
        """Open, waiting while another copy of the reader holds the database (concurrent starts)."""
        for _ in range(200):
            try:
                return self._open()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                time.sleep(0.05)
        return self._open()

    def _rebuild(self, why: str) -> None:
        self.notice = f"The index at {self.location} {why}; it was rebuilt."
        try:
            self._discard()
            self._db = self._open_waiting()
        except (OSError, sqlite3.Error, NotOurs) as error:
            self._fall_back(error)

    def _fall_back(self, error: BaseException) -> None:
        self.notice = f"The index at {self.location} cannot be used ({error}); reading without one."
        self.location = ":memory:"
        self._db = self._open()

    def reset(self, error: BaseException) -> None:
        """Start afresh after the database failed in use (a damaged page found mid-read)."""
        with self._lock:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            if self.location == ":memory:":
                self._db = self._open()
                self.notice = f"The in-memory index failed ({error}); it was emptied."
            else:
                self._rebuild(f"was damaged ({error})")

    def _open(self) -> sqlite3.Connection:
        if self.location != ":memory:":
            if why := _refusal(self.location):
                raise NotOurs(why)
            os.makedirs(os.path.dirname(self.location) or ".", exist_ok=True)
        db = sqlite3.connect(self.location, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if foreign := sorted(name for name in tables - OUR_TABLES if not name.startswith("sqlite_")):
                raise NotOurs(f"it is not the reader's: it holds other tables ({', '.join(foreign[:3])})")
            # For a new database only (an existing one keeps its pages): a store rewrites most pages of
            # the links tree, and in pages of 16 KiB instead of 4 KiB that costs ~20% less.
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                db.execute("BEGIN IMMEDIATE")
                for statement in TABLES.strip().split(";"):
                    if statement.strip():
                        db.execute(statement)
                version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if version is None:
                    if db.execute("SELECT count(*) FROM files").fetchone()[0]:
                        raise IndexError_("it has no schema version")
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                elif version[0] != SCHEMA_VERSION:
                    raise IndexError_(f"schema {version[0]}, expected {SCHEMA_VERSION}")
            if _HAS_JSON_EACH:
                _link_pending(db)  # a bulk build was stopped before its end
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in _SQLITE_FILES[:3]:
            try:
                os.remove(self.location + suffix)
            except FileNotFoundError:
                pass

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def entries(self, roots: Iterable[str]) -> Iterator[tuple[str, FileStamp, Summary | Problem]]:
        """Every indexed file under the given absolute roots, newest first: (path, stamp, result).
        A record with notes (fields left out) comes twice: its summary, then its notes as a problem."""
        for rows in self.stored_rows(roots):
            for row in rows:
                path, stamp = row[0], row[STAMP_AT]
                problem = row[PROBLEM_AT]
                if problem is not None:
                    yield path, stamp, Problem(path, problem)
                    continue
                yield path, stamp, summary_from_row(row)
                if (note := row[NOTE_AT]) is not None:
                    yield path, stamp, Problem(path, note)

    def stored_rows(self, roots: Iterable[str], chunk: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """The stored rows (`STORED_COLUMNS`) of every indexed file under the given absolute roots,
        newest first, `chunk` rows at a time: what `entries` gives, before anything is made of them
        (the loader makes each chunk's summaries in one go)."""
        roots = list(roots)
        if not roots:
            return
        where, params = under_roots(roots)
        with self._lock:
            escaped = holds_escapes(self._db)
            cursor = newest_first(self._db, STORED_COLUMNS, where, params)
            while rows := cursor.fetchmany(chunk):  # the newest arrive first, while the rest are read
                yield real_rows(rows) if escaped else rows

    def stamps(self, roots: Iterable[str]) -> Stats:
        """The stamp of every indexed file under the given absolute roots (what `entries` gives without
        the summaries: a build that keeps nothing needs only which files are indexed as they are)."""
        roots = list(roots)
        if not roots:
            return {}
        where, params = under_roots(roots)
        with self._lock:
            escaped = holds_escapes(self._db)
            sql = f"SELECT path, {STAMP_COLUMNS} FROM files WHERE {where}"
            rows: Iterable[tuple[Any, ...]] = self._db.execute(sql, params)
            if escaped:
                rows = real_rows(list(rows))
            return {path: (size, mtime_ns, inode, ctime_ns) for path, size, mtime_ns, inode, ctime_ns in rows}

    def store(self, entries: list[Entry]) -> None:
        """Add or replace entries, in one transaction (see `store_rows`)."""
        self.store_rows([entry_row(entry) for entry in entries])

    def store_rows(self, rows: list[Row], *, bulk: bool = False) -> None:
        """Add or replace parsed files (see `Row`), in one transaction: the files, then all their links
        in key order (inserting into the links tree in order touches each of its pages once, not once
        a row). The links are unpacked from their JSON arrays and sorted by SQLite itself, so that no
        Python object is made for each of them.

        `bulk`: a large build from scratch, during which the database is not synced to the disk (an
        index left damaged by a system crash is rebuilt) and the links wait, one row of JSON keys per
        file, until `link_pending` puts them all in the links tree at once: the keys are hashes, so
        each transaction's links land all over the tree, and once it is large every transaction
        rewrote most of its pages (at 765,000 files, 22 GB written for an index of 1.9 GB)."""
        rows, escaped = rows_to_store(rows)
        with self._lock:
            if bulk:
                self._db.execute("PRAGMA synchronous=OFF")
            else:
                _link_pending(self._db)  # what a bulk store left waiting goes first
            try:
                with self._db:
                    self._db.execute("BEGIN IMMEDIATE")
                    if escaped:
                        self._db.execute("INSERT OR IGNORE INTO meta VALUES (?, '1')", (ESCAPED_KEY,))
                    self._insert(rows, defer_links=bulk and _HAS_JSON_EACH)
            finally:
                if bulk:
                    self._db.execute("PRAGMA synchronous=NORMAL")

    def link_pending(self) -> None:
        """Put the links a bulk store left waiting into the links tree (a build's end)."""
        with self._lock:
            _link_pending(self._db)

    def _changed(self) -> None:
        """Note (in the transaction under way) that files were stored or forgotten: the stories need
        the grouping again (see `grouping`)."""
        self._db.execute(
            "INSERT INTO meta VALUES ('generation', '1') "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def _insert(self, rows: list[Row], *, defer_links: bool = False) -> None:
        db = self._db
        self._changed()
        self._delete([row[0] for row in rows])
        (last,) = db.execute("SELECT coalesce(max(id), 0) FROM files").fetchone()
        ids = range(last + 1, last + 1 + len(rows))
        db.executemany(
            f"INSERT INTO files (id, {STORED_COLUMNS}, {ITEM_COLUMNS}) VALUES (?{', ?' * (STORED_COLUMN_COUNT + 2)})",
            [(file_id, *row[:STORED_COLUMN_COUNT], *row[ITEM_AT]) for file_id, row in zip(ids, rows)],
        )
        db.executemany(
            "INSERT INTO file_keys VALUES (?, ?)",
            [(file_id, row[KEYS_BLOB_AT]) for file_id, row in zip(ids, rows) if row[KEYS_BLOB_AT] is not None],
        )
        staged = [(file_id, int(LinkRole.OWN), row[OWN_KEYS_AT]) for file_id, row in zip(ids, rows) if row[OWN_KEYS_AT]]
        staged += [
            (file_id, int(LinkRole.MENTION), row[MENTION_KEYS_AT]) for file_id, row in zip(ids, rows) if row[MENTION_KEYS_AT]
        ]
        if not staged:
            return
        if defer_links:
            db.execute(_PENDING_LINKS)
            db.executemany("INSERT INTO pending_links VALUES (?, ?, ?)", staged)
            return
        if not _HAS_JSON_EACH:
            links = sorted((key, role, file_id) for file_id, role, keys in staged for key in json.loads(keys))
            db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?, ?)", links)
            return
        db.execute("CREATE TEMP TABLE IF NOT EXISTS staged_links (file_id INTEGER, role INTEGER, keys TEXT)")
        db.executemany("INSERT INTO temp.staged_links VALUES (?, ?, ?)", staged)
        db.execute(
            "INSERT OR IGNORE INTO links SELECT j.value, s.role, s.file_id "
            "FROM temp.staged_links s, json_each(s.keys) j ORDER BY 1, 2, 3"
        )
        db.execute("DELETE FROM temp.staged_links")

    def remove(self, paths: list[str]) -> None:
        """Forget files that are gone."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._changed()
            self._delete([stored_path(path) for path in paths])

    def _delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            marks = ",".join("?" * len(chunk))
            gone = self._db.execute(
                f"SELECT f.id, k.keys FROM files f LEFT JOIN file_keys k ON k.file_id = f.id WHERE f.path IN ({marks})",
                chunk,
            ).fetchall()
            if not gone:
                continue
            self._db.executemany(
                "DELETE FROM links WHERE key = ? AND file_id = ?",
                sorted((key, file_id) for file_id, keys in gone for key in unpacked_keys(keys)),
            )
            self._db.executemany("DELETE FROM file_keys WHERE file_id = ?", [(file_id,) for file_id, _ in gone])
            if _has_pending(self._db):
                self._db.executemany("DELETE FROM pending_links WHERE file_id = ?", [(file_id,) for file_id, _ in gone])
            self._db.execute(f"DELETE FROM files WHERE path IN ({marks})", chunk)

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)`, holding the connection alone (for the grouping, see `grouping`)."""
        with self._lock:
            return work(self._db)

    def paths_with_keys(self, keys: list[int], role: LinkRole) -> list[tuple[int, str]]:
        """(key, path) for files that have any of `keys` in the given role."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        with self._lock:
            found = self._db.execute(
                f"SELECT l.key, f.path FROM links l JOIN files f ON f.id = l.file_id "
                f"WHERE l.key IN ({marks}) AND l.role = ?",
                [*keys, int(role)],
            ).fetchall()
        return [(key, real_path(path)) for key, path in found]
