"""The main screen's keys that arrange the article list: S (the next order), R (the same order reversed)
and v (one row per story, or one per record). The change is the Arrangement's (reader.control); here
the list and the status line follow it."""

from __future__ import annotations

from collections.abc import Callable

from ..control.arrangement import Arrangement
from ..widgets.article_list import ArticleList
from ..widgets.articles_pane import ArticlesPane


class ArrangeKeys:
    """Rearranges the list of `articles_pane`; `recount()` counts the topics again and `status()` redraws
    the status line."""

    def __init__(
        self,
        arrangement: Arrangement,
        articles_pane: ArticlesPane,
        *,
        recount: Callable[[], None],
        status: Callable[[], None],
    ) -> None:
        self.arrangement, self.articles_pane = arrangement, articles_pane
        self._recount, self._status = recount, status

    def sort(self, reverse: bool = False) -> None:
        """A new order (S) or the same reversed (R): the cursor to the top, the order kept for next time."""
        order = self.arrangement.sort(reverse)
        articles = self.articles_pane.query_one(ArticleList)
        articles.order, articles.follow_top = order, True
        self.articles_pane.refilter()
        self._status()  # the status line names the order; a notification would only pile up

    def toggle_grouping(self) -> None:
        """One row per story, or one per record: the cursor stays on its record, the choice kept."""
        grouped = self.arrangement.toggle_grouping()
        self.articles_pane.refilter()
        self._recount()  # the counts count stories, or records
        self._status()
        self.articles_pane.notify("One row per story" if grouped else "One row per record", timeout=2)
