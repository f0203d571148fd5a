"""The article list by story: a computed list folded to one row per story, with one story opened in
place to its records.

Folding walks the list once, off the UI thread (`fold_positions`); the rows then answer each index in
constant time (`StoryRows`), so the list draws only what is visible and opening or closing a story
costs the story's size, not the list's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, overload

from .record import Summary
from .story_groups import StoryGroups, fold_positions

__all__ = ["RowKind", "StoryRows", "fold_positions"]

RowKind = Literal["story", "record", "member"]
"""A row of several records (a story), of one record standing alone, or of one record of an opened story."""


class StoryRows(Sequence[Summary]):
    """Rows of a folded list (`folded`: one record per story, where its first match is): a story's row
    is its lead (earliest) record; the story at row `opened` (-1: none) is followed by its records,
    earliest first."""

    __slots__ = ("folded", "groups", "matched", "members", "opened")

    def __init__(
        self, folded: Sequence[Summary], groups: StoryGroups, opened: int = -1, matched: int | None = None
    ) -> None:
        self.folded = folded
        self.groups = groups
        self.matched = len(folded) if matched is None else matched
        """How many records matched (the list before it was folded)."""
        if not 0 <= opened < len(folded) or groups.size(folded[opened]) < 2:
            opened = -1
        self.opened = opened
        self.members: list[Summary] = groups.members(folded[opened]) if opened >= 0 else []

    def __len__(self) -> int:
        return len(self.folded) + len(self.members)

    def _folded_index(self, index: int) -> tuple[int, int]:
        """(row in `folded`, -1) for a story's row, (opened row, member index) for an opened story's record."""
        opened = self.opened
        if opened < 0 or index <= opened:
            return index, -1
        member = index - opened - 1
        if member < len(self.members):
            return opened, member
        return index - len(self.members), -1

    @overload
    def __getitem__(self, index: int) -> Summary: ...

    @overload
    def __getitem__(self, index: slice) -> list[Summary]: ...

    def __getitem__(self, index: int | slice) -> Summary | list[Summary]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        row, member = self._folded_index(index)
        if member >= 0:
            return self.members[member]
        return self.groups.lead(self.folded[row])

    def __iter__(self) -> Iterator[Summary]:
        lead = self.groups.lead
        for row, summary in enumerate(self.folded):
            yield lead(summary)
            if row == self.opened:
                yield from self.members

    def kind(self, index: int) -> RowKind:
        """What row `index` is."""
        row, member = self._folded_index(index)
        if member >= 0:
            return "member"
        return "story" if self.groups.size(self.folded[row]) > 1 else "record"

    def size(self, index: int) -> int:
        """How many records the story at row `index` has (1 for a record's row)."""
        row, member = self._folded_index(index)
        return 1 if member >= 0 else self.groups.size(self.folded[row])

    def placed(self, index: int) -> Summary:
        """The record that put row `index` where it is: a story's first record in the list's order (its
        row shows its lead), else the row's own record."""
        row, member = self._folded_index(index)
        return self.members[member] if member >= 0 else self.folded[row]

    def story_row(self, index: int) -> int:
        """The row of the story that row `index` belongs to (itself unless it is an opened story's record)."""
        row, member = self._folded_index(index)
        return row if member < 0 else self.opened

    def records_at(self, index: int) -> list[Summary]:
        """The records a key acts on at row `index`: a story's every record, else the one record."""
        row, member = self._folded_index(index)
        if member >= 0:
            return [self.members[member]]
        return self.groups.members(self.folded[row])

    def opening(self, index: int) -> StoryRows:
        """These rows with the story at row `index` opened (another one opened is closed)."""
        return StoryRows(self.folded, self.groups, self.story_row(index), self.matched)

    def closed(self) -> StoryRows:
        """These rows with no story opened."""
        return StoryRows(self.folded, self.groups, matched=self.matched)

    def find(self, path: str, story: str = "") -> int:
        """The row of the record at `path`, or of the story `story` (its row, or its record's when the
        story is opened); -1 when neither is listed."""
        lead = self.groups.lead
        for row, summary in enumerate(self.folded):
            if summary.path == path or (story and summary.story == story) or lead(summary).path == path:
                if row == self.opened and path != lead(summary).path:
                    for member, record in enumerate(self.members):
                        if record.path == path:
                            return row + 1 + member
                return row
        return -1

    def row_of_story(self, story: str) -> int:
        """The row in `folded` of the story `story`, -1 when it is not listed."""
        if story:
            for row, summary in enumerate(self.folded):
                if summary.story == story:
                    return row
        return -1
