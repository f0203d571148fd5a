"""The on-disk index: a SQLite database of parsed files, so a second start parses no YAML.

Each file is keyed by its absolute path, size and modification time; the summary columns are what the
list and filter need. Links between stories (a record's own URL and title keys, and the keys of the
stories in its related list) live in their own table as 64-bit hashes and are queried on demand, so
they cost no memory. The links are one B-tree ordered by key (a table without row ids, which a
from-scratch build fills in key order a batch at a time); `file_keys` lists each file's keys, so its
links are found again to delete without a second tree of links ordered by file. One connection is
shared by the loader and the UI's workers behind a lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .record import Problem, Record, Summary, _folded as folded
from .urls import choose_url

SCHEMA_VERSION = "3"
PAGE_SIZE = 16_384
OWN, MENTION = 0, 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    problem TEXT,
    title TEXT, timestamp REAL, provider_name TEXT, provider_domain TEXT, topics TEXT,
    type TEXT, category TEXT, quality INTEGER, heat INTEGER, published INTEGER, flags INTEGER,
    url TEXT, text_cf BLOB
);
CREATE TABLE IF NOT EXISTS links (
    key INTEGER NOT NULL, role INTEGER NOT NULL, file_id INTEGER NOT NULL,
    PRIMARY KEY (key, role, file_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_keys (file_id INTEGER PRIMARY KEY, keys BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS files_by_time ON files (timestamp);
"""

_COLUMNS = (
    "title, timestamp, provider_name, provider_domain, topics, type, category, quality, heat, "
    "published, flags, url, text_cf"
)
_TOPIC_SEPARATOR = "\x1f"  # record text never holds control characters, so this cannot collide


def key_hash(key: str) -> int:
    """A stable signed 64-bit hash of a link key (Python's own hash differs between processes)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big", signed=True)


@dataclass(frozen=True, slots=True)
class Entry:
    """One file as the index holds it: its identity and what parsing it gave."""

    path: str
    size: int
    mtime_ns: int
    result: Summary | Problem
    own_keys: tuple[int, ...] = ()
    mention_keys: tuple[int, ...] = ()


def _storable(path: str) -> bool:
    """Whether SQLite can hold the path: a file name that is not UTF-8 (surrogate escapes) cannot,
    so such a file is loaded every time instead of being indexed."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class IndexError_(Exception):
    """The index cannot be used (corrupt, unreadable); the caller rebuilds or goes without."""


def _row(summary: Summary) -> tuple[object, ...]:
    flags = summary.has_image | summary.has_related << 1 | summary.has_body << 2 | summary.has_url << 3
    return (
        summary.title, summary.timestamp, summary.provider_name, summary.provider_domain,
        _TOPIC_SEPARATOR.join(summary.topics), summary.type, summary.category, summary.quality,
        summary.heat, int(summary.published), flags, summary.url, summary.text_cf,
    )


# A parsed file as the index stores it, made where it is parsed (in a worker process) so that storing
# it costs little more than SQLite's own work: path, size, mtime_ns, the problem (None for a record),
# the values of `_COLUMNS` (None for a problem), its own link keys and its mention keys as JSON arrays
# ("" when there are none), and its `file_keys` blob (None when it has no keys).
Row = tuple  # type: ignore[type-arg]
_NO_COLUMNS = (None,) * 13


def problem_row(path: str, size: int, mtime_ns: int, reason: str) -> Row:
    """The row of a file that could not be read as a record."""
    return (path, size, mtime_ns, reason, *_NO_COLUMNS, "", "", None)


def record_row(path: str, size: int, mtime_ns: int, columns: tuple, own: list[int], mentions: list[int]) -> Row:  # type: ignore[type-arg]
    """The row of a record: its `_COLUMNS` values and its link keys (each list without repeats)."""
    return (
        path, size, mtime_ns, None, *columns, _json(own), _json(mentions),
        _packed(dict.fromkeys((*own, *mentions))) if own or mentions else None,
    )


def keyed_row(path: str, size: int, mtime_ns: int, columns: tuple, own: list[str], mentions: Iterable[str]) -> Row:  # type: ignore[type-arg]
    """`record_row` given the keys themselves: `own` as they are, `mentions` without repeated hashes.
    The keys are hashed to bytes and turned into integers, JSON and the blob a whole list at a time."""
    own_digests = _digests(own)
    mention_digests = list(dict.fromkeys(_digests(mentions)))
    if not own_digests and not mention_digests:
        return (path, size, mtime_ns, None, *columns, "", "", None)
    return (
        path, size, mtime_ns, None, *columns, _json(_from_digests(own_digests)), _json(_from_digests(mention_digests)),
        _packed(_from_digests(dict.fromkeys(own_digests + mention_digests))),
    )


_copy_key_hash = hashlib.blake2b(digest_size=8).copy  # a copy of a fresh hash costs less than a new one


def _digests(keys: Iterable[str]) -> list[bytes]:
    """The 8-byte digests `key_hash` makes of the keys."""
    digests = []
    for key in keys:
        digest = _copy_key_hash()
        digest.update(key.encode("utf-8", "surrogatepass"))
        digests.append(digest.digest())
    return digests


def _from_digests(digests: Iterable[bytes]) -> array[int]:
    """The integers `key_hash` makes of 8-byte digests (signed, big-endian)."""
    keys = array("q")
    keys.frombytes(b"".join(digests))
    if sys.byteorder == "little":
        keys.byteswap()
    return keys


def _json(keys: Iterable[int]) -> str:
    return f"[{','.join(map(str, keys))}]" if keys else ""


def _json_each_works() -> bool:
    """Whether this SQLite has json_each, exact for 64-bit integers (built in since 3.38)."""
    try:
        db = sqlite3.connect(":memory:")
        try:
            keys = [-(2**63), 2**63 - 1, -1, 0]
            return [value for (value,) in db.execute("SELECT value FROM json_each(?)", (_json(keys),))] == keys
        finally:
            db.close()
    except sqlite3.Error:
        return False


_HAS_JSON_EACH = _json_each_works()


def entry_row(entry: Entry) -> Row:
    """The row of an entry."""
    if isinstance(entry.result, Problem):
        return problem_row(entry.path, entry.size, entry.mtime_ns, entry.result.reason)
    return record_row(
        entry.path, entry.size, entry.mtime_ns, _row(entry.result), list(entry.own_keys), list(entry.mention_keys)
    )


def row_result(row: Row) -> Summary | Problem:
    """What a row holds: the record's summary, or the problem."""
    return Problem(row[0], row[3]) if row[3] is not None else _from_row(row[:17])


def row_entry(row: Row) -> Entry:
    """The entry of a row (the keys back as integers)."""
    own, mentions = (tuple(json.loads(keys)) if keys else () for keys in row[17:19])
    return Entry(row[0], row[1], row[2], row_result(row), own, mentions)


def record_columns(record: Record, has_related: bool) -> tuple[object, ...]:
    """The values of `_COLUMNS` for a record: `_row(Summary.of(record))`, its `has_related` set to
    `has_related`, without making the summary."""
    provider, urls, body = record.provider, record.urls, record.body
    published_at = record.published_at
    has_url = bool(urls.original or urls.web or urls.amp or urls.cdn_amp or urls.video)  # Urls.all()
    flags = bool(record.images) | has_related << 1 | bool(body.strip()) << 2 | has_url << 3
    text = "\n".join([record.excerpt, provider.name, provider.domain, *record.topics, body])
    return (
        record.title, published_at.timestamp() if published_at else None, provider.name, provider.domain,
        _TOPIC_SEPARATOR.join(record.topics), record.type, record.category, record.quality, record.heat,
        int(record.published), flags, choose_url(urls), text.casefold().encode("utf-8", "replace"),
    )


def _packed(keys: Iterable[int]) -> bytes:
    """Link keys as `file_keys` keeps them: signed 64-bit integers, little-endian."""
    packed = array("q", keys)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _unpacked(blob: bytes | None) -> list[int]:
    keys = array("q")
    keys.frombytes(blob or b"")
    if sys.byteorder == "big":
        keys.byteswap()
    return keys.tolist()


# What recurs among stored rows (topic lists, providers, types and categories) is derived once per
# distinct value and shared by the records that have it, tuples included: reading 100,000 rows then
# makes one Summary each plus its own strings, and the shared values cost their memory only once.
_SHARED_LIMIT = 50_000
_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_PROVIDERS: dict[tuple[str, str], tuple[str, str, str]] = {}
_WORDS: dict[str, tuple[str, str]] = {}
_FLAGS = tuple(
    (bool(flags & 1), bool(flags & 2), bool(flags & 4), bool(flags & 8)) for flags in range(16)
)


def _shared_topics(stored: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A stored topic list as (topics, casefolded topics), as `Summary.build` derives them."""
    if len(_TOPICS) > _SHARED_LIMIT:
        _TOPICS.clear()
    topics = tuple(map(sys.intern, stored.split(_TOPIC_SEPARATOR))) if stored else ()
    shared = _TOPICS[stored] = (topics, tuple(map(folded, topics)))
    return shared


def _shared_provider(name: str, domain: str) -> tuple[str, str, str]:
    """(name, domain, casefolded name and domain), as `Summary.build` derives them."""
    if len(_PROVIDERS) > _SHARED_LIMIT:
        _PROVIDERS.clear()
    name, domain = sys.intern(name), sys.intern(domain)
    shared = _PROVIDERS[name, domain] = (name, domain, folded(f"{name}\n{domain}"))
    return shared


def _shared_word(text: str) -> tuple[str, str]:
    """A type or category and its casefolded form, as `Summary.build` derives them."""
    if len(_WORDS) > _SHARED_LIMIT:
        _WORDS.clear()
    shared = _WORDS[text] = (sys.intern(text), folded(text))
    return shared


def _summary(path: str, columns: tuple) -> Summary:  # type: ignore[type-arg]
    """The summary of a path and its stored summary columns (those of `_COLUMNS`)."""
    return _from_row((path, None, None, None, *columns))


def _from_row(row: tuple) -> Summary:  # type: ignore[type-arg]
    """The summary of a stored row (path, size, mtime_ns, problem, then `_COLUMNS`): the same as
    `Summary.build` makes from its fields, made faster."""
    (path, _, _, _, title, timestamp, name, domain, topics, kind, category, quality, heat, published, flags, url,
     text_cf) = row
    topics, topics_cf = _TOPICS.get(topics) or _shared_topics(topics or "")
    name, domain, provider_cf = _PROVIDERS.get((name, domain)) or _shared_provider(name, domain)
    kind, kind_cf = _WORDS.get(kind) or _shared_word(kind)
    category, category_cf = _WORDS.get(category) or _shared_word(category)
    has_image, has_related, has_body, has_url = _FLAGS[flags & 15]
    return Summary(
        path, title, timestamp, name, domain, topics, kind, category, quality, heat, published == 1,
        has_image, has_related, has_body, has_url, url, text_cf,
        title.casefold(), provider_cf, topics_cf, kind_cf, category_cf,
    )


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
        except (OSError, sqlite3.Error) as error:
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
            os.makedirs(os.path.dirname(self.location) or ".", exist_ok=True)
        db = sqlite3.connect(self.location, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            # For a new database only (an existing one keeps its pages): a store rewrites most pages of
            # the links tree, and in pages of 16 KiB instead of 4 KiB that costs ~20% less.
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                db.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.strip().split(";"):
                    if statement.strip():
                        db.execute(statement)
                version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if version is None:
                    if db.execute("SELECT count(*) FROM files").fetchone()[0]:
                        raise IndexError_("it has no schema version")
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                elif version[0] != SCHEMA_VERSION:
                    raise IndexError_(f"schema {version[0]}, expected {SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(self.location + suffix)
            except FileNotFoundError:
                pass

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def entries(self, roots: Iterable[str]) -> Iterator[tuple[str, int, int, Summary | Problem]]:
        """Every indexed file under the given absolute roots, newest first: (path, size, mtime_ns, result)."""
        clauses, params = [], []
        for root in roots:
            clauses.append("(path = ? OR (path > ? AND path < ?))")
            prefix = root.rstrip(os.sep) + os.sep
            params += [root, prefix, prefix[:-1] + chr(ord(os.sep) + 1)]
        if not clauses:
            return
        where = " OR ".join(clauses)
        with self._lock:
            # When the roots hold most of the index, walking the time index and skipping the few other
            # files gives the newest at once; otherwise the files are found by path and sorted, which
            # copies them all into a sorter first (~0.3 s more at 100,000 files).
            (total,) = self._db.execute("SELECT count(*) FROM files").fetchone()
            (inside,) = self._db.execute(f"SELECT count(*) FROM files WHERE {where}", params).fetchone()
            by_time = "INDEXED BY files_by_time " if inside * 2 >= total else ""
            cursor = self._db.execute(
                f"SELECT path, size, mtime_ns, problem, {_COLUMNS} FROM files {by_time}WHERE {where} "
                "ORDER BY timestamp DESC",  # newest first (SQLite puts NULL last here)
                params,
            )
            while rows := cursor.fetchmany(2000):  # the newest arrive first, while the rest are read
                for row in rows:
                    path, size, mtime_ns, problem = row[:4]
                    yield path, size, mtime_ns, Problem(path, problem) if problem is not None else _from_row(row)

    def store(self, entries: list[Entry]) -> None:
        """Add or replace entries, in one transaction (see `store_rows`)."""
        self.store_rows([entry_row(entry) for entry in entries])

    def store_rows(self, rows: list[Row], *, bulk: bool = False) -> None:
        """Add or replace parsed files (see `Row`), in one transaction: the files, then all their links
        in key order (inserting into the links tree in order touches each of its pages once, not once
        a row). The links are unpacked from their JSON arrays and sorted by SQLite itself, so that no
        Python object is made for each of them.

        `bulk`: a large build from scratch, during which the database is not synced to the disk (an
        index left damaged by a system crash is rebuilt)."""
        rows = [row for row in rows if _storable(row[0])]
        with self._lock:
            if bulk:
                self._db.execute("PRAGMA synchronous=OFF")
            try:
                with self._db:
                    self._db.execute("BEGIN IMMEDIATE")
                    self._insert(rows)
            finally:
                if bulk:
                    self._db.execute("PRAGMA synchronous=NORMAL")

    def _insert(self, rows: list[Row]) -> None:
        db = self._db
        self._delete([row[0] for row in rows])
        (last,) = db.execute("SELECT coalesce(max(id), 0) FROM files").fetchone()
        ids = range(last + 1, last + 1 + len(rows))
        db.executemany(
            f"INSERT INTO files (id, path, size, mtime_ns, problem, {_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(file_id, *row[:17]) for file_id, row in zip(ids, rows)],
        )
        db.executemany(
            "INSERT INTO file_keys VALUES (?, ?)",
            [(file_id, row[19]) for file_id, row in zip(ids, rows) if row[19] is not None],
        )
        staged = [(file_id, OWN, row[17]) for file_id, row in zip(ids, rows) if row[17]]
        staged += [(file_id, MENTION, row[18]) for file_id, row in zip(ids, rows) if row[18]]
        if not staged:
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
            self._delete([path for path in paths if _storable(path)])

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
                sorted((key, file_id) for file_id, keys in gone for key in _unpacked(keys)),
            )
            self._db.executemany("DELETE FROM file_keys WHERE file_id = ?", [(file_id,) for file_id, _ in gone])
            self._db.execute(f"DELETE FROM files WHERE path IN ({marks})", chunk)

    def paths_with_keys(self, keys: list[int], role: int) -> list[tuple[int, str]]:
        """(key, path) for files that have any of `keys` in the given role (OWN or MENTION)."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        with self._lock:
            return self._db.execute(
                f"SELECT l.key, f.path FROM links l JOIN files f ON f.id = l.file_id "
                f"WHERE l.key IN ({marks}) AND l.role = ?",
                [*keys, role],
            ).fetchall()
