"""Small modal questions: a yes/no confirmation and a name to type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..core.text import without_unsafe

NAME_LIMIT = 100

_CSS = """
{name} {{
    align: center middle;
    & > Vertical {{
        width: 60; max-width: 100%; height: auto; padding: 1 2;
        border: round $border; background: $panel;
    }}
    & .hint {{ color: $text-muted; margin-top: 1; }}
    & Input {{ margin-top: 1; }}
}}
"""


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with y (True) or n / escape (False)."""

    DEFAULT_CSS = _CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Static("y  yes    n  no", classes="hint", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NameScreen(ModalScreen[str | None]):
    """A name typed and confirmed with enter (None on escape)."""

    DEFAULT_CSS = _CSS.format(name="NameScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Input(self.value, max_length=NAME_LIMIT, id="name")
            yield Static("enter  save    escape  cancel", classes="hint", markup=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        clean = without_unsafe(event.value)
        if clean != event.value:  # pasted control characters never become part of a name
            event.input.value = clean

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = " ".join(event.value.split())
        if name:
            self.dismiss(name)
        else:
            self.notify("Type a name first", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)
