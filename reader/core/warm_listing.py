"""`reader --list` from a warm index: the matching records straight from SQLite, without loading them all.

The plain way to list (load every record into a `Library`, then filter) reads every row of the index and
makes a summary of each. When the index already holds every file under the given folders as it is on
disk, this module answers instead:

1. every record file is examined (size and modification time), exactly as `loader.walk` does, and the
   result is compared with the index: one file new, changed, removed or unindexable, and it gives up
   (the caller then lists the plain way, which parses and stores what changed);
2. the query's terms are turned into SQL that never rejects a row the term could match (numbers, dates,
   flags exactly; text terms exactly for ASCII text, and rows whose text is not all ASCII are kept and
   marked for checking);
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
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

import platformdirs

from . import index as index_module
from .record import Problem, Summary

RECORD_SUFFIXES = (".md", ".txt", ".yaml", ".yml")
"""The file names a walk takes (`frontmatter.RECORD_SUFFIXES`, which imports PyYAML; a test keeps
them equal)."""

Stats = dict[str, tuple[int, int]]


def index_location() -> str:
    """Where the on-disk index lives (`library.index_location`, without importing the loader)."""
    return os.path.join(platformdirs.user_cache_dir("reader", appauthor=False), "index.sqlite3")


# ---------------------------------------------------------------------------------------------------------
# the walk: what `loader.walk` finds, made cheaply


def walk(paths: Iterable[str]) -> tuple[Stats, list[Problem]]:
    """{path: (size, mtime_ns)} for every record file under the given files and folders, and the paths
    that could not be read: what `loader.scan` gives (a test compares them on hostile trees)."""
    files, problems = walk_files(paths)
    found: Stats = {}
    for file in files:
        path, size, mtime_ns = file.split("\0")
        found[path] = (int(size), int(mtime_ns))
    return found, problems


def walk_files(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """`walk`, each file as one string: its path, size and mtime_ns separated by NUL (which no path
    holds), as SQLite writes them for the comparison with the index. Unordered."""
    files: list[str] = []
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()
    given = [os.path.abspath(path) for path in paths]
    for path in given:
        if os.path.isdir(path):
            _walk(path, files, problems, seen_dirs)
        elif os.path.lexists(path):
            size, mtime_ns = _stat(path)
            files.append(f"{path}\0{size}\0{mtime_ns}")
        else:
            problems.append(Problem(path, "no such file or folder"))
    if len(given) > 1:  # a file found twice (a folder and a file in it given): the first finding counts
        files = list({file.partition("\0")[0]: file for file in reversed(files)}.values())
    return files, problems


def _stat(path: str) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1)
    return (info.st_size if stat.S_ISREG(info.st_mode) else -1, info.st_mtime_ns)


_BY_DESCRIPTOR = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def _walk(top: str, files: list[str], problems: list[Problem], seen_dirs: set[tuple[int, int]]) -> None:
    """Depth first, folders in the order `loader._walk` takes them (a folder reached twice through
    symbolic links is read under the path it is first reached by, so the order matters)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen_dirs:
                continue
            seen_dirs.add((info.st_dev, info.st_ino))
            folders = _folder(folder, files)
        except OSError as error:
            problems.append(Problem(folder, error.strerror or "cannot read folder"))
            continue
        stack += folders


def _folder(folder: str, files: list[str]) -> list[str]:
    """Add the record files of one folder to `files`; its subfolders, in name order."""
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    found: list[str] = []
    if not _BY_DESCRIPTOR:
        with os.scandir(folder) as scanner:
            folders = _entries(scanner, prefix, None, found)
    else:
        descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
        try:
            with os.scandir(descriptor) as scanner:
                folders = _entries(scanner, prefix, descriptor, found)
        finally:
            os.close(descriptor)
    files += found  # only once the whole folder was read, as the loader takes a folder whole or not at all
    return folders


def _entries(scanner: Iterator[os.DirEntry[str]], prefix: str, descriptor: int | None, files: list[str]) -> list[str]:
    """What `loader._entries` finds, with one system call a record file: a record file's name is examined
    at once (that tells a folder named like one, as `is_dir` would), other names by `is_dir` alone."""
    folders = []
    is_regular, is_folder = stat.S_ISREG, stat.S_ISDIR
    examine = os.stat
    suffixes = RECORD_SUFFIXES
    for entry in scanner:
        name = entry.name
        if name.startswith("."):
            continue
        if name.endswith(suffixes) or name.lower().endswith(suffixes):
            try:
                info = examine(name, dir_fd=descriptor) if descriptor is not None else entry.stat()
            except OSError:
                files.append(f"{prefix}{name}\0-1\0-1")  # parsing it gives the reason (a broken link, a loop)
                continue
            mode = info.st_mode
            if is_folder(mode):
                folders.append(name)
            else:
                files.append(f"{prefix}{name}\0{info.st_size if is_regular(mode) else -1}\0{info.st_mtime_ns}")
            continue
        try:
            if entry.is_dir():
                folders.append(name)
        except OSError:
            pass
    folders.sort()
    return [prefix + name for name in folders]


# ---------------------------------------------------------------------------------------------------------
# the query as SQL that narrows


_TOPIC_SEPARATOR: str = getattr(index_module, "_TOPIC_SEPARATOR", "\x1f")


def _not_ascii(column: str) -> str:
    """SQL true when the text holds a character that is not ASCII (or a NUL): its length in characters
    and in bytes differ."""
    return f"(length({column}) != length(CAST({column} AS BLOB)))"


@dataclass
class _Sql:
    """What a query's terms give: conditions every match meets, and when a row must be checked."""

    where: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    """SQL for "this row must be tested in Python"; "1" for every row."""
    by_story: list[object] = field(default_factory=list)
    """Terms on the reading state, tested in Python on every row, with the story's URL and path alone."""

    def keep(self, condition: str, *params: object) -> None:
        self.where.append(condition)
        self.params.extend(params)


_NUMBERS = ("integer", "real")
_OPERATORS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "="}
_FLAG_BITS = {"image": 1, "related": 2, "body": 4, "url": 8}


def _narrowing(terms: Iterable[object], ascii_lower: bool) -> _Sql:
    """SQL for the terms: for each, a condition no row it could match fails, and which rows SQL cannot
    decide for it. `ascii_lower`: SQLite's lower() changes only ASCII letters (no ICU), as assumed for
    text terms; otherwise text terms are all left to Python."""
    sql = _Sql()
    for term in terms:
        kind, value, negated = getattr(term, "kind", None), getattr(term, "value", None), getattr(term, "negated", False)
        try:
            if _exact(sql, kind, value, negated):
                continue
            if ascii_lower and _textual(sql, kind, value, negated):
                continue
        except (TypeError, ValueError):
            pass
        if kind == "state":
            sql.by_story.append(term)
            continue
        sql.checks.append("1")  # anything else (a kind this module does not know): Python decides
    return sql


def _exact(sql: _Sql, kind: object, value: object, negated: bool) -> bool:
    """Terms SQL decides exactly: numbers, dates, published, has:."""
    sign = "NOT " if negated else ""
    if kind in ("quality", "heat"):
        op, limit = value  # type: ignore[misc]
        if op not in _OPERATORS or not isinstance(limit, float):
            return False
        sql.keep(f"{sign}(typeof({kind}) IN {_NUMBERS} AND {kind} {_OPERATORS[op]} ?)", limit)
        return True
    if kind in ("from", "until"):
        if not isinstance(value, float):
            return False
        op = ">=" if kind == "from" else "<"
        sql.keep(f"{sign}(typeof(timestamp) IN {_NUMBERS} AND timestamp {op} ?)", value)
        return True
    if kind == "on":
        low, high = value  # type: ignore[misc]
        if not (isinstance(low, float) and isinstance(high, float)):
            return False
        sql.keep(f"{sign}(typeof(timestamp) IN {_NUMBERS} AND timestamp >= ? AND timestamp < ?)", low, high)
        return True
    if kind == "is" and isinstance(value, bool):
        sql.keep(f"{sign}(coalesce(published = 1, 0) = ?)", int(value))
        return True
    if kind == "has" and value in _FLAG_BITS:
        sql.keep(f"{sign}((flags & ?) != 0)", _FLAG_BITS[value])  # type: ignore[index]
        return True
    return False


def _textual(sql: _Sql, kind: object, value: object, negated: bool) -> bool:
    """Text terms: SQL is sure of them for rows whose text is ASCII (casefold is then lower()) and
    when it finds the value itself; the other rows are kept and checked."""
    if not isinstance(value, str) or not value or not value.isprintable():
        return False
    ascii_value = value.isascii()
    if kind in ("text", "title", "provider"):
        column = {
            "text": "title", "title": "title", "provider": "(provider_name || char(10) || provider_domain)",
        }[kind]
        sure: list[str] = []
        params: list[object] = []
        if kind == "text":  # the rest of the text is kept casefolded: a byte search there is exact
            sure.append("instr(text_cf, ?) > 0")
            params.append(value.encode("utf-8", "replace"))
        if ascii_value:
            sure.append(f"instr(lower({column}), ?) > 0")
            params.append(value)
    elif kind in ("topic", "type", "category"):
        column = "coalesce(topics, '')" if kind == "topic" else kind
        sure, params = [], []
        if ascii_value:
            if kind == "topic":
                if _TOPIC_SEPARATOR in value:
                    return False
                sure.append(f"instr(? || lower({column}) || ?, ?) > 0")
                params += [_TOPIC_SEPARATOR, _TOPIC_SEPARATOR, _TOPIC_SEPARATOR + value + _TOPIC_SEPARATOR]
            else:
                sure.append(f"lower({column}) = ?")
                params.append(value)
    else:
        return False
    unsure = _not_ascii(column)
    certain = " OR ".join(sure)
    if negated:
        if sure:
            sql.keep(f"NOT ({certain})", *params)
    else:
        sql.keep(f"({certain} OR {unsure})" if sure else unsure, *params)
    sql.checks.append(unsure)
    return True


# ---------------------------------------------------------------------------------------------------------
# the listing


# The columns of a row that make its summary, in `Summary` order after the path.
_SUMMARY_COLUMNS = (
    "title, timestamp, provider_name, provider_domain, topics, type, category, quality, heat, published, flags, "
    "url, text_cf"
)
# A listed row must have these types (years 1 to 9999: a datetime can show them); one that has others was
# damaged (or not written by the index).
_LISTABLE = (
    "(typeof(path) = 'text' AND typeof(title) = 'text' AND typeof(provider_name) = 'text' "
    "AND typeof(url) = 'text' AND (timestamp IS NULL OR (typeof(timestamp) IN ('integer', 'real') "
    "AND timestamp BETWEEN -62135596800 AND 253402300799)))"
)
# Every file under the roots with its size and mtime, in one string made by SQLite (without the GIL):
# fields separated by NUL, files by two, which no path holds.
_FILES = "group_concat(path || char(0) || size || char(0) || mtime_ns, char(0, 0))"
_CHUNK = 500


Line = tuple[str, float | None, str, str, str]
"""A listed record: path, timestamp, provider name, title, url."""


@dataclass
class Listing:
    """The answer: matching records newest first, and the problems to report, in the plain way's order."""

    lines: list[Line]
    problems: list[Problem]


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
            files, scan_problems = walk_files(paths)
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
                summary = summary_of_row(row)
                if matches(summary):
                    lines.append((summary.path, summary.timestamp, summary.provider_name, summary.title, summary.url))
            except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError):
                damaged.append(row[0])  # columns of the wrong types
        if damaged:
            return Stale("damaged index entries", damaged)
        lines.sort(key=_PATH)
        lines.sort(key=_newest)
        return Listing(lines, [*scan_problems, *reading.problems])
    except (sqlite3.Error, TypeError, ValueError, OverflowError, AttributeError, KeyError) as error:
        return Stale(f"the index cannot be read ({error})")
    finally:
        try:
            db.close()
        except sqlite3.Error:
            pass


def _roots(paths: list[str]) -> tuple[str, list[str]]:
    """SQL for "under one of these paths", as `Index.entries` writes it."""
    clauses, params = [], []
    for root in dict.fromkeys(os.path.abspath(path) for path in paths):
        clauses.append("(path = ? OR (path > ? AND path < ?))")
        prefix = root.rstrip(os.sep) + os.sep
        params += [root, prefix, prefix[:-1] + chr(ord(os.sep) + 1)]
    return " OR ".join(clauses), params


class _Reading:
    """What the index holds under the roots, read in one transaction (in a thread)."""

    def __init__(self, db: sqlite3.Connection, paths: list[str], terms: Iterable[object]) -> None:
        self.db = db
        self.paths = paths
        self.terms = terms
        self.error: BaseException | None = None
        self.stale: Stale | None = None
        self.files = ""
        """Every indexed file under the roots: path, size and mtime_ns, sorted by path, NUL-separated."""
        self.lines: list[Line] = []
        """The rows SQL found to match."""
        self.unsure: list[tuple] = []  # type: ignore[type-arg]
        """The rows SQL could not decide: path, then `_SUMMARY_COLUMNS`."""
        self.problems: list[Problem] = []
        self.by_story: list[object] = []

    def run(self) -> None:
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
        if version is None or version[0] != index_module.SCHEMA_VERSION:
            self.stale = Stale("the index is of another version")
            return
        where, params = _roots(self.paths)
        # When the roots hold most of the index, reading the whole table in order is cheaper than finding
        # each row from the path index (~65 ms less at 100,000 files; counting costs ~20 ms).
        (total,) = db.execute("SELECT count(*) FROM files").fetchone()
        (inside,) = db.execute(f"SELECT count(*) FROM files WHERE {where}", params).fetchone()
        scan = "NOT INDEXED " if inside * 2 >= total else ""
        files, problems = db.execute(f"SELECT {_FILES}, count(problem) FROM files {scan}WHERE {where}", params).fetchone()
        files = files.split("\0\0") if files else []
        if len(files) != inside:  # a row that cannot be written so (a NULL, a path with NULs): not ours
            self.stale = Stale("the index holds rows it does not write")
            return
        files.sort()
        self.files = "\0\0".join(files)
        ascii_lower = db.execute("SELECT lower('\u212aA\u00c0')").fetchone()[0] == "\u212aa\u00c0"
        sql = _narrowing(self.terms, ascii_lower)
        self.by_story = sql.by_story
        check = " OR ".join(dict.fromkeys(sql.checks)) or "0"
        conditions = "".join(f" AND {condition}" for condition in sql.where)
        selected = f"FROM files {scan}WHERE ({where}) AND problem IS NULL{conditions}"
        arguments = [*params, *sql.params]
        unsure: list[int] = []
        damaged: list[str] = []
        lines = self.lines
        for row_id, path, timestamp, name, title, url, needs_check, listable in db.execute(
            f"SELECT id, path, timestamp, provider_name, title, url, {check}, {_LISTABLE} {selected}", arguments
        ):
            if not listable:
                damaged.append(path)
            elif needs_check:
                unsure.append(row_id)
            else:
                lines.append((path, timestamp, name, title, url))
        if damaged:
            self.stale = Stale("damaged index entries", damaged)
            return
        for start in range(0, len(unsure), _CHUNK):
            chunk = unsure[start : start + _CHUNK]
            self.unsure += db.execute(
                f"SELECT path, {_SUMMARY_COLUMNS} FROM files WHERE id IN ({','.join('?' * len(chunk))})", chunk
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
    """The files indexed as problems, in the order `Index.entries` gives them (newest first, by the time
    index when the roots hold most of the index), which is the order the plain way reports them in."""
    (total,) = db.execute("SELECT count(*) FROM files").fetchone()
    (inside,) = db.execute(f"SELECT count(*) FROM files WHERE {where}", params).fetchone()
    by_time = "INDEXED BY files_by_time " if inside * 2 >= total else ""
    return [
        Problem(path, problem)
        for path, problem in db.execute(
            f"SELECT path, problem FROM files {by_time}WHERE ({where}) AND problem IS NOT NULL "
            "ORDER BY timestamp DESC",
            params,
        )
    ]


def summary_of_row(row: tuple) -> Summary:  # type: ignore[type-arg]
    """The summary of a stored row (path, then `_SUMMARY_COLUMNS`), as the index makes it."""
    (path, title, timestamp, name, domain, topics, kind, category, quality, heat, published, flags, url,
     text_cf) = row
    return Summary.build(
        path=path, title=title, timestamp=timestamp, provider_name=name, provider_domain=domain,
        topics=tuple(topics.split(_TOPIC_SEPARATOR)) if topics else (), type=kind, category=category,
        quality=quality, heat=heat, published=published == 1, has_image=bool(flags & 1),
        has_related=bool(flags & 2), has_body=bool(flags & 4), has_url=bool(flags & 8), url=url, text_cf=text_cf,
    )


def published_at(timestamp: float | None) -> datetime | None:
    """A line's publication time in UTC, as `Summary.published_at` gives it."""
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
