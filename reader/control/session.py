"""Coming back to where the user was: the topic, filter and story of the last run, written as they
change (a killed terminal loses nothing) and put back on the next start."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..core.record import Summary
from ..core.identity import summary_id
from ..core.state import StateStore
from .filtering import Page


class LastSession:
    """The places kept in the state store, and those of the last run still waiting to be put back
    (`load_finished()`: whether the first load is done)."""

    def __init__(self, state: StateStore, *, load_finished: Callable[[], bool] = lambda: False) -> None:
        self.state = state
        self._load_finished = load_finished
        self.topic: str | None = None
        """The topic pane's row (an option id) to put back, until the pane has it."""
        self.selection: str | None = None
        """The story selected when the app last quit, selected again once it is listed."""

    def restore(self) -> str | None:
        """Take the last run's topic and selection as waiting to be put back; the filter it had typed."""
        self.topic = self.state.get_ui("topic")
        self.selection = self.state.get_ui("selection")
        return self.state.get_ui("filter")

    def find_selection(self, summaries: Iterable[Summary], *, everything_listed: bool) -> str | None:
        """The path of the last run's story if it is among `summaries` (it is then put back); once
        `everything_listed` shows it is gone, it is no longer waited for."""
        wanted = self.selection
        if wanted is None:
            return None
        found = next((s.path for s in summaries if summary_id(s) == wanted), None)
        if found is not None or everything_listed:
            self.selection = None
        return found

    def selection_in(self, page: Page) -> str | None:
        """The path of the last run's story if a filter run's `page` lists it (the cursor then goes to
        it); once the first load is done and a complete list is without it, it is no longer waited for."""
        return self.find_selection(page.summaries, everything_listed=self._load_finished() and page.complete)

    def chose_topic(self, key: str) -> None:
        self.state.set_ui("topic", key)

    def typed(self, text: str) -> None:
        self.state.set_ui("filter", text)

    def selected(self, summary: Summary) -> None:
        """A story is on screen (kept unless the last run's is still waited for)."""
        if self.selection is None:
            self.state.set_ui("selection", summary_id(summary))

    def remember(self, topic_key: str, filter_text: str, current: Summary | None) -> None:
        """Keep the topic, filter and selection for the next run, as the screen closes."""
        self.state.set_ui("topic", self.topic or topic_key)
        self.state.set_ui("filter", filter_text)
        if self.selection is None:
            self.state.set_ui("selection", summary_id(current) if current is not None else None)
