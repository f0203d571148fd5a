"""The problems screen: problems in the settings, then every file that could not be read, with its reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..core.record import Problem
from ..core.text import safe_text
from ..widgets.option_list import KeyedOptionList


class ProblemsScreen(ModalScreen[None]):
    """A list of `path: reason`; escape or q closes it."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    DEFAULT_CSS = """
    ProblemsScreen {
        align: center middle;
        & > Vertical { width: 90%; height: 80%; border: round $border; background: $surface; }
        & Static { padding: 0 1; }
        & OptionList { height: 1fr; border: none; }
    }
    """

    def __init__(self, problems: list[Problem], settings: list[str] | None = None) -> None:
        super().__init__()
        self.problems = problems
        self.settings = settings or []

    def compose(self) -> ComposeResult:
        count = len(self.problems)
        heading = f"{count:,} file{'s' if count != 1 else ''} could not be read"
        if not count and not self.settings:
            heading = "No problems: every file was read"
        if self.settings:
            heading += f"; {len(self.settings):,} problem{'s' if len(self.settings) != 1 else ''} in the settings"
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
