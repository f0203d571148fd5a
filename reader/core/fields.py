"""Record fields from loaded front matter: each known field coerced to its type, or left out when it
has the wrong one, with bounded work (only the known fields are walked, a bounded number of items
each, so a YAML alias bomb is never expanded) and display-safe text.
"""

from __future__ import annotations

import html
import os
import re
from datetime import date, datetime, timezone
from typing import Any

from dateutil import parser as date_parser

from .dates import epoch_date
from .record import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, Image, Provider, Record, RelatedStory
from .text import one_line, safe_text
from .urls import Urls

MAX_TITLE = 1_000
MAX_EXCERPT = 5_000
MAX_SHORT = 300
MAX_URL = 4_000
MAX_BODY = 200_000
MAX_TOPICS = 50
MAX_IMAGES = 50
MAX_RELATED = 500
MAX_INT = 10**12

URL_FIELDS = ("originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl")
# What indexing reads of a record (fastyaml skips the rest unread): related stories only by title and URL.
INDEX_FIELDS: dict[str, Any] = {
    **dict.fromkeys(
        ("title", "excerpt", "publishedDateTime", "featuredContent", "type", "category", "quality", "heat",
         "published", "removed", "provider", "topics", "images", "secured", *URL_FIELDS)
    ),
    "related": dict.fromkeys(("title", *URL_FIELDS)),
}

_YEAR = re.compile(r"\d{4}")
_LATER_YEAR = re.compile(r"\s*\+?\d{5,}-\d\d?-\d\d?(?!\d)")
"""A date of the year 10000 or later (ISO 8601's expanded years), which no date reads."""
_DATE_DEFAULT = datetime(2000, 1, 1)
_IFRAME_SRC = re.compile(r"""src\s*=\s*\\?["']([^"'\\]+)""", re.I)

RelatedLink = tuple[str, str, str, str, str]
"""A related story as the index links it: (title, originalUrl, webUrl, ampWebUrl, cdnAmpWebUrl)."""


def record_from_mapping(
    path: str, data: dict[Any, Any], body: str = "", *, related_in_full: bool = True
) -> Record:
    """Build a record from loaded front matter, coercing or ignoring fields of the wrong type.

    With `related_in_full=False` the related stories carry only their titles and URLs: all the index
    needs to link stories, at a fraction of the cost."""
    return build_record(path, data, body, _related(data.get("related"), related_in_full))


def build_record(path: str, data: dict[Any, Any], body: str, related: tuple[RelatedStory, ...]) -> Record:
    """The record of loaded front matter and a body, with `related` as its related stories."""
    title = text_field(data.get("title"), MAX_TITLE, unescape=True)
    if not title:
        title = one_line(os.path.splitext(os.path.basename(path))[0], MAX_TITLE)
    notes: list[str] = []
    date_value = data.get("publishedDateTime")
    published_at, beyond = _date(date_value)
    if published_at is None and _given(date_value):
        if beyond or (isinstance(date_value, str) and _LATER_YEAR.match(date_value)):
            notes.append(
                f"publishedDateTime {_shown(date_value)} is outside the years 1 to 9999 in UTC: "
                "shown without a date"
            )
        else:
            notes.append(f"publishedDateTime {_shown(date_value)} is not a date: shown without a date")
    return Record(
        path=path,
        title=title,
        excerpt=text_field(data.get("excerpt"), MAX_EXCERPT, unescape=True),
        published_at=published_at,
        urls=_urls(data),
        type=text_field(data.get("type"), MAX_SHORT),
        category=text_field(data.get("category"), MAX_SHORT),
        quality=_number(data, "quality", notes),
        heat=_number(data, "heat", notes),
        published=_bool(data.get("published"), default=True),
        removed=_bool(data.get("removed"), default=False),
        provider=_provider(data.get("provider")),
        topics=_topics(data.get("topics")),
        images=_images(data.get("images")),
        related=related,
        body=safe_text(body.strip("\r\n"), multiline=True, limit=MAX_BODY) if body.strip() else "",
        has_secured=bool(data.get("secured")),
        notes=tuple(notes),
    )


def text_field(value: Any, limit: int, *, unescape: bool = False) -> str:
    """A field as one line of display-safe text of at most `limit` characters (HTML entities decoded with
    `unescape`); numbers, booleans and dates as text, anything else empty."""
    plain = value.__class__ is str and len(value) <= limit
    if plain and value.isprintable() and not (unescape and "&" in value):
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
        value = unescape_html(value)
    return one_line(value, limit)


_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]+)|0*([0-9]+));?")
_DROPPED_CONTROLS = frozenset([*range(0x1, 0x9), 0xB, *range(0xE, 0x20), 0x7F])
"""The control characters `html.unescape` makes nothing of (`&#x1b;` is ""): they are kept, so that
`safe_text` shows them (ESC as ␛), as it shows them written in YAML."""


def _numeric_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    digits = hexadecimal or decimal
    if len(digits) > 8:  # past the last code point (and int() refuses more than 4,300 digits)
        return "\ufffd"  # what html.unescape gives for a number past it
    number = int(digits, 16 if hexadecimal else 10)
    # Any other number as html.unescape reads it, without the zeros that may lead it (of any number).
    return chr(number) if number in _DROPPED_CONTROLS else f"&#{number};"


def unescape_html(text: str) -> str:
    """`html.unescape`, except that a character reference to a control character (`&#x1b;`, `&#27;`)
    gives that character rather than nothing, for `safe_text` to show, and a number of any length is
    read (html.unescape raises ValueError past 4,300 digits)."""
    if "&#" in text:
        text = _NUMERIC_REFERENCE.sub(_numeric_reference, text)
    return html.unescape(text)


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
    if isinstance(value, str) and len(value := value.strip()) < 20:
        try:
            value = int(value)
        except ValueError:
            return None
    if isinstance(value, int) and abs(value) < MAX_INT:
        return value
    return None


def _given(value: Any) -> bool:
    """Whether a field has a value, used or not (null and blank text are none)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    """A value that cannot be used, for its note: text and numbers as one line of at most 60
    characters, anything else by its kind (a list is never written out: it may be an alias bomb)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not -(10**60) < value < 10**60:
        return "(a number of more than 60 digits)"
    if isinstance(value, (date, datetime)):
        value = value.isoformat()
    if isinstance(value, (str, int, float)):
        return one_line(str(value), 60)
    kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a value"
    return f"({kind})"


def _number(data: dict[Any, Any], key: str, notes: list[str]) -> int | None:
    """A whole-number field; one that is not is left out with a note: a number out of range (a number
    of 100,000 digits once made the whole file a problem), or anything else."""
    value = data.get(key)
    number = _int(value)
    if number is None and _given(value):
        if _out_of_range(value):
            notes.append(f"{key}: a number out of range, left out")
        else:
            notes.append(f"{key}: {_shown(value)} is not a whole number, left out")
    return number


def _out_of_range(value: Any) -> bool:
    """Whether a value is a number, or a number written as text, too large to keep (see `MAX_INT`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return not abs(value) < MAX_INT and value == value  # NaN is no number at all
    if isinstance(value, str):
        digits = value.strip().removeprefix("-").removeprefix("+")
        if digits.isascii() and digits.isdigit():
            return len(digits) > len(str(MAX_INT)) - 1
        try:  # "1e400" (YAML reads an exponent without a dot as text)
            number = float(digits) if len(digits) <= 100 and digits[:1].isdigit() else 0.0
        except ValueError:
            return False
        return not abs(number) < MAX_INT
    return False


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
    """A YAML timestamp, a date string in any form dateutil reads, or an epoch number (seconds, or
    milliseconds, see dates.epoch_date); naive times are UTC. None for
    anything else, and for a time that falls outside the years 1 to 9999 once in UTC."""
    return _date(value)[0]


def _date(value: Any) -> tuple[datetime | None, bool]:
    """`parse_date`, and whether the value was a date that falls outside the years 1 to 9999 in UTC
    (9999-12-31T23:59:59-14:00 is year 10000 there: no datetime in UTC can hold it)."""
    try:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, date):
            result = datetime(value.year, value.month, value.day)
        elif isinstance(value, str) and 0 < len(value.strip()) <= 100 and _YEAR.search(value):
            try:
                # A fixed default, so that a missing month or day never comes from today's date.
                result = date_parser.parse(value.strip(), default=_DATE_DEFAULT)
            except (ValueError, OverflowError):
                if (epoch := epoch_date(value)) is None:  # "1700000000" is no date dateutil reads
                    raise
                result = epoch
        elif (epoch := epoch_date(value)) is not None:
            result = epoch
        else:
            return None, False
        if result.tzinfo is None:
            result = result.replace(tzinfo=timezone.utc)
        timestamp = result.timestamp()  # raises for times that cannot be placed on the timeline
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        return None, False
    if not EARLIEST_TIMESTAMP <= timestamp < LATEST_TIMESTAMP + 1:
        return None, True
    return result, False


def _provider(value: Any) -> Provider:
    if isinstance(value, dict):
        return Provider(text_field(value.get("name"), MAX_SHORT), text_field(value.get("domain"), MAX_SHORT))
    return Provider(text_field(value, MAX_SHORT))


def listed_items(value: Any, limit: int) -> list[Any]:
    """The first `limit` items of a list field (a single value as a list of one)."""
    if isinstance(value, list):
        return value[:limit]
    if value is None:
        return []
    return [value]


def _topics(value: Any) -> tuple[str, ...]:
    topics: dict[str, None] = {}
    for item in listed_items(value, MAX_TOPICS):
        topic = text_field(item, MAX_SHORT) if not isinstance(item, (list, dict)) else ""
        if topic:
            topics[topic] = None
    return tuple(topics)


def _images(value: Any) -> tuple[Image, ...]:
    images = []
    for item in listed_items(value, MAX_IMAGES):
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
        video=video_url(data.get("featuredContent")),
    )


def video_url(featured: Any) -> str:
    """The video URL of a `featuredContent` embed (its iframe's src, or a bare link), else ""."""
    video = ""
    if isinstance(featured, str) and len(featured) <= MAX_URL:
        match = _IFRAME_SRC.search(featured)
        video = match.group(1).strip() if match else ""
        if not video and featured.strip().lower().startswith(("http://", "https://")):
            video = featured.strip()
    return video


def _related(value: Any, in_full: bool) -> tuple[RelatedStory, ...]:
    stories = []
    for item in listed_items(value, MAX_RELATED):
        if not isinstance(item, dict):
            continue
        urls = _urls(item)
        title = text_field(item.get("title"), MAX_TITLE, unescape=True)
        if not title and not urls.all():
            continue
        if not in_full:
            stories.append(RelatedStory(title=title, urls=urls))
            continue
        stories.append(
            RelatedStory(
                title=title,
                excerpt=text_field(item.get("excerpt"), MAX_EXCERPT, unescape=True),
                published_at=parse_date(item.get("publishedDateTime")),
                urls=urls,
                type=text_field(item.get("type"), MAX_SHORT),
                provider=_provider(item.get("provider")),
                quality=_int(item.get("quality")),
                images=_images(item.get("images")),
            )
        )
    return tuple(stories)


def related_links(value: Any) -> list[RelatedLink]:
    """`_related(value, in_full=False)` as (title, original, web, amp, cdn_amp) tuples."""
    links = []
    for item in listed_items(value, MAX_RELATED):
        if not isinstance(item, dict):
            continue
        original, web, amp, cdn_amp = story_urls(item)
        title = text_field(item.get("title"), MAX_TITLE, unescape=True)
        if title or original or web or amp or cdn_amp or video_url(item.get("featuredContent")):
            links.append((title, original, web, amp, cdn_amp))
    return links


def story_urls(item: dict[Any, Any]) -> tuple[str, str, str, str]:
    """A related story's original, web, AMP and AMP cache URLs, as `_urls` keeps them."""
    get = item.get
    original, web, amp, cdn_amp = get("originalUrl"), get("webUrl"), get("ampWebUrl"), get("cdnAmpWebUrl")
    # Most are absent, and _url(None) is "".
    return (
        "" if original is None else _url(original), "" if web is None else _url(web),
        "" if amp is None else _url(amp), "" if cdn_amp is None else _url(cdn_amp),
    )
