"""The footer of the main screen: the keys of what is in focus, with `? Help` and `q Quit` first, so that
a narrow terminal, which cuts the footer's end, still shows them."""

from __future__ import annotations

from collections.abc import Iterator

from textual.widget import Widget
from textual.widgets import Footer

FIRST = ("help", "quit")
"""The actions whose keys come first, in this order."""


class ReaderFooter(Footer):
    """Textual's footer, `? Help` and `q Quit` first."""

    def compose(self) -> Iterator[Widget]:  # type: ignore[override]
        keys = list(super().compose())
        first = sorted((k for k in keys if getattr(k, "action", None) in FIRST),
                       key=lambda k: FIRST.index(getattr(k, "action")))
        yield from first
        yield from (k for k in keys if k not in first)
