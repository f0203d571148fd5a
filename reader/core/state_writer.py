"""Writing the reading state: each change goes to the database in one short transaction; when the
database cannot take it (another program holds the write lock, the disk is full, it could only be
opened for reading), the change is made in memory and kept, and kept changes are written, in order and
before anything newer, as soon as a write gets through.

`Writer` holds the store's connection; `reader.core.state.StateStore` describes each change as a
`Change` and decides what the user is told.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from . import state_db
from .state_db import Opened, connect, in_transaction, is_damage, one_line, read_transaction

T = TypeVar("T")

RETRY_WAIT = 0.05
"""Seconds a write waits for the lock while changes are kept: the first wait was the long one."""
RECONNECT_INTERVAL = 30.0
"""Seconds between attempts to open a state that could only be read for writing after all."""


class StateError(Exception):
    """The database cannot be read or written for a command that must not pretend it was (an export,
    an import); the message is one user-facing line."""


@dataclass(frozen=True, slots=True)
class Change(Generic[T]):
    """One change to the state, told three ways."""

    work: Callable[[sqlite3.Connection], T]
    """Make it in the database (inside a write transaction) and say what is there now; KeyError or
    ValueError when it cannot be made (before writing anything)."""
    offline: Callable[[], T]
    """Make it on what is in memory alone, with the same kind of result."""
    apply: Callable[[T], None]
    """Put a result in memory."""


_SKIPPED = object()


class Writer:
    """The store's database connection, and the changes it could not write yet."""

    def __init__(self, opened: Opened, path: str, wait: float, tell: Callable[[str], None]) -> None:
        self.db = opened.db
        self.location = opened.location
        self.read_only = opened.read_only
        self.path = path
        self.wait = wait
        """Seconds a write waits for another program's write lock before its change is kept."""
        self.kept: list[Change[Any]] = []
        self.unsaved_reason: str | None = None
        """Why the kept changes are not saved yet, or None when there are none."""
        self._tell = tell
        self._reconnect_at = time.monotonic() + RECONNECT_INTERVAL

    def write(self, change: Change[T]) -> T:
        """Make `change` (after the kept ones) in one transaction and return its result; when the
        database cannot take it, make it in memory and keep it. A damaged database raises its
        sqlite3.Error; KeyError and ValueError from the change itself are raised as they are."""
        results = self._send([*self.kept, change], self.unsaved_reason is None)
        if results is None:
            result = change.offline()  # raises as `work` would, and then nothing is kept
            change.apply(result)
            self.kept.append(change)
            return result
        return results[-1]

    def flush(self, patient: bool = False) -> bool:
        """Write the kept changes, waiting only a moment for the lock (or `wait`, when `patient`); True
        when they were written."""
        return bool(self.kept) and self._send(list(self.kept), patient, last_raises=False) is not None

    def overlay(self) -> None:
        """Make the kept changes again on what is in memory (after it was read from the database)."""
        for change in self.kept:
            try:
                change.apply(change.offline())
            except (KeyError, ValueError):
                pass  # (a saved filter another copy deleted meanwhile)

    def _send(
        self, changes: list[Change[Any]], patient: bool, *, last_raises: bool = True
    ) -> list[Any] | None:
        """Run the changes in one transaction and put their results in memory; None when the database
        cannot take them (then `unsaved_reason` says why and the user is told once)."""
        self._reconnect()
        try:
            if self.read_only:
                raise sqlite3.OperationalError("it could only be opened for reading")
            self.db.execute(f"PRAGMA busy_timeout = {int((self.wait if patient else RETRY_WAIT) * 1000)}")
            results = in_transaction(self.db, lambda db: _run(db, changes, last_raises))
        except sqlite3.Error as error:
            if is_damage(error):
                raise
            if self.unsaved_reason is None:
                self._tell(
                    f"The reading state {self.location} cannot be written now ({one_line(error)}); your "
                    "changes are kept and will be saved as soon as it can be."
                )
            self.unsaved_reason = one_line(error)
            return None
        for change, result in zip(changes, results):
            if result is not _SKIPPED:
                change.apply(result)
        if self.kept:
            self._tell(f"The reading state {self.location} is saved again ({len(self.kept):,} kept changes).")
        self.kept.clear()
        self.unsaved_reason = None
        return results

    def _reconnect(self) -> None:
        """Open a state that could only be read for writing, now and then."""
        if not self.read_only or time.monotonic() < self._reconnect_at:
            return
        self._reconnect_at = time.monotonic() + RECONNECT_INTERVAL
        try:
            writable = connect(self.path, wait=RETRY_WAIT)
        except sqlite3.Error:
            return
        self.db.close()
        self.db, self.read_only = writable, False

    def strict(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one write transaction, or raise StateError (for imports: nothing is kept)."""
        try:
            if self.read_only:
                raise sqlite3.OperationalError("it could only be opened for reading")
            self.db.execute(f"PRAGMA busy_timeout = {int(state_db.BUSY_TIMEOUT * 1000)}")
            return in_transaction(self.db, work)
        except sqlite3.Error as error:
            why = f"The reading state {self.location} cannot be written ({one_line(error)})"
            raise StateError(why) from error

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one read transaction, or raise StateError."""
        try:
            return read_transaction(self.db, work)
        except sqlite3.Error as error:
            why = f"The reading state {self.location} cannot be read ({one_line(error)})"
            raise StateError(why) from error


def _run(db: sqlite3.Connection, changes: list[Change[Any]], last_raises: bool) -> list[Any]:
    """Each change's `work`; a kept change that no longer applies (a saved filter deleted meanwhile by
    another copy) is skipped, but the last one raises when `last_raises` (a new change: the user is
    told why it cannot be made)."""
    results: list[Any] = []
    for at, change in enumerate(changes):
        try:
            results.append(change.work(db))
        except (KeyError, ValueError):
            if last_raises and at == len(changes) - 1:
                raise
            results.append(_SKIPPED)
    return results
