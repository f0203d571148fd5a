"""The exported reading state: a JSON file to move stories' marks and saved filters between machines.

Writing is atomic (a temporary file beside the target replaces it when complete). Reading treats the
file as hostile: anything malformed raises `StateFileError` with a one-line message.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from .filter_names import clean_filter_text, imitated_view
from .identity import MAX_ID_CHARS, valid_text
from .state_db import one_line

EXPORT_FORMAT = "reader-state"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""Larger files are refused by `read_state_file`."""
MAX_IMPORT_CONTAINERS = 2_000_000
"""At most this many `{` and `[` in an imported file (a 64 MiB export holds about 1.2 million stories),
so that a hostile file cannot make the parser build tens of millions of objects."""
MAX_FILTER_CHARS = 1000

StoryState = tuple[float | None, bool, float]
"""(read_at, starred, updated) of one story in a file."""


class StateFileError(ValueError):
    """An exported state file that cannot be imported; the message is one user-facing line."""


def exportable(id: object, read_at: object, updated: object) -> bool:
    """Whether a row would pass `read_state_file` (a database damaged by hand might hold anything)."""
    return (
        isinstance(id, str) and 0 < len(id) <= MAX_ID_CHARS and valid_text(id) == id
        and (read_at is None or _finite(read_at)) and _finite(updated)
    )


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def write_state_file(
    path: str, rows: Iterable[tuple[Any, ...]], filters: list[tuple[str, str]], exported: float
) -> int:
    """Write the story rows (id, read_at, starred, updated) that can be imported again and the saved
    filters to `path`, atomically; the number of stories written. OSError when it cannot be written."""
    stories = [
        {"id": i, "read_at": r, "starred": bool(s), "updated": u}
        for i, r, s, u in rows
        if exportable(i, r, u)
    ]
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported": datetime.fromtimestamp(exported, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "stories": stories,
        "saved_filters": [{"name": n, "query": q} for n, q in filters],
    }
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1)
    _write_atomically(path, text.encode("utf-8"))
    return len(stories)


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
        raise StateFileError(f"{path}: cannot be read ({one_line(error.strerror or error)})") from error
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
            raise StateFileError(f"{path}: cannot be read ({one_line(error.strerror or error)})") from error
    if len(data) > MAX_IMPORT_BYTES:
        raise StateFileError(f"{path}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
    return data


def read_state_file(path: str) -> tuple[dict[str, StoryState], list[tuple[str, str]]]:
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
        raise StateFileError(f"{path}: not JSON ({one_line(error)})") from error
    if not isinstance(document, dict):
        raise StateFileError(f"{path}: not a reading state (not a JSON object)")
    if document.get("format") != EXPORT_FORMAT:
        raise StateFileError(f'{path}: not a reading state (format is not "{EXPORT_FORMAT}")')
    version = document.get("version")
    if type(version) is not int:
        raise StateFileError(f"{path}: version: not a whole number")
    if version != EXPORT_VERSION:
        raise StateFileError(f"{path}: version: {version} is not supported (expected {EXPORT_VERSION})")
    stories: dict[str, StoryState] = {}
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
        # Cleaned as record text is: a name or query from a file reaches the terminal in the topic pane.
        name = clean_filter_text(_text(entry, where, "name", MAX_FILTER_CHARS, empty=False))
        if not name.strip():
            raise StateFileError(f"{where}.name: empty")
        if (view := imitated_view(name)) is not None:
            raise StateFileError(f"{where}.name: {name.strip()!r} would look like the built-in view {view!r}")
        filters[name] = clean_filter_text(_text(entry, where, "query", MAX_FILTER_CHARS, empty=True))
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
