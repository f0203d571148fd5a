"""The user's configuration file: a TOML file of settings, read with `tomllib`.

The file is written by hand, so everything in it is treated as hostile input: `load_settings` never
raises, a file that cannot be used gives the defaults and one problem, and each invalid key gives a
problem and the default for that key only, so the other keys still apply. Problem messages are one
line, never echo control characters from the file, and cut long values short.

Which themes and binding ids exist, and whether folders exist, is checked by the app, not here.
"""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import platformdirs

from .settings_values import (
    CHECKS,
    KNOWN_KEYS,
    URL_PLACEHOLDER,
    InvalidValue,
    clean,
    cut,
    empty_keymap,
    key_shown,
    load_folders,
    load_keymap,
)

CONFIG_ENV = "READER_CONFIG"
"""An environment variable that, when set and non-empty, names the config file to use instead."""

MAX_FILE_BYTES = 1024 * 1024
"""Larger config files are refused: no hand-written configuration is anywhere near this size."""


def config_location() -> str:
    """The config file to read: `$READER_CONFIG` when it is set and non-empty, else `config.toml` in
    platformdirs' user config folder for "reader" (`~/.config/reader/config.toml` on Linux)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return override
    return os.path.join(platformdirs.user_config_dir("reader", appauthor=False), "config.toml")


@dataclass(frozen=True)
class Settings:
    """Everything the config file can set; the defaults are what an absent file means."""

    folders: tuple[str, ...] = ()
    """Folders to read when none are given on the command line (absolute, ~ and $VARS expanded)."""
    theme: str | None = None
    """A Textual theme name; whether it exists is checked by the app."""
    date_format: str = "%Y-%m-%d %H:%M"
    """The strftime format for dates in the story pane."""
    read_after: float = 1.0
    """Seconds a story must stay shown before it counts as read; 0 means at once."""
    show_unpublished: bool = True
    """Whether records with `published: false` are listed."""
    mark_story_read: bool = True
    """Whether reading a story (a row of several records) marks every record of it read."""
    browser: tuple[str, ...] = ()
    """The argv of the browser command, with "{url}" where the URL goes; () means the system default."""
    keymap: Mapping[str, str] = field(default_factory=empty_keymap)
    """Binding id -> keys, as Textual's keymap takes them (read-only)."""

    def __post_init__(self) -> None:
        # A keymap given as a plain dict is copied into a read-only view, so no caller can change it.
        if not isinstance(self.keymap, MappingProxyType):
            object.__setattr__(self, "keymap", MappingProxyType(dict(self.keymap)))


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with the config file."""

    path: str
    """The config file."""
    key: str
    """The dotted key ("read_after", "keymap.main.open"), or "" for the whole file."""
    problem: str
    """What is wrong, on one line."""

    def __str__(self) -> str:
        where = clean(self.path)
        if self.key:
            return f"{where}: {clean(self.key)}: {clean(self.problem)}"
        return f"{where}: {clean(self.problem)}"


def _settings_from(table: dict[str, Any], path: str) -> tuple[Settings, list[SettingsProblem]]:
    """Settings from a parsed TOML table: each key checked on its own, bad ones left at their default."""
    problems: list[SettingsProblem] = []

    def report(key: str, problem: str) -> None:
        problems.append(SettingsProblem(path, key, problem))

    base = os.path.dirname(os.path.abspath(path))
    values: dict[str, Any] = {}
    for name, value in table.items():
        try:
            if name == "folders":
                values[name] = load_folders(value, base, report)
            elif name == "keymap":
                values[name] = load_keymap(value, report)
            elif name in CHECKS:
                values[name] = CHECKS[name](value, base)
            else:
                close = difflib.get_close_matches(name, KNOWN_KEYS, n=1) or difflib.get_close_matches(
                    name.casefold(), KNOWN_KEYS, n=1
                )
                hint = f" - did you mean {close[0]}?" if close else ""
                report(key_shown(name), f"unknown key{hint}")
        except InvalidValue as error:
            report(key_shown(name), str(error))
        except Exception as error:  # noqa: BLE001 - a bug here must not stop the app from starting
            report(key_shown(name), f"could not be checked ({type(error).__name__}); the default applies")
    return Settings(**values), problems



# --- the file -------------------------------------------------------------------------------------------


def _read_bytes(path: str) -> bytes | None:
    """The file's bytes; None when there is no file. Raises InvalidValue when it cannot be used."""
    flags = os.O_RDONLY
    for extra in ("O_NONBLOCK", "O_NOCTTY", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: a FIFO at the path must not hang the start
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if os.path.isdir(path):
            raise InvalidValue("is a folder, not a file") from None
        raise InvalidValue(f"cannot be read: {clean(error.strerror or type(error).__name__)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InvalidValue("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InvalidValue("is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise InvalidValue(f"is too large ({info.st_size} bytes; the limit is {MAX_FILE_BYTES})")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:  # the file may grow after fstat
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise InvalidValue(f"is too large (over {MAX_FILE_BYTES} bytes)")
        return b"".join(chunks)
    except OSError as error:
        raise InvalidValue(f"cannot be read: {clean(error.strerror or type(error).__name__)}") from None
    finally:
        os.close(fd)


def _parse(data: bytes) -> dict[str, Any]:
    """The TOML table in `data`. Raises InvalidValue with a one-line reason that includes the line."""
    try:
        text = data.decode("utf-8-sig")  # a leading byte order mark (from some editors) is dropped
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidValue(f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        if "(at end of document)" in message:
            last_line = text.count("\n") + 1
            message = message.replace("(at end of document)", f"(at end of document, line {last_line})")
        raise InvalidValue(f"is not valid TOML: {cut(clean(message), 200)}") from None
    except RecursionError:
        raise InvalidValue("is not usable TOML: it is nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - e.g. ValueError for an integer of thousands of digits
        raise InvalidValue(f"is not usable TOML: {cut(clean(str(error)), 200)}") from None


def load_settings(path: str | None = None) -> tuple[Settings, list[SettingsProblem]]:
    """Read the config file at `path` (default `config_location()`); never raises.

    A missing file gives the defaults and no problem. A file that cannot be read or is not valid TOML
    gives the defaults and one problem (TOML errors include the line). Each invalid or unknown key gives
    a problem and the default for that key only; the other keys still apply. In `folders` and `keymap`
    a bad entry is skipped and the good ones apply.
    """
    if path is None:
        path = config_location()
    try:
        data = _read_bytes(path)
        if data is None:
            return Settings(), []
        table = _parse(data)
    except InvalidValue as error:
        return Settings(), [SettingsProblem(path, "", str(error))]
    except Exception as error:  # noqa: BLE001 - e.g. a path the OS cannot even represent
        return Settings(), [SettingsProblem(path, "", f"cannot be read ({type(error).__name__})")]
    return _settings_from(table, path)


def theme_to_use(configured: str | None, chosen: str | None, chosen_under: str | None = None) -> str | None:
    """The theme to start with: the config file's `theme` when it names one, else the one last `chosen`
    in the app, else None (Textual's default). Only a theme chosen in the app is remembered: a theme
    that earlier versions remembered when the config file named that very theme (`chosen_under`, the
    file's theme when it was remembered) came from the file, and is not a choice."""
    if configured is not None:
        return configured
    if chosen and chosen != chosen_under:
        return chosen
    return None


def browser_command(argv: Sequence[str], url: str) -> list[str]:
    """The argv to run for `url`.

    Every literal "{url}" in each argument is replaced by the URL (plain `str.replace`, never
    `str.format`, so braces or `$(...)` in the URL stay as they are); when no argument contains
    "{url}", the URL is appended as the last argument.
    """
    if any(URL_PLACEHOLDER in argument for argument in argv):
        return [argument.replace(URL_PLACEHOLDER, url) for argument in argv]
    return [*argv, url]


EXAMPLE = '''\
# reader's configuration file: config.toml in the user config folder (~/.config/reader/ on Linux),
# or the file named by $READER_CONFIG. Every key is optional; each line below shows the default.
# A key with a problem is reported at start-up and keeps its default; the others still apply.

# Folders to read when none are given on the command line. ~ and $VARS are expanded; relative
# paths are relative to this file's folder. Example: folders = ["~/news", "$HOME/archive"]
folders = []

# The colour theme: a Textual theme name such as "textual-light", "nord", "gruvbox" or
# "solarized-dark". It wins over a theme chosen in the app (ctrl+p, "Theme"), which is remembered
# and used when this is not set. Default: Textual's own dark theme.
# theme = "nord"

# How dates are shown in the story pane: a strftime format (%Z adds the time zone).
date_format = "%Y-%m-%d %H:%M"

# Seconds a story must stay shown before it counts as read; 0 marks it read at once (0 to 3600).
read_after = 1.0

# Whether records marked published: false are listed.
show_unpublished = true

# Whether reading a story (one row for every outlet's record of one event) marks all its records read.
mark_story_read = true

# The browser to open links with, as a list of arguments: the program, then its arguments, with
# "{url}" where the link goes (it is appended when no argument has it). It is never run through a
# shell. Default: the system's default browser.
# browser = ["firefox", "--new-tab", "{url}"]

# Other keys for actions: binding id = keys, several keys separated by commas, in Textual's key
# names ("ctrl+o", "question_mark", "comma"). Binding ids include app.quit, app.help, main.filter,
# main.open, main.copy, main.sort, main.back, main.forward and main.reload.
[keymap]
# "app.quit" = "q,ctrl+q"
# "main.open" = "o,ctrl+o"
'''
"""A complete, commented example config file; `load_settings` gives exactly `Settings()` for it."""
