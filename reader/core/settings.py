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
import re
import stat
import time
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from datetime import time as clock_time
from types import MappingProxyType
from typing import Any

import platformdirs

CONFIG_ENV = "READER_CONFIG"
"""An environment variable that, when set and non-empty, names the config file to use instead."""

MAX_FILE_BYTES = 1024 * 1024
"""Larger config files are refused: no hand-written configuration is anywhere near this size."""

MAX_READ_AFTER = 3600.0
MAX_THEME_CHARS = 100
MAX_DATE_FORMAT_CHARS = 200
MAX_BROWSER_ARGS = 100
MAX_KEYMAP_CHARS = 200
URL_PLACEHOLDER = "{url}"

_SHOWN_CHARS = 60  # values quoted in problem messages are cut to about this many characters

# Bidirectional formatting characters: they reorder what is on screen, so they count as controls.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def config_location() -> str:
    """The config file to read: `$READER_CONFIG` when it is set and non-empty, else `config.toml` in
    platformdirs' user config folder for "reader" (`~/.config/reader/config.toml` on Linux)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return override
    return os.path.join(platformdirs.user_config_dir("reader", appauthor=False), "config.toml")


def _empty_keymap() -> Mapping[str, str]:
    return MappingProxyType({})


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
    browser: tuple[str, ...] = ()
    """The argv of the browser command, with "{url}" where the URL goes; () means the system default."""
    keymap: Mapping[str, str] = field(default_factory=_empty_keymap)
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
        where = _clean(self.path)
        if self.key:
            return f"{where}: {_clean(self.key)}: {_clean(self.problem)}"
        return f"{where}: {_clean(self.problem)}"


# --- showing values from the file safely ------------------------------------------------------------


def _escape_char(char: str) -> str:
    """A printable stand-in for one character: itself if harmless, else a Python-style escape."""
    if char in '"\\':
        return "\\" + char
    if char.isprintable() or char == " ":
        return char
    return repr(char)[1:-1]  # \x1b, \t, \u202e, \U000e0001 ...


def _clean(text: str) -> str:
    """`text` with every non-printable character escaped, so it stays on one line and inert."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _cut(text: str, limit: int = _SHOWN_CHARS) -> str:
    """`text` (already made safe) cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(text: str) -> str:
    """`text` from the file in double quotes, escaped and cut to about 60 characters."""
    shown: list[str] = []
    length = 0
    for char in text:
        piece = _escape_char(char)
        if length + len(piece) > _SHOWN_CHARS:
            return '"' + "".join(shown) + '…"'
        shown.append(piece)
        length += len(piece)
    return '"' + "".join(shown) + '"'


def _show(value: object) -> str:
    """A short, safe description of any value `tomllib` can produce, for "got ..." in messages."""
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _cut(str(value)) if abs(value) < 10**1000 else "a huge number"
    if isinstance(value, float):
        return _cut(repr(value))
    if isinstance(value, datetime):
        return f"a date and time ({_cut(value.isoformat())})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, clock_time):
        return f"a time ({value.isoformat()})"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a table" if value else "an empty table"
    return f"a {type(value).__name__}"


def _key(name: str) -> str:
    """A key from the file, escaped and cut for a problem's `key` field."""
    return _cut(_clean(name))


def _control_in(text: str) -> str | None:
    """The first control character in `text` (escaped), or None when there is none.

    Controls are C0/C1 characters and DEL, line and paragraph separators, lone surrogates and the
    bidirectional formatting characters: anything that could act on the terminal or reorder the screen.
    """
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_CONTROLS:
            return repr(char)[1:-1]
    return None


# --- the keys -----------------------------------------------------------------------------------------


class _Invalid(Exception):
    """A value that cannot be used; the message says why, on one line."""


def _plain_text(value: object, what: str, limit: int) -> str:
    """`value` as a non-empty string of at most `limit` characters without control characters."""
    if not isinstance(value, str):
        raise _Invalid(f"must be {what}, got {_show(value)}")
    if not value.strip():
        raise _Invalid(f"must be {what}, not empty or blank, got {_show(value)}")
    if len(value) > limit:
        raise _Invalid(f"must be at most {limit} characters, got {len(value)}")
    control = _control_in(value)
    if control is not None:
        raise _Invalid(f"must not contain control characters, got {control} in {_show(value)}")
    return value


def _check_theme(value: object, base: str) -> str:
    return _plain_text(value, "a theme name (a string)", MAX_THEME_CHARS)


# The strftime directives a date format may use: those of C99 (with its E and O modifiers), Python's %f,
# and glibc's %k %l %P %s and flags (%-d, %_H, %^b ...). Python hands the format to the C library, and
# glibc writes a directive it does not know, such as %Q, out as it is, so strftime itself cannot tell a
# typo from a format. %n and %t are left out: a line break or a tab has no place in a one-line date.
_DIRECTIVE = re.compile(r"%[-_0^#]?(?:E[cCxXyY]|O[deHImMSuUVwWy]|[aAbBcCdDeFfgGhHIjklmMpPrRsSTuUVwWxXyYzZ%])")
_ANY_DIRECTIVE = re.compile(r"%[-_0^#]?[EO]?.?", re.DOTALL)


def _unknown_directive(fmt: str) -> str | None:
    """The first `%` directive in `fmt` that is not in `_DIRECTIVE`'s list, or None."""
    position = fmt.find("%")
    while position != -1:
        known = _DIRECTIVE.match(fmt, position)
        if known is None:
            return _ANY_DIRECTIVE.match(fmt, position).group()  # type: ignore[union-attr]
        position = fmt.find("%", known.end())
    return None


def _check_date_format(value: object, base: str) -> str:
    fmt = _plain_text(value, "a strftime format (a string)", MAX_DATE_FORMAT_CHARS)
    unknown = _unknown_directive(fmt)
    if unknown is not None:
        raise _Invalid(
            f"has an unknown or unusable strftime directive {_show(unknown)} (use those of C and Python, such "
            "as %Y %m %d %H %M %b %a %Z; %% for a %)"
        )
    try:
        time.strftime(fmt)
        datetime.now(timezone.utc).astimezone().strftime(fmt)
    except Exception as error:  # noqa: BLE001 - any failure means the format is unusable
        raise _Invalid(f"is not a usable strftime format: {_cut(_clean(str(error)))}") from None
    return fmt


def _check_read_after(value: object, base: str) -> float:
    wanted = f"must be a number of seconds (0 to {MAX_READ_AFTER:g})"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(f"{wanted}, got {_show(value)}")
    if not 0 <= value <= MAX_READ_AFTER:  # also false for nan and the infinities
        raise _Invalid(f"{wanted}, got {_show(value)}")
    return float(value)


def _check_show_unpublished(value: object, base: str) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, got {_show(value)}")
    return value


def _check_browser(value: object, base: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise _Invalid(
            f'must be a list of arguments such as ["firefox", "{URL_PLACEHOLDER}"], got the string '
            f"{_show(value)}; it is never split or run through a shell"
        )
    if not isinstance(value, list):
        raise _Invalid(
            f'must be a list of arguments such as ["firefox", "{URL_PLACEHOLDER}"], got {_show(value)}'
        )
    if not value:
        raise _Invalid("must name a program; leave browser out to use the system's default browser")
    if len(value) > MAX_BROWSER_ARGS:
        raise _Invalid(f"must have at most {MAX_BROWSER_ARGS} arguments, got {len(value)}")
    for number, argument in enumerate(value, 1):
        if not isinstance(argument, str):
            raise _Invalid(f"argument {number} must be a string, got {_show(argument)}")
        if not argument:
            raise _Invalid(f"argument {number} must not be empty")
        if "\0" in argument:
            raise _Invalid(f"argument {number} must not contain a NUL character")
    return tuple(value)


# Each simple key: the function that checks its value and gives what Settings stores.
_CHECKS: dict[str, Callable[[object, str], Any]] = {
    "theme": _check_theme,
    "date_format": _check_date_format,
    "read_after": _check_read_after,
    "show_unpublished": _check_show_unpublished,
    "browser": _check_browser,
}
_KNOWN_KEYS = ("folders", "theme", "date_format", "read_after", "show_unpublished", "browser", "keymap")


def _folder(value: object, base: str) -> str:
    """One folder: ~ and $VARS expanded, relative to the config file's folder `base`, normalised."""
    if not isinstance(value, str):
        raise _Invalid(f"must be a folder (a string), got {_show(value)}")
    if not value:
        raise _Invalid("must not be an empty string")
    if "\0" in value:
        raise _Invalid(f"must not contain a NUL character, got {_show(value)}")
    expanded = os.path.expanduser(os.path.expandvars(value))
    if "\0" in expanded:  # from an environment variable; cannot happen on POSIX, but be sure
        raise _Invalid(f"must not contain a NUL character once expanded, got {_show(expanded)}")
    return os.path.normpath(os.path.join(base, expanded))


def _load_folders(value: object, base: str, report: Callable[[str, str], None]) -> tuple[str, ...]:
    """The folders: a list of strings or one string. A bad entry is reported and skipped; the rest apply."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        report("folders", f"must be a list of folders (strings), got {_show(value)}")
        return ()
    folders: list[str] = []
    for number, item in enumerate(value, 1):
        try:
            folders.append(_folder(item, base))
        except _Invalid as error:
            report("folders", f"folder {number} {error}")
    return tuple(folders)


def _keymap_entries(table: dict[str, Any]) -> list[tuple[str, object]]:
    """(binding id, value) pairs of the keymap table, nested tables flattened to dotted ids.

    `main.open = "o"` in TOML is the nested table {"main": {"open": "o"}}; it means the same as
    `"main.open" = "o"`. Iterative, so even absurdly deep nesting cannot exhaust the stack.
    """
    entries: list[tuple[str, object]] = []
    stack: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), table)]
    while stack:
        parts, current = stack.pop()
        nested: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        for name, value in current.items():
            if isinstance(value, dict) and value:
                nested.append(((*parts, name), value))
            else:
                entries.append((".".join((*parts, name)), value))
        stack.extend(reversed(nested))
    return entries


def _load_keymap(value: object, report: Callable[[str, str], None]) -> Mapping[str, str]:
    """The keymap: a table of binding id -> keys. A bad entry is reported and skipped; the rest apply."""
    if not isinstance(value, dict):
        wanted = 'must be a table of binding ids and keys such as "main.open" = "o"'
        report("keymap", f"{wanted}, got {_show(value)}")
        return _empty_keymap()
    keymap: dict[str, str] = {}
    for binding_id, keys in _keymap_entries(value):
        where = f"keymap.{_key(binding_id)}"
        if any(not part.strip() for part in binding_id.split(".")):
            report(where, "the binding id must not be empty or have an empty part")
            continue
        if len(binding_id) > MAX_KEYMAP_CHARS:
            report(
                where, f"the binding id must be at most {MAX_KEYMAP_CHARS} characters, got {len(binding_id)}"
            )
            continue
        control = _control_in(binding_id)
        if control is not None:
            report(where, f"the binding id must not contain control characters, got {control}")
            continue
        if binding_id in keymap:
            report(where, "is given twice; the first one applies")
            continue
        try:
            text = _plain_text(keys, 'keys (a string such as "o,enter")', MAX_KEYMAP_CHARS)
        except _Invalid as error:
            report(where, str(error))
            continue
        if any(not key.strip() for key in text.split(",")):
            report(where, f"has an empty key between commas (the , key is written comma), got {_show(text)}")
            continue
        keymap[binding_id] = text
    return MappingProxyType(keymap)


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
                values[name] = _load_folders(value, base, report)
            elif name == "keymap":
                values[name] = _load_keymap(value, report)
            elif name in _CHECKS:
                values[name] = _CHECKS[name](value, base)
            else:
                close = difflib.get_close_matches(name, _KNOWN_KEYS, n=1) or difflib.get_close_matches(
                    name.casefold(), _KNOWN_KEYS, n=1
                )
                hint = f" - did you mean {close[0]}?" if close else ""
                report(_key(name), f"unknown key{hint}")
        except _Invalid as error:
            report(_key(name), str(error))
        except Exception as error:  # noqa: BLE001 - a bug here must not stop the app from starting
            report(_key(name), f"could not be checked ({type(error).__name__}); the default applies")
    return Settings(**values), problems


# --- the file -------------------------------------------------------------------------------------------


def _read_bytes(path: str) -> bytes | None:
    """The file's bytes; None when there is no file. Raises _Invalid when it cannot be used."""
    flags = os.O_RDONLY
    for extra in ("O_NONBLOCK", "O_NOCTTY", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: a FIFO at the path must not hang the start
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if os.path.isdir(path):
            raise _Invalid("is a folder, not a file") from None
        raise _Invalid(f"cannot be read: {_clean(error.strerror or type(error).__name__)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _Invalid("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _Invalid("is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise _Invalid(f"is too large ({info.st_size} bytes; the limit is {MAX_FILE_BYTES})")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:  # the file may grow after fstat
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise _Invalid(f"is too large (over {MAX_FILE_BYTES} bytes)")
        return b"".join(chunks)
    except OSError as error:
        raise _Invalid(f"cannot be read: {_clean(error.strerror or type(error).__name__)}") from None
    finally:
        os.close(fd)


def _parse(data: bytes) -> dict[str, Any]:
    """The TOML table in `data`. Raises _Invalid with a one-line reason that includes the line."""
    try:
        text = data.decode("utf-8-sig")  # a leading byte order mark (from some editors) is dropped
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _Invalid(f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        if "(at end of document)" in message:
            last_line = text.count("\n") + 1
            message = message.replace("(at end of document)", f"(at end of document, line {last_line})")
        raise _Invalid(f"is not valid TOML: {_cut(_clean(message), 200)}") from None
    except RecursionError:
        raise _Invalid("is not usable TOML: it is nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - e.g. ValueError for an integer of thousands of digits
        raise _Invalid(f"is not usable TOML: {_cut(_clean(str(error)), 200)}") from None


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
    except _Invalid as error:
        return Settings(), [SettingsProblem(path, "", str(error))]
    except Exception as error:  # noqa: BLE001 - e.g. a path the OS cannot even represent
        return Settings(), [SettingsProblem(path, "", f"cannot be read ({type(error).__name__})")]
    return _settings_from(table, path)


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
# "solarized-dark". Default: Textual's own dark theme.
# theme = "nord"

# How dates are shown in the story pane: a strftime format (%Z adds the time zone).
date_format = "%Y-%m-%d %H:%M"

# Seconds a story must stay shown before it counts as read; 0 marks it read at once (0 to 3600).
read_after = 1.0

# Whether records marked published: false are listed.
show_unpublished = true

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
