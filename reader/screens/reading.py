"""Reading state on the main screen: read after a moment, m / M / u / s, n / p (mixed into MainScreen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.timer import Timer

from ..core.record import Record, Summary
from ..core.identity import summary_id
from ..core.state import Mark, StateStore
from ..core.text import safe_text
from ..widgets.article_list import ArticleList
from ..widgets.detail import DetailPane
from .prompt import ConfirmScreen

if TYPE_CHECKING:
    from .main import MainScreen

# How many markings `u` can undo.
UNDO_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Marking:
    """A change to the reading state, with what it replaced: `kind` is "read" or "star", and undoing
    it puts back only that half of each story's state (a story starred, then read by resting on it,
    stays read when the star is undone)."""

    kind: str
    what: str
    marks: list[Mark]


class ReadingActions:
    """The reading-state half of MainScreen; `self` is the screen."""

    state: StateStore
    undo: list[Marking]
    _read_timer: Timer | None

    def is_read(self: MainScreen, summary: Summary) -> bool:
        return summary_id(summary) in self.state.read

    def marks_of(self: MainScreen, summary: Summary) -> tuple[bool, bool]:
        """(read, starred) for the article list, asked only for the rows drawn."""
        key = summary_id(summary)
        return key in self.state.read, key in self.state.starred

    def story_marks(self: MainScreen, record: Record) -> tuple[bool, bool] | None:
        """(read, starred) for the story pane; None for a record no longer in the library."""
        summary = self.library.summary(record.path)
        return self.marks_of(summary) if summary is not None else None

    def current_summary(self: MainScreen) -> Summary | None:
        """The record keys act on: the story shown, when the focus is in the story pane or a link was
        followed (if it is in the library); else the one under the article list's cursor, which the
        story pane may not show yet (a key typed right after a movement arrives first)."""
        if not self.on_story():
            return self.query_one(ArticleList).highlighted
        current = self.history.current
        return self.library.summary(current) if isinstance(current, str) else None

    def on_story(self: MainScreen) -> bool:
        """Whether keys act on the story shown rather than the row under the cursor."""
        return self.in_story_pane() or len(self.history) > 1

    def in_story_pane(self: MainScreen) -> bool:
        """Whether the focus is in the story pane."""
        focused, detail = self.focused, self.query_one(DetailPane)
        return focused is not None and (focused is detail or detail in focused.ancestors)

    def remember(self: MainScreen, what: str, marks: list[Mark], *, explicit: bool = True, kind: str = "read") -> None:
        """Show a change to the state: the marks in the list, the counts, and, for a key the user pressed,
        the list itself when the filter or view depends on the state (a story read by resting on it
        would shift the list under the cursor). Only keys pressed are kept for `u`."""
        if marks and explicit:
            self.undo.append(Marking(kind, what, marks))
            del self.undo[:-UNDO_LIMIT]
        self.state_changed(refilter=explicit)
        if self.state.notice:
            self.notify(self.state.notice, severity="error", markup=False)
            self.state.notice = None

    def start_reading(self: MainScreen, summary: Summary) -> None:
        """The story is on screen: it becomes read once it has stayed there `read_after` seconds."""
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if self.is_read(summary):
            return
        if self.settings.read_after <= 0:
            self._read_now(summary.path)
        else:
            self._read_timer = self.set_timer(self.settings.read_after, lambda: self._read_now(summary.path))

    def _read_now(self: MainScreen, path: str) -> None:
        summary = self.library.summary(path)
        if summary is None or self.history.current != path or self.is_read(summary):
            return
        if not self._reading_focused() or self._pending_selection is not None:
            # Shown while choosing a topic, typing a filter or answering a question, or while the
            # story selected last time is still loading: not read yet.
            self._read_timer = self.set_timer(max(self.settings.read_after, 0.2), lambda: self._read_now(path))
            return
        self.remember("read", self.state.set_read([summary_id(summary)]), explicit=False)

    def _reading_focused(self: MainScreen) -> bool:
        """Whether this screen is on top and its focus is on the article list or in the story pane."""
        return self.app.screen is self and (isinstance(self.focused, ArticleList) or self.in_story_pane())

    def mark_opened(self: MainScreen, summary: Summary | None) -> None:
        """`o` reads the story."""
        if summary is not None and not self.is_read(summary):
            self.remember("read", self.state.set_read([summary_id(summary)]), explicit=False)

    def action_toggle_read(self: MainScreen) -> None:
        summary = self.current_summary()
        if summary is None:
            self.notify("This story is not in the library", severity="warning")
            return
        read = not self.is_read(summary)
        marks = self.state.set_read([summary_id(summary)], read)
        self.remember(f"marked {'read' if read else 'unread'}: {safe_text(summary.title, limit=60)}", marks)

    def action_toggle_star(self: MainScreen) -> None:
        summary = self.current_summary()
        if summary is None:
            self.notify("This story is not in the library", severity="warning")
            return
        key = summary_id(summary)
        starred = key not in self.state.starred
        marks = self.state.set_starred(key, starred)
        what = f"{'starred' if starred else 'unstarred'}: {safe_text(summary.title, limit=60)}"
        self.remember(what, marks, kind="star")

    def action_mark_all_read(self: MainScreen) -> None:
        if not self.matching_complete:
            self.notify("The list is still being filtered: press M again in a moment")
            return
        listed = list(self.matching)
        unread = {summary_id(s) for s in listed} - self.state.read.keys()
        if not unread:
            self.notify("Every record listed is already read")
            return
        count = len(unread)
        question = f"Mark {count:,} unread record{'s' if count != 1 else ''} in this list read?"

        def answered(yes: bool | None) -> None:
            if yes:
                marks = self.state.set_read(unread)
                self.remember(f"marked {len(marks):,} read", marks)
                if (why := self.state.unsaved_reason) is not None:  # say what really happened
                    self.notify(f"Marked {len(marks):,} records read, not saved yet ({why}): kept, and saved as "
                                "soon as the reading state can be written (u to undo)", severity="warning",
                                markup=False)
                else:
                    self.notify(f"Marked {len(marks):,} records read (u to undo)")

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_undo(self: MainScreen) -> None:
        if not self.undo:
            self.notify("Nothing to undo", severity="warning")
            return
        marking = self.undo.pop()
        state = self.state
        if marking.kind == "star":
            state.restore([Mark(m.id, state.read.get(m.id), m.starred) for m in marking.marks])
        else:
            state.restore([Mark(m.id, m.read_at, m.id in state.starred) for m in marking.marks])
        self.state_changed(refilter=True)
        count = len(marking.marks)
        self.notify(f"Undone: {marking.what}" + (f" ({count:,} records)" if count > 1 else ""), markup=False)

    def action_next_unread(self: MainScreen, step: int = 1) -> None:
        articles = self.query_one(ArticleList)
        rows = articles.summaries
        index = articles.cursor + step
        while 0 <= index < len(rows):
            if not self.is_read(rows[index]):
                articles.cursor = index
                return
            index += step
        self.notify(f"No unread record {'below' if step > 0 else 'above'}", timeout=2)

    def action_previous_unread(self: MainScreen) -> None:
        self.action_next_unread(-1)
