"""The main screen's keys for the sort order: S (the next order) and R (the same order reversed)."""

from __future__ import annotations

from ..control.filtering import FilterRuns
from ..core.state import StateStore
from ..widgets.article_list import ArticleList
from ..widgets.articles_pane import ArticlesPane


class OrderActions:
    """The cursor goes to the top of the new order, and the order is kept for the next start."""

    listing: FilterRuns
    state: StateStore
    articles_pane: ArticlesPane

    def update_status(self) -> None:
        raise NotImplementedError  # the screen's

    def action_sort(self, reverse: bool = False) -> None:
        """A new order (S) or the same reversed (R): the cursor to the top, the order kept for next time."""
        self.listing.reverse_sort_order() if reverse else self.listing.next_sort_order()
        self.state.set_ui("sort", self.listing.sort_order)
        articles = self.articles_pane.query_one(ArticleList)
        articles.order, articles.follow_top = self.listing.sort_order, True
        self.articles_pane.refilter()
        self.update_status()  # the status line names the order; a notification would only pile up
