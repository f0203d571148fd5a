"""Small modal questions: a yes/no confirmation and a name to type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

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
    & Horizontal {{ height: auto; margin-top: 1; }}
    & Button {{ margin-right: 2; min-width: 8; }}
}}
"""


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with y (True) or n / escape (False), or with enter on the answer highlighted:
    at first `default` (yes for what `u` undoes, no for what cannot be undone); left, right and tab
    move between the two."""

    DEFAULT_CSS = _CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
        Binding("left,right,h,l", "app.focus_next", "Other answer", show=False),
    ]

    def __init__(self, question: str, default: bool = False) -> None:
        super().__init__()
        self.question = question
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            with Horizontal():
                yield Button("Yes", id="yes", compact=True, variant="primary" if self.default else "default")
                yield Button("No", id="no", compact=True, variant="default" if self.default else "primary")
            yield Static("y  yes    n  no    enter  the highlighted answer", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

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
