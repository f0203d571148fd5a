"""The filter bar: a query input at the bottom of the screen and the error of the last query typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from ..core.text import safe_text, without_unsafe
from .columns import cut


PLACEHOLDERS = (
    "press / to filter: words, title:, topic:, provider:, since:7d, quality:>50 …",
    "press / to filter: words, title:, topic:, since:7d …",
    "press / to filter (? for help)",
    "/ to filter",
)
"""The filter bar's hint, longest first: the longest that fits is shown."""
VIEW_PLACEHOLDERS = (
    "press / to filter within it; t, then All, to search every record",
    "press / to filter within it (t, All: every record)",
    "/ to filter within it (t, All: every record)",
    "press / to filter within it",
    "/ to filter within it",
    "/ to filter",
)
"""The hint while a view (a topic, a saved filter, starred, recently read) narrows the list."""
VIEW_SHARE = 0.4
"""At most this share of the bar is given to the name of the view that narrows the list."""


class FilterInput(Input):
    """Textual's Input, without a layout of the whole screen on every key.

    Input sets its `virtual_size` (a reactive that lays the screen out again) on every change of its
    value; at 100,000 records that layout and repaint was most of a keystroke's time. The size only
    bounds the input's own horizontal scrolling, so it is set here without a layout, and Input's
    own assignment then finds the value unchanged."""

    COMPONENT_CLASSES = Input.COMPONENT_CLASSES | {"filter-input--error"}

    DEFAULT_CSS = """
    FilterInput > .filter-input--error { color: $text-error; text-style: bold; }
    """

    ERROR_SHARE = 0.6
    """At most this share of the line is given to an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error = ""
        """The error of the query typed, drawn over the right end of the line (a widget of its own
        beside the input changed its width, and so laid out the whole screen, as errors came and
        went while typing)."""

    def set_error(self, message: str) -> None:
        if message != self.error:
            self.error = message
            self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if y != 0 or not self.error:
            return strip
        room = strip.cell_length
        text = f" {self.error} "
        most = int(room * self.ERROR_SHARE)
        if cell_len(text) > most:
            text = set_cell_size(text, max(most - 2, 0)) + "… "
        width = cell_len(text)
        style = self.rich_style + self.get_component_rich_style("filter-input--error")
        return Strip.join([strip.crop(0, room - width), Strip([Segment(text, style)], width)])

    def _watch_value(self, value: str) -> None:
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    async def action_submit(self) -> None:
        await super().action_submit()
        # Enter gives the focus back at once, as the key is handled: keys typed right after it (j, s,
        # m ...) were still typed into the query while the Submitted message waited in the queue.
        bar = self.parent
        if isinstance(bar, FilterBar) and bar.return_focus is not None:
            self.screen.set_focus(bar.return_focus)


class FilterBar(Horizontal):
    """Posts `Changed` as the user types, `Done` on enter and `Cleared` on escape."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        background: $panel;
        & > #filter-label { width: auto; padding: 0 1; color: $text-muted; text-style: bold; }
        &.-shown > #filter-label { color: $text-accent; }
        &.-view > #filter-label { color: $text-warning; }
        & > Input, & > Input:focus { width: 1fr; height: 1; border: none; padding: 0; background: $panel; }
    }
    """

    BINDINGS = [
        Binding("escape", "clear", "Clear filter", id="filter_bar.clear"),
        Binding("ctrl+s", "save", "Save filter", id="filter_bar.save"),
    ]

    @dataclass
    class Changed(Message):
        """The query text changed."""

        text: str

    @dataclass
    class Done(Message):
        """Enter: keep the filter and go back to the list."""

        text: str
        opened: int
        """The bar's `opened` count when sent: if the bar was opened again since, focus stays in it."""

    @dataclass
    class Cleared(Message):
        """Escape: drop the filter and go back to the list."""

        opened: int

    @dataclass
    class SaveRequested(Message):
        """ctrl+s: save the query typed under a name."""

        text: str

    return_focus: Widget | None = None
    """Where the focus goes on enter (the article list)."""

    opened = 0
    """How many times the bar was opened: lets the screen tell a stale Done or Cleared from a fresh one."""

    view: str | None = None
    """The view that narrows what the bar filters (e.g. "saved: AI news"), shown before the query."""

    def compose(self) -> ComposeResult:
        # The bar is always on screen and its input only focusable while open: showing and hiding it
        # made Textual move focus on a later layout pass, after keys typed at once had gone astray.
        yield Static("/", id="filter-label", markup=False)
        field = FilterInput(placeholder=PLACEHOLDERS[0])
        field.can_focus = False
        yield field

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The view's name, cut to its share of the bar, and the longest hint that fits beside it: a
        narrow terminal cut the hint mid-word, without an ellipsis."""
        label = self.query_one("#filter-label", Static)
        width = self.size.width
        view = cut(self.view, max(int(width * VIEW_SHARE) - 4, 1)) if self.view else None
        label.update(f"{view} /" if view else "/")
        hints = VIEW_PLACEHOLDERS if self.view else PLACEHOLDERS
        field = self.query_one(FilterInput)
        room = width - cell_len(f" {view} / " if view else " / ") - 1  # the label, the cursor's cell
        field.placeholder = next((p for p in hints if cell_len(p) <= room), hints[-1])

    def set_view(self, view: str | None) -> None:
        """Show the view that narrows the list (None: every record), where the query is typed: a saved
        filter restored at the start narrowed every search with no sign of it here."""
        view = safe_text(view, limit=200) if view else None
        if view != self.view:
            self.view = view
            self.set_class(view is not None, "-view")
            self._fit()

    @property
    def text(self) -> str:
        """The query typed so far."""
        return self.query_one(Input).value

    def open(self) -> None:
        """Show the bar and put the cursor in it."""
        self.opened += 1
        self.add_class("-shown")
        field = self.query_one(Input)
        field.can_focus = True
        self.screen.set_focus(field)  # at once: keys typed right after / must land here

    def set_text(self, text: str) -> None:
        """Put a query in the bar (a saved filter, or the last run's); posts Changed like typing does."""
        self.query_one(Input).value = without_unsafe(text)

    def set_error(self, message: str) -> None:
        """Show a query error, or clear it with an empty message."""
        self.query_one(FilterInput).set_error(message)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        clean = without_unsafe(event.value)
        if clean != event.value:  # pasted escape sequences or bidi controls never reach the screen
            event.input.value = clean
            return  # setting the value posts Changed again, with the clean text
        self.post_message(self.Changed(clean))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self._close()
        self.post_message(self.Done(event.value, self.opened))

    def action_save(self) -> None:
        self.post_message(self.SaveRequested(self.text))

    def action_clear(self) -> None:
        input_widget = self.query_one(Input)
        with input_widget.prevent(Input.Changed):
            input_widget.value = ""
        self.set_error("")
        self._close()
        self.post_message(self.Cleared(self.opened))

    def _close(self) -> None:
        self.remove_class("-shown")
        self.query_one(Input).can_focus = False
