"""The article list: a Line API view that renders only the visible rows, so 100,000 records stay fast."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..core.dates import local_date
from ..core.listing import position
from ..core.record import Summary
from ..core.story_rows import RowKind, StoryRows
from .story_keys import StoryKeys
from .columns import Columns, date_cell, fit, plan, sort_key_name, value_cell

__all__ = ["ArticleList", "fit"]

UNREAD_MARK = "●"
STAR_MARK = "★"
BAR_THUMB = "█"
WHEEL_ROWS = 3  # rows a turn of the mouse wheel scrolls
STORY_WIDTH = 5
"""The column of a story's number of records (` ×14 `) or an opened story's record (`   · `)."""


def story_cell(kind: RowKind, size: int) -> str:
    """The story column of a row: how many records a story has, a dot indenting an opened story's record."""
    if kind == "member":
        return "   · "
    if kind == "story":
        count = f"×{size}" if size < 1000 else "×999+"
        return count.rjust(STORY_WIDTH - 1)[: STORY_WIDTH - 1] + " "
    return " " * STORY_WIDTH


class ArticleList(StoryKeys, ScrollView, can_focus=True):
    """Rows of a mark (● unread, ★ starred), date, the value sorted by (quality or heat), provider and
    title, each column shown only when the title keeps enough room (see `columns.plan`); a cursor;
    unread titles bold, unpublished rows dimmed."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", id="article_list.up", show=False),
        Binding("down,j", "cursor_down", "Down", id="article_list.down", show=False),
        Binding("pageup", "page_up", "Page up", id="article_list.page_up", show=False),
        Binding("pagedown", "page_down", "Page down", id="article_list.page_down", show=False),
        Binding("home,g", "first", "First", id="article_list.first", show=False),
        Binding("end,G", "last", "Last", id="article_list.last", show=False),
        Binding("enter", "select", "Related", id="article_list.select"),
        Binding("space", "toggle_story", "Open/close story", id="article_list.toggle_story", show=False),
        Binding("right,l", "open_story", "Open story", id="article_list.open_story", show=False),
        Binding("left,h", "close_story", "Close story", id="article_list.close_story", show=False),
    ]

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--date",
        "article-list--provider",
        "article-list--unpublished",
        "article-list--unread",
        "article-list--star",
        "article-list--bar",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        /* The list draws its own one-column scrollbar as part of its rows: Textual's scrollbar is a
           widget of its own whose every line was redrawn on each keystroke and page (about as long
           as the rows themselves), and one that comes and goes lays the screen out again. */
        overflow-x: hidden;
        overflow-y: hidden;
        & > .article-list--bar { color: $scrollbar; background: $scrollbar-background; }
        & > .article-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .article-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .article-list--date { color: $text-muted; }
        & > .article-list--provider { color: $text-accent; }
        & > .article-list--unpublished { color: $text-disabled; }
        & > .article-list--unread { text-style: bold; }
        & > .article-list--star { color: $text-warning; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    order: reactive[str] = reactive("newest", init=False)
    """The order the rows are in (set by the screen): sorted by quality or heat, a row shows that
    value; by provider, it keeps a provider column however narrow it is."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another record (or to none)."""

        article_list: ArticleList
        summary: Summary | None
        """The record under the cursor, None when the list is empty."""
        placed: bool = False
        """The list changed under the cursor (a new order, a file gone, a filter run), which put it on
        this record: the user did not move to it."""

    @dataclass
    class Selected(Message):
        """Enter was pressed on a record."""

        article_list: ArticleList
        summary: Summary

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.summaries: Sequence[Summary] = []
        # Rows drawn, by record (its id: the cached value holds the record, so the id cannot be reused),
        # width, cursor, focus and marks: a list filtered again mostly shows rows already drawn.
        self._strips: LRUCache[tuple[object, ...], tuple[Summary, Strip]]
        self._strips = LRUCache(1024)
        self.marks: Callable[[Summary], tuple[bool, bool]] = lambda summary: (True, False)
        """Whether a record is (read, starred): asked only for the rows drawn."""
        self._row_styles: dict[tuple[bool, bool], tuple[Style, Style, Style, Style, Style, Style]] = {}
        self._columns: tuple[int, str, Columns] | None = None
        """The columns for the last (row width, sort order) drawn."""
        self.follow_top = True
        """Whether the cursor stays on the first row as lists arrive: until the user moves it (or it is
        put on a story), so rows streaming in at the start do not move the list under the user."""
        self._placing = False
        """A new list is being shown: the cursor moves with it (see Highlighted.placed)."""

    @property
    def highlighted(self) -> Summary | None:
        """The record under the cursor."""
        if 0 <= self.cursor < len(self.summaries):
            return self.summaries[self.cursor]
        return None

    def show(
        self, summaries: Sequence[Summary], keep: str | None = None, fallback: int = 0, at: int | None = None
    ) -> None:
        """Show a new list; the cursor stays on the record at path `keep` if present, else goes to row
        `fallback` (clamped). `at`, when given, is where `keep` is in the list (-1: not in it), found
        beforehand off the UI thread."""
        self.summaries = summaries
        self._set_rows(len(summaries))
        index = min(fallback, max(len(summaries) - 1, 0))
        if keep is not None:
            found = at if at is not None else position(summaries, keep)
            index = found if found >= 0 else index
        self._placing = True
        try:
            self.cursor = index
        finally:
            self._placing = False
        self.refresh()

    def _set_rows(self, rows: int) -> None:
        """Set the scrollable height. Setting `virtual_size` lays out the whole screen; the list has
        no scrollbar widget that could come or go (it draws its own), so that is only needed when the
        width changed; otherwise the size is set quietly (a keystroke in the filter changes the row
        count every time)."""
        size = Size(self.size.width, rows)
        if self.virtual_size.width != size.width:
            self.virtual_size = size
        else:
            self.set_reactive(ArticleList.virtual_size, size)
            self._scroll_update(size)
            self.refresh()

    def refresh_rows(self) -> None:
        """Repaint every row, e.g. after the theme changed."""
        self._strips.clear()
        self.refresh()

    def watch_order(self) -> None:
        self.refresh_rows()

    def columns(self, width: int) -> Columns:
        """The columns of a row `width` cells wide (planned once per width and order)."""
        if self._columns is None or self._columns[:2] != (width, self.order):
            self._columns = (width, self.order, plan(width, self.order))
        return self._columns[2]

    def watch_cursor(self, old: int, new: int) -> None:
        clamped = max(0, min(new, len(self.summaries) - 1)) if self.summaries else 0
        if clamped != new:
            self.cursor = clamped
            return
        self.scroll_to_region_line(new)
        self.refresh()
        self.post_message(self.Highlighted(self, self.highlighted, self._placing))

    def scroll_to_region_line(self, line: int) -> None:
        """Scroll just enough to make row `line` visible."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if line < top:
            self.scroll_to(y=line, animate=False, force=True)
        elif height and line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, force=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._row_styles.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(event.size.width, len(self.summaries))
        # A smaller list (a smaller terminal, a pane that came back, a restored cursor placed before the
        # list had a height) keeps the cursor's row on screen.
        self.scroll_to_region_line(self.cursor)

    def thumb(self) -> range:
        """The lines of the list's scrollbar column that its thumb covers (none when all rows fit)."""
        rows, height = len(self.summaries), self.scrollable_content_region.height
        if rows <= height or height <= 0:
            return range(0)
        size = max(1, height * height // rows)
        start = round(self.scroll_offset.y * (height - size) / (rows - height))
        return range(start, start + size)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self.summaries):
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor
        rows = self.summaries
        summary = rows[index]
        kind: RowKind = rows.kind(index) if isinstance(rows, StoryRows) else "record"
        size = rows.size(index) if kind == "story" and isinstance(rows, StoryRows) else 1
        read, starred = self.row_marks(index) if kind == "story" else self.marks(summary)
        thumb = self.thumb()
        bar = (y in thumb) if thumb else None  # None: every row fits, no scrollbar
        story = (kind, size, self._value(rows.placed(index))) if isinstance(rows, StoryRows) else None
        key = (id(summary), width, is_cursor, self.has_focus, read, starred, bar, story)
        cached = self._strips.get(key)
        if cached is None:
            row = self._render_row(summary, width - 1, is_cursor, read, starred, story)
            style = self.get_component_rich_style("article-list--bar") if bar is not None else self.rich_style
            cell = Strip([Segment(BAR_THUMB if bar else " ", style)], 1)
            cached = summary, Strip.join([row, cell])
            self._strips[key] = cached
        return cached[1]

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_to(y=self.scroll_offset.y + WHEEL_ROWS, animate=False, force=True)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_to(y=self.scroll_offset.y - WHEEL_ROWS, animate=False, force=True)

    def _styles(self, is_cursor: bool) -> tuple[Style, Style, Style, Style, Style, Style]:
        """The styles of a row (base, date, provider, unread title, star, unpublished), looked up
        once per theme, focus and cursor rather than once per row."""
        key = (is_cursor, self.has_focus)
        styles = self._row_styles.get(key)
        if styles is None:
            base = self.rich_style
            if is_cursor:
                base = base + self.get_component_rich_style("article-list--cursor")
            part = lambda name: base + self.get_component_rich_style(name, partial=True)
            styles = (
                base, part("article-list--date"), part("article-list--provider"), part("article-list--unread"),
                part("article-list--star"), part("article-list--unpublished"),
            )
            self._row_styles[key] = styles
        return styles

    def _value(self, summary: Summary) -> int | None:
        """The value the value column shows for a record: its heat when sorted by heat, else its quality."""
        return summary.heat if sort_key_name(self.order) == "heat" else summary.quality

    def _render_row(
        self, summary: Summary, width: int, is_cursor: bool, read: bool, starred: bool,
        story: tuple[RowKind, int, int | None] | None = None,
    ) -> Strip:
        """A row; `story` is, in a list by story, the row's kind, its story's size and the quality or heat
        of the record that put the story where it is (what the row shows when sorted by them)."""
        base, date_style, provider_style, unread_style, star_style, unpublished = self._styles(is_cursor)
        title_style = base if read else unread_style
        mark_style = star_style if starred else base
        if not summary.published and not is_cursor:
            date_style = provider_style = title_style = unpublished
        columns = self.columns(width)
        segments = [Segment(" " if read else UNREAD_MARK, base), Segment(STAR_MARK if starred else " ", mark_style)]
        segments.append(Segment(" ", base))
        if columns.date:
            segments.append(Segment(date_cell(local_date(summary.published_at), columns.date) + " ", date_style))
        if columns.value:
            value = story[2] if story is not None else self._value(summary)
            segments.append(Segment(value_cell(value, columns.value) + " ", date_style))
        provider = summary.provider_name or summary.provider_domain or "—"
        if columns.provider:
            segments.append(Segment(fit(provider, columns.provider) + " ", provider_style))
        title_width = columns.title
        if story is not None and title_width > STORY_WIDTH:
            kind, size, _ = story
            segments.append(Segment(story_cell(kind, size), date_style))
            title_width -= STORY_WIDTH
            if kind == "member" and not columns.provider:  # an opened story's records say who wrote them
                named = min(cell_len(provider), title_width // 3)
                segments.append(Segment(fit(provider, named) + " ", provider_style))
                title_width -= named + 1
        segments.append(Segment(fit(summary.title, title_width) + " ", title_style))
        return Strip(segments).crop_extend(0, width, base)

    # Actions

    def _move(self, delta: int) -> None:
        self.follow_top = False
        if self.summaries:
            self.cursor = max(0, min(self.cursor + delta, len(self.summaries) - 1))

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max(self.scrollable_content_region.height - 1, 1))

    def action_page_down(self) -> None:
        self._move(max(self.scrollable_content_region.height - 1, 1))

    def action_first(self) -> None:
        self._move(-len(self.summaries))

    def action_last(self) -> None:
        self._move(len(self.summaries))

    def action_select(self) -> None:
        if (summary := self.highlighted) is not None:
            self.post_message(self.Selected(self, summary))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.summaries):
            self.follow_top = False
            self.cursor = index

    def on_focus(self) -> None:
        self.refresh()  # the cursor row's style follows the focus (it is part of the rows' cache key)

    def on_blur(self) -> None:
        self.refresh()
