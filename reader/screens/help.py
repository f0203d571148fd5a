"""The help screen: every key binding, read from the bindings themselves so it cannot drift."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..core.query_syntax import EXAMPLES, SYNTAX
from ..keymap import help_sources

EXTRA_KEYS = [
    ("tab / shift+tab", "Move between panes"),
    ("enter", "Related story: follow it"),
    ("ctrl+p", "Command palette"),
]

LEVELS = ("escape steps back one level (the story, the story alone or the topics: to the article list); "
          "q quits from anywhere. A story marked unpublished is one the aggregator did not show on its "
          "site (often a copy listed as related coverage elsewhere); show_unpublished = false hides them.")
"""How escape and q behave, said once above the table."""

STORIES = ("Stories: every outlet's record of one event is one row, showing its earliest record's title "
           "and date and its number of records (×14). A filter lists a story when any of its records "
           "matches, where its first match is. v shows one row per record instead (remembered); space, "
           "right and left open a story in place to its records and close it. m, s and M act on a story's "
           "every record on its row, on one record on an opened story's record; a story is unread while "
           "one of its records is, and reading it reads them all (mark_story_read = false: only the one "
           "shown). The story pane lists them all under Coverage (enter follows, o opens).")
"""How stories are shown and what the keys do with them, said once above the table."""

WIDE_ENOUGH = 76
"""Terminal columns from which the help's box (72 wide) holds each key's row on one line."""

KEY_LABELS = {
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
}


def key_label(keys: str) -> str:
    """Binding keys as a person types them: "backspace,alt+left" -> "backspace / alt+left"."""
    return " / ".join(KEY_LABELS.get(key, key) for key in keys.split(","))


def binding_rows(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every binding of the app's screens and panes, with the keys the
    `keymap` setting gives them."""
    keymap = keymap or {}
    rows = [
        (where, key_label(keymap.get(b.id or "", b.key)), b.description)
        for where, bindings in help_sources()
        for b in bindings
    ]
    rows += [("anywhere", keys, what) for keys, what in EXTRA_KEYS]
    return rows


def filter_language_lines() -> list[Content]:
    """The filter language and its examples, each on two lines (the syntax, then what it does,
    indented) so that a long meaning never wraps into the syntax column."""
    lines = [Content(""), Content.assemble(("Filter language", "bold"), "   (/ opens the filter bar)")]
    for syntax, meaning in SYNTAX:
        lines += [Content.styled(syntax, "bold $text-accent"), Content("    " + meaning)]
    lines += [Content(""), Content.assemble(("Examples", "bold"))]
    for query, finds in EXAMPLES:
        lines += [Content.styled(query, "bold $text-accent"), Content("    " + finds)]
    return lines


class HelpScreen(ModalScreen[None]):
    """A scrollable table of keys; escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 72; max-width: 100%; height: 80%; border: round $border; background: $surface; padding: 0 1;
        }
    }
    """

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = keymap
        """The keys the keymap setting gives to bindings, by binding id."""

    def compose(self) -> ComposeResult:
        lines = [Content.assemble(("Keys", "bold"), "   (escape closes)"), Content(LEVELS), Content("")]
        lines += [Content(STORIES), Content("")]
        narrow = self.app.size.width < WIDE_ENOUGH  # a row's meaning would wrap into the key column
        for where, keys, what in binding_rows(self.keymap):
            if narrow:  # the keys and where, then the meaning on its own indented line
                lines += [Content.assemble((f"{keys}  ", "bold $text-accent"), (where, "$text-muted")),
                          Content("    " + what)]
            else:
                lines.append(Content.assemble((f"{keys:<22}", "bold $text-accent"),
                                              (f"{where:<14}", "$text-muted"), what))
        lines += filter_language_lines()
        with VerticalScroll():
            yield Static(Content("\n").join(lines))
