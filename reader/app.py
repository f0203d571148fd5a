"""The Textual application: global keys, opening and copying links, the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from multiprocessing import resource_tracker

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from . import __version__
from .core.library import Library, open_index
from .core.text import safe_text
from .core.urls import refusal
from .screens.main import MainScreen


class ReaderApp(App[None]):
    """A terminal reader for folders of news records."""

    CSS_PATH = "app.tcss"
    TITLE = "reader"

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, paths: list[str], *, use_cache: bool = True) -> None:
        # The parsing pool needs multiprocessing's resource tracker, which cannot start once Textual
        # has replaced sys.stderr (its fileno() is not a real descriptor): start it now.
        resource_tracker.ensure_running()
        super().__init__()
        self.paths = paths
        self.use_cache = use_cache
        self.sub_title = __version__

    def get_default_screen(self) -> Screen[None]:
        index = open_index(self.use_cache)
        if index.notice:
            self.call_later(self.notify, index.notice, severity="warning", markup=False)
        return MainScreen(self.paths, Library(index))

    def open_link(self, url: str) -> None:
        """Open an http(s) URL in the browser (through `webbrowser`, never a shell), or say why not."""
        if (reason := refusal(url)) is not None:
            self.notify(reason, severity="warning", markup=False)
            return
        self.open_url(url)
        self.notify(f"Opened {safe_text(url, limit=100)}", markup=False, timeout=2)

    def copy_link(self, url: str) -> None:
        """Copy an http(s) URL to the clipboard, or say why not."""
        if (reason := refusal(url)) is not None:
            self.notify(reason.replace("open", "copy", 1), severity="warning", markup=False)
            return
        self.copy_to_clipboard(url)
        self.notify(f"Copied {safe_text(url, limit=100)}", markup=False, timeout=2)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        yield SystemCommand("Filter", "Open the filter bar", screen.action_filter)
        yield SystemCommand("Open link", "Open the story in the browser", screen.action_open)
        yield SystemCommand("Copy link", "Copy the story's URL", screen.action_copy)
        yield SystemCommand("Cycle sort order", "newest, oldest, heat, quality, title, provider", screen.action_sort)
        yield SystemCommand("Back", "Go back to the previous story", screen.action_back)
        yield SystemCommand("Forward", "Go forward again", screen.action_forward)
        yield SystemCommand("Problems", "Files that could not be read", screen.action_problems)
        yield SystemCommand("Help", "Every key binding", self.action_help)
