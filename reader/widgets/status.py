"""The status line: one line of plain text that repaints without a layout pass."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from ..control.status import StatusParts, fit_status
from ..core.text import safe_text


class StatusLine(Widget):
    """Shows "showing N of M records" and friends; record text in it is never markup. Parts given with
    shorter forms (see `control.status.fit_status`) are shortened to fit the line's width, least useful
    first; a line still wider than the screen ends with an ellipsis."""

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
        self._parts: StatusParts = {}
        self._fitted: tuple[int, Content] | None = None
        """The line drawn last, for a width."""

    def update(self, text: str | StatusParts) -> None:
        """Show `text`, or the parts of a line fitted to the width (plain, cleaned like record text: it
        may hold a saved filter's name from an imported file), repainting only this line: its size never
        changes."""
        if isinstance(text, str):
            text = {"text": [text]}
        parts = {name: [safe_text(form) for form in forms] for name, forms in text.items()}
        if parts != self._parts:
            self._parts, self._fitted = parts, None
            self.refresh()

    def render(self) -> Content:
        width = self.content_size.width
        if self._fitted is None or self._fitted[0] != width:
            self._fitted = width, Content(fit_status(self._parts, width or None, cell_len))
        return self._fitted[1]
