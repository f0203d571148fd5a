"""The problems screen: problems in the settings, then every file that could not be read, with its reason,
and the notes of records read with fields left out."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..core.library import Library
from ..core.record import Problem
from ..core.text import safe_text
from ..widgets.option_list import KeyedOptionList


class ProblemsScreen(ModalScreen[None]):
    """A list of `path: reason` (the library's problems) after the settings' problems; escape or q
    closes it."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    DEFAULT_CSS = """
    ProblemsScreen {
        align: center middle;
        & > Vertical { width: 90%; height: 80%; border: round $border; background: $surface; }
        & Static { padding: 0 1; }
        & OptionList { height: 1fr; border: none; }
    }
    """

    def __init__(self, library: Library, settings: list[str] | None = None) -> None:
        super().__init__()
        self.problems: list[Problem] = list(library.problems)
        self.settings = settings or []
        self._library = library

    def heading(self) -> str:
        """What there is, the parts that are not none: files that could not be read, files read with
        notes (a problem of a path the library holds a record of is the record's notes: fields left
        out, the record kept), problems in the settings."""
        summary = self._library.summary
        noted = sum(summary(problem.path) is not None for problem in self.problems)
        unread = len(self.problems) - noted
        parts = []
        if unread:
            parts.append(f"{unread:,} file{'s' if unread != 1 else ''} could not be read")
        if noted:
            parts.append(f"{noted:,} file{'s' if noted != 1 else ''} read with notes")
        if self.settings:
            settings = len(self.settings)
            parts.append(f"{settings:,} problem{'s' if settings != 1 else ''} in the settings")
        return "; ".join(parts) or "No problems: every file was read"

    def compose(self) -> ComposeResult:
        heading = self.heading()
        with Vertical():
            yield Static(Content.assemble((heading, "bold"), "   (escape closes)"))
            yield KeyedOptionList(
                *(Content.assemble(("settings  ", "$text-warning"), safe_text(line)) for line in self.settings),
                *(
                    Content.assemble((safe_text(problem.path), "$text-accent"), ": ", safe_text(problem.reason))
                    for problem in self.problems
                ),
                markup=False,
            )
