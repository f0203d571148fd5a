"""The article list's pane: the list for what is chosen (see FilterRuns), computed off the UI thread, a
long one drawn from its first page while the rest is computed."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.worker import get_current_worker

from ..control.filtering import FilterRuns, Page, Request
from ..messages import Filtered
from .article_list import ArticleList
from .story_keys import StoryOpened


class ArticlesPane(Container):
    """Holds the ArticleList and shows it the latest filter run's list.

    `select(page)` is the path the cursor should go to in a page (the story selected when the app last
    quit), or None; `landed()` is told when a list is shown."""

    def __init__(
        self,
        listing: FilterRuns,
        *,
        select: Callable[[Page], str | None],
        landed: Callable[[], None],
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.listing = listing
        self._select, self._landed = select, landed

    def compose(self) -> ComposeResult:
        yield ArticleList(id="articles")

    def refilter(self) -> None:
        """Recompute the list for the current topic, query and sort order, off the UI thread."""
        current = self.query_one(ArticleList).highlighted
        if current is None:
            self.run_filter(self.listing.request(None))
        else:
            self.run_filter(self.listing.request(current.path, current.story))

    def on_story_opened(self, message: StoryOpened) -> None:
        """A story was opened or closed: the lists that follow keep it so."""
        message.stop()
        self.listing.opened = message.story

    # A fixed description: without one, Textual describes a worker by the repr() of its arguments.
    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="filter")
    def run_filter(self, request: Request) -> None:
        """Sort and filter in a worker; the list keeps the last result until this one arrives."""
        worker = get_current_worker()
        post = lambda page: self.post_message(Filtered(page))  # noqa: E731
        self.listing.run(request, post, lambda: worker.is_cancelled)

    def on_filtered(self, message: Filtered) -> None:
        message.stop()
        page = message.page
        articles = self.query_one(ArticleList)
        current = articles.highlighted
        placed = self.listing.landed(page, current.path if current else None, articles.cursor)
        if placed is None:
            return
        keep, at = placed
        fallback = articles.cursor
        if (found := self._select(page)) is not None:
            keep, at = found, None
            articles.follow_top = False
        elif articles.follow_top:  # the user has not moved: the first row, the newest in that order
            keep, at, fallback = None, None, 0
        articles.show(page.summaries, keep=keep, fallback=fallback, at=at)
        if not page.complete:
            shown = articles.highlighted
            self.listing.page_shown(shown.path if shown is not None else None, articles.cursor)
        if page.drawn is not None:
            self.call_after_refresh(page.drawn.set)
        self._landed()
