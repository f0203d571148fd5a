"""The detail pane: one story in full, its related coverage and the records that mention it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, chop_cells
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, OptionList, Static

from ..core.dates import DATE_FORMAT, local_date, local_time, relative_age
from ..core.fields import unescape_html
from ..core.record import Provider, Record, RelatedStory, Summary
from ..core.text import safe_text
from ..core.urls import choose_url
from .story_list import StoryList

# What the pane can show: a loaded record, a related story that is not in the library, or a message.
Shown = Record | RelatedStory | str


LABEL_WIDTH = 10
"""The column of the labels beside the links ("original", "image")."""
MIN_VALUE_WIDTH = 20
"""Narrower than this beside the labels, the links go on lines of their own under them."""


def _line(label: str, value: str) -> Content:
    return Content.assemble((f"{label:<{LABEL_WIDTH}}", "$text-muted"), value)


def _provider_line(provider: Provider) -> Content | None:
    if provider.name and provider.domain:
        return Content.assemble((provider.name, "bold $text-accent"), f"  ·  {provider.domain}")
    if provider.name or provider.domain:
        return Content.assemble((provider.name or provider.domain, "bold $text-accent"))
    return None


def _facts(item: Record | RelatedStory, date_format: str, marks: tuple[bool, bool] | None) -> list[Content]:
    lines: list[Content] = []
    if (provider := _provider_line(item.provider)) is not None:
        lines.append(provider)
    if item.published_at is not None:
        lines.append(Content(f"{local_time(item.published_at, date_format)}  ·  {relative_age(item.published_at)}"))
    else:
        lines.append(Content("no date"))
    facts = []
    if marks is not None:
        read, starred = marks
        facts += ["★ starred"] if starred else []
        facts.append("read" if read else "unread")
    if item.type:
        facts.append(item.type)
    if item.quality is not None:
        facts.append(f"quality {item.quality}")
    if isinstance(item, Record):
        if item.heat is not None:
            facts.append(f"heat {item.heat}")
        if not item.published:
            facts.append("unpublished")
        if item.removed:
            facts.append("removed")
    if facts:
        lines.append(Content("  ·  ".join(facts)))
    if isinstance(item, Record) and item.topics:
        lines.append(Content.assemble(("topics  ", "$text-muted"), (", ".join(item.topics), "$text-accent")))
    return lines


def link_rows(item: Record | RelatedStory) -> list[tuple[str, str]]:
    """The labelled rows under the facts: every link, every image, and a note of a secured payload."""
    rows = [(label, safe_text(url)) for label, url in item.urls.all()] or [("links", "none")]
    for image in item.images:
        size = f"{image.width or '?'}×{image.height or '?'}"
        rows.append(("image", f"{size:<10}{safe_text(image.url)}"))
    if isinstance(item, Record) and item.has_secured:
        rows.append(("secured", "an encrypted payload is present (it cannot be read)"))
    return rows


# A piece of a link kept on one line: up to and including a run of the characters after which a URL
# reads well broken (the separators of its path and query, and of words in them), then any spaces. Not
# after a dot: "example." + "org/" reads as two words.
_LINK_PIECE = re.compile(r"[^/?#&=\-_;,+ ]*[/?#&=\-_;,+]*[ ]*")


def wrap_link(text: str, width: int) -> list[str]:
    """`text` (a URL, or prose) in lines of at most `width` cells, broken after `/`, `-`, `?`, `&`, `=`
    and the like or after a space, and inside a piece only when the piece is wider than a whole line.

    Textual breaks lines at spaces only, so it folds a long URL at whatever column it reaches. The lines
    joined are `text` again, less the spaces at a break: the whole URL stays on screen to be copied.
    """
    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for piece in _LINK_PIECE.findall(text):
        word = piece.rstrip(" ")
        if line and cell_len(line) + cell_len(word) > width:
            lines.append(line.rstrip(" "))
            line = ""
        if word:
            *full, line = chop_cells(line + word, width)  # a piece wider than a line is cut
            lines += full
        spaces = piece[len(word) :]
        if cell_len(line) + len(spaces) <= width:
            line += spaces
    return [*lines, line.rstrip(" ")] if line or not lines else lines


def describe(
    item: Record | RelatedStory, date_format: str = DATE_FORMAT, marks: tuple[bool, bool] | None = None
) -> Content:
    """Everything about a record or related story above its links, as plain content; `marks` is the
    story's reading state (read, starred), None for one that has none."""
    lines: list[Content] = []
    if isinstance(item, RelatedStory):
        lines.append(Content.assemble((" not in the library ", "reverse $warning")))
    lines.append(Content.assemble((item.title or "(untitled)", "bold")))
    lines += _facts(item, date_format, marks)
    if item.excerpt:
        lines += [Content(""), Content(item.excerpt)]
    return Content("\n").join(lines)


# Textual's Markdown mounts a widget per block: past this size a body is shown as plain text, so that
# no story can stall the screen (1,000 list items took 8 s to show).
MARKDOWN_MAX_CHARS = 6_000
MARKDOWN_MAX_LINES = 60
PLAIN_BODY_LIMIT = 50_000


def markdown_safe(body: str) -> str | None:
    """The body as Markdown the screen can show at once and that cannot decode into unsafe characters
    (`&#x202e;` would become a bidi override), or None when it is too large for Markdown."""
    lines = sum(1 for line in body.splitlines() if line.strip())
    if len(body) > MARKDOWN_MAX_CHARS or lines > MARKDOWN_MAX_LINES:
        return None
    decoded = safe_text(unescape_html(body), multiline=True)
    return decoded.replace("&", "&amp;")


class Links(Widget):
    """The rows of `link_rows` beside their labels, each value wrapped by `wrap_link` to the pane's width
    (so it is laid out again when the pane is resized)."""

    DEFAULT_CSS = "Links { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[tuple[str, str]] = []

    def show(self, rows: list[tuple[str, str]]) -> None:
        """Show (label, value) rows; the values are record text already made safe."""
        self.rows = rows
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Content]:
        """The rows `width` cells wide: each value beside its label, or under it when that is too narrow."""
        beside = width >= LABEL_WIDTH + MIN_VALUE_WIDTH
        lines: list[Content] = []
        for label, value in self.rows:
            if beside:
                pieces = wrap_link(value, width - LABEL_WIDTH)
                lines += [_line(label if number == 0 else "", piece) for number, piece in enumerate(pieces)]
            else:
                lines.append(Content.styled(label, "$text-muted"))
                lines += [Content(piece) for piece in wrap_link(value, width)]
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_size.width))


class DetailPane(VerticalScroll, can_focus=True):
    """Shows what the screen tells it to; posts `Follow` when a related or mentioning story is chosen."""

    DEFAULT_CSS = """
    DetailPane {
        /* The scrollbar, one cell like the article list's, against the border, and a cell between it
           and the text: every child keeps a margin on its right. */
        padding: 0 0 0 1;
        scrollbar-size-vertical: 1;
        & > #detail-text { width: 1fr; margin-right: 1; }
        & > #detail-links { margin: 1 1 0 0; }
        & > Markdown { margin: 1 1 0 0; padding: 0; }
        & > #detail-plain-body { margin: 1 1 0 0; }
        & > .detail-heading {
            margin: 1 1 0 0; text-style: bold; color: $text-primary; text-wrap: nowrap; text-overflow: ellipsis;
        }
        & > StoryList { margin-right: 1; }
    }
    """

    LISTS = ("coverage", "related", "mentions")
    HEADINGS: ClassVar[dict[str, str]] = {
        "coverage": "Coverage", "related": "Related stories", "mentions": "Mentioned by",
    }

    @dataclass
    class Follow(Message):
        """A related story or mentioning record was chosen."""

        target: RelatedStory | Summary

    @dataclass
    class Notice(Message):
        """Something the user asked for cannot be done: the screen tells them."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: Shown = ""
        self.related: tuple[RelatedStory, ...] = ()
        self.mentions: list[Summary] = []
        self.coverage: list[Summary] = []
        """Every record of the story shown (its outlets' coverage of one event), earliest first; empty
        for a story of one record."""
        self.date_format = DATE_FORMAT
        """How dates are written (strftime; the date_format setting)."""
        self.marks: Callable[[Record], tuple[bool, bool] | None] = lambda record: None
        """The reading state (read, starred) of a record, or None when it has none; set by the screen,
        which keeps the state."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-text", markup=False)
        yield Links(id="detail-links")
        yield Markdown(id="detail-body", open_links=False)
        yield Static(id="detail-plain-body", markup=False)
        yield Static("Coverage", id="coverage-heading", classes="detail-heading", markup=False)
        yield StoryList(id="coverage", markup=False)
        yield Static("Related stories", id="related-heading", classes="detail-heading", markup=False)
        yield StoryList(id="related", markup=False)
        yield Static("Mentioned by", id="mentions-heading", classes="detail-heading", markup=False)
        yield StoryList(id="mentions", markup=False)

    def on_mount(self) -> None:
        self.show("")

    def show(
        self, item: Shown, mentions: list[Summary] | None = None, coverage: list[Summary] | None = None,
        same_story: frozenset[int] = frozenset(),
    ) -> None:
        """Show a record, a related story, or a message; `coverage` is every record of its story, and
        `same_story` the positions of its related stories that are in it (listed there, not twice) or are
        the record itself."""
        self.shown = item
        self.mentions = mentions or []
        self.coverage = coverage if coverage is not None and len(coverage) > 1 else []
        related = item.related if isinstance(item, Record) else ()
        self.related = tuple(story for i, story in enumerate(related) if i not in same_story)
        self.show_marks()
        links = self.query_one(Links)
        links.display = not isinstance(item, str)
        links.show(link_rows(item) if not isinstance(item, str) else [])
        body_text = item.body if isinstance(item, Record) else ""
        rich = markdown_safe(body_text)
        body = self.query_one("#detail-body", Markdown)
        body.display = rich is not None and bool(body_text)
        if body.display or body.source:
            body.update(rich or "")
        plain = self.query_one("#detail-plain-body", Static)
        plain.display = rich is None and bool(body_text)
        plain.update(Content(body_text[:PLAIN_BODY_LIMIT]) if plain.display else "")
        self.query_one("#coverage", StoryList).show(
            (local_date(s.published_at), s.provider_name or s.provider_domain or "—", s.title) for s in self.coverage
        )
        self.query_one("#related", StoryList).show(
            (local_date(story.published_at), story.provider.name or story.provider.domain or "—", story.title)
            for story in self.related
        )
        self.query_one("#mentions", StoryList).show(
            (local_date(s.published_at), s.provider_name or s.provider_domain or "—", s.title) for s in self.mentions
        )
        for widget_id in self.LISTS:
            count = self.query_one(f"#{widget_id}", OptionList).option_count
            self.query_one(f"#{widget_id}").display = count > 0
            self.query_one(f"#{widget_id}-heading").display = count > 0
            self._update_heading(widget_id)
        self.scroll_home(animate=False)
        if isinstance(item, str):
            # Textual decides on scrollbars after the layout pass that measures the new content, so
            # the frame that first draws a message would still carry the story's scrollbar beside it.
            # A layout that finds the message too tall for the pane shows the scrollbar again.
            self.show_vertical_scrollbar = False

    def show_marks(self) -> None:
        """Draw what is shown above its links again, with the reading state as it is now (the screen
        calls this when the state changes)."""
        item = self.shown
        marks = self.marks(item) if isinstance(item, Record) else None
        text = describe(item, self.date_format, marks) if not isinstance(item, str) else Content(item)
        self.query_one("#detail-text", Static).update(text)

    def _update_heading(self, widget_id: str) -> None:
        """A list's heading: its name and length, and while it has focus, where the highlight is."""
        option_list = self.query_one(f"#{widget_id}", OptionList)
        count = option_list.option_count
        figure = f"{count}"
        if option_list.has_focus and option_list.highlighted is not None and count > 1:
            figure = f"{option_list.highlighted + 1}/{count}"
        self.query_one(f"#{widget_id}-heading", Static).update(f"{self.HEADINGS[widget_id]} ({figure})")

    def on_resize(self) -> None:
        # Each list fits in the pane under its heading: then the pane can show both at once.
        height = max(self.scrollable_content_region.height - 1, 3)
        for widget_id in self.LISTS:
            self.query_one(f"#{widget_id}").styles.max_height = height

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id in self.LISTS:
            self._update_heading(event.widget.id or "")
            # After the screen has scrolled the focused list into view, its heading too.
            self.call_after_refresh(self._reveal_heading, event.widget.id or "")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id in self.LISTS:
            self._update_heading(event.widget.id or "")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_list.has_focus:
            self._update_heading(event.option_list.id or "")

    def _reveal_heading(self, widget_id: str) -> None:
        """Scroll the pane so a focused list's heading is at its top (or as high as it can go): the
        list, no taller than the pane less its heading, is then seen whole beneath it."""
        if self.query_one(f"#{widget_id}").has_focus:
            heading = self.query_one(f"#{widget_id}-heading")
            self.scroll_to_region(heading.virtual_region, animate=False, top=True, immediate=True)

    def focus_links(self) -> bool:
        """Focus the coverage list (or else the related, or the mentioned-by list) on its first entry;
        when the story has none, post a `Notice` saying so."""
        for widget_id in self.LISTS:
            option_list = self.query_one(f"#{widget_id}", OptionList)
            if option_list.option_count:
                option_list.highlighted = 0
                self.screen.set_focus(option_list)  # at once, so a second enter follows
                return True
        if isinstance(self.shown, (Record, RelatedStory)):
            self.post_message(self.Notice("This story has no related stories, and nothing here mentions it"))
        return False

    def focused_target(self) -> RelatedStory | Summary | None:
        """The related story or mentioning record highlighted in a focused list, if any."""
        for widget_id in self.LISTS:
            option_list = self.query_one(f"#{widget_id}", OptionList)
            if option_list.has_focus and option_list.highlighted is not None:
                return self._target(widget_id, option_list.highlighted)
        return None

    def _target(self, widget_id: str, index: int) -> RelatedStory | Summary | None:
        items: tuple[RelatedStory, ...] | list[Summary] = self.related
        if widget_id != "related":
            items = self.coverage if widget_id == "coverage" else self.mentions
        return items[index] if 0 <= index < len(items) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self._target(event.option_list.id or "", event.option_index)
        if target is not None:
            self.post_message(self.Follow(target))

    def url(self) -> str:
        """The URL `o` and `y` act on: the highlighted story in a focused list, else the shown one."""
        target = self.focused_target()
        if isinstance(target, Summary):
            return target.url
        if isinstance(target, RelatedStory):
            return choose_url(target.urls)
        if isinstance(self.shown, (Record, RelatedStory)):
            return choose_url(self.shown.urls)
        return ""
