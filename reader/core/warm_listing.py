"""`reader --list` from a warm index: the matching records straight from SQLite, without loading them all.

The plain way to list (load every record into a `Library`, then filter) reads every row of the index and
makes a summary of each. When the index already holds every file under the given folders as it is on
disk, this module answers instead:

1. every record file is examined by the one walk (`record_files`), and what it finds is compared with
   the index: one file new, changed, removed or unindexable, and it gives up (the caller then lists the
   plain way, which parses and stores what changed);
2. the query's terms are turned into SQL (`query_sql`): exact for every kind of term it knows (text
   terms too: a SQL function casefolds text that is not ASCII as Python does), and for the rest it
   never rejects a row the term could match; the rows it cannot decide are made into summaries and
   tested with the query itself, so the answer is the query's own;
3. the matching rows are kept in a temporary table of the connection's (ids and story ids), their
   stories' sizes counted, and the lines read in order by one query, sorted by SQLite, as they are
   printed: nothing is made per record in Python but the lines printed, and a listing of every one of a
   million records holds a few thousand lines at a time.

Anything unexpected (no index yet, another schema version, a database error, a row whose columns have
the wrong types) makes it give up too; it never writes to the index. The core: no Textual, and none of
the parsing modules (PyYAML), so that a listing imports little.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from .index_schema import (
    PATH_ESCAPE,
    SCHEMA_VERSION,
    STAMP_COLUMNS,
    STORED_COLUMNS,
    holds_most,
    index_location,
    newest_first,
    pending,
    real_path,
    real_rows,
    row_counts,
    summary_from_row,
    under_roots,
)
from .query import with_sizes
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


# A listed row must have these types (years 1 to 9999 in UTC: a datetime can show them), the types
# `summary_from_row` and the query's tests take; one that has others was damaged (or not written by the
# index), and is read again the plain way. Checked on the rows that match (on every row of a million it
# costs ~0.9 s of CPU, in the thread that reads the index while the files are walked).
_LISTABLE = (
    "(typeof(path) = 'text' AND typeof(title) = 'text' AND typeof(provider_name) = 'text' "
    "AND typeof(provider_domain) = 'text' AND typeof(type) = 'text' AND typeof(category) = 'text' "
    "AND (topics IS NULL OR typeof(topics) = 'text') AND typeof(flags) = 'integer' AND typeof(text_cf) = 'blob' "
    "AND (quality IS NULL OR typeof(quality) IN ('integer', 'real')) "
    "AND (heat IS NULL OR typeof(heat) IN ('integer', 'real')) "
    "AND typeof(url) = 'text' AND typeof(story) = 'text' AND (timestamp IS NULL OR (typeof(timestamp) IN ('integer', 'real') "
    f"AND timestamp >= {EARLIEST_TIMESTAMP!r} AND timestamp < {LATEST_TIMESTAMP + 1!r})))"
)
# Every file under the roots with its size and mtime, in one string made by SQLite (without the GIL):
# fields separated by NUL, files by two, which no path holds.
_FILES = f"group_concat(path || char(0) || {' || char(0) || '.join(STAMP_COLUMNS.split(', '))}, char(0, 0))"
_CASEFOLD = "reader_casefold"
"""The SQL function that casefolds text as `str.casefold` does (text terms on text that is not ASCII)."""
# The records that match, in a table of the connection's own (never in the index): each with its story,
# and whether SQL found it to match (0), it must be tested in Python (1; 0 once it passes), or it is
# damaged (2).
_KEPT = "CREATE TEMP TABLE kept (id INTEGER PRIMARY KEY, grp TEXT, how INTEGER NOT NULL)"
# How many records under the roots each story of a matching record has (matching or not): a second scan
# of the files table, which costs less than keeping every record's story in the first (~0.25 s of CPU
# less at a million records for a rare word, about the same for every record).
_SIZES = (
    "CREATE TEMP TABLE sizes (grp TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
    "INSERT INTO temp.sizes SELECT story, count(*) FROM files {scan}WHERE ({where}) AND problem IS NULL "
    "AND story != ''{of_kept} GROUP BY story",
)
_OF_KEPT = " AND story IN (SELECT grp FROM temp.kept WHERE how = 0)"
"""The stories counted, when the matches are few (when many, every story is: a lookup a row costs more)."""
_STORY_SIZE = "(SELECT n FROM temp.sizes WHERE grp = files.story)"
"""The size of a row's story, for sources: terms (the sizes of every story are then counted first; NULL
for a record without a story, which is a story of one)."""
# The rows listed, newest first, no date last (SQLite orders NULL last when descending), a time's rows by
# path: `sort_summaries(..., "newest")` (UTF-8 in byte order is text in code point order, as Python
# compares it). Few are sorted whole; many are read along the time index, sorting only a time's rows.
_LISTED = (
    "SELECT f.path, f.timestamp, f.provider_name, f.title, f.url, f.story, coalesce(s.n, 1) FROM {rows} "
    "LEFT JOIN temp.sizes s ON s.grp = f.story WHERE k.how = 0 ORDER BY f.timestamp DESC, f.path"
)
_FEW = "temp.kept k CROSS JOIN files f ON f.id = k.id"
_MANY = "files f INDEXED BY files_by_time CROSS JOIN temp.kept k ON k.id = f.id"
_BATCH = 4096
"""Rows read from the listing query at a time."""


Line = tuple[str, float | None, str, str, str, str, int]
"""A listed record: path, timestamp, provider name, title, url, story id, and how many records under
the folders its story has (every record, matching or not; 1 without a story)."""


class Listing:
    """The answer: matching records newest first (`lines`, read from the index as they are taken, once),
    and the problems to report, in the plain way's order. Close it (or take every line) to let the
    index go."""

    def __init__(
        self, db: sqlite3.Connection, by_story: list[object], problems: list[Problem], many: bool,
        escaped: bool = False,
    ) -> None:
        self.problems = problems
        self._db: sqlite3.Connection | None = db
        sql = _LISTED.format(rows=_MANY if many else _FEW)
        self.lines: Iterator[Line] = self._lines(db, by_story, sql, escaped)

    def _lines(
        self, db: sqlite3.Connection, by_story: list[object], sql: str, escaped: bool
    ) -> Iterator[Line]:
        """The lines, their paths as they are on disk when some are stored `escaped` (`real_path`)."""
        try:
            cursor = db.execute(sql)
            while rows := cursor.fetchmany(_BATCH):
                if escaped:
                    rows = real_rows(rows)
                if by_story:
                    rows = [row for row in rows if _story_matches(by_story, row)]
                yield from rows
        finally:
            self.close()

    def close(self) -> None:
        """End the reading (its transaction and the connection)."""
        db, self._db = self._db, None
        if db is not None:
            _close(db)

    def __enter__(self) -> Listing:
        return self

    def __exit__(self, *_: object) -> None:
        self.lines.close()  # type: ignore[attr-defined]
        self.close()


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
    sized = bool(getattr(query, "uses_sources", False))
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
        db.create_function(_CASEFOLD, 1, _casefold, deterministic=True)
    except sqlite3.Error as error:
        return Stale(f"the index cannot be opened ({error})")
    answer: Listing | Stale | None = None
    try:
        # The index is read in a thread while the files are examined here: SQLite works without the GIL.
        reading = _Reading(db, paths, terms, query if sized else None, matches)
        reader = threading.Thread(target=reading.run, name="reader-index", daemon=True)
        reader.start()
        try:
            files, scan_problems = files_as_stored(paths)
        finally:
            reader.join()
        if reading.error is not None:
            raise reading.error
        if reading.stale is not None:
            answer = reading.stale
        elif len(files) != len(reading.files) or not reading.files.issuperset(files):
            answer = Stale("files changed")
        else:
            problems = [*scan_problems, *reading.problems]
            answer = Listing(db, reading.by_story, problems, reading.many, reading.escaped)
        return answer
    except (sqlite3.Error, TypeError, ValueError, OverflowError, AttributeError, KeyError) as error:
        answer = Stale(f"the index cannot be read ({error})")
        return answer
    finally:
        if not isinstance(answer, Listing):
            _close(db)


def _close(db: sqlite3.Connection) -> None:
    try:
        if db.in_transaction:
            db.execute("COMMIT")
    except sqlite3.Error:
        pass
    try:
        db.close()
    except sqlite3.Error:
        pass


def _casefold(text: object) -> object:
    return text.casefold() if isinstance(text, str) else None


class _Reading:
    """What the index holds under the roots, read in one transaction (in a thread), which stays open
    for the listing to read its rows from."""

    def __init__(
        self, db: sqlite3.Connection, paths: list[str], terms: Iterable[object], sized: object,
        matches: Callable[[Summary], bool],
    ) -> None:
        self.db = db
        self.paths = paths
        self.terms = terms
        self.sized = sized
        """The query when it has sources: terms (they ask the sizes of the stories), else None."""
        self.matches = matches
        self.error: BaseException | None = None
        self.stale: Stale | None = None
        self.files: set[str] = set()
        """Every indexed file under the roots: its path and stamp, NUL-separated."""
        self.problems: list[Problem] = []
        self.by_story: list[object] = []
        self.many = False
        """Whether the matches are many among the rows of the index (then read along the time index)."""
        self.escaped = False
        """Whether some paths under the roots are stored escaped (`index_schema.stored_path`)."""

    def run(self) -> None:
        """Read, keeping an error to raise in the caller's thread."""
        try:
            self.db.execute("BEGIN")  # one snapshot, whatever other copies of the reader write meanwhile
            self._read()
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
        # (Nothing to search when every path is ASCII: a string holds no character wider than its widest.)
        self.escaped = files is not None and PATH_ESCAPE in files
        self.files = set((real_path(files) if self.escaped else files).split("\0\0")) if files else set()
        del files
        if len(self.files) != inside:  # a row that cannot be written so (a NULL, a path with NULs): not ours
            self.stale = Stale("the index holds rows it does not write")
            return
        ascii_lower = db.execute("SELECT lower('\u212aA\u00c0')").fetchone()[0] == "\u212aa\u00c0"
        create, count = _SIZES
        if self.sized is not None:  # sources: terms: every story's size, before the matches are known
            db.execute("DROP TABLE IF EXISTS temp.sizes")
            db.execute(create)
            db.execute(count.format(scan=scan, where=where, of_kept=""), params)
        sql = narrowing(self.terms, ascii_lower, _CASEFOLD, _STORY_SIZE if self.sized is not None else None)
        self.by_story = sql.by_story
        check = " OR ".join(dict.fromkeys(sql.checks)) or "0"
        conditions = " AND ".join(f"({condition})" for condition in sql.where) or "1"
        db.execute("DROP TABLE IF EXISTS temp.kept")
        db.execute(_KEPT)
        # Rows whose terms give NULL (columns of the wrong types) are kept, and so checked.
        db.execute(
            f"INSERT INTO temp.kept SELECT id, story, CASE WHEN NOT {_LISTABLE} THEN 2 WHEN {check} THEN 1 ELSE 0 END "
            f"FROM files {scan}WHERE ({where}) AND problem IS NULL AND coalesce({conditions}, 1)",
            [*params, *sql.params],
        )
        damaged = [real_path(path) for (path,) in db.execute(
            "SELECT path FROM files WHERE id IN (SELECT id FROM temp.kept WHERE how = 2)"
        )]
        if damaged:
            self.stale = Stale("damaged index entries", damaged)
            return
        if not self._check(db):
            return
        (matching,) = db.execute("SELECT count(*) FROM temp.kept WHERE how = 0").fetchone()
        self.many = matching * 4 >= total
        if self.sized is None:
            db.execute("DROP TABLE IF EXISTS temp.sizes")
            db.execute(create)
            db.execute(count.format(scan=scan, where=where, of_kept="" if self.many else _OF_KEPT), params)
        if problems:
            self.problems = _problems(db, where, params)
            damaged = [problem.path for problem in self.problems if not isinstance(problem.reason, str)]
            if damaged:
                self.stale = Stale("damaged index entries", damaged)

    def _check(self, db: sqlite3.Connection) -> bool:
        """Test the rows SQL could not decide with the query itself: those that match are kept (0), the others
        left out (1). False (and `stale`) when one of them is damaged."""
        matches, kept, damaged, sized = self.matches, [], [], self.sized
        cursor = db.execute(f"SELECT {STORED_COLUMNS}, id FROM files WHERE id IN (SELECT id FROM temp.kept WHERE how = 1)")
        while rows := cursor.fetchmany(_BATCH):
            if sized is not None:  # sources: terms in groups: the sizes of the stories of several records
                several = dict(db.execute("SELECT grp, n FROM temp.sizes WHERE n > 1"))
                size = lambda s: several.get(s.story, 1)  # noqa: E731
                sized, matches = None, with_sizes(sized, size).matches  # type: ignore[arg-type]
            for row in rows:
                try:
                    if matches(summary_from_row(row[:-1])):
                        kept.append((row[-1],))
                except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError):
                    damaged.append(row[0])  # columns of the wrong types
        if damaged:
            self.stale = Stale("damaged index entries", damaged)
            return False
        db.executemany("UPDATE temp.kept SET how = 0 WHERE id = ?", kept)
        return True


class _Story:
    """What a reading-state term looks at: the story's URL and path (see `state.summary_id`)."""

    __slots__ = ("url", "path")

    def __init__(self, url: str, path: str) -> None:
        self.url = url
        self.path = path


def _story_matches(terms: list[object], line: tuple) -> bool:  # type: ignore[type-arg]
    """Whether a line passes the reading-state terms (an unexpected term raises, and the caller gives up)."""
    story = _Story(line[4], line[0])
    for term in terms:
        if term.test(story) == term.negated:  # type: ignore[attr-defined]
            return False
    return True


def _problems(db: sqlite3.Connection, where: str, params: list[str]) -> list[Problem]:
    """The files indexed as problems and the notes of records, in the order `Index.entries` gives
    them, which is the order the plain way reports them in."""
    rows = newest_first(db, "path, coalesce(problem, note)", where, params, "(problem IS NOT NULL OR note IS NOT NULL)")
    return [Problem(real_path(path), problem) for path, problem in rows]
