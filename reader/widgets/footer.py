"""The footer of the main screen: the keys of what is in focus, `? Help` and `q Quit` first, the command
palette's key at the right end, and an ellipsis where keys were left out for want of room.

Textual's Footer lays its keys out side by side in a row that scrolls sideways, so a narrow terminal cut
a key mid-word (`s ▏^p palette` at 60 columns) and nothing said more keys were hidden. This footer draws
one line itself: whole keys only, as many as fit, then `…`."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from textual import events
from textual.screen import Screen
from textual.widget import Widget

ALWAYS = ("help", "quit")
"""The actions whose keys come first and are always shown."""
FIRST = (*ALWAYS, "topics")
"""The actions whose keys come first, in this order: below 140 columns the topic pane is a drawer that
only its key opens, so that key comes before the others."""
MORE = "…"
"""Drawn after the last key shown when keys were left out."""
PALETTE_EDGE = "▏"
"""Sets the command palette's key apart at the right end."""


@dataclass(frozen=True, slots=True)
class FooterItem:
    """One key in the footer: the key pressed when it is clicked, how it is shown, what it does."""

    key: str
    shown: str
    description: str
    enabled: bool = True

    @property
    def text(self) -> str:
        """The key as drawn, with a space either side of it and after its description."""
        return f" {self.shown} {self.description} "

    @property
    def width(self) -> int:
        return cell_len(self.text)


def keys_that_fit(widths: list[int], room: int, *, keep: int = len(ALWAYS)) -> int:
    """How many of the keys of `widths`, in order, fit in `room` cells, leaving a cell for MORE when some
    are left out; the first `keep` are always counted (the caller cuts them if even they do not fit)."""
    if sum(widths) <= room:
        return len(widths)
    count, used = 0, 0
    for width in widths:
        if used + width + cell_len(MORE) > room and count >= keep:
            break
        used += width
        count += 1
    return count


class ReaderFooter(Widget):
    """One line of keys for the screen it is on (its active bindings that are shown), drawn whole or
    not at all; a click on a key presses it."""

    DEFAULT_CSS = """
    ReaderFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        & > .reader-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .reader-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .reader-footer--edge { color: $foreground 20%; }
    }
    """

    COMPONENT_CLASSES = {"reader-footer--key", "reader-footer--description", "reader-footer--edge"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[FooterItem] = []
        """Every key the screen shows, in the order drawn (those left out for want of room included)."""
        self.palette: FooterItem | None = None
        """The command palette's key, drawn at the right end."""
        self._spans: list[tuple[int, int, str]] = []
        """Where each key drawn is: (first cell, cell after the last, key), for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        items: dict[str, FooterItem] = {}
        palette = None
        app = self.app
        for key, (_, binding, enabled, _) in screen.active_bindings.items():
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = FooterItem(key, app.get_key_display(binding), binding.description, enabled)
            elif binding.show and binding.action not in items:  # one key per action, as Footer shows
                items[binding.action] = FooterItem(key, app.get_key_display(binding), binding.description,
                                                   enabled)
        first = [items.pop(action) for action in FIRST if action in items]
        new = first + list(items.values())
        if (new, palette) != (self.items, self.palette):
            self.items, self.palette = new, palette
            self.refresh()

    def shown_text(self) -> str:
        """The line as drawn at the widget's width (plain)."""
        return self.render().plain

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("reader-footer--key")
        description_style = self.get_component_rich_style("reader-footer--description")
        edge_style = self.get_component_rich_style("reader-footer--edge")
        palette = self.palette
        palette_width = cell_len(PALETTE_EDGE) + palette.width if palette is not None else 0
        first_width = sum(item.width for item in self.items[: len(ALWAYS)])
        if palette is not None and width - palette_width < first_width + cell_len(MORE):
            palette, palette_width = None, 0  # too narrow for both: the help and quit keys stay
        room = width - palette_width
        count = keys_that_fit([item.width for item in self.items], room)
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        spans = []
        for item in self.items[:count]:
            start = line.cell_len
            dim = Style(dim=not item.enabled)
            line.append(f" {item.shown} ", key_style + dim)
            line.append(f"{item.description} ", description_style + dim)
            spans.append((start, line.cell_len, item.key))
        if count < len(self.items):
            line.append(MORE, description_style)
        if palette is not None:
            line.pad_right(max(room - line.cell_len, 0))
            line.append(PALETTE_EDGE, edge_style)
            start = line.cell_len
            line.append(f" {palette.shown} ", key_style)
            line.append(f"{palette.description} ", description_style)
            spans.append((start, line.cell_len, palette.key))
        if line.cell_len > width:  # narrower than the help and quit keys: cut, with an ellipsis
            line.truncate(width, overflow="ellipsis")
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        event.stop()
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
