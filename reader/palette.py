"""The command palette's commands (ctrl+p), each shown with the key that does the same.

Textual's SystemCommand has a title, a help line and a callback, and no key. The commands are still the
app's `get_system_commands`; this provider finds each one's key among the screen's active bindings (so
a key changed by the keymap setting is the one shown) by the action its callback runs: a callback
`action_NAME` (or a partial of one with arguments) runs the action `NAME` (`NAME(args)`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits
from textual.content import Content
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

KEY_STYLE = "bold $text-accent"
"""How a command's key is drawn beside its title."""


def action_of(callback: Callable[..., object]) -> str | None:
    """The action a palette command's callback runs, as a binding names it ("sort(True)"), or None."""
    if isinstance(callback, partial):
        name = action_of(callback.func)
        if name is None or callback.keywords:
            return None
        return f"{name}({', '.join(repr(arg) for arg in callback.args)})" if callback.args else name
    name = getattr(callback, "__name__", "")
    return name.removeprefix("action_") if name.startswith("action_") else None


def action_keys(screen: Screen[object]) -> dict[str, str]:
    """The key shown for each action bound where the screen's focus is: the first of its keys that the
    footer would show, else its first key (`q` for quit, not Textual's own ctrl+q)."""
    keys: dict[str, str] = {}
    footer: set[str] = set()
    app = screen.app
    for _, binding, _, _ in screen.active_bindings.values():
        action = binding.action
        if action not in footer and (binding.show or action not in keys):
            keys[action] = app.get_key_display(binding)
            if binding.show:
                footer.add(action)
    return keys


def with_key(title: Content, key: str | None) -> Content:
    """A command's title followed by its key, when it has one."""
    return Content.assemble(title, "  ", (key, KEY_STYLE)) if key else title


class KeyedCommands(SystemCommandsProvider):
    """The app's system commands, each with its key (Textual's SystemCommandsProvider, keys added)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object], bool, str | None]]:
        keys = action_keys(self.screen)
        return [
            (title, help_text, callback, discover, keys.get(action_of(callback) or ""))
            for title, help_text, callback, discover in self.app.get_system_commands(self.screen)
        ]

    async def discover(self) -> Hits:
        for title, help_text, callback, discover, key in sorted(self._commands(), key=lambda c: c[0]):
            if discover:
                yield DiscoveryHit(with_key(Content(title), key), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback, _, key in self._commands():
            if (score := matcher.match(title)) > 0:
                shown = with_key(matcher.highlight(title), key)
                yield Hit(score, shown, callback, text=title, help=help_text)
