"""Which panes the main screen shows, by the terminal's width and the reader's keys.

The width is read in one place, the screen's HORIZONTAL_BREAKPOINTS (classes `-narrow` and `-wide`); the
rest is in app.tcss. From WIDE_SCREEN columns the three panes stand side by side. Below it the topic pane
is a drawer (`t`), and the story sits under the article list at the list's full width. At every width `z`
shows the story alone (reading mode), and `escape` steps back out one level: from the story or the topic
pane to the article list, and out of reading mode."""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

WIDE_SCREEN = 140
"""From this many columns the topics, the articles and the story stand side by side."""

READING = "-reading"
"""The screen's class while the story is shown alone."""
TOPICS = "-topics"
"""The screen's class while the topic drawer is open (below WIDE_SCREEN)."""


class PaneLayout:
    """The reading mode and the topic drawer of `screen`, and the focus that goes with them.

    `articles`, `topics` and `story` are the article list, the topic list and the story pane."""

    def __init__(self, screen: Screen[None], *, articles: Widget, topics: Widget, story: Widget) -> None:
        self.screen = screen
        self.articles, self.topics, self.story = articles, topics, story

    @property
    def reading(self) -> bool:
        return self.screen.has_class(READING)

    @property
    def drawer_open(self) -> bool:
        return self.screen.has_class(TOPICS)

    def in_story(self) -> bool:
        focused = self.screen.focused
        return focused is not None and (focused is self.story or self.story in focused.ancestors)

    def toggle_reading(self) -> None:
        """Show the story alone, or the panes again (the focus back on the article list)."""
        if self.reading:
            self.screen.remove_class(READING)
            self.screen.set_focus(self.articles)
            return
        self.screen.remove_class(TOPICS)
        self.screen.add_class(READING)
        if not self.in_story():
            self.screen.set_focus(self.story.query_one("#detail"))

    def toggle_topics(self) -> None:
        """Go to the topic pane (opening the drawer when narrow), or back from it to the article list."""
        if self.screen.focused is self.topics:
            self.back_to_list()
            return
        self.screen.remove_class(READING)
        self.screen.add_class(TOPICS)
        self.screen.set_focus(self.topics)

    def back_to_list(self) -> None:
        self.screen.remove_class(TOPICS)
        self.screen.set_focus(self.articles)

    def step_back(self) -> bool:
        """Escape: one level out (reading mode, the story pane or the topic pane to the article list);
        False when already at the list."""
        if self.reading:
            self.toggle_reading()
            return True
        if self.in_story() or self.screen.focused is self.topics or self.drawer_open:
            self.back_to_list()
            return True
        return False
