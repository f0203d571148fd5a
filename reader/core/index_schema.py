"""The on-disk index's layout, in one place for the index (which writes and reads it) and the warm
listing (which reads it without loading the parser): where it lives, its tables and columns, the SQL
that keeps the rows under some folders, when to walk the time index, and a summary from a row.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from enum import IntEnum, IntFlag
from typing import Any

import platformdirs

from .record import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, Summary, folded

SCHEMA_VERSION = "7"
"""Bumped whenever what is stored changes: an index of another version is rebuilt (the warm listing
does not read it)."""
PAGE_SIZE = 16_384

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    problem TEXT,
    note TEXT,
    title TEXT, timestamp REAL, provider_name TEXT, provider_domain TEXT, topics TEXT,
    type TEXT, category TEXT, quality INTEGER, heat INTEGER, published INTEGER, flags INTEGER,
    url TEXT, text_cf BLOB, story TEXT, excerpt TEXT, urls TEXT
);
CREATE TABLE IF NOT EXISTS links (
    key INTEGER NOT NULL, role INTEGER NOT NULL, file_id INTEGER NOT NULL,
    PRIMARY KEY (key, role, file_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_keys (file_id INTEGER PRIMARY KEY, keys BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS files_by_time ON files (timestamp);
CREATE TABLE IF NOT EXISTS stories (
    path TEXT PRIMARY KEY, story TEXT NOT NULL, lead TEXT NOT NULL,
    title TEXT NOT NULL, excerpt TEXT NOT NULL, timestamp REAL, provider TEXT NOT NULL,
    domain TEXT NOT NULL, urls TEXT NOT NULL, norm REAL NOT NULL,
    how TEXT NOT NULL, peer TEXT NOT NULL, score REAL NOT NULL, best REAL NOT NULL, detail TEXT NOT NULL
) WITHOUT ROWID;
"""
OUR_TABLES = frozenset({"meta", "files", "links", "file_keys", "stories", "pending_links"})

SUMMARY_COLUMNS = (
    "title, timestamp, provider_name, provider_domain, topics, type, category, quality, heat, "
    "published, flags, url, text_cf"
)
"""The columns of a record's summary, in `Summary` order after the path."""
SUMMARY_COLUMN_COUNT = SUMMARY_COLUMNS.count(",") + 1
STAMP_COLUMNS = "size, mtime_ns, inode, ctime_ns"
"""A file's stamp (`record_files.FileStamp`): a row is stale when the file's differs."""
STORED_COLUMNS = f"path, {STAMP_COLUMNS}, problem, note, " + SUMMARY_COLUMNS + ", story"
"""What a file's row holds, in the order `summary_from_row` takes it: the last is the id of the record's
story (None until the grouping has seen it: see `grouping`)."""
STAMP_AT = slice(1, 5)
"""Where the stamp is in a stored row."""
PROBLEM_AT = 5
"""Where the problem is in a stored row (None for a record)."""
NOTE_AT = 6
"""Where a record's notes are in a stored row (fields left out, joined by "; "; None for none); the
summary columns follow."""
STORED_COLUMN_COUNT = NOTE_AT + 1 + SUMMARY_COLUMN_COUNT + 1
STORY_AT = STORED_COLUMN_COUNT - 1
"""Where a record's story id is in a stored row."""
ITEM_COLUMNS = "excerpt, urls"
"""What grouping reads of a record beyond its summary columns: its excerpt as written and its URLs (a
JSON list); stored by the parse, read only by the grouping."""

TOPIC_SEPARATOR = "\x1f"
"""Between the topics of a record in one column: record text never holds control characters."""


class Flag(IntFlag):
    """The bits of the `flags` column: what a record has."""

    IMAGE = 1
    RELATED = 2
    BODY = 4
    URL = 8


class LinkRole(IntEnum):
    """How a file holds a link key: as its own URL or title, or as one of its related stories'."""

    OWN = 0
    MENTION = 1


def index_location() -> str:
    """Where the on-disk index lives: the user cache folder (honours XDG_CACHE_HOME)."""
    return os.path.join(platformdirs.user_cache_dir("reader", appauthor=False), "index.sqlite3")


def meta_value(db: sqlite3.Connection, key: str) -> str | None:
    """A value of the `meta` table (None when it has none)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def pending(db: sqlite3.Connection) -> bool:
    """Whether files were stored or forgotten since the stories were last grouped (see `grouping`):
    every store or removal bumps `generation`, and the grouping notes the one it grouped."""
    return (meta_value(db, "generation") or "0") != (meta_value(db, "grouped") or "0")


# A file name that is not UTF-8 is held by Python with a lone surrogate for each byte that is not
# (U+DC80-U+DCFF), which SQLite's text cannot hold. The index stores every path in a form that it can,
# one character at a time (so a folder's stored form is the start of its files'): a surrogate becomes
# PATH_ESCAPE and a character of plane 16 (U+100000 on), and PATH_ESCAPE itself is doubled. PATH_ESCAPE
# is the last code point there is, so a path without it (nearly all) is found so at once.
PATH_ESCAPE = "\U0010ffff"
_SURROGATE_AT = 0x100000 - 0xD800
_TO_STORE = re.compile("[\ud800-\udfff\U0010ffff]")
_STORED_ESCAPE = re.compile("\U0010ffff(.)", re.DOTALL)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return PATH_ESCAPE + (char if char == PATH_ESCAPE else chr(ord(char) + _SURROGATE_AT))


def _unescaped(match: re.Match[str]) -> str:
    char = match.group(1)
    if char == PATH_ESCAPE:
        return char
    surrogate = ord(char) - _SURROGATE_AT
    return chr(surrogate) if 0xD800 <= surrogate <= 0xDFFF else match.group()


def stored_path(path: str) -> str:
    """A path as the index stores it (see `PATH_ESCAPE`): the path itself unless it holds a surrogate
    (a name that is not UTF-8) or PATH_ESCAPE."""
    if path.isascii():
        return path
    return _TO_STORE.sub(_escaped, path)


def real_path(stored: str) -> str:
    """A path as the index stored it, as it is on disk (`stored_path` undone); a damaged escape is
    left as it is."""
    if PATH_ESCAPE not in stored:
        return stored
    return _STORED_ESCAPE.sub(_unescaped, stored)


def rows_to_store(rows: list[Any]) -> tuple[list[Any], bool]:
    """Rows to store with their paths (the first value of each) as the index stores them
    (`stored_path`), and whether any path was escaped (the same list when none was)."""
    escaped = [
        index for index, row in enumerate(rows) if not row[0].isascii() and stored_path(row[0]) != row[0]
    ]
    if not escaped:
        return rows, False
    rows = list(rows)
    for index in escaped:
        rows[index] = (stored_path(rows[index][0]), *rows[index][1:])
    return rows, True


def real_rows(rows: list[Any]) -> list[Any]:
    """Rows read from the index with their paths (the first value of each) as they are on disk
    (`real_path`), for an index that holds escaped paths (see `ESCAPED_KEY`)."""
    return [
        (real_path(row[0]), *row[1:]) if type(row[0]) is str and PATH_ESCAPE in row[0] else row for row in rows
    ]


ESCAPED_KEY = "escaped"
"""The `meta` key set once the index stores a path escaped: until then (nearly always) what is read of
it is not searched for escapes."""


def holds_escapes(db: sqlite3.Connection) -> bool:
    """Whether the index has ever stored a path escaped (see `stored_path`)."""
    return meta_value(db, ESCAPED_KEY) is not None


def under_roots(roots: list[str]) -> tuple[str, list[str]]:
    """SQL for "the path is one of these absolute paths or under one of them", and its parameters: a
    range of the path index for each (every path under a folder sorts between "folder/" and "folder0"),
    the paths as the index stores them (`stored_path`)."""
    clauses, params = [], []
    for root in dict.fromkeys(map(stored_path, roots)):
        clauses.append("(path = ? OR (path > ? AND path < ?))")
        prefix = root.rstrip(os.sep) + os.sep
        params += [root, prefix, prefix[:-1] + chr(ord(os.sep) + 1)]
    return " OR ".join(clauses) or "0", params


def row_counts(db: sqlite3.Connection, where: str, params: list[str]) -> tuple[int, int]:
    """(rows in the index, rows `where` keeps)."""
    (total,) = db.execute("SELECT count(*) FROM files").fetchone()
    (inside,) = db.execute(f"SELECT count(*) FROM files WHERE {where}", params).fetchone()
    return total, inside


def holds_most(total: int, inside: int) -> bool:
    """Whether the rows kept are at least half the index: then walking the whole time index (or table)
    and skipping the others is cheaper than finding each row by path (and sorting them)."""
    return inside * 2 >= total


def newest_first(
    db: sqlite3.Connection, columns: str, where: str, params: list[str], also: str = ""
) -> sqlite3.Cursor:
    """The `columns` of the rows `where` keeps (and `also`, when given), newest first, no date last.
    When the rows are most of the index the time index is walked, which gives the newest at once;
    otherwise they are found by path and sorted, which copies them all into a sorter first (~0.3 s
    more at 100,000 files). Either way the index and the warm listing get rows of the same time in
    the same order."""
    by_time = "INDEXED BY files_by_time " if holds_most(*row_counts(db, where, params)) else ""
    condition = f"({where}) AND {also}" if also else where
    return db.execute(
        # SQLite puts NULL (no date) last in this order.
        f"SELECT {columns} FROM files {by_time}WHERE {condition} ORDER BY timestamp DESC",
        params,
    )


# What recurs among stored rows (topic lists, providers, types and categories) is derived once per
# distinct value and shared by the records that have it, tuples included: reading 100,000 rows then
# makes one Summary each plus its own strings, and the shared values cost their memory only once.
_SHARED_LIMIT = 50_000
_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_PROVIDERS: dict[tuple[str, str], tuple[str, str, str]] = {}
_WORDS: dict[str, tuple[str, str]] = {}
_FLAGS = tuple(
    (bool(flags & Flag.IMAGE), bool(flags & Flag.RELATED), bool(flags & Flag.BODY), bool(flags & Flag.URL))
    for flags in range(16)
)


def _shared_topics(stored: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A stored topic list as (topics, casefolded topics), as `Summary.build` derives them."""
    if len(_TOPICS) > _SHARED_LIMIT:
        _TOPICS.clear()
    topics = tuple(map(sys.intern, stored.split(TOPIC_SEPARATOR))) if stored else ()
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


def summary_from_row(row: tuple) -> Summary:  # type: ignore[type-arg]
    """The summary of a stored row (the values of `STORED_COLUMNS`): the same as `Summary.build`
    makes from its fields, made faster. A row of the wrong types raises TypeError, AttributeError
    or KeyError; a time no datetime can hold (written by an index before dates were checked) is no date."""
    (path, _, _, _, _, _, _, title, timestamp, name, domain, topics, kind, category, quality, heat, published,
     flags, url, text_cf, story) = row
    topics, topics_cf = _TOPICS.get(topics) or _shared_topics(topics or "")
    name, domain, provider_cf = _PROVIDERS.get((name, domain)) or _shared_provider(name, domain)
    kind, kind_cf = _WORDS.get(kind) or _shared_word(kind)
    category, category_cf = _WORDS.get(category) or _shared_word(category)
    has_image, has_related, has_body, has_url = _FLAGS[flags & 15]
    if timestamp is not None and not EARLIEST_TIMESTAMP <= timestamp < LATEST_TIMESTAMP + 1:
        timestamp = None
    return Summary(
        path, title, timestamp, name, domain, topics, kind, category, quality, heat, published == 1,
        has_image, has_related, has_body, has_url, url, text_cf,
        title.casefold(), provider_cf, topics_cf, kind_cf, category_cf, story or "",
    )
