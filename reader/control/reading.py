"""The reading state as the user reads: a story shown long enough becomes read, keys mark and star, and
`u` undoes the markings made by keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..core.counts import unread_records
from ..core.library import Library
from ..core.record import Summary
from ..core.identity import summary_id
from ..core.state import Mark, StateStore
from ..core.story_rows import StoryRows
from ..core.text import safe_text
from .clock import Scheduler, Timer

# How many markings `u` can undo.
UNDO_LIMIT = 100
# How soon a story whose time came while it could not be read (see `ReadingTracker.can_read`) is tried
# again, at least.
RETRY_AFTER = 0.2

MarkingKind = Literal["read", "star"]


@dataclass(frozen=True, slots=True)
class Marking:
    """A change to the reading state, with what it replaced: undoing it puts back only its `kind`'s half
    of each story's state (a story starred, then read by resting on it, stays read when the star is
    undone)."""

    kind: MarkingKind
    what: str
    marks: list[Mark]
    records: int = 0
    """How many records it marked, when it says so itself (`M`): the records of one story share its
    mark, so this may be more than the marks."""

    @property
    def undone(self) -> str:
        """What undoing it did, to tell the user."""
        count = len(self.marks)
        return f"Undone: {self.what}" + (f" ({count:,} records)" if count > 1 and not self.records else "")


class ReadingTracker:
    """Marks stories read, starred or unread, and keeps the markings `u` can undo.

    `showing()` is the path of the story on screen (None for none), `can_read()` whether the user can be
    reading it now, and `changed(explicit)` is told of every change (explicit: made by a key).
    `story_of(summary)` is the records that reading `summary` reads (a story's every record when it is
    read from the story's row and the mark_story_read setting is on; else the record alone)."""

    def __init__(
        self,
        state: StateStore,
        library: Library,
        scheduler: Scheduler,
        read_after: float,
        *,
        showing: Callable[[], object],
        can_read: Callable[[], bool],
        changed: Callable[[bool], None],
        story_of: Callable[[Summary], Sequence[Summary]] = lambda summary: [summary],
    ) -> None:
        self.state = state
        self.library = library
        self.scheduler = scheduler
        self.read_after = read_after
        """Seconds a story stays on screen before it is read (the read_after setting; 0 reads at once)."""
        self._showing, self._can_read, self._changed = showing, can_read, changed
        self.story_of = story_of
        self.undo: list[Marking] = []
        self._timer: Timer | None = None

    def is_read(self, summary: Summary) -> bool:
        return summary_id(summary) in self.state.read

    def marks_of(self, summary: Summary) -> tuple[bool, bool]:
        """(read, starred) for the article list, asked only for the rows drawn."""
        key = summary_id(summary)
        return key in self.state.read, key in self.state.starred

    def story_marks(self, path: str) -> tuple[bool, bool] | None:
        """(read, starred) for the story pane; None for a record no longer in the library."""
        summary = self.library.summary(path)
        return self.marks_of(summary) if summary is not None else None

    def shown(self, summary: Summary) -> None:
        """The story is on screen: it becomes read once it has stayed there `read_after` seconds."""
        self._stop_timer()
        if self.all_read(self.story_of(summary)):
            return
        if self.read_after <= 0:
            self._read_now(summary.path)
        else:
            self._timer = self.scheduler.set_timer(self.read_after, lambda: self._read_now(summary.path))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _read_now(self, path: str) -> None:
        summary = self.library.summary(path)
        if summary is None or self._showing() != path:
            return
        if not self._can_read():  # first: as the app closes, what story_of reads may be gone
            retry = max(self.read_after, RETRY_AFTER)
            self._timer = self.scheduler.set_timer(retry, lambda: self._read_now(path))
            return
        records = self.story_of(summary)
        if not self.all_read(records):
            self._remember("read", self.state.set_read(map(summary_id, records)), explicit=False)

    def all_read(self, records: Iterable[Summary]) -> bool:
        """Whether every one of `records` is read (a story is unread while one of its records is)."""
        read = self.state.read
        return all(summary_id(record) in read for record in records)

    def opened(self, summary: Summary | None) -> None:
        """`o` reads the story."""
        if summary is not None and not self.all_read(records := self.story_of(summary)):
            self._remember("read", self.state.set_read(map(summary_id, records)), explicit=False)

    def toggle_read(self, records: Sequence[Summary]) -> None:
        """Mark the records (a story's, or one) read, or unread when all of them are read already."""
        if not records:
            return
        self._stop_timer()  # the reader said whether it is read: resting on it no longer decides
        read = not self.all_read(records)
        marks = self.state.set_read([summary_id(record) for record in records], read)
        self._remember(f"marked {'read' if read else 'unread'}: {_named(records)}", marks)

    def toggle_star(self, records: Sequence[Summary]) -> None:
        """Star the records (a story's, or one), or unstar them when one of them is starred."""
        if not records:
            return
        starred = not any(summary_id(record) in self.state.starred for record in records)
        marks = [mark for record in records for mark in self.state.set_starred(summary_id(record), starred)]
        self._remember(f"{'starred' if starred else 'unstarred'}: {_named(records)}", marks, kind="star")

    def next_unread(self, rows: Sequence[Summary], cursor: int, step: int = 1) -> int | None:
        """The row of the next unread record after `cursor` in the direction of `step`, or None (by
        story, a story's row is unread while one of its records is)."""
        index = cursor + step
        while 0 <= index < len(rows):
            if not self.all_read(rows.records_at(index) if isinstance(rows, StoryRows) else [rows[index]]):
                return index
            index += step
        return None

    def unread_among(self, summaries: Iterable[Summary]) -> list[Summary]:
        """The records listed that are not read, counted as the status line counts unread records."""
        return unread_records(summaries, self.state.read)

    def mark_read(self, summaries: Sequence[Summary]) -> int:
        """Mark records read (`M`); how many of them were unread (counted as `unread_among` counts)."""
        unread = self.unread_among(summaries)
        marks = self.state.set_read(dict.fromkeys(summary_id(s) for s in unread))
        self._remember(f"marked {len(unread):,} read", marks, records=len(unread))
        return len(unread)

    def undo_last(self) -> Marking | None:
        """Undo the last marking made by a key, if any; the caller refilters and says what was undone."""
        if not self.undo:
            return None
        marking = self.undo.pop()
        state = self.state
        if marking.kind == "read":
            self._stop_timer()  # a story unread again by `u` is not read again by resting on it
        if marking.kind == "star":
            state.restore([Mark(m.id, state.read.get(m.id), m.starred) for m in marking.marks])
        else:
            state.restore([Mark(m.id, m.read_at, m.id in state.starred) for m in marking.marks])
        return marking

    def _remember(
        self,
        what: str,
        marks: list[Mark],
        *,
        explicit: bool = True,
        kind: MarkingKind = "read",
        records: int = 0,
    ) -> None:
        """Keep a marking made by a key for `u`, and tell of the change."""
        if marks and explicit:
            self.undo.append(Marking(kind, what, marks, records))
            del self.undo[:-UNDO_LIMIT]
        self._changed(explicit)


def _named(records: Sequence[Summary]) -> str:
    """The title of a story (its first record's), for the message of a marking."""
    title = safe_text(records[0].title, limit=60)
    return f"{title} (a story of {len(records)})" if len(records) > 1 else title
