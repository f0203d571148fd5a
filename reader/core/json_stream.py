"""Reading a large JSON object a piece at a time: its keys, its small values, and the entries of its
lists one by one, holding about one chunk of the file (and one entry) in memory whatever its size.

Made for exported reading states (`reader.core.state_file`), which grow with the stories read: a
file of a million stories is read in the memory of one. Anything that is not JSON, and any single
value longer than the limit given, raises `JSONStreamError` with a one-line message.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

CHUNK_BYTES = 1024 * 1024
"""Bytes read from the file at a time."""

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_GOES_ON = re.compile(r"[0-9.eE+-]*")
"""What may follow the part of a number read so far ("1." of "1.5", "2e" of "2e-3")."""


class JSONStreamError(ValueError):
    """The file is not JSON as expected; the message is one line (without the file's name)."""


class JSONStream:
    """The JSON text of `file` (UTF-8, with or without a byte order mark), read as it is needed."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._decoder = codecs.getincrementaldecoder("utf-8")()  # (a byte order mark is taken off below)
        self._first = True
        self._json = json.JSONDecoder()
        self._text = ""
        self._at = 0
        self._read = 0
        self._eof = False
        self.largest = 0
        """The most text held at once (for tests of the memory it takes)."""

    def _more(self) -> bool:
        """Read the next chunk onto the text not yet taken; False at the end of the file."""
        if self._eof:
            return False
        data = self._file.read(CHUNK_BYTES)
        self._eof = not data
        held = len(self._decoder.getstate()[0])  # the start of a character cut by the last chunk
        try:
            chunk = self._decoder.decode(data, final=self._eof)
        except UnicodeDecodeError as error:
            raise JSONStreamError(f"not UTF-8 text (byte {self._read - held + error.start})") from error
        self._read += len(data)
        if self._first and chunk:
            chunk = chunk.removeprefix("\ufeff")  # only the file's first character may be one
            self._first = False
        self._text = self._text[self._at :] + chunk
        self._at = 0
        self.largest = max(self.largest, len(self._text))
        return True

    def peek(self) -> str:
        """The next character that is not white space, "" at the end of the text."""
        while True:
            self._at = _SPACE.match(self._text, self._at).end()  # type: ignore[union-attr]
            if self._at < len(self._text) or not self._more():
                return self._text[self._at] if self._at < len(self._text) else ""

    def take(self, char: str, what: str) -> None:
        """Step over `char`, the next character that is not white space; else it is not JSON."""
        found = self.peek()
        if found != char:
            raise JSONStreamError(f"not JSON (expected {what}, found {found!r})" if found else
                                  f"not JSON (expected {what}, found the end of the file)")
        self._at += 1

    def value(self, limit: int) -> Any:
        """The next JSON value, at most `limit` characters long."""
        self.peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._text, self._at)
            except RecursionError as error:
                raise JSONStreamError("not JSON (nested too deeply)") from error
            except ValueError as error:  # JSONDecodeError, and integers too long to convert
                if len(self._text) - self._at <= limit and self._more():
                    continue  # the value may go on in the next chunk
                message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
                if (
                    isinstance(error, json.JSONDecodeError)
                    and len(self._text) - self._at > limit
                    and (error.pos - self._at >= limit or message.startswith("Unterminated"))
                ):  # what is there is fine, but the value goes on past the limit
                    raise JSONStreamError(f"an entry is longer than {limit:,} characters") from error
                raise JSONStreamError(f"not JSON ({' '.join(message.split())})") from error
            if (
                end == len(self._text)
                or (value.__class__ in (int, float) and _NUMBER_GOES_ON.fullmatch(self._text, end))
            ) and self._more():
                continue  # a number or literal at the end of the chunk may go on in the next ("1." + "5")
            if end - self._at > limit:
                raise JSONStreamError(f"an entry is longer than {limit:,} characters")
            self._at = end
            return value

    def members(self, limit: int) -> Iterator[str]:
        """The keys of the top-level object, in order; after each, the caller takes its value (with
        `value` or `entries`). Ends at the object's end, which must be the end of the text."""
        self.take("{", "an object")
        if self.peek() == "}":
            self._at += 1
        else:
            while True:
                if self.peek() != '"':
                    self.take('"', "a key")
                key = self.value(limit)
                self.take(":", '":"')
                yield key
                if self.peek() == ",":
                    self._at += 1
                    continue
                self.take("}", '"," or "}"')
                break
        if self.peek():
            raise JSONStreamError("not JSON (more after the end of the object)")

    def entries(self, limit: int) -> Iterator[Any]:
        """The entries of the list that comes next, one at a time, each at most `limit` characters."""
        self.take("[", "a list")
        if self.peek() == "]":
            self._at += 1
            return
        while True:
            yield self.value(limit)
            if self.peek() == ",":
                self._at += 1
                continue
            self.take("]", '"," or "]"')
            return
