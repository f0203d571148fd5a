"""The status line: one line of plain text that repaints without a layout pass."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from ..core.text import safe_text


class StatusLine(Widget):
    """Shows "showing N of M records" and friends; record text in it is never markup. A line wider than
    the screen ends with an ellipsis."""

    DEFAULT_CSS = """
    StatusLine {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Content("")

    def update(self, text: str) -> None:
        """Show `text` (plain, cleaned like record text: it may hold a saved filter's name from an
        imported file), repainting only this line: its size never changes."""
        text = safe_text(text)
        if text != self._text.plain:
            self._text = Content(text)
            self.refresh()

    def render(self) -> Content:
        return self._text
