"""The Textual application: global keys, settings, opening and copying links, the command palette."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Iterable
from functools import partial
from multiprocessing import resource_tracker

from textual import events
from textual.app import App, SystemCommand
from textual.notifications import Notify
from textual.screen import Screen
from textual.theme import Theme

from . import __version__, idle_gc
from .core.library import Library, open_index
from .core.settings import Settings, SettingsProblem, browser_command, config_location, theme_to_use
from .core.sorting import SORT_ORDERS, order_label
from .core.state import StateStore
from .core.text import safe_text
from .core.urls import command_url, open_refusal
from .idle_gc import IdleCollector
from .keymap import APP_BINDINGS, check_keymap
from .palette import KeyedCommands
from .screens.help import HelpScreen
from .screens.main import MainScreen

MAX_TOASTS = 2
"""Notifications shown at once (the newest): at 80x24 more covered the list."""


def hang_up() -> None:
    """The terminal was closed: end the process now."""
    os._exit(0)


class ReaderApp(App[None]):
    """A terminal reader for folders of news records."""

    CSS_PATH = "app.tcss"
    TITLE = "reader"

    BINDINGS = APP_BINDINGS
    COMMANDS = {KeyedCommands}  # the system commands, each with its key

    def __init__(
        self,
        paths: list[str],
        *,
        use_cache: bool = True,
        state: StateStore | None = None,
        settings: Settings | None = None,
        problems: Iterable[SettingsProblem | str] = (),
    ) -> None:
        # The parsing pool needs multiprocessing's resource tracker, which cannot start once Textual
        # has replaced sys.stderr (its fileno() is not a real descriptor): start it now.
        resource_tracker.ensure_running()
        super().__init__()
        self.paths = paths
        self.use_cache = use_cache
        self.state = state if state is not None else StateStore()
        self.settings = settings if settings is not None else Settings()
        self.problems = [str(problem) for problem in problems]
        self.sub_title = __version__
        self.collector = IdleCollector()
        self.keyed = False
        """Whether a key was pressed since the app started: nothing becomes read before."""
        self._theme_set_here: str | None = None
        """The theme set at the start, whose change (published later) is not a choice to remember."""
        if self.settings.keymap:
            keymap, problems = check_keymap(dict(self.settings.keymap))
            where = safe_text(config_location())
            self.problems += [f"{where}: {problem}" for problem in problems]
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self._choose_theme()
        self.collector.start()
        self.set_interval(idle_gc.TICK, self.collector.tick, name="idle gc")
        # `kill` (SIGTERM) exits like `q`, restoring the terminal. A closed terminal (SIGHUP) ends the
        # process at once: there is no terminal left to restore, waiting on it could hang (a reviewer
        # saw 9 of 24 closes during start-up leave the process waiting forever), and everything worth
        # keeping (marks, saved filters, the places to come back to) is written as it changes.
        loop = asyncio.get_running_loop()
        for signum, handler in ((signal.SIGTERM, self.exit), (signal.SIGHUP, hang_up)):
            try:
                loop.add_signal_handler(signum, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (tests), or a platform without these signals
        if len(self.problems) > 2:  # a toast each would cover the screen: `!` lists them all
            count = len(self.problems)
            self.notify(f"{count} problems in the settings {safe_text(config_location())} (press ! to see them)",
                        severity="warning", markup=False, timeout=10)
        else:
            for problem in self.problems:
                self.notify(problem, severity="warning", markup=False, timeout=10)
        if self.state.notice:
            self.notify(self.state.notice, severity="error", markup=False, timeout=10)
            self.state.notice = None
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def on_unmount(self) -> None:
        self.collector.stop()

    def on_notify(self, event: Notify) -> None:
        """Before Textual's own handler adds the new notification: at most MAX_TOASTS at once, the
        newest (at 80x24 a few keys' toasts covered the list), and a message said again replaces itself."""
        shown = list(self._notifications)
        same = [note for note in shown if note.message == event.notification.message]
        rest = [note for note in shown if note not in same]
        for note in same + rest[: max(0, len(rest) - (MAX_TOASTS - 1))]:
            self._unnotify(note, refresh=False)  # Textual's _on_notify refreshes the toasts next

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.collector.touched()
            if isinstance(event, events.Key) and not self.keyed:
                self.keyed = True
                if isinstance(self.screen, MainScreen):
                    self.screen.first_key()
        await super().on_event(event)

    def _choose_theme(self) -> None:
        """The config file's theme, else the one last chosen in the app (see `theme_to_use`)."""
        configured = self.settings.theme
        name = theme_to_use(configured, self.state.get_ui("theme"), self.state.get_ui("theme.configured"))
        if name is None:
            return
        if name in self.available_themes:
            if name != self.theme:  # the change is published later: it is not a choice to remember
                self._theme_set_here = name
                self.theme = name
        elif name == configured:
            known = ", ".join(sorted(self.available_themes))
            self.problems.append(
                f"{safe_text(config_location())}: theme: no theme is called {safe_text(name, limit=60)!r}"
                f" (themes: {known})"
            )

    def _remember_theme(self, theme: Theme) -> None:
        """Remember a theme chosen in the app (not the one set at the start from the file or the state)."""
        if theme.name == self._theme_set_here:
            self._theme_set_here = None
            return
        self._theme_set_here = None
        self.state.set_ui("theme", theme.name)
        self.state.set_ui("theme.configured", None)  # a choice: see theme_to_use
        if (configured := self.settings.theme) is not None and configured != theme.name:
            self.notify(f"Theme {theme.name} until the app quits: the config file's theme "
                        f"({configured}) wins at the next start", markup=False, timeout=5)

    def get_default_screen(self) -> Screen[None]:
        index = open_index(self.use_cache)
        if index.notice:
            self.call_later(self.notify, index.notice, severity="warning", markup=False)
        return MainScreen(self.paths, Library(index), self.state, self.settings)

    def open_link(self, url: str) -> bool:
        """Open an http(s) URL in the browser (the configured command or `webbrowser`, never through a
        shell), or say why not; True when it was handed to a browser. A configured command gets the
        URL with quotes, `$`, spaces and the like percent-encoded: it may be a shell after all."""
        if (reason := open_refusal(url)) is not None:
            self.notify(reason, severity="warning", markup=False)
            return False
        if self.settings.browser:
            argv = browser_command(self.settings.browser, command_url(url))
            try:
                subprocess.Popen(  # noqa: S603 - one argv list, no shell
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except OSError as error:
                self.notify(f"Cannot run the browser {safe_text(argv[0], limit=60)}: {error.strerror}",
                            severity="error", markup=False)
                return False
        else:
            self.open_url(url)
        self.notify(f"Opened {safe_text(url, limit=100)}", markup=False, timeout=2)
        return True

    def copy_link(self, url: str) -> None:
        """Copy an http(s) URL to the clipboard, or say why not (as `open_link` would refuse it)."""
        if (reason := open_refusal(url)) is not None:
            self.notify(reason.replace("open", "copy", 1), severity="warning", markup=False)
            return
        self.copy_to_clipboard(url)
        self.notify(f"Copied {safe_text(url, limit=100)}", markup=False, timeout=2)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.keymap))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's "Keys" panel lists widget internals; `?` is this app's list of keys.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        if not isinstance(screen, MainScreen):
            return
        yield SystemCommand("Filter", "Open the filter bar", screen.action_filter)
        yield SystemCommand("Topics", "Go to the topic pane (a drawer below 140 columns)",
                            screen.action_topics)
        yield SystemCommand("Story alone", "Show the story full-screen, or the panes again",
                            screen.action_reading_mode)
        yield SystemCommand("Open link", "Open the story in the browser", screen.action_open)
        yield SystemCommand("Copy link", "Copy the story's URL", screen.action_copy)
        yield SystemCommand("Toggle read", "Mark the story read or unread", screen.action_toggle_read)
        yield SystemCommand("Toggle star", "Star or unstar the story", screen.action_toggle_star)
        yield SystemCommand("Mark all read", "Mark every record in the list read",
                            screen.action_mark_all_read)
        yield SystemCommand("Undo marking", "Undo the last read or star marking", screen.action_undo)
        yield SystemCommand("Next unread", "Go to the next unread record", screen.action_next_unread)
        yield SystemCommand("Previous unread", "Go to the previous unread record",
                            screen.action_previous_unread)
        yield SystemCommand("Cycle sort order", ", ".join(map(order_label, SORT_ORDERS)),
                            screen.action_sort)
        yield SystemCommand("Reverse sort order", "The same order, the other way round",
                            partial(screen.action_sort, True))
        yield SystemCommand("Back", "Go back to the previous story", screen.action_back)
        yield SystemCommand("Forward", "Go forward again", screen.action_forward)
        yield SystemCommand("Reload", "Check the folders for changes now", screen.action_reload)
        yield SystemCommand("Problems", "Files that could not be read", screen.action_problems)
        yield SystemCommand("Help", "Every key binding and the filter language", self.action_help)
