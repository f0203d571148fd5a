"""The main screen's keys for stories: grouping on and off (remembered), and which records the reading
keys act on: a story's every record on its row, one record on an opened story's record."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..control.filtering import GROUPING_KEY, FilterRuns
from ..control.story import StoryNavigator
from ..core.record import Summary
from ..core.settings import Settings
from ..core.state import StateStore
from ..core.story_rows import StoryRows
from ..widgets.article_list import ArticleList
from ..widgets.articles_pane import ArticlesPane
from ..widgets.story_pane import StoryPane

def every_record(rows: Sequence[Summary]) -> list[Summary]:
    """Every record listed: each story's records in a list by story."""
    if isinstance(rows, StoryRows):
        members = rows.groups.members
        return [record for summary in rows.folded for record in members(summary)]
    return list(rows)


class StoryActions:
    """Grouping, and the records keys act on."""

    listing: FilterRuns
    state: StateStore
    settings: Settings
    articles_pane: ArticlesPane
    story_pane: StoryPane
    story: StoryNavigator
    notify: Callable[..., object]  # the screen's

    def update_status(self) -> None:
        raise NotImplementedError  # the screen's

    def refresh_topics(self) -> None:
        raise NotImplementedError  # the screen's

    def action_toggle_grouping(self) -> None:
        """One row per story, or one per record: the cursor stays on its record, the choice kept."""
        self.listing.grouped = grouped = not self.listing.grouped
        self.listing.opened = ""
        self.state.set_ui(GROUPING_KEY, "on" if grouped else "off")
        self.articles_pane.refilter()
        self.refresh_topics()  # the counts count stories, or records
        self.update_status()
        self.notify("One row per story" if grouped else "One row per record", timeout=2)

    def records_to_mark(self) -> list[Summary]:
        """The records `m` and `s` act on: those of the row under the list's cursor (a story's every
        record, or one), or the record the story pane shows once a link was followed or the focus is
        there on another record."""
        articles = self.articles_pane.query_one(ArticleList)
        if self.story_pane.keys_act_here:
            summary = self.story_pane.summary()
            if summary is None:
                return []
            if not self.story.followed and summary is articles.highlighted:
                return articles.records_at_cursor()
            return [summary]
        return articles.records_at_cursor()

    def mark(self, toggle: Callable[[list[Summary]], None]) -> None:
        """Toggle the state of the records keys act on (said when there are none in the library)."""
        records = self.records_to_mark()
        if not records:
            self.notify("This story is not in the library", severity="warning")
        else:
            toggle(records)

    def story_read(self, summary: Summary) -> list[Summary]:
        """The records reading `summary` reads: the story's every record when it is read from the story's
        row (and the mark_story_read setting is on), else the record alone."""
        if not self.settings.mark_story_read or self.story.followed:
            return [summary]
        articles = self.articles_pane.query_one(ArticleList)
        if articles.on_story_row() and articles.highlighted is summary:
            return articles.records_at_cursor()
        return [summary]
