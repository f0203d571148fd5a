"""The story pane's lists of related and mentioning stories: one line a story, laid out for the width it
is drawn at (title first, then the source, then the date), cut with an ellipsis, never wrapped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets.option_list import Option

from .columns import DATE_WIDTH, SHORT_DATE_WIDTH, cut, date_cell, fit
from .option_list import KeyedOptionList

GAP = 2
"""Spaces between the columns of a line."""
SOURCE_WIDTH = 16
"""The source column is as wide as the longest source in the list, up to this."""
MIN_SOURCE = 6
TITLE_FOR_SOURCE = 24
"""The source is shown when the title keeps at least this many cells beside it ..."""
TITLE_FOR_FULL_DATE = 40
"""... the date in full when the title keeps this many beside both ..."""
TITLE_FOR_DATE = 30
"""... else short when it keeps this many; else there is no date."""


def story_line(date: str, source: str, title: str, width: int, source_width: int = SOURCE_WIDTH) -> Content:
    """A story as one line `width` cells wide at most: its date, its source (in a column
    `source_width` wide) and its title, each kept only if the title keeps enough room."""
    title = title or "(untitled)"
    room = width
    source_width = min(source_width, room - TITLE_FOR_SOURCE - GAP)
    if source_width < MIN_SOURCE:
        source_width = 0
    room -= source_width + GAP if source_width else 0
    date_width = 0
    if room - (DATE_WIDTH + GAP) >= TITLE_FOR_FULL_DATE:
        date_width = DATE_WIDTH
    elif room - (SHORT_DATE_WIDTH + GAP) >= TITLE_FOR_DATE:
        date_width = SHORT_DATE_WIDTH
    room -= date_width + GAP if date_width else 0
    parts: list[tuple[str, str] | str] = []
    if date_width:
        parts.append((date_cell(date, date_width) + " " * GAP, "$text-muted"))
    if source_width:
        parts.append((fit(source, source_width) + " " * GAP, "$text-accent"))
    parts.append(cut(title, room))
    return Content.assemble(*parts)


@dataclass(frozen=True)
class StoryLine(Visual):
    """A story's line, laid out again for each width it is drawn at."""

    date: str
    source: str
    title: str
    source_width: int = SOURCE_WIDTH

    def content(self, width: int) -> Content:
        return story_line(self.date, self.source, self.title, width, self.source_width)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.content(width).render_strips(width, 1, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content(10_000).cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


class StoryList(KeyedOptionList):
    """Related or mentioning stories, one line each; no scrollbar of its own beside the text."""

    DEFAULT_CSS = """
    StoryList {
        height: auto;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        scrollbar-size-vertical: 0;
        &:focus { border: none; }
    }
    """

    def show(self, stories: Iterable[tuple[str, str, str]]) -> None:
        """Show (date, source, title) stories; the options' ids are their positions."""
        stories = list(stories)
        source_width = min(max((cell_len(source) for _, source, _ in stories), default=0), SOURCE_WIDTH)
        self.set_options(
            Option(StoryLine(date, source, title, source_width), id=str(index))
            for index, (date, source, title) in enumerate(stories)
        )
