"""An OptionList that also moves with j and k, like the article list."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class KeyedOptionList(OptionList):
    """Textual's OptionList, plus j / k for down / up and g / G for the first / last option."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]
