"""What changed in the library since a version it had: the records that left and entered, so that the
lists, story groups and counts kept for that version are brought up to date by the changes alone (a
new file the watcher finds touches one record of 100,000) rather than made again from every record.

A record's story id changes in place (`Library.set_stories`): such a record leaves with the story it
had and enters again as itself. The log is bounded: changes adding up to more than `SHARE` of the
library are not kept, as a full recomputation then costs little more than applying them."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress

from .record import Summary

SHARE = 0.1
"""The changes are kept while they add up to at most this share of the library (and at least `FLOOR`)."""
FLOOR = 64


@dataclass(frozen=True, slots=True)
class Delta:
    """The net change between two versions of the library, by path."""

    before: dict[str, tuple[Summary, str]] = field(default_factory=dict)
    """Each path touched that was loaded at the older version: its record then, and that record's story
    then (a record's story may have changed in place since)."""
    after: dict[str, Summary] = field(default_factory=dict)
    """Each path touched that is loaded at the newer version: its record then."""
    shifted: bool = False
    """Whether a record was removed from the library's list or read again (it goes to the end), moving
    the records after it: positions kept for the older version are then out of step (else records were
    only added at the end, or given other stories in place)."""
    stories: frozenset[str] = frozenset()
    """Every story id a record touched had on the way (its story when counted for either version, or for
    one between, is among them), "" left out."""

    def __len__(self) -> int:
        return len(self.before.keys() | self.after.keys())


@dataclass(slots=True)
class _Entry:
    version: int
    left: list[tuple[Summary, str]]
    entered: list[Summary]
    shifted: bool


class ChangeLog:
    """The library's recent changes, one entry per version; safe to read from a worker thread while the
    UI thread adds to it."""

    def __init__(self) -> None:
        self._entries: deque[_Entry] = deque()
        self._kept = 0  # records in the entries kept
        self._floor = 0  # the oldest version the changes are known from
        self._lock = threading.Lock()

    def add(self, version: int, left: list[tuple[Summary, str]], entered: list[Summary], shifted: bool,
            size: int) -> None:
        """The library went to `version` (from the one before), now holding `size` records."""
        with self._lock:
            if version != (self._entries[-1].version if self._entries else self._floor) + 1:
                self._forget(version)
                return
            self._entries.append(_Entry(version, left, entered, shifted))
            self._kept += len(left) + len(entered)
            limit = max(FLOOR, int(SHARE * size))
            while self._entries and self._kept > limit:
                old = self._entries.popleft()
                self._kept -= len(old.left) + len(old.entered)
                self._floor = old.version

    def _forget(self, version: int) -> None:
        self._entries.clear()
        self._kept = 0
        self._floor = version

    def since(self, version: int, upto: int) -> Delta | None:
        """The changes from `version` to `upto`; None when they are not known (too old, or too many)."""
        with self._lock:
            last = self._entries[-1].version if self._entries else self._floor
            if not self._floor <= version <= upto <= last:
                return None
            later = [entry for entry in self._entries if entry.version > version]
        entries = [entry for entry in later if entry.version <= upto]
        before: dict[str, tuple[Summary, str]] = {}
        now: dict[str, Summary | None] = {}
        stories: set[str] = set()
        shifted = False
        for entry in entries:
            shifted = shifted or entry.shifted
            for summary, story in entry.left:
                path = summary.path
                if path not in now:
                    before[path] = (summary, story)
                now[path] = None
                stories.add(story)
            for summary in entry.entered:
                now[summary.path] = summary
        after = {path: summary for path, summary in now.items() if summary is not None}
        stories.update(summary.story for summary in after.values())
        for entry in later[len(entries):]:  # a worker may see stories given since `upto`
            stories.update(story for _, story in entry.left)
        stories.discard("")
        return Delta(before, after, shifted, frozenset(stories))


def positions_of(records: Sequence[Summary], wanted: Iterable[Summary]) -> list[int]:
    """The positions in `records` of the records `wanted` (the very objects), in order: a scan in C."""
    ids = {id(summary) for summary in wanted}
    if not ids:
        return []
    return list(compress(range(len(records)), map(ids.__contains__, map(id, records))))
