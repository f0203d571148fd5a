"""One file in, one `Record` or one `Problem` out: never an exception.

Limits (each gives a problem, not a crash), so that no file costs more than about a second or a
bounded amount of memory: files larger than `MAX_FILE_BYTES` are not read; front matter with more
than `MAX_YAML_ITEMS` lines and commas is not parsed (a megabyte of `[1,1,1,…]` is half a million
objects to build); only regular files are opened (never a FIFO or device, so nothing blocks); the
YAML must be a mapping. What becomes of each field is `fields`' business.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from typing import Any, TypeVar

import yaml

from . import fastyaml
from .fields import INDEX_FIELDS, build_record, record_from_mapping, related_links
from .record import Problem, Record
from .text import one_line

MAX_FILE_BYTES = 1024 * 1024  # real records reach ~143 KB
MAX_YAML_ITEMS = 100_000  # lines plus commas: a 143 KB record has about 4,000

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """libyaml's safe loader without merge keys (a few hundred bytes of `<<` can take minutes to
    flatten), with impossible timestamps (2021-13-45) and integers Python will not read (over 4,300
    digits) kept as text instead of failing the file."""

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not supported", key_node.start_mark
                )

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)

# The definition of front matter; `_split_front_matter` finds the same split several times faster.
_FRONT_MATTER = re.compile(r"\A[ \t]*---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_OPENING = re.compile(r"[ \t]*---[ \t]*\r?\n")
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")  # from the newline before it: a literal to look for
_EMPTY_FRONT_MATTER = re.compile(r"\A[ \t]*---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")


def read_record(path: str, *, related_in_full: bool = True) -> Record | Problem:
    """Read and parse one record file (see `record_from_mapping` for `related_in_full`)."""
    text = _read_text(path)
    if isinstance(text, Problem):
        return text
    return parse_text(path, text, related_in_full=related_in_full)


_Related = TypeVar("_Related")


def read_for_index(path: str, related: Callable[[Any], _Related] | None = None) -> tuple[Record | Problem, _Related]:
    """What indexing needs of a file, at less cost than `read_record(path, related_in_full=False)`:
    the same record except that `related` is left empty, and the related stories that call would
    have given, as plain (title, URLs) tuples (building a RelatedStory each costs more than the rest).
    `related`, when given, is called with the front matter's `related` value (None for a problem)
    and what it returns is given instead of the tuples."""
    links = related_links if related is None else related
    loaded = _load_file_front_matter(path, INDEX_FIELDS)
    if isinstance(loaded, Problem):
        return loaded, links(None)
    data, body = loaded
    try:
        related_value = links(data.get("related"))
        return build_record(path, data, body, ()), related_value
    except Exception as error:  # as in parse_text
        return Problem(path, f"unreadable record: {one_line(type(error).__name__)}"), links(None)


def _read_text(path: str) -> str | Problem:
    try:
        data = _read_bytes(path)
    except _Unreadable as error:
        return Problem(path, str(error))
    return _decoded(path, data)


def _decoded(path: str, data: bytes) -> str | Problem:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(path, f"not UTF-8 text (bad byte at offset {error.start})")


def _load_file_front_matter(path: str, want: fastyaml.Want) -> tuple[dict[Any, Any], str] | Problem:
    """`_load_front_matter(path, _read_text(path), want)`, faster: a file of front matter and body
    (the common case) is split as bytes, where looking for the closing line and for NUL bytes runs at
    memchr speed (a str with a character past Latin-1 is searched several times slower), and the two
    parts are decoded apart; anything else takes the path through the decoded text."""
    try:
        data = _read_bytes(path)
    except _Unreadable as error:
        return Problem(path, str(error))
    # What "utf-8-sig" decoding skips: one byte order mark at the start.
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    split = _split_front_matter_bytes(data, start)
    if split is not None and b"\x00" not in data:
        front_start, front_end, body_start = split
        front_bytes = data[front_start:front_end]
        try:
            front, body = front_bytes.decode("utf-8"), data[body_start:].decode("utf-8")
        except UnicodeDecodeError:
            pass  # the whole text's decoding gives the reason
        else:
            # UTF-8 maps ASCII to single bytes and nothing else onto them, so the split of the text,
            # whose delimiters are ASCII, falls where the split of the bytes does.
            return _parse_front_matter(path, front, body, 2, want, front_bytes)
    text = _decoded(path, data)
    if isinstance(text, Problem):
        return text
    return _load_front_matter(path, text, want)


class _Unreadable(Exception):
    """A file that cannot be read; the message is the problem's reason."""


def _read_bytes(path: str) -> bytes:
    try:
        info = os.stat(path)
    except OSError as error:
        raise _Unreadable(_os_reason(error)) from None
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable("not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise _Unreadable(f"too large ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise _Unreadable(_os_reason(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("not a regular file")
        chunks = []
        size = 0
        # The first read asks for what the file holds and one byte more (asking for 1 MiB made a buffer
        # of 1 MiB for each file); the reads go on to the end all the same.
        wanted = min(info.st_size, MAX_FILE_BYTES) + 1
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            wanted = 1 << 20
    except OSError as error:
        raise _Unreadable(_os_reason(error)) from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise _Unreadable(f"too large (over {MAX_FILE_BYTES:,} bytes)")
    return b"".join(chunks)


def _os_reason(error: OSError) -> str:
    if error.errno == 40:  # ELOOP
        return "symbolic link loop"
    return error.strerror or type(error).__name__


def parse_text(path: str, text: str, *, related_in_full: bool = True) -> Record | Problem:
    """Parse the text of one file: YAML front matter between `---` lines and an optional body."""
    loaded = _load_front_matter(path, text, None if related_in_full else INDEX_FIELDS)
    if isinstance(loaded, Problem):
        return loaded
    data, body = loaded
    try:
        return record_from_mapping(path, data, body, related_in_full=related_in_full)
    except Exception as error:  # a bug here must not stop the rest of the folder from loading
        return Problem(path, f"unreadable record: {one_line(type(error).__name__)}")


def _load_front_matter(path: str, text: str, want: fastyaml.Want) -> tuple[dict[Any, Any], str] | Problem:
    """The front matter's mapping (only the `want`ed keys where fastyaml reads it) and the body."""
    if "\x00" in text:
        return Problem(path, "binary file (contains NUL bytes)")
    split = _split_front_matter(text)
    first_line = 2  # the YAML starts on the line after the opening ---
    if split is not None:
        front, body = split
    elif _EMPTY_FRONT_MATTER.match(text):
        return Problem(path, "front matter is empty")
    elif path.lower().endswith((".yaml", ".yml")) and text.strip():
        front, body, first_line = text, "", 1  # a plain YAML document, perhaps opened with ---
    elif text.lstrip(" \t").startswith("---"):
        return Problem(path, "front matter is not closed (no second --- line)")
    elif not text.strip():
        return Problem(path, "empty file")
    else:
        return Problem(path, "no front matter (the file does not start with ---)")
    return _parse_front_matter(path, front, body, first_line, want)


def _parse_front_matter(
    path: str, front: str, body: str, first_line: int, want: fastyaml.Want, encoded: bytes | None = None
) -> tuple[dict[Any, Any], str] | Problem:
    """The front matter's mapping and the body (see `_load_front_matter`); `encoded` is `front` in
    UTF-8 when the caller has it, which fastyaml checks faster than the text."""
    if len(front) > MAX_YAML_ITEMS and front.count("\n") + front.count(",") > MAX_YAML_ITEMS:
        return Problem(path, f"front matter too large to parse (over {MAX_YAML_ITEMS:,} lines and commas)")
    try:
        data = fastyaml.load(front, want, encoded)
        if data is None:
            data = yaml.load(front, Loader=Loader)
    except yaml.YAMLError as error:
        return Problem(path, f"invalid YAML: {_yaml_reason(error, first_line)}")
    except RecursionError:
        return Problem(path, "invalid YAML: nested too deeply")
    except Exception as error:  # the parser is third-party code fed hostile input
        return Problem(path, f"invalid YAML: {one_line(type(error).__name__)}")
    if data is None:
        return Problem(path, "front matter is empty")
    if not isinstance(data, dict):
        return Problem(path, f"front matter is a {_kind(data)}, not a mapping")
    return data, body


def _split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, body) as `_FRONT_MATTER` splits them, or None where it does not match.

    The regular expression's lazy `(.*?)` steps through the front matter a character at a time; a
    closing line starts right after a newline, so looking for the newline finds it at C speed."""
    opening = _OPENING.match(text)
    if opening is None:
        return None
    # _CLOSING.search(text, opening.end() - 1), whose match starts with one of these: str.find looks
    # for them faster. (The opening line's own newline may precede the closing line.)
    position = opening.end() - 1
    dashes = text.find("\n---", position)
    dots = text.find("\n...", position)
    while dashes >= 0 or dots >= 0:
        position = dashes if dots < 0 or 0 <= dashes < dots else dots
        closing = _CLOSING.match(text, position)
        if closing is not None:
            return text[opening.end() : closing.start() + 1], text[closing.end() :]
        if position == dashes:
            dashes = text.find("\n---", position + 1)
        else:
            dots = text.find("\n...", position + 1)
    return None


_OPENING_BYTES = re.compile(_OPENING.pattern.encode("ascii"))
_CLOSING_BYTES = re.compile(_CLOSING.pattern.encode("ascii"))


def _split_front_matter_bytes(data: bytes, start: int) -> tuple[int, int, int] | None:
    """`_split_front_matter` of data[start:] as UTF-8 text, on the bytes: (front matter start, its
    end, body start) as offsets in `data`, or None where it does not match. The closing line is
    searched for with one regular expression (the first "\\n" at which it matches), which runs
    ~3 times faster on bytes than looking for both kinds of line with `find`."""
    opening = _OPENING_BYTES.match(data, start)
    if opening is None:
        return None
    closing = _CLOSING_BYTES.search(data, opening.end() - 1)  # (the opening line's newline may start it)
    if closing is None:
        return None
    return opening.end(), closing.start() + 1, closing.end()


def _yaml_reason(error: yaml.YAMLError, first_line: int) -> str:
    problem = getattr(error, "problem", None) or getattr(error, "context", None) or "syntax error"
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + first_line})" if mark is not None else ""
    return one_line(str(problem), limit=120) + where


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return one_line(type(value).__name__)
