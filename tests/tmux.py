"""A tiny driver for a real terminal: run a program in a detached tmux session and read its screen.

    with TmuxSession(["reader"], width=120, height=36, env={"TERM": "xterm-256color"}) as term:
        term.wait_for("Topics")
        term.send_keys("/")
        term.type("facial")
        print(term.screen())

Every session runs on its own tmux server (a socket in a fresh temporary folder, no tmux.conf), so
tests neither see nor disturb any other tmux in use, and leaving the `with` block kills that server
and removes its folder whatever happened. The pane stays open after the program exits
(`remain-on-exit`), so its last screen can still be read; a small `sh` wrapper records the exit
status. Standard library only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 15.0
POLL_INTERVAL = 0.05


def tmux_available() -> bool:
    """True when a `tmux` command is on PATH."""
    return shutil.which("tmux") is not None


def reader_in_a_terminal() -> str:
    """The installed `reader` command, skipping the test when it or tmux is missing."""
    import pytest

    if not tmux_available():
        pytest.skip("tmux is not installed (the end-to-end test drives a real terminal through tmux)")
    reader = shutil.which("reader")
    if reader is None:
        pytest.skip("the `reader` command is not on PATH (install the project: pip install -e '.[test]')")
    return reader


def isolated_env(folder: Path, browser: Path) -> dict[str, str]:
    """The environment for a program under test: HOME and the XDG folders inside `folder` (created),
    `browser` as $BROWSER, and a known terminal type."""
    env = {
        "HOME": str(folder / "home"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "BROWSER": str(browser),
        "TERM": "xterm-256color",
    }
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        Path(env[name]).mkdir()
    return env


class TmuxTimeout(AssertionError):
    """A wait ran out of time (or the program exited first); the message holds the screen."""


def wait_until(
    check: Callable[[], T],
    timeout: float = DEFAULT_TIMEOUT,
    what: str = "a condition",
    describe: Callable[[], str] | None = None,
) -> T:
    """Poll `check` until it returns something truthy and return that; raise TmuxTimeout after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            detail = f"\n{describe()}" if describe is not None else ""
            raise TmuxTimeout(f"timed out after {timeout:g}s waiting for {what}{detail}")
        time.sleep(POLL_INTERVAL)


def _socket_dir() -> str:
    # A unix socket path must stay short (~100 bytes): prefer /tmp over a long $TMPDIR.
    base = "/tmp" if os.access("/tmp", os.W_OK) else None
    return tempfile.mkdtemp(prefix="tmux-e2e-", dir=base)


class TmuxSession:
    """One program in a detached tmux session of a fixed size, on a private tmux server."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        width: int = 120,
        height: int = 36,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        server_options: Mapping[str, str] | None = None,
    ) -> None:
        self.command = list(command)
        self.server_options = dict(server_options or {})
        """tmux server options set before the program starts ({"set-clipboard": "on"} lets a program
        write tmux's paste buffers with OSC 52)."""
        self.width = width
        self.height = height
        self.env = dict(env or {})
        self.cwd = cwd
        self.name = f"e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._dir: str | None = None
        self._status_file = ""

    # Running tmux

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        if self._dir is None:
            raise RuntimeError("the tmux session is not started")
        environ = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        environ.update(self.env)
        return subprocess.run(
            ["tmux", "-S", os.path.join(self._dir, "socket"), "-f", os.devnull, *args],
            capture_output=True, text=True, check=check, env=environ, timeout=30,
        )

    def start(self) -> TmuxSession:
        """Start the program; the variables in `env` are passed to it explicitly (tmux would reset TERM)."""
        if self._dir is not None:
            raise RuntimeError("the tmux session is already started")
        self._dir = _socket_dir()
        self._status_file = os.path.join(self._dir, "status")
        # A small sh wrapper records the exit status itself: tmux (3.3a seen) sometimes never reaps
        # a pane's program, leaving its #{pane_dead_status} empty for good.
        wrapper = 'env "$@"; echo $? > "$0.tmp" && mv "$0.tmp" "$0"'
        assignments = [f"{key}={value}" for key, value in self.env.items()]
        program = ["sh", "-c", wrapper, self._status_file, *assignments, *self.command]
        options = ["-c", os.fspath(self.cwd)] if self.cwd is not None else []
        server = [
            arg for key, value in self.server_options.items() for arg in ("set-option", "-s", key, value, ";")
        ]
        try:
            self._tmux(
                *server,
                "set-option", "-g", "remain-on-exit", "on", ";",
                "new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height),
                *options, *program,
            )
        except BaseException:
            self.kill()
            raise
        return self

    def kill(self) -> None:
        """Stop the program and its private tmux server, and remove the socket folder (idempotent)."""
        if self._dir is None:
            return
        try:
            self._tmux("kill-server", check=False)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> TmuxSession:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    # Input

    def send_keys(self, *keys: str) -> None:
        """Press keys by tmux name: "Enter", "Escape", "BSpace", "Up", "C-c", "/", "q" …"""
        self._tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        """Type `text` literally, one keystroke per character."""
        self._tmux("send-keys", "-t", self.name, "-l", text)

    # Output

    def screen(self) -> str:
        """The visible screen as plain text, one line per row."""
        result = self._tmux("capture-pane", "-p", "-t", self.name, check=False)
        return result.stdout if result.returncode == 0 else f"<no screen: {result.stderr.strip()}>"

    def history(self, lines: int = 500) -> str:
        """The screen and up to `lines` lines scrolled off above it, wrapped lines joined."""
        result = self._tmux("capture-pane", "-p", "-J", "-S", f"-{lines}", "-t", self.name, check=False)
        return result.stdout if result.returncode == 0 else f"<no screen: {result.stderr.strip()}>"

    def pane_title(self) -> str:
        """The pane's title, which a program can set with OSC 0 or OSC 2."""
        return self._tmux("display-message", "-p", "-t", self.name, "#{pane_title}").stdout.rstrip("\n")

    def paste_buffers(self) -> list[str]:
        """The contents of tmux's paste buffers (OSC 52 writes one when set-clipboard is on)."""
        names = self._tmux("list-buffers", "-F", "#{buffer_name}", check=False).stdout.split()
        return [self._tmux("show-buffer", "-b", name).stdout for name in names]

    def exit_status(self) -> int | None:
        """The program's exit status once it has exited (128 + N if signal N ended it), else None."""
        try:
            with open(self._status_file) as file:
                return int(file.read().strip())
        except (OSError, ValueError):
            return None

    def report(self) -> str:
        """The screen framed for an assertion message, with the program's state."""
        status = self.exit_status()
        state = "running" if status is None else f"exited with status {status}"
        rule = "-" * self.width
        screen = self.screen().rstrip()
        return f"screen ({self.width}x{self.height}, program {state}):\n{rule}\n{screen}\n{rule}"

    # Waiting

    def wait_screen(self, check: Callable[[str], object], what: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait until `check(screen)` is truthy; return that screen. Fails at once if the program exits."""

        def poll() -> str | None:
            screen = self.screen()
            if check(screen):
                return screen
            if self.exit_status() is not None:
                raise TmuxTimeout(f"the program exited while waiting for {what}\n{self.report()}")
            return None

        return wait_until(poll, timeout, what, self.report)

    def wait_for(self, *texts: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait until all of `texts` are on screen at once; return the screen."""
        what = " and ".join(map(repr, texts)) + " on screen"
        return self.wait_screen(lambda screen: all(text in screen for text in texts), what, timeout)

    def wait_gone(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait until `text` is no longer on screen; return the screen."""
        return self.wait_screen(lambda screen: text not in screen, f"{text!r} to leave the screen", timeout)

    def wait_exit(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Wait until the program has exited; return its exit status."""

        def poll() -> list[int] | None:
            status = self.exit_status()
            return [status] if status is not None else None

        return wait_until(poll, timeout, "the program to exit", self.report)[0]
