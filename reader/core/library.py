"""The loaded records: summaries and problems in memory, links between stories in the index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from operator import attrgetter

from .frontmatter import read_record
from .index import Index
from .index_rows import key_hash
from .index_schema import LinkRole, index_location
from .loader import Batch, stream
from .record import Problem, Record, RelatedStory, Summary
from .stamps import Stamps
from .story_groups import StoryGroups
from .changes import ChangeLog, Delta
from .story_links import link_keys
from .urls import story_keys


_path = attrgetter("path")


def open_index(use_cache: bool = True) -> Index:
    """The on-disk index, or a throwaway in-memory one with `use_cache=False`."""
    return Index(index_location()) if use_cache else Index(":memory:")


class Library:
    """What is loaded: summaries by path, problems, and link queries against the index."""

    def __init__(self, index: Index | None = None) -> None:
        self.index = index if index is not None else Index(":memory:")
        self._summaries: dict[str, Summary] = {}
        self._problems: dict[str, Problem] = {}
        self._scan_problems: list[Problem] = []
        self.stats = Stamps()
        """The stamp of every file loaded, packed (~65 bytes a file rather than ~230)."""
        self.version = 0
        """Bumped by every change, so cached sorts and lists know when they are stale."""
        self._listed: tuple[int, list[Summary]] = (-1, [])
        self._groups: tuple[int, StoryGroups] = (-1, StoryGroups())
        self._log = ChangeLog()

    @property
    def summaries(self) -> list[Summary]:
        """Every loaded record, in load order: one list per version (do not change it), since the
        screen asks on every keystroke and copying 100,000 references took ~4 ms of the UI thread."""
        if self._listed[0] != self.version:
            self._listed = (self.version, list(self._summaries.values()))
        return self._listed[1]

    @property
    def groups(self) -> StoryGroups:
        """The loaded records by story, made again once per version (call it off the UI thread first
        when many records changed: it walks every summary)."""
        if self._groups[0] != self.version:
            self._groups = (self.version, StoryGroups(self._summaries.values()))
        return self._groups[1]

    def set_stories(self, stories: dict[str, str]) -> None:
        """Give loaded records their story ids (path -> story id, "" for none), as grouping decided."""
        left: list[tuple[Summary, str]] = []
        entered: list[Summary] = []
        # One string for every record of a story given together. Not `sys.intern`: most stories
        # have one record, and the interpreter's table of 100,000 story ids took ~3.6 MiB.
        shared: dict[str, str] = {}
        for path, story in stories.items():
            summary = self._summaries.get(path)
            if summary is not None and summary.story != story:
                left.append((summary, summary.story))
                entered.append(summary)
                summary.story = shared.setdefault(story, story)
        if entered:
            self.version += 1
            self._log.add(self.version, left, entered, False, len(self._summaries))

    def changes(self, version: int, upto: int) -> Delta | None:
        """What changed from `version` to `upto` (safe off the UI thread), None when that is not known
        (too old, or too much: see `changes.ChangeLog`)."""
        return self._log.since(version, upto)

    @property
    def problems(self) -> list[Problem]:
        """Every path that could not be read."""
        return self._scan_problems + list(self._problems.values())

    @property
    def problem_count(self) -> int:
        """How many paths could not be read, without copying them (the status line asks every batch)."""
        return len(self._scan_problems) + len(self._problems)

    def __len__(self) -> int:
        return len(self._summaries)

    def apply(self, batch: Batch) -> None:
        """Take in a batch from the loader: additions, replacements and removals."""
        left: list[tuple[Summary, str]] = []
        shifted = False
        for path in batch.removed:
            gone = self._summaries.pop(path, None)
            if gone is not None:
                left.append((gone, gone.story))
                shifted = True
            self._problems.pop(path, None)
            self.stats.pop(path)
        # Only the paths loaded already are looked at (found in C): the batches of a load from the
        # index are all new. A record read again goes to the end of the list (the word index follows
        # records removed and added, see `words.WordIndex`), moving the ones after it.
        incoming = dict(zip(map(_path, batch.summaries), batch.summaries))
        for path in (batch.stats.keys() | incoming.keys()) & self._summaries.keys():
            old = self._summaries.pop(path)
            left.append((old, old.story))
            shifted = True
        for path in batch.stats.keys() & self._problems.keys():
            del self._problems[path]
        self.stats.update(batch.stats)
        self._summaries.update(incoming)
        for problem in batch.problems:
            self._problems[problem.path] = problem
        if batch.scan_problems is not None:
            self._scan_problems = batch.scan_problems
        if batch.summaries or batch.problems or batch.removed or batch.stats:
            self.version += 1
            self._log.add(self.version, left, list(incoming.values()), shifted, len(self._summaries))
        if batch.stories:
            self.set_stories(batch.stories)

    def summary(self, path: str) -> Summary | None:
        """The summary of a loaded record."""
        return self._summaries.get(path)

    def load_record(self, path: str) -> Record | Problem:
        """Read the full record again, for display."""
        return read_record(path)

    def resolve(self, story: RelatedStory) -> Summary | None:
        """The loaded record for a related story: same URL first, else the same title; published first."""
        keys = link_keys(story_keys(story.urls), story.title)
        hashes = [key_hash(key) for key in keys]
        found: dict[int, list[Summary]] = {}
        for key, path in self._links(hashes, LinkRole.OWN):
            if (summary := self._summaries.get(path)) is not None:
                found.setdefault(key, []).append(summary)
        url_hashes = [h for key, h in zip(keys, hashes) if not key.startswith("t:")]
        for group in (url_hashes, [h for h in hashes if h not in url_hashes]):
            candidates = [summary for h in group for summary in found.get(h, ())]
            if candidates:
                return min(candidates, key=lambda s: (not s.published, s.path))
        return None

    def _links(self, hashes: list[int], role: LinkRole) -> list[tuple[int, str]]:
        try:
            return self.index.paths_with_keys(hashes, role)
        except sqlite3.DatabaseError:
            return []  # a damaged index loses links, not the reader; the next load rebuilds it

    def mentioned_by(self, record: Record) -> list[Summary]:
        """Loaded records whose related lists point at this record, newest first."""
        hashes = [key_hash(key) for key in link_keys(story_keys(record.urls), record.title)]
        paths = {path for _, path in self._links(hashes, LinkRole.MENTION)} - {record.path}
        found = [self._summaries[path] for path in paths if path in self._summaries]
        return sorted(found, key=lambda s: (-(s.timestamp if s.timestamp is not None else float("-inf")), s.path))


def load_library(paths: Iterable[str], index: Index | None = None) -> Library:
    """Load everything under `paths` at once (for the command line and tests)."""
    library = Library(index)
    for batch in stream(list(paths), library.index):
        library.apply(batch)
    return library
