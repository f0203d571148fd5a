"""The data model: a full record, the related stories it lists, and the light summary kept in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from sys import intern

from .urls import Urls as Urls  # Urls lives with the URL rules; the data model names it too
from .urls import choose_url

EARLIEST_TIMESTAMP = -62135596800.0
"""0001-01-01T00:00:00Z: the first moment a datetime in UTC can hold."""
LATEST_TIMESTAMP = 253402300799.0
"""9999-12-31T23:59:59Z: the last whole second a datetime in UTC can hold."""


def utc_time(timestamp: float | None) -> datetime | None:
    """The moment of a POSIX timestamp in UTC; None for none, and for a time no datetime can hold (a date
    at the edge of the calendar written with a time zone is year 0 or year 10000 in UTC)."""
    if timestamp is None or not EARLIEST_TIMESTAMP <= timestamp < LATEST_TIMESTAMP + 1:
        return None
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


@dataclass(frozen=True, slots=True)
class Provider:
    """Who published a story."""

    name: str = ""
    domain: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    """An image attached to a record or a related story."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class RelatedStory:
    """A summary of other coverage of the same story, as listed under `related`."""

    title: str
    excerpt: str = ""
    published_at: datetime | None = None
    urls: Urls = field(default_factory=Urls)
    type: str = ""
    provider: Provider = field(default_factory=Provider)
    quality: int | None = None
    images: tuple[Image, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One story file, fully parsed and made safe for display."""

    path: str
    title: str
    excerpt: str = ""
    published_at: datetime | None = None
    urls: Urls = field(default_factory=Urls)
    type: str = ""
    category: str = ""
    quality: int | None = None
    heat: int | None = None
    published: bool = True
    removed: bool = False
    provider: Provider = field(default_factory=Provider)
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[RelatedStory, ...] = ()
    body: str = ""
    has_secured: bool = False
    notes: tuple[str, ...] = ()
    """Fields left out because their values could not be used, one line each (shown under `!`)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that could not be read as a record, with a one-line reason."""

    path: str
    reason: str


_FOLDED: dict[str, str] = {}


def folded(text: str) -> str:
    """The casefolded, interned form of a short string that recurs (providers, topics, types)."""
    known = _FOLDED.get(text)
    if known is None:
        if len(_FOLDED) > 100_000:
            _FOLDED.clear()
        known = _FOLDED[text] = intern(text.casefold())
    return known


@dataclass(slots=True)
class Summary:
    """What the list and the filter need of a record; the full record is read again when shown.

    The `*_cf` fields are casefolded once at load time so that filtering never casefolds per keystroke;
    repeated short strings (providers, topics, types) are interned so 100,000 records share them.
    Build one with `Summary.of(record)` or `Summary.build(...)`, which derive those fields.
    """

    path: str
    title: str
    timestamp: float | None
    """The publication time as a POSIX timestamp, for cheap comparisons and sorting."""
    provider_name: str
    provider_domain: str
    topics: tuple[str, ...]
    type: str
    category: str
    quality: int | None
    heat: int | None
    published: bool
    has_image: bool
    has_related: bool
    has_body: bool
    has_url: bool
    url: str
    """The URL `o` opens (see `urls.choose_url`); it may be unsafe, so check `urls.refusal` before use."""
    text_cf: bytes
    """Casefolded excerpt, provider name, domain, topics and body, joined by newlines, as UTF-8: the
    bulk of what is kept in memory, and UTF-8 holds it in about half the space of a str with a
    single curly quote in it. Substring tests on UTF-8 bytes give the same answers as on text."""
    title_cf: str
    provider_cf: str
    """Casefolded provider name and domain joined by a newline."""
    topics_cf: tuple[str, ...]
    type_cf: str
    category_cf: str
    story: str = ""
    """The id of the story (the event) this record reports, shared by every outlet's record of it
    (`stories.story_id`); "" while the record is not grouped, when it stands alone."""

    @property
    def published_at(self) -> datetime | None:
        """The publication time in UTC (None for none, or for a time no datetime can hold)."""
        return utc_time(self.timestamp)

    @classmethod
    def build(
        cls,
        *,
        path: str,
        title: str,
        timestamp: float | None,
        provider_name: str,
        provider_domain: str,
        topics: tuple[str, ...],
        type: str,
        category: str,
        quality: int | None,
        heat: int | None,
        published: bool,
        has_image: bool,
        has_related: bool,
        has_body: bool,
        has_url: bool,
        url: str,
        text_cf: bytes,
    ) -> Summary:
        """A summary from its stored fields; the casefolded ones are derived here."""
        topics = tuple(map(intern, topics))
        provider_name, provider_domain = intern(provider_name), intern(provider_domain)
        return cls(
            path=path,
            title=title,
            timestamp=timestamp,
            provider_name=provider_name,
            provider_domain=provider_domain,
            topics=topics,
            type=intern(type),
            category=intern(category),
            quality=quality,
            heat=heat,
            published=published,
            has_image=has_image,
            has_related=has_related,
            has_body=has_body,
            has_url=has_url,
            url=url,
            text_cf=text_cf,
            title_cf=title.casefold(),
            provider_cf=folded(f"{provider_name}\n{provider_domain}"),
            topics_cf=tuple(map(folded, topics)),
            type_cf=folded(type),
            category_cf=folded(category),
        )

    @classmethod
    def of(cls, record: Record) -> Summary:
        """Summarise a full record."""
        provider = record.provider
        text = "\n".join([record.excerpt, provider.name, provider.domain, *record.topics, record.body])
        return cls.build(
            path=record.path,
            title=record.title,
            timestamp=record.published_at.timestamp() if record.published_at else None,
            provider_name=provider.name,
            provider_domain=provider.domain,
            topics=record.topics,
            type=record.type,
            category=record.category,
            quality=record.quality,
            heat=record.heat,
            published=record.published,
            has_image=bool(record.images),
            has_related=bool(record.related),
            has_body=bool(record.body.strip()),
            has_url=bool(record.urls.all()),
            url=choose_url(record.urls),
            text_cf=text.casefold().encode("utf-8", "replace"),
        )
