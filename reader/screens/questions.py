"""The questions the main screen asks (saved filters, marking a list read), each a flow that runs in a
worker: the first question is shown at once by `ask` (keys typed right after the key that asked go to
it), and any later one with `push_screen_wait`. Each flow returns what was decided."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import Screen

from ..core.query import QueryError, parse_query
from ..core.state import StateStore
from .prompt import ConfirmScreen, NameScreen

T = TypeVar("T")


def ask(app: App[Any], question: Screen[T]) -> asyncio.Future[T | None]:
    """Show `question` now and return its answer, to be awaited in a worker. (Pushed from the worker
    itself, the question came a moment later: `M y` typed together copied a link, the `y` landing on
    the screen below, and left the question open.)"""
    answer: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
    app.push_screen(question, answer.set_result)
    return answer


def unsavable(text: str) -> str | None:
    """Why the query `text` cannot be saved (empty or broken), or None."""
    if not text:
        return "Type a query first, then ctrl+s saves it"
    try:
        parse_query(text)
    except QueryError as error:
        return f"Cannot save a broken query: {error}"
    return None


def rename_question(old: str, typed: str) -> NameScreen:
    return NameScreen(f"Rename the saved filter {old!r} to:", typed)


async def rename_filter(
    app: App[Any], state: StateStore, old: str, answer: Awaitable[str | None]
) -> str | None:
    """Rename the saved filter `old` to the name answered (asked again, with the name typed, while the
    name is refused); the new name, or None when it was not renamed."""
    while True:
        new = await answer
        if new is None or new == old:
            return None
        try:
            state.rename_filter(old, new)
        except (KeyError, ValueError) as error:
            app.notify(f"Cannot rename: {error}", severity="warning", markup=False)
            if isinstance(error, KeyError):  # another copy of the app deleted or renamed it
                return None
            answer = app.push_screen_wait(rename_question(old, new))
            continue
        return new


def delete_question(name: str) -> ConfirmScreen:
    return ConfirmScreen(f"Delete the saved filter {name!r}?")


async def delete_filter(state: StateStore, name: str, answer: Awaitable[bool | None]) -> bool:
    """Delete the saved filter `name` if the answer is yes; whether it was."""
    if not await answer:
        return False
    try:
        state.delete_filter(name)
    except KeyError:
        pass  # another copy of the app deleted it first
    return True


def save_question(text: str) -> NameScreen:
    return NameScreen(f"Save the filter {text!r} as:")


async def save_filter(app: App[Any], state: StateStore, text: str, answer: Awaitable[str | None]) -> bool:
    """Save the query `text` under the name answered (asking before replacing another query of that
    name); whether it was saved."""
    name = await answer
    if name is None:
        return False
    old = dict(state.saved_filters()).get(name)
    if old == text:
        return False
    if old is not None:
        question = f"Replace the saved filter {name!r} ({old}) with {text!r}?"
        if not await app.push_screen_wait(ConfirmScreen(question)):
            return False
    try:
        state.save_filter(name, text)
    except ValueError as error:  # too many saved filters, or a name the store refuses
        app.notify(f"Cannot save: {error}", severity="warning", markup=False)
        return False
    app.notify(f"Saved the filter as {name!r}; it is listed under the topics", markup=False)
    return True


def mark_read_question(count: int, stories: int | None = None) -> ConfirmScreen:
    """Ask before marking `count` unread records read; with `stories` (the list is grouped), the unread
    stories first, the count the status line shows."""
    records = f"{count:,} unread record{'s' if count != 1 else ''}"
    if stories is not None:
        records = f"{stories:,} unread {'story' if stories == 1 else 'stories'} ({records.replace(' unread', '')})"
    return ConfirmScreen(f"Mark {records} in this list read?", default=True)  # u undoes it


def marked_read(marked: int, why: str | None) -> tuple[str, SeverityLevel]:
    """What to tell the user once `M` marked `marked` records read, and how loudly, given why they are
    not saved (the state store's unsaved_reason, None when they are): say what really happened."""
    if why is not None:
        return (f"Marked {marked:,} records read, not saved yet ({why}): kept, and saved as soon as the "
                "reading state can be written (u to undo)", "warning")
    return f"Marked {marked:,} records read (u to undo)", "information"
