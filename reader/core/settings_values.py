"""Each value of the config file checked on its own: a function per key that gives what `Settings`
stores or raises `InvalidValue` with a one-line reason, and values from the file shown safely in
those reasons (escaped, cut short, never a control character).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from datetime import time as clock_time
from types import MappingProxyType
from typing import Any

MAX_READ_AFTER = 3600.0
MAX_THEME_CHARS = 100
MAX_DATE_FORMAT_CHARS = 200
MAX_BROWSER_ARGS = 100
MAX_KEYMAP_CHARS = 200
URL_PLACEHOLDER = "{url}"

_SHOWN_CHARS = 60  # values quoted in problem messages are cut to about this many characters

# Bidirectional formatting characters: they reorder what is on screen, so they count as controls.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def empty_keymap() -> Mapping[str, str]:
    return MappingProxyType({})

    """An empty, read-only keymap."""


# --- showing values from the file safely ------------------------------------------------------------


def _escape_char(char: str) -> str:
    """A printable stand-in for one character: itself if harmless, else a Python-style escape."""
    if char in '"\\':
        return "\\" + char
    if char.isprintable() or char == " ":
        return char
    return repr(char)[1:-1]  # \x1b, \t, \u202e, \U000e0001 ...


def clean(text: str) -> str:
    """`text` with every non-printable character escaped, so it stays on one line and inert."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def cut(text: str, limit: int = _SHOWN_CHARS) -> str:
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
        return cut(str(value)) if abs(value) < 10**1000 else "a huge number"
    if isinstance(value, float):
        return cut(repr(value))
    if isinstance(value, datetime):
        return f"a date and time ({cut(value.isoformat())})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, clock_time):
        return f"a time ({value.isoformat()})"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a table" if value else "an empty table"
    return f"a {type(value).__name__}"


def key_shown(name: str) -> str:
    """A key from the file, escaped and cut for a problem's `key` field."""
    return cut(clean(name))


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


class InvalidValue(Exception):
    """A value that cannot be used; the message says why, on one line."""


def _plain_text(value: object, what: str, limit: int) -> str:
    """`value` as a non-empty string of at most `limit` characters without control characters."""
    if not isinstance(value, str):
        raise InvalidValue(f"must be {what}, got {_show(value)}")
    if not value.strip():
        raise InvalidValue(f"must be {what}, not empty or blank, got {_show(value)}")
    if len(value) > limit:
        raise InvalidValue(f"must be at most {limit} characters, got {len(value)}")
    control = _control_in(value)
    if control is not None:
        raise InvalidValue(f"must not contain control characters, got {control} in {_show(value)}")
    return value


def check_theme(value: object, base: str) -> str:
    """A theme name: plain text (whether the theme exists is the app's to check)."""
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


def check_date_format(value: object, base: str) -> str:
    """A strftime format with known directives only, that strftime accepts."""
    fmt = _plain_text(value, "a strftime format (a string)", MAX_DATE_FORMAT_CHARS)
    unknown = _unknown_directive(fmt)
    if unknown is not None:
        raise InvalidValue(
            f"has an unknown or unusable strftime directive {_show(unknown)} (use those of C and Python, "
            "such "
            "as %Y %m %d %H %M %b %a %Z; %% for a %)"
        )
    try:
        # As the app writes dates (reader.core.dates.local_time): datetime fills in %f, %z and %Z
        # itself, and hands the rest to the C library's strftime, whose refusal shows here.
        datetime.now(timezone.utc).astimezone().strftime(fmt)
    except Exception as error:  # noqa: BLE001 - any failure means the format is unusable
        raise InvalidValue(f"is not a usable strftime format: {cut(clean(str(error)))}") from None
    return fmt


def check_read_after(value: object, base: str) -> float:
    """Seconds from 0 to `MAX_READ_AFTER`."""
    wanted = f"must be a number of seconds (0 to {MAX_READ_AFTER:g})"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"{wanted}, got {_show(value)}")
    if not 0 <= value <= MAX_READ_AFTER:  # also false for nan and the infinities
        raise InvalidValue(f"{wanted}, got {_show(value)}")
    return float(value)


def check_show_unpublished(value: object, base: str) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise InvalidValue(f"must be true or false, got {_show(value)}")
    return value


def check_mark_story_read(value: object, base: str) -> bool:
    """true or false."""
    return check_show_unpublished(value, base)


def check_browser(value: object, base: str) -> tuple[str, ...]:
    """A command as a list of non-empty arguments (never a string for a shell to split)."""
    if isinstance(value, str):
        raise InvalidValue(
            f'must be a list of arguments such as ["firefox", "{URL_PLACEHOLDER}"], got the string '
            f"{_show(value)}; it is never split or run through a shell"
        )
    if not isinstance(value, list):
        raise InvalidValue(
            f'must be a list of arguments such as ["firefox", "{URL_PLACEHOLDER}"], got {_show(value)}'
        )
    if not value:
        raise InvalidValue("must name a program; leave browser out to use the system's default browser")
    if len(value) > MAX_BROWSER_ARGS:
        raise InvalidValue(f"must have at most {MAX_BROWSER_ARGS} arguments, got {len(value)}")
    for number, argument in enumerate(value, 1):
        if not isinstance(argument, str):
            raise InvalidValue(f"argument {number} must be a string, got {_show(argument)}")
        if not argument:
            raise InvalidValue(f"argument {number} must not be empty")
        if "\0" in argument:
            raise InvalidValue(f"argument {number} must not contain a NUL character")
    return tuple(value)


# Each simple key: the function that checks its value and gives what Settings stores.
CHECKS: dict[str, Callable[[object, str], Any]] = {
    "theme": check_theme,
    "date_format": check_date_format,
    "read_after": check_read_after,
    "show_unpublished": check_show_unpublished,
    "mark_story_read": check_mark_story_read,
    "browser": check_browser,
}
KNOWN_KEYS = ("folders", "theme", "date_format", "read_after", "show_unpublished", "mark_story_read", "browser",
              "keymap")


def _folder(value: object, base: str) -> str:
    """One folder: ~ and $VARS expanded, relative to the config file's folder `base`, normalised."""
    if not isinstance(value, str):
        raise InvalidValue(f"must be a folder (a string), got {_show(value)}")
    if not value:
        raise InvalidValue("must not be an empty string")
    if "\0" in value:
        raise InvalidValue(f"must not contain a NUL character, got {_show(value)}")
    expanded = os.path.expanduser(os.path.expandvars(value))
    if "\0" in expanded:  # from an environment variable; cannot happen on POSIX, but be sure
        raise InvalidValue(f"must not contain a NUL character once expanded, got {_show(expanded)}")
    return os.path.normpath(os.path.join(base, expanded))


def load_folders(value: object, base: str, report: Callable[[str, str], None]) -> tuple[str, ...]:
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
        except InvalidValue as error:
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


def load_keymap(value: object, report: Callable[[str, str], None]) -> Mapping[str, str]:
    """The keymap: a table of binding id -> keys. A bad entry is reported and skipped; the rest apply."""
    if not isinstance(value, dict):
        wanted = 'must be a table of binding ids and keys such as "main.open" = "o"'
        report("keymap", f"{wanted}, got {_show(value)}")
        return empty_keymap()
    keymap: dict[str, str] = {}
    for binding_id, keys in _keymap_entries(value):
        where = f"keymap.{key_shown(binding_id)}"
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
        except InvalidValue as error:
            report(where, str(error))
            continue
        if any(not key.strip() for key in text.split(",")):
            report(where, f"has an empty key between commas (the , key is written comma), got {_show(text)}")
            continue
        keymap[binding_id] = text
    return MappingProxyType(keymap)
