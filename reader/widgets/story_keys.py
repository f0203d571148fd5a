"""The article list's keys for stories: open a story in place to its records, close it, and which records
a row stands for (a story's every record, or one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.message import Message

from ..core.record import Summary
from ..core.story_rows import StoryRows


@dataclass
class StoryOpened(Message):
    """A story was opened in place to its records, or closed (`story` "")."""

    story: str


class StoryKeys:
    """What the article list does with rows by story (see `StoryRows`)."""

    summaries: Sequence[Summary]
    cursor: int
    follow_top: bool
    marks: Callable[[Summary], tuple[bool, bool]]
    _set_rows: Callable[[int], None]
    post_message: Callable[[Message], bool]

    def row_marks(self, index: int) -> tuple[bool, bool]:
        """(read, starred) of row `index`: a story is read once all its records are, starred when one is."""
        rows = self.summaries
        records = rows.records_at(index) if isinstance(rows, StoryRows) else [rows[index]]
        marks = [self.marks(record) for record in records]
        return all(read for read, _ in marks), any(starred for _, starred in marks)

    def records_at_cursor(self) -> list[Summary]:
        """The records keys act on at the cursor: a story's every record, else the record (none: empty)."""
        rows = self.summaries
        if not 0 <= self.cursor < len(rows):
            return []
        return rows.records_at(self.cursor) if isinstance(rows, StoryRows) else [rows[self.cursor]]

    def on_story_row(self) -> bool:
        """Whether the cursor is on the row of a story of several records."""
        rows = self.summaries
        return isinstance(rows, StoryRows) and 0 <= self.cursor < len(rows) and rows.kind(self.cursor) == "story"

    def action_toggle_story(self) -> None:
        rows = self.summaries
        if isinstance(rows, StoryRows) and rows.opened >= 0 and rows.story_row(self.cursor) == rows.opened:
            self.action_close_story()
        else:
            self.action_open_story()

    def action_open_story(self) -> None:
        """Open the story under the cursor in place to its records (the one opened before closes)."""
        rows = self.summaries
        if not self.on_story_row() or not isinstance(rows, StoryRows):
            return
        opened = rows.opening(self.cursor)
        row = self.cursor - (len(rows.members) if 0 <= rows.opened < self.cursor else 0)
        self._reshow(opened, row)

    def action_close_story(self) -> None:
        """Close the story opened, the cursor on its row."""
        rows = self.summaries
        if not isinstance(rows, StoryRows) or rows.opened < 0:
            return
        cursor = self.cursor
        if cursor > rows.opened:  # on a record of the opened story, or after it
            cursor = rows.opened if cursor <= rows.opened + len(rows.members) else cursor - len(rows.members)
        self._reshow(rows.closed(), cursor)

    def _reshow(self, rows: StoryRows, cursor: int) -> None:
        self.follow_top = False
        self.summaries = rows
        self._set_rows(len(rows))
        self.cursor = cursor
        story = rows.folded[rows.opened].story if rows.opened >= 0 else ""
        self.post_message(StoryOpened(story))

