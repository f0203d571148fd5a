"""The exported reading state: a JSON file to move stories' marks and saved filters between machines.

Written compactly, one line per story, and atomically (a temporary file beside the target replaces it
when complete); read a piece at a time (`reader.core.json_stream`), so any export imports again in
bounded memory whatever its size. Reading treats the file as hostile: anything malformed raises
`StateFileError` with a one-line message.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO

from .filter_names import clean_filter_text, imitated_view
from .identity import MAX_ID_CHARS, valid_text
from .json_stream import JSONStream, JSONStreamError
from .state_db import one_line
from .text import safe_text

EXPORT_FORMAT = "reader-state"
EXPORT_VERSION = 1
MAX_FILTER_CHARS = 1000
MAX_ENTRY_CHARS = 64 * 1024
"""The longest entry (a story or a saved filter, as JSON text) an imported file may hold: an id of
`MAX_ID_CHARS` written with \\u escapes fits, with room to spare."""

StoryState = tuple[float | None, bool, float]
"""(read_at, starred, updated) of one story in a file."""


class StateFileError(ValueError):
    """An exported state file that cannot be imported; the message is one user-facing line."""


def exportable(id: object, read_at: object, updated: object) -> bool:
    """Whether a row would pass the import's checks (a database damaged by hand might hold anything)."""
    return (
        isinstance(id, str) and id.strip() != "" and len(id) <= MAX_ID_CHARS and valid_text(id) == id
        and (read_at is None or _finite(read_at)) and _finite(updated)
    )


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def write_state_file(
    path: str, rows: Iterable[tuple[Any, ...]], filters: list[tuple[str, str]], exported: float
) -> int:
    """Write the story rows (id, read_at, starred, updated) that can be imported again and the saved
    filters to `path`, one compact line per story, as they come (`rows` may be a database cursor):
    atomically, through a temporary file beside it. The number of stories written; OSError when it
    cannot be written (`path` is then unchanged)."""
    when = datetime.fromtimestamp(exported, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported": when}
    written = 0

    def write(file: BinaryIO) -> None:
        nonlocal written
        file.write(_compact(head)[:-1].encode("utf-8") + b',"stories":[')
        for id, read_at, starred, updated in rows:
            if exportable(id, read_at, updated):
                entry = {"id": id, "read_at": read_at, "starred": bool(starred), "updated": updated}
                file.write((",\n" if written else "\n").encode("utf-8") + _compact(entry).encode("utf-8"))
                written += 1
        saved = [{"name": name, "query": query} for name, query in filters]
        file.write(b'\n],"saved_filters":' + _compact(saved).encode("utf-8") + b"}\n")

    _write_atomically(path, write)
    return written


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _write_atomically(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Write a temporary file next to `path` with `write`, then replace `path` with it."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


class StateFile:
    """An exported file opened for import (a regular file: never blocks on a FIFO). Read it with
    `check` first, then with `stories` and `saved_filters`: each reads the file again from its start
    (so memory stays that of one chunk and one entry), and nothing is taken from a file until all of
    it was found good. Times later than `now` are taken as `now` (a time from the future would win
    every later merge)."""

    def __init__(self, path: str, now: float) -> None:
        self.path = path
        self.now = now
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as error:
            raise StateFileError(f"{path}: cannot be read ({one_line(error.strerror or error)})") from error
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise StateFileError(f"{path}: not a regular file")
        self._file = os.fdopen(fd, "rb")

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> StateFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self) -> tuple[int, int]:
        """Read the whole file; StateFileError for the first thing wrong in it. (stories, filters)."""
        counts = [0, 0]
        for kind, _, _ in self._entries():
            counts[kind == "filter"] += 1
        return counts[0], counts[1]

    def stories(self) -> Iterator[tuple[str, StoryState]]:
        """(id, (read_at, starred, updated)) of each story, in the file's order (an id may come twice)."""
        for kind, id, story in self._entries():
            if kind == "story":
                yield id, story

    def saved_filters(self) -> Iterator[tuple[str, str]]:
        """(name, query) of each saved filter, cleaned, in the file's order (a name may come twice)."""
        for kind, name, query in self._entries():
            if kind == "filter":
                yield name, query

    def _entries(self) -> Iterator[tuple[str, str, Any]]:
        """("story", id, state) and ("filter", name, query) as the file gives them, each checked."""
        path = self.path
        self._file.seek(0)
        stream = JSONStream(self._file)
        seen: set[str] = set()
        try:
            start = stream.peek()
            if start != "{":
                if start and start in '["-0123456789tfn':
                    stream.value(MAX_ENTRY_CHARS)  # not JSON at all, or JSON that is not an object
                    raise StateFileError(f"{path}: not a reading state (not a JSON object)")
            for key in stream.members(MAX_ENTRY_CHARS):
                if key in seen:
                    raise StateFileError(f"{path}: {safe_text(key, limit=40)}: given twice")
                seen.add(key)
                if key in ("stories", "saved_filters"):
                    yield from self._list(stream, key)
                else:
                    _top(path, key, stream.value(MAX_ENTRY_CHARS))
        except JSONStreamError as error:
            raise StateFileError(f"{path}: {error}") from error
        if "format" not in seen:
            raise StateFileError(f'{path}: not a reading state (format is not "{EXPORT_FORMAT}")')
        if "version" not in seen:
            raise StateFileError(f"{path}: version: not a whole number")

    def _list(self, stream: JSONStream, key: str) -> Iterator[tuple[str, str, Any]]:
        if stream.peek() != "[":
            stream.value(MAX_ENTRY_CHARS)
            raise StateFileError(f"{key}: not a list")
        for n, entry in enumerate(stream.entries(MAX_ENTRY_CHARS)):
            where = f"{key}[{n}]"
            if not isinstance(entry, dict):
                raise StateFileError(f"{where}: not an object")
            if key == "stories":
                yield "story", *_story(entry, where, self.now)
            else:
                yield "filter", *_saved_filter(entry, where)


def _top(path: str, key: str, value: Any) -> None:
    """Check a top-level member other than the lists."""
    if key == "format" and value != EXPORT_FORMAT:
        raise StateFileError(f'{path}: not a reading state (format is not "{EXPORT_FORMAT}")')
    if key == "version":
        if type(value) is not int:
            raise StateFileError(f"{path}: version: not a whole number")
        if value != EXPORT_VERSION:
            raise StateFileError(f"{path}: version: {value} is not supported (expected {EXPORT_VERSION})")


def _story(entry: dict[str, Any], where: str, now: float) -> tuple[str, StoryState]:
    id = _text(entry, where, "id", MAX_ID_CHARS, empty=False)
    read_at = _number(entry, where, "read_at", optional=True)
    if "starred" not in entry:
        _missing(where, "starred")
    starred = entry["starred"]
    if not isinstance(starred, bool):
        raise StateFileError(f"{where}.starred: not true or false")
    updated = _number(entry, where, "updated", optional=False)
    assert updated is not None
    # A time from the future (`updated: 1e308`) would win every later merge: it is taken as now.
    return id, (None if read_at is None else min(read_at, now), starred, min(updated, now))


def _saved_filter(entry: dict[str, Any], where: str) -> tuple[str, str]:
    # Cleaned as record text is: a name or query from a file reaches the terminal in the topic pane.
    name = clean_filter_text(_text(entry, where, "name", MAX_FILTER_CHARS, empty=False))
    if not name.strip():
        raise StateFileError(f"{where}.name: empty")
    if (view := imitated_view(name)) is not None:
        raise StateFileError(f"{where}.name: {name.strip()!r} would look like the built-in view {view!r}")
    return name, clean_filter_text(_text(entry, where, "query", MAX_FILTER_CHARS, empty=True))


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
    if valid_text(value) != value:
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
