"""The topic pane: All, Starred, Recently read, every topic with its unread and total counts, then the
saved filters."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..control.choice import Choice
from ..core.counts import Counts
from ..core.filter_names import shown_name
from .columns import compact, fit
from .option_list import KeyedOptionList

__all__ = ["Choice", "TopicList", "compact", "figures", "option_key"]

ROW_SPARE = 6  # the pane's border, padding and scrollbar: a row is the pane's width less these

# Option ids: views start with NUL (record text never holds one), topics with "#", saved filters with "=".
ALL = "\x00all"
STARRED = "\x00starred"
RECENT = "\x00recent"
_HEADER = "\x00saved"


EXACT_WIDTH = 11  # "unread/total" figures up to this wide are exact; wider ones are shortened
NAME_MIN = 8


def figures(unread: int | None, total: int | None, room: int = EXACT_WIDTH) -> str:
    """ "unread/total" when it fits in `room` cells, else the unread count alone (shortened only if
    even that does not fit: two shortened figures look equal, 6.5k/6.5k for 6,560/6,569); the total
    alone for a row without an unread count; "!" for a broken query."""
    if total is None:
        return "!"
    if unread is not None and len(exact := f"{unread}/{total}") <= room:
        return exact
    alone = unread if unread is not None else total
    return str(alone) if len(str(alone)) <= max(room, 4) else compact(alone)


def _row(name: str, unread: int | None, total: int | None, width: int) -> str:
    """A row `width` cells wide: the name, then its figures."""
    shown = figures(unread, total, min(EXACT_WIDTH, width - 1 - NAME_MIN))
    return f"{fit(name, width - 1 - len(shown))} {shown}"


def option_key(choice: Choice) -> str:
    """The id of the row for a choice (kept to highlight the same row on the next start)."""
    if choice.kind == "topic":
        return "#" + choice.name
    if choice.kind == "saved":
        return "=" + choice.name
    return {"starred": STARRED, "recent": RECENT}.get(choice.kind, ALL)


class TopicList(KeyedOptionList):
    """Choose a topic, a view or a saved filter; the article list follows the highlight."""

    BINDINGS = [
        Binding("R", "rename", "Rename filter", id="topics.rename", show=False),
        Binding("delete,x", "delete", "Delete filter", id="topics.delete", show=False),
    ]

    @dataclass
    class Chosen(Message):
        """A row was highlighted."""

        choice: Choice

    @dataclass
    class RenameRequested(Message):
        """R on a saved filter."""

        name: str

    @dataclass
    class DeleteRequested(Message):
        """Delete on a saved filter."""

        name: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.border_title = "Topics"
        self._saved: dict[str, str] = {}
        self.row_width = 22
        """How wide rows are drawn: the pane's width less its border, padding and scrollbar."""
        self.counts = Counts()
        """The counts shown (drawn again when the pane's width changes)."""
        self.pending: str | None = None
        """An option id to highlight as soon as it exists (the topic restored from the last run)."""

    @property
    def choice(self) -> Choice:
        """What the highlighted row stands for."""
        option_id = None
        if self.highlighted is not None:
            option_id = self.get_option_at_index(self.highlighted).id
        return self._choice(option_id)

    def _choice(self, option_id: str | None) -> Choice:
        if option_id is None or option_id == ALL:
            return Choice("all")
        if option_id == STARRED:
            return Choice("starred")
        if option_id == RECENT:
            return Choice("recent")
        if option_id.startswith("="):
            name = option_id[1:]
            return Choice("saved", name, self._saved.get(name, ""))
        return Choice("topic", option_id[1:])

    def show(self, counts: Counts) -> None:
        """Replace the rows, keeping the highlighted one (or the pending one) when it still exists."""
        self.counts = counts
        current = self.pending or option_key(self.choice)
        width = self.row_width
        options = [
            Option(_row("All", counts.unread, counts.total, width), id=ALL),
            Option(_row("★ Starred", None, counts.starred, width), id=STARRED),
            Option(_row("Recently read", None, counts.read, width), id=RECENT),
        ]
        options += [Option(_row(t.name, t.unread, t.total, width), id="#" + t.name) for t in counts.topics]
        self._saved = {saved.name: saved.query for saved in counts.saved}
        if counts.saved:
            options.append(Option(fit("── Saved filters " + "─" * width, width), id=_HEADER, disabled=True))
            options += [
                Option(_row(shown_name(s.name), s.unread, s.count, width), id="=" + s.name) for s in counts.saved
            ]
        before = self.choice
        self.set_options(options)
        index = next((i for i, option in enumerate(options) if option.id == current), None)
        if index is not None and current == self.pending:
            self.pending = None
        with self.prevent(OptionList.OptionHighlighted):
            self.highlighted = index if index is not None else 0
        if self.choice != before:
            self.post_message(self.Chosen(self.choice))

    def on_resize(self, event: events.Resize) -> None:
        # The pane's width is the screen's (app.tcss, by the screen's width): the rows follow it.
        width = event.size.width - ROW_SPARE
        if width != self.row_width:
            self.row_width = width
            self.show(self.counts)

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        """Highlight the next row that can be chosen in the direction of `step`, stopping at the first and
        last row like the article list (OptionList wraps around to the other end)."""
        if self.highlighted is None:
            self.action_first()
            return
        index = self.highlighted + step
        while 0 <= index < self.option_count:
            if not self.get_option_at_index(index).disabled:
                self.highlighted = index
                return
            index += step

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.pending = None  # the user chose: a topic restored from the last run no longer applies
        self.post_message(self.Chosen(self.choice))

    def action_rename(self) -> None:
        choice = self.choice
        if choice.kind == "saved":
            self.post_message(self.RenameRequested(choice.name))
        else:
            self.notify("Only saved filters can be renamed", severity="warning")

    def action_delete(self) -> None:
        choice = self.choice
        if choice.kind == "saved":
            self.post_message(self.DeleteRequested(choice.name))
        else:
            self.notify("Only saved filters can be deleted", severity="warning")
