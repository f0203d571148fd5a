"""The help screen: every key binding, read from the bindings themselves so it cannot drift."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.article_list import ArticleList
from ..widgets.filter_bar import FilterBar
from ..widgets.option_list import KeyedOptionList
from ..widgets.topics import TopicList
from .main import MainScreen

EXTRA_KEYS = [
    ("tab / shift+tab", "Move between panes"),
    ("enter", "On a related or mentioning story: follow it"),
    ("ctrl+p", "Command palette"),
]

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
}


def key_label(keys: str) -> str:
    """Binding keys as a person types them: "backspace,alt+left" -> "backspace / alt+left"."""
    return " / ".join(KEY_NAMES.get(key, key) for key in keys.split(","))


def binding_rows(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every binding of the app's screens and panes, with the keys the
    `keymap` setting gives them."""
    from ..app import ReaderApp

    screen = [b for b in MainScreen.BINDINGS if isinstance(b, Binding)]
    sources: list[tuple[str, list[Binding]]] = [
        ("anywhere", [b for b in ReaderApp.BINDINGS if isinstance(b, Binding)]),
        ("main screen", [b for b in screen if b.action != "keep_filter"]),
        ("article list", [b for b in ArticleList.BINDINGS if isinstance(b, Binding)]),
        # enter in the filter bar is bound on the screen, to act as the key arrives
        ("filter bar", [*(b for b in screen if b.action == "keep_filter"),
                        *(b for b in FilterBar.BINDINGS if isinstance(b, Binding))]),
        ("topic pane", [b for b in TopicList.BINDINGS if isinstance(b, Binding)]),
        ("other lists", [b for b in KeyedOptionList.BINDINGS if isinstance(b, Binding)]),
    ]
    keymap = keymap or {}
    rows = [
        (where, key_label(keymap.get(b.id or "", b.key)), b.description)
        for where, bindings in sources
        for b in bindings
    ]
    rows += [("anywhere", keys, what) for keys, what in EXTRA_KEYS]
    return rows


class HelpScreen(ModalScreen[None]):
    """A scrollable table of keys; escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 72; height: 80%; border: round $border; background: $surface; padding: 0 1;
        }
    }
    """

    def compose(self) -> ComposeResult:
        lines = [Content.assemble(("Keys", "bold"), "   (escape closes)"), Content("")]
        lines += [
            Content.assemble((f"{keys:<22}", "bold $text-accent"), (f"{where:<14}", "$text-muted"), what)
            for where, keys, what in binding_rows(self.app.settings.keymap)  # type: ignore[attr-defined]
        ]
        with VerticalScroll():
            yield Static(Content("\n").join(lines))
