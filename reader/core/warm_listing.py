"""`reader --list` from a warm index: the matching records straight from SQLite, without loading them all.

The plain way to list (load every record into a `Library`, then filter) reads every row of the index and
makes a summary of each. When the index already holds every file under the given folders as it is on
disk, this module answers instead:

1. every record file is examined by the one walk (`record_files`), and what it finds is compared with
   the index: one file new, changed, removed or unindexable, and it gives up (the caller then lists the
   plain way, which parses and stores what changed);
2. the query's terms are turned into SQL that never rejects a row the term could match (`query_sql`);
3. the rows kept and marked are made into summaries and tested with the query itself, so the answer is
   the query's own: SQL only narrows which rows are looked at.

Anything unexpected (no index yet, another schema version, a database error, a row whose columns have
the wrong types) makes it give up too; it never writes to the index. The core: no Textual, and none of
the parsing modules (PyYAML), so that a listing imports little.
"""

from __future__ import annotations

import operator
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from .index_schema import (
    SCHEMA_VERSION,
    STAMP_COLUMNS,
    STORED_COLUMNS,
    holds_most,
    index_location,
    newest_first,
    pending,
    row_counts,
    summary_from_row,
    under_roots,
)
from .query_sql import narrowing
from .record import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, Problem, Summary
from .record_files import record_file_batches


def files_as_stored(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Every record file under the given files and folders as one string: its path and stamp separated
    by NUL (which no path holds), as SQLite writes them for the comparison with the index (`_FILES`);
    and the paths that could not be read. Unordered."""
    problems: list[Problem] = []
    files: list[str] = []
    for prefix, names, stamps in record_file_batches(paths, problems):
        files += [
            f"{prefix}{name}\0{size}\0{mtime_ns}\0{inode}\0{ctime_ns}"
            for name, (size, mtime_ns, inode, ctime_ns) in zip(names, stamps)
        ]
    return files, problems


# A listed row must have these types (years 1 to 9999 in UTC: a datetime can show them); one that has
# others was damaged (or not written by the index).
_LISTABLE = (
    "(typeof(path) = 'text' AND typeof(title) = 'text' AND typeof(provider_name) = 'text' "
    "AND typeof(url) = 'text' AND typeof(story) = 'text' AND (timestamp IS NULL OR (typeof(timestamp) IN ('integer', 'real') "
    f"AND timestamp >= {EARLIEST_TIMESTAMP!r} AND timestamp < {LATEST_TIMESTAMP + 1!r})))"
)
# Every file under the roots with its size and mtime, in one string made by SQLite (without the GIL):
# fields separated by NUL, files by two, which no path holds.
_FILES = f"group_concat(path || char(0) || {' || char(0) || '.join(STAMP_COLUMNS.split(', '))}, char(0, 0))"
_CHUNK = 500


Line = tuple[str, float | None, str, str, str, str]
"""A listed record: path, timestamp, provider name, title, url, story id."""


@dataclass
class Listing:
    """The answer: matching records newest first, and the problems to report, in the plain way's order;
    `sources`: story id -> how many records under the folders it has (every record, matching or not)."""

    lines: list[Line]
    problems: list[Problem]
    sources: dict[str, int] = field(default_factory=dict)


@dataclass
class Stale:
    """No answer: the index is not up to date with the files (or missing, or of another version).
    `damaged`: indexed paths whose rows have columns of the wrong types."""

    why: str
    damaged: list[str] = field(default_factory=list)


def warm_listing(paths: list[str], query: object, location: str | None = None) -> Listing | Stale:
    """The records under `paths` matching `query` (a `query.Query`), when the index at `location` (the
    user's by default) is up to date with them; else why not."""
    location = index_location() if location is None else location
    terms = getattr(query, "terms", None)
    matches: Callable[[Summary], bool] | None = getattr(query, "matches", None)
    if not paths or terms is None or matches is None:
        return Stale("nothing to list")
    if not os.path.isfile(location):
        return Stale("no index yet")
    if os.path.islink(location):
        return Stale("the index is a symbolic link")  # not read: the index itself refuses it
    try:
        db = sqlite3.connect(
            f"file:{quote(location)}?mode=rw", uri=True, timeout=1.0, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as error:
        return Stale(f"the index cannot be opened ({error})")
    try:
        # The index is read in a thread while the files are examined here: SQLite works without the GIL.
        reading = _Reading(db, paths, terms)
        reader = threading.Thread(target=reading.run, name="reader-index", daemon=True)
        reader.start()
        try:
            files, scan_problems = files_as_stored(paths)
            files.sort()
            found = "\0\0".join(files)
            del files
        finally:
            reader.join()
        if reading.error is not None:
            raise reading.error
        if reading.stale is not None:
            return reading.stale
        if found != reading.files:
            return Stale("files changed")
        del found
        lines = reading.lines
        if reading.by_story:
            lines = [line for line in lines if _story_matches(reading.by_story, line)]
        damaged = []
        for row in reading.unsure:
            try:
                summary = summary_from_row(row)
                if matches(summary):
                    lines.append((summary.path, summary.timestamp, summary.provider_name, summary.title, summary.url,
                                  summary.story))
            except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError):
                damaged.append(row[0])  # columns of the wrong types
        if damaged:
            return Stale("damaged index entries", damaged)
        lines.sort(key=_PATH)
        lines.sort(key=_newest)
        return Listing(lines, [*scan_problems, *reading.problems], reading.sources)
    except (sqlite3.Error, TypeError, ValueError, OverflowError, AttributeError, KeyError) as error:
        return Stale(f"the index cannot be read ({error})")
    finally:
        try:
            db.close()
        except sqlite3.Error:
            pass


class _Reading:
    """What the index holds under the roots, read in one transaction (in a thread)."""

    def __init__(self, db: sqlite3.Connection, paths: list[str], terms: Iterable[object]) -> None:
        self.db = db
        self.paths = paths
        self.terms = terms
        self.error: BaseException | None = None
        self.stale: Stale | None = None
        self.files = ""
        """Every indexed file under the roots: path and stamp, sorted by path, NUL-separated."""
        self.lines: list[Line] = []
        """The rows SQL found to match."""
        self.unsure: list[tuple] = []  # type: ignore[type-arg]
        """The rows SQL could not decide, as `STORED_COLUMNS`."""
        self.problems: list[Problem] = []
        self.by_story: list[object] = []
        self.sources: dict[str, int] = {}
        """Story id -> records under the roots."""

    def run(self) -> None:
        """Read, keeping an error to raise in the caller's thread."""
        try:
            self.db.execute("BEGIN")  # one snapshot, whatever other copies of the reader write meanwhile
            try:
                self._read()
            finally:
                self.db.execute("COMMIT")
        except BaseException as error:  # raised again in the caller's thread
            self.error = error

    def _read(self) -> None:
        db = self.db
        version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            self.stale = Stale("the index is of another version")
            return
        if pending(db):
            self.stale = Stale("the stories are not grouped yet")
            return
        where, params = under_roots([os.path.abspath(path) for path in self.paths])
        # When the roots hold most of the index, reading the whole table in order is cheaper than finding
        # each row from the path index (~65 ms less at 100,000 files; counting costs ~20 ms).
        total, inside = row_counts(db, where, params)
        scan = "NOT INDEXED " if holds_most(total, inside) else ""
        files, problems = db.execute(
            f"SELECT {_FILES}, count(problem) + count(note) FROM files {scan}WHERE {where}", params
        ).fetchone()
        files = files.split("\0\0") if files else []
        if len(files) != inside:  # a row that cannot be written so (a NULL, a path with NULs): not ours
            self.stale = Stale("the index holds rows it does not write")
            return
        files.sort()
        self.files = "\0\0".join(files)
        ascii_lower = db.execute("SELECT lower('\u212aA\u00c0')").fetchone()[0] == "\u212aa\u00c0"
        sql = narrowing(self.terms, ascii_lower)
        self.by_story = sql.by_story
        check = " OR ".join(dict.fromkeys(sql.checks)) or "0"
        conditions = "".join(f" AND {condition}" for condition in sql.where)
        selected = f"FROM files {scan}WHERE ({where}) AND problem IS NULL{conditions}"
        arguments = [*params, *sql.params]
        unsure: list[int] = []
        damaged: list[str] = []
        lines = self.lines
        for row_id, path, timestamp, name, title, url, story, needs_check, listable in db.execute(
            f"SELECT id, path, timestamp, provider_name, title, url, story, {check}, {_LISTABLE} {selected}", arguments
        ):
            if not listable:
                damaged.append(path)
            elif needs_check:
                unsure.append(row_id)
            else:
                lines.append((path, timestamp, name, title, url, story))
        if damaged:
            self.stale = Stale("damaged index entries", damaged)
            return
        self.sources = dict(db.execute(
            f"SELECT story, count(*) FROM files {scan}WHERE ({where}) AND problem IS NULL GROUP BY story", params
        ).fetchall())
        for start in range(0, len(unsure), _CHUNK):
            chunk = unsure[start : start + _CHUNK]
            self.unsure += db.execute(
                f"SELECT {STORED_COLUMNS} FROM files WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
        if problems:
            self.problems = _problems(db, where, params)
            damaged = [problem.path for problem in self.problems if not isinstance(problem.reason, str)]
            if damaged:
                self.stale = Stale("damaged index entries", damaged)


class _Story:
    """What a reading-state term looks at: the story's URL and path (see `state.summary_id`)."""

    __slots__ = ("url", "path")

    def __init__(self, url: str, path: str) -> None:
        self.url = url
        self.path = path


def _story_matches(terms: list[object], line: Line) -> bool:
    """Whether a line passes the reading-state terms (an unexpected term raises, and the caller gives up)."""
    story = _Story(line[4], line[0])
    for term in terms:
        if term.test(story) == term.negated:  # type: ignore[attr-defined]
            return False
    return True


_PATH = operator.itemgetter(0)
_NEG_INF = float("-inf")


def _newest(line: Line) -> float:
    timestamp = line[1]
    return -(timestamp if timestamp is not None else _NEG_INF)


def _problems(db: sqlite3.Connection, where: str, params: list[str]) -> list[Problem]:
    """The files indexed as problems and the notes of records, in the order `Index.entries` gives
    them, which is the order the plain way reports them in."""
    rows = newest_first(db, "path, coalesce(problem, note)", where, params, "(problem IS NOT NULL OR note IS NOT NULL)")
    return [Problem(path, problem) for path, problem in rows]
