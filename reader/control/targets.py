"""What the reading keys act on: on the article list the row under the cursor (a story's row is its
every record); in the story pane, once a link was followed or while the focus is there, what it shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from ..core.record import Summary
from ..core.settings import Settings
from ..core.story_groups import story_key
from ..core.story_rows import StoryRows
from .story import StoryNavigator


NOTHING_SELECTED = "Nothing is selected: no record is listed"
"""What a key that acts on a story says when there is none (the list is empty)."""
NOTHING_LISTED = "Nothing is listed: no record to mark read"
"""What `M` says when the list is empty."""


class ListCursor(Protocol):
    """The article list, as far as the keys read it."""

    @property
    def highlighted(self) -> Summary | None: ...

    def records_at_cursor(self) -> list[Summary]: ...

    def on_story_row(self) -> bool: ...


class ShownStory(Protocol):
    """The story pane, as far as the keys read it."""

    @property
    def keys_act_here(self) -> bool: ...

    def summary(self) -> Summary | None: ...

    def url(self) -> str: ...

    def opened(self) -> Summary | None: ...


def every_record(rows: Sequence[Summary]) -> list[Summary]:
    """Every record listed: each story's records in a list by story."""
    if isinstance(rows, StoryRows):
        members = rows.groups.members
        return [record for summary in rows.folded for record in members(summary)]
    return list(rows)


def unread_listed(
    rows: Sequence[Summary], unread_among: Callable[[list[Summary]], list[Summary]]
) -> tuple[list[Summary], int | None]:
    """The unread records listed (those `M` marks read), and in a list by story how many stories they
    make (None in a list by record)."""
    unread = unread_among(every_record(rows))
    stories = len({story_key(summary) for summary in unread}) if isinstance(rows, StoryRows) else None
    return unread, stories


def nothing_to_mark(listed: int, unread: int) -> str | None:
    """Why `M` has nothing to mark read among `listed` rows of which `unread` records are unread, or None."""
    if not listed:
        return NOTHING_LISTED
    return "Every record listed is already read" if not unread else None


class KeyTargets:
    """The records `m` and `s` mark, the link `o` and `y` open and copy, and the records reading a story
    reads.

    `rows()` is the article list, `shown` the story pane and `navigator` which story it shows; `warn(text)`
    says that a key found nothing to act on."""

    def __init__(
        self,
        settings: Settings,
        navigator: StoryNavigator,
        rows: Callable[[], ListCursor],
        shown: ShownStory,
        warn: Callable[[str], None],
    ) -> None:
        self.settings, self.navigator = settings, navigator
        self._rows, self._shown, self._warn = rows, shown, warn

    def to_mark(self) -> list[Summary]:
        """The records of the row under the list's cursor (a story's every record, or one), or the record
        the story pane shows once a link was followed or the focus is there on another record."""
        rows = self._rows()
        if self._shown.keys_act_here:
            summary = self._shown.summary()
            if summary is None:
                return []
            if not self.navigator.followed and summary is rows.highlighted:
                return rows.records_at_cursor()
            return [summary]
        return rows.records_at_cursor()

    def selected(self) -> bool:
        """Whether the keys have a story to act on; when they have none (the list is empty and no story
        is shown from it), says so and False."""
        if not self._shown.keys_act_here and self._rows().highlighted is None:
            self._warn(NOTHING_SELECTED)
            return False
        return True

    def mark(self, toggle: Callable[[list[Summary]], None]) -> None:
        """Toggle the state of the records keys act on (said when there is none, or it is not in the
        library)."""
        if not self.selected():
            return
        records = self.to_mark()
        if not records:
            self._warn("This story is not in the library")
        else:
            toggle(records)

    def url(self) -> str:
        """The link `o` and `y` act on: in the story pane or after following a link, what it shows or has
        highlighted; else the record under the list's cursor (the story pane may still show the one
        before: a key typed right after a movement arrives before the pane follows)."""
        if self._shown.keys_act_here:
            return self._shown.url()
        summary = self._rows().highlighted
        return summary.url if summary is not None else ""

    def to_open(self) -> Summary | None:
        """The record of the library `o` opens (it is read once opened), if any."""
        return self._shown.opened() if self._shown.keys_act_here else self._rows().highlighted

    def read_with(self, summary: Summary) -> list[Summary]:
        """The records reading `summary` reads: the story's every record when it is read from the story's
        row (and the mark_story_read setting is on), else the record alone."""
        if not self.settings.mark_story_read or self.navigator.followed:
            return [summary]
        rows = self._rows()
        if rows.on_story_row() and rows.highlighted is summary:
            return rows.records_at_cursor()
        return [summary]
