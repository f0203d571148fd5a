"""Which story the story pane shows: the record under the article list's cursor once the cursor has
rested, so that keys held down or typed in quick succession draw only the list, or a story followed
from it, with back and forward."""

from __future__ import annotations

from collections.abc import Callable, Container

from ..core.history import History
from ..core.record import RelatedStory
from .clock import Scheduler, Timer

# How long the cursor must rest on a record before its story is read and drawn, in seconds.
# Drawing a story lays out the whole screen again; keys held down or pressed
# in quick succession (page-down at a key repeat of 25-35 ms) then draw only the list.
DETAIL_DELAY = 0.12
# The same while typing in the filter bar: each keystroke changes the list, and drawing a story lays
# out the screen again, so the story waits for a pause in the typing.
TYPING_DETAIL_DELAY = 0.3

Visit = str | RelatedStory
"""A story visited (an entry of the story pane's history): the path of a loaded record, or a related
story that is not in the library."""


class StoryNavigator:
    """The stories visited since the cursor last moved, and the one waiting for the cursor to rest.

    `show(visit)` shows a story, `say(text)` a message in its place, `rested(path)` is told when the
    record under the cursor is shown once the cursor has rested on it, and `chosen(path)` when the user
    chose the record under the cursor that a change of the list had put there (see `placed`)."""

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        show: Callable[[Visit], None],
        say: Callable[[str], None],
        rested: Callable[[str], None],
        chosen: Callable[[str], None] = lambda path: None,
    ) -> None:
        self.scheduler = scheduler
        self._show, self._say, self._rested, self._chosen = show, say, rested, chosen
        self.history: History[Visit] = History()
        self.list_path: str | None = None
        """The record under the article list's cursor."""
        self._timer: Timer | None = None
        self._action: Callable[[], None] | None = None
        self.pending = False
        """A story is waiting for the cursor to rest before it is read."""
        self.focus_when_shown = False
        """Enter came before the story: the story pane takes the focus once the story is shown."""
        self.placed = False
        """The cursor was moved from a record to this one because the list changed (a new order, a file
        gone, a filter run), not by the user: it is shown but not read by resting on it, until the user
        moves to it, presses enter on it or goes back to it (see `reads`)."""

    @property
    def current(self) -> Visit | None:
        """The story shown, or to be shown once the cursor rests."""
        return self.history.current

    @property
    def followed(self) -> bool:
        """Whether a link was followed from the record under the cursor."""
        return len(self.history) > 1

    def cursor_moved(
        self, path: str | None, *, typing: bool = False, empty: str = "", placed: bool = False
    ) -> None:
        """The article list's cursor is on `path` (None: the list is empty, and `empty` is said); `placed`:
        a change of the list put it there, not the user."""
        if path is not None and path == self.list_path:
            if not placed:
                self.choose()  # the user moved to the record the list had put under the cursor
            return  # the list was refreshed around the same record: keep the history
        # From no record (the start, an empty list) the first record listed is what the user sees first:
        # read by resting once a key was pressed, as a record the user moved to.
        self.placed = placed and self.list_path is not None
        self.list_path = path
        self.history.clear()
        if path is None:
            self._after_rest(lambda: self._say(empty), typing)
            return
        self.history.visit(path)
        self._after_rest(lambda: self._show_resting(path), typing)

    def _after_rest(self, action: Callable[[], None], typing: bool) -> None:
        """Run `action` once the cursor has rested (longer while a filter is typed), not what waited."""
        if self._timer is not None:
            self._timer.stop()
        self.pending = True
        self._action = action
        self._timer = self.scheduler.set_timer(TYPING_DETAIL_DELAY if typing else DETAIL_DELAY, self.now)

    def _show_resting(self, path: str) -> None:
        if self.history.current == path:
            self._show(path)
            self._rested(path)

    def choose(self) -> None:
        """The user chose the record under the cursor (moved to it, pressed enter on it): it is read by
        resting on it from now, also when the list had put it there."""
        if self.placed:
            self.placed = False
            if self.list_path is not None:
                self._chosen(self.list_path)

    def reads(self, visit: Visit) -> bool:
        """Whether `visit`, once shown, is read by resting on it: any story but one the list put under
        the cursor."""
        return not (self.placed and visit == self.list_path)

    def typed(self) -> None:
        """A key was typed in the filter bar: the story waits for a pause in the typing."""
        if self.pending and self._timer is not None:
            self._timer.reset()

    def now(self) -> None:
        """Show what waits now: its time came, or a key asked for it."""
        if self._timer is not None:
            self._timer.stop()
        action, self._action = self._action, None
        if action is not None:
            self.pending = False
            action()

    def follow(self, visit: Visit) -> None:
        """A link was followed."""
        self.history.visit(visit)
        self._show(visit)

    def back(self) -> bool:
        """Show the story before; False when there is none."""
        return self._step(self.history.back())

    def forward(self) -> bool:
        """Show the story after; False when there is none."""
        return self._step(self.history.forward())

    def _step(self, visit: Visit | None) -> bool:
        if visit is not None:
            if visit == self.list_path:
                self.placed = False  # back to it: the user's choice now
            self._show(visit)
        return visit is not None

    def files_changed(self, *paths: Container[str]) -> None:
        """Files changed or went on disk: the story shown is read again if it is one of them."""
        current = self.history.current
        if isinstance(current, str) and any(current in group for group in paths):
            self._show(current)  # the file shown changed under us
