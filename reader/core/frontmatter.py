"""One file in, one `Record` or one `Problem` out: never an exception.

Limits (each gives a problem, not a crash), so that no file costs more than about a second or a
bounded amount of memory: files larger than `MAX_FILE_BYTES` are not read; front matter with more
than `MAX_YAML_ITEMS` lines and commas is not parsed (a megabyte of `[1,1,1,…]` is half a million
objects to build); only
regular files are opened (never a FIFO or device, so nothing blocks); the YAML must be a mapping.
Coercion walks only the known fields, a bounded number of items each, so a YAML alias bomb is never
expanded.
"""

from __future__ import annotations

import html
import os
import re
import stat
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any, TypeVar

import yaml
from dateutil import parser as date_parser

from . import fastyaml
from .record import Image, Problem, Provider, Record, RelatedStory, Urls
from .text import one_line, safe_text

MAX_FILE_BYTES = 1024 * 1024  # real records reach ~143 KB
MAX_YAML_ITEMS = 100_000  # lines plus commas: a 143 KB record has about 4,000
MAX_TITLE = 1_000
MAX_EXCERPT = 5_000
MAX_SHORT = 300
MAX_URL = 4_000
MAX_BODY = 200_000
MAX_TOPICS = 50
MAX_IMAGES = 50
MAX_RELATED = 500
MAX_INT = 10**12

RECORD_SUFFIXES = (".md", ".txt", ".yaml", ".yml")

_URL_FIELDS = ("originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl")
# What indexing reads of a record (fastyaml skips the rest unread): related stories only by title and URL.
_INDEX_FIELDS: dict[str, Any] = {
    **dict.fromkeys(
        ("title", "excerpt", "publishedDateTime", "featuredContent", "type", "category", "quality", "heat",
         "published", "removed", "provider", "topics", "images", "secured", *_URL_FIELDS)
    ),
    "related": dict.fromkeys(("title", *_URL_FIELDS)),
}

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """libyaml's safe loader without merge keys (a few hundred bytes of `<<` can take minutes to
    flatten) and with impossible timestamps (2021-13-45) kept as text instead of failing the file."""

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


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)

# The definition of front matter; `_split_front_matter` finds the same split several times faster.
_FRONT_MATTER = re.compile(r"\A[ \t]*---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_OPENING = re.compile(r"[ \t]*---[ \t]*\r?\n")
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")  # from the newline before it: a literal to look for
_EMPTY_FRONT_MATTER = re.compile(r"\A[ \t]*---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_YEAR = re.compile(r"\d{4}")
_DATE_DEFAULT = datetime(2000, 1, 1)
_IFRAME_SRC = re.compile(r"""src\s*=\s*\\?["']([^"'\\]+)""", re.I)


def read_record(path: str, *, related_in_full: bool = True) -> Record | Problem:
    """Read and parse one record file (see `record_from_mapping` for `related_in_full`)."""
    text = _read_text(path)
    if isinstance(text, Problem):
        return text
    return parse_text(path, text, related_in_full=related_in_full)


# A related story as the index links it: (title, originalUrl, webUrl, ampWebUrl, cdnAmpWebUrl).
RelatedLink = tuple[str, str, str, str, str]
_Related = TypeVar("_Related")


def read_for_index(path: str, related: Callable[[Any], _Related] | None = None) -> tuple[Record | Problem, _Related]:
    """What indexing needs of a file, at less cost than `read_record(path, related_in_full=False)`:
    the same record except that `related` is left empty, and the related stories that call would
    have given, as plain (title, URLs) tuples (building a RelatedStory each costs more than the rest).
    `related`, when given, is called with the front matter's `related` value (None for a problem)
    and what it returns is given instead of the tuples."""
    links = _related_links if related is None else related
    loaded = _load_file_front_matter(path, _INDEX_FIELDS)
    if isinstance(loaded, Problem):
        return loaded, links(None)
    data, body = loaded
    try:
        related_value = links(data.get("related"))
        return _record(path, data, body, ()), related_value
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
    loaded = _load_front_matter(path, text, None if related_in_full else _INDEX_FIELDS)
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
    end, body start) as offsets in `data`, or None where it does not match."""
    opening = _OPENING_BYTES.match(data, start)
    if opening is None:
        return None
    position = opening.end() - 1
    while True:
        # The first closing line candidate: "\n---", or an earlier "\n..." (which, when there is one,
        # ends before the "\n---": its dots cannot be that newline).
        dashes = data.find(b"\n---", position)
        dots = data.find(b"\n...", position, dashes if dashes >= 0 else len(data))
        position = dots if dots >= 0 else dashes
        if position < 0:
            return None
        closing = _CLOSING_BYTES.match(data, position)
        if closing is not None:
            return opening.end(), closing.start() + 1, closing.end()
        position += 1


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


def record_from_mapping(
    path: str, data: dict[Any, Any], body: str = "", *, related_in_full: bool = True
) -> Record:
    """Build a record from loaded front matter, coercing or ignoring fields of the wrong type.

    With `related_in_full=False` the related stories carry only their titles and URLs: all the index
    needs to link stories, at a fraction of the cost."""
    return _record(path, data, body, _related(data.get("related"), related_in_full))


def _record(path: str, data: dict[Any, Any], body: str, related: tuple[RelatedStory, ...]) -> Record:
    title = _text(data.get("title"), MAX_TITLE, unescape=True)
    if not title:
        title = one_line(os.path.splitext(os.path.basename(path))[0], MAX_TITLE)
    return Record(
        path=path,
        title=title,
        excerpt=_text(data.get("excerpt"), MAX_EXCERPT, unescape=True),
        published_at=parse_date(data.get("publishedDateTime")),
        urls=_urls(data),
        type=_text(data.get("type"), MAX_SHORT),
        category=_text(data.get("category"), MAX_SHORT),
        quality=_int(data.get("quality")),
        heat=_int(data.get("heat")),
        published=_bool(data.get("published"), default=True),
        removed=_bool(data.get("removed"), default=False),
        provider=_provider(data.get("provider")),
        topics=_topics(data.get("topics")),
        images=_images(data.get("images")),
        related=related,
        body=safe_text(body.strip("\r\n"), multiline=True, limit=MAX_BODY) if body.strip() else "",
        has_secured=bool(data.get("secured")),
    )


def _text(value: Any, limit: int, *, unescape: bool = False) -> str:
    if value.__class__ is str and len(value) <= limit and value.isprintable() and not (unescape and "&" in value):
        # What one_line leaves of it: safe_text changes only characters that are not printable.
        return " ".join(value.split())
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, (int, float)):
        value = str(value) if abs(value) < MAX_INT else ""
    elif isinstance(value, (datetime, date)):
        value = value.isoformat()
    if not isinstance(value, str):
        return ""
    value = value[: limit * 4]  # bound the work before unescaping
    if unescape and "&" in value:
        value = html.unescape(value)
    return one_line(value, limit)


def _url(value: Any) -> str:
    """URLs are kept as written (minus surrounding space) so that the open policy sees them whole."""
    if not isinstance(value, str) or len(value) > MAX_URL:
        return ""
    return value.strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value == value and abs(value) < MAX_INT:
        return int(value)
    if isinstance(value, str) and len(value) < 20:
        try:
            value = int(value.strip())
        except ValueError:
            return None
    if isinstance(value, int) and abs(value) < MAX_INT:
        return value
    return None


def _bool(value: Any, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
    if isinstance(value, int):
        return value != 0
    return default


def parse_date(value: Any) -> datetime | None:
    """A YAML timestamp or a date string in any form dateutil reads; naive times are UTC."""
    try:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, date):
            result = datetime(value.year, value.month, value.day)
        elif isinstance(value, str) and 0 < len(value.strip()) <= 100 and _YEAR.search(value):
            # A fixed default, so that a missing month or day never comes from today's date.
            result = date_parser.parse(value.strip(), default=_DATE_DEFAULT)
        else:
            return None
        if result.tzinfo is None:
            result = result.replace(tzinfo=timezone.utc)
        result.timestamp()  # reject times that cannot be placed on the timeline
        return result
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        return None


def _provider(value: Any) -> Provider:
    if isinstance(value, dict):
        return Provider(_text(value.get("name"), MAX_SHORT), _text(value.get("domain"), MAX_SHORT))
    return Provider(_text(value, MAX_SHORT))


def _items(value: Any, limit: int) -> list[Any]:
    if isinstance(value, list):
        return value[:limit]
    if value is None:
        return []
    return [value]


def _topics(value: Any) -> tuple[str, ...]:
    topics: dict[str, None] = {}
    for item in _items(value, MAX_TOPICS):
        topic = _text(item, MAX_SHORT) if not isinstance(item, (list, dict)) else ""
        if topic:
            topics[topic] = None
    return tuple(topics)


def _images(value: Any) -> tuple[Image, ...]:
    images = []
    for item in _items(value, MAX_IMAGES):
        if isinstance(item, str):
            item = {"url": item}
        if isinstance(item, dict) and (url := _url(item.get("url"))):
            images.append(Image(url, _int(item.get("width")), _int(item.get("height"))))
    return tuple(images)


def _urls(data: dict[Any, Any]) -> Urls:
    return Urls(
        original=_url(data.get("originalUrl")),
        web=_url(data.get("webUrl")),
        amp=_url(data.get("ampWebUrl")),
        cdn_amp=_url(data.get("cdnAmpWebUrl")),
        video=_video(data.get("featuredContent")),
    )


def _video(featured: Any) -> str:
    video = ""
    if isinstance(featured, str) and len(featured) <= MAX_URL:
        match = _IFRAME_SRC.search(featured)
        video = match.group(1).strip() if match else ""
        if not video and featured.strip().lower().startswith(("http://", "https://")):
            video = featured.strip()
    return video


def _related(value: Any, in_full: bool) -> tuple[RelatedStory, ...]:
    stories = []
    for item in _items(value, MAX_RELATED):
        if not isinstance(item, dict):
            continue
        urls = _urls(item)
        title = _text(item.get("title"), MAX_TITLE, unescape=True)
        if not title and not urls.all():
            continue
        if not in_full:
            stories.append(RelatedStory(title=title, urls=urls))
            continue
        stories.append(
            RelatedStory(
                title=title,
                excerpt=_text(item.get("excerpt"), MAX_EXCERPT, unescape=True),
                published_at=parse_date(item.get("publishedDateTime")),
                urls=urls,
                type=_text(item.get("type"), MAX_SHORT),
                provider=_provider(item.get("provider")),
                quality=_int(item.get("quality")),
                images=_images(item.get("images")),
            )
        )
    return tuple(stories)


def _related_links(value: Any) -> list[RelatedLink]:
    """`_related(value, in_full=False)` as (title, original, web, amp, cdn_amp) tuples."""
    links = []
    for item in _items(value, MAX_RELATED):
        if not isinstance(item, dict):
            continue
        original, web, amp, cdn_amp = _story_urls(item)
        title = _text(item.get("title"), MAX_TITLE, unescape=True)
        if title or original or web or amp or cdn_amp or _video(item.get("featuredContent")):
            links.append((title, original, web, amp, cdn_amp))
    return links


def _story_urls(item: dict[Any, Any]) -> tuple[str, str, str, str]:
    """A related story's original, web, AMP and AMP cache URLs, as `_urls` keeps them."""
    get = item.get
    original, web, amp, cdn_amp = get("originalUrl"), get("webUrl"), get("ampWebUrl"), get("cdnAmpWebUrl")
    # Most are absent, and _url(None) is "".
    return (
        "" if original is None else _url(original), "" if web is None else _url(web),
        "" if amp is None else _url(amp), "" if cdn_amp is None else _url(cdn_amp),
    )
