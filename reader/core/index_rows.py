"""A parsed file as the index stores it: its row, made where it is parsed (in a worker process) so that
storing it costs little more than SQLite's own work, and the link keys as 64-bit hashes.

A row (`Row`) is: the values of `index_schema.STORED_COLUMNS` (path, the file's stamp, the problem or
None, the record's notes or None, then the summary columns, None for a problem, and the story: None,
since the grouping gives it later), its own link keys and its mention keys as JSON arrays ("" when
there are none), its `file_keys` blob (None when it has no keys), then the values of
`index_schema.ITEM_COLUMNS` (the excerpt and the URLs grouping reads; None for a problem).
"""

from __future__ import annotations

import hashlib
import json
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from .index_schema import (
    NOTE_AT,
    PROBLEM_AT,
    STAMP_AT,
    STORED_COLUMN_COUNT,
    SUMMARY_COLUMN_COUNT,
    TOPIC_SEPARATOR,
    summary_from_row,
)
from .record import Problem, Record, Summary
from .record_files import FileStamp
from .urls import choose_url

Row = tuple  # type: ignore[type-arg]
OWN_KEYS_AT = STORED_COLUMN_COUNT
"""Where a row's own link keys (JSON) are; its mention keys follow, then its `file_keys` blob."""
MENTION_KEYS_AT = OWN_KEYS_AT + 1
KEYS_BLOB_AT = OWN_KEYS_AT + 2
ITEM_AT = slice(KEYS_BLOB_AT + 1, KEYS_BLOB_AT + 3)
"""Where a row's excerpt and URLs (for grouping) are."""
SIGNALS_AT = KEYS_BLOB_AT + 3
"""Where a row parsed for a cold build's grouping has the record's grouping signals (not stored; see
`parsing.parse_row`); rows made otherwise end before it."""
_NO_COLUMNS = (None,) * SUMMARY_COLUMN_COUNT
NO_ITEM: tuple[str | None, str | None] = (None, None)


def key_hash(key: str) -> int:
    """A stable signed 64-bit hash of a link key (Python's own hash differs between processes)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True, slots=True)
class Entry:
    """One file as the index holds it: its identity and what parsing it gave."""

    path: str
    stamp: FileStamp
    result: Summary | Problem
    own_keys: tuple[int, ...] = ()
    mention_keys: tuple[int, ...] = ()
    note: str | None = None
    """What was left out of a record (see `Record.notes`), shown as a problem beside it."""


def problem_row(path: str, stamp: FileStamp, reason: str) -> Row:
    """The row of a file that could not be read as a record."""
    return (path, *stamp, reason, None, *_NO_COLUMNS, None, "", "", None, None, None)


def record_row(
    path: str, stamp: FileStamp, columns: tuple[object, ...], own: list[int], mentions: list[int],
    note: str | None = None, item: tuple[str | None, str | None] = NO_ITEM,
) -> Row:
    """The row of a record: its summary column values, its link keys (each list without repeats) and
    its excerpt and URLs for grouping (see `item_columns`)."""
    return (
        path, *stamp, None, note, *columns, None, keys_json(own), keys_json(mentions),
        packed_keys(dict.fromkeys((*own, *mentions))) if own or mentions else None, *item,
    )


def keyed_row(
    path: str, stamp: FileStamp, columns: tuple[object, ...], own: list[str], mentions: Iterable[str],
    note: str | None = None, item: tuple[str | None, str | None] = NO_ITEM,
) -> Row:
    """`record_row` given the keys themselves: `own` as they are, `mentions` without repeated hashes.
    The keys are hashed to bytes and turned into integers, JSON and the blob a whole list at a time."""
    own_digests = _digests(own)
    mention_digests = list(dict.fromkeys(_digests(mentions)))
    if not own_digests and not mention_digests:
        return (path, *stamp, None, note, *columns, None, "", "", None, *item)
    return (
        path, *stamp, None, note, *columns, None, keys_json(_from_digests(own_digests)),
        keys_json(_from_digests(mention_digests)),
        packed_keys(_from_digests(dict.fromkeys(own_digests + mention_digests))), *item,
    )


def item_columns(record: Record) -> tuple[str, str]:
    """What grouping reads of a record beyond its summary: its excerpt and its URLs (original, web,
    AMP, AMP cache) as a JSON list."""
    urls = record.urls
    return record.excerpt, json.dumps([urls.original, urls.web, urls.amp, urls.cdn_amp])


_copy_key_hash = hashlib.blake2b(digest_size=8).copy  # a copy of a fresh hash costs less than a new one


def _digests(keys: Iterable[str]) -> list[bytes]:
    """The 8-byte digests `key_hash` makes of the keys."""
    digests = []
    for key in keys:
        digest = _copy_key_hash()
        digest.update(key.encode("utf-8", "surrogatepass"))
        digests.append(digest.digest())
    return digests


def _from_digests(digests: Iterable[bytes]) -> array[int]:
    """The integers `key_hash` makes of 8-byte digests (signed, big-endian)."""
    keys = array("q")
    keys.frombytes(b"".join(digests))
    if sys.byteorder == "little":
        keys.byteswap()
    return keys


def keys_json(keys: Iterable[int]) -> str:
    """Link keys as a row holds them: a JSON array, or "" for none."""
    return f"[{','.join(map(str, keys))}]" if keys else ""


def packed_keys(keys: Iterable[int]) -> bytes:
    """Link keys as `file_keys` keeps them: signed 64-bit integers, little-endian."""
    packed = array("q", keys)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpacked_keys(blob: bytes | None) -> list[int]:
    """The link keys of a `file_keys` blob."""
    keys = array("q")
    keys.frombytes(blob or b"")
    if sys.byteorder == "big":
        keys.byteswap()
    return keys.tolist()


def summary_columns(summary: Summary) -> tuple[object, ...]:
    """The summary column values of a summary."""
    # The bits of `Flag`, as ints (an IntFlag operation costs ~20 times more, a file at a time).
    flags = summary.has_image | summary.has_related << 1 | summary.has_body << 2 | summary.has_url << 3
    return (
        summary.title, summary.timestamp, summary.provider_name, summary.provider_domain,
        TOPIC_SEPARATOR.join(summary.topics), summary.type, summary.category, summary.quality,
        summary.heat, int(summary.published), flags, summary.url, summary.text_cf,
    )


def record_columns(record: Record, has_related: bool) -> tuple[object, ...]:
    """The summary column values of a record: `summary_columns(Summary.of(record))`, its `has_related`
    set to `has_related`, without making the summary."""
    provider, urls, body = record.provider, record.urls, record.body
    published_at = record.published_at
    has_url = bool(urls.original or urls.web or urls.amp or urls.cdn_amp or urls.video)  # Urls.all()
    flags = bool(record.images) | has_related << 1 | bool(body.strip()) << 2 | has_url << 3  # `Flag`'s bits
    text = "\n".join([record.excerpt, provider.name, provider.domain, *record.topics, body])
    return (
        record.title, published_at.timestamp() if published_at else None, provider.name, provider.domain,
        TOPIC_SEPARATOR.join(record.topics), record.type, record.category, record.quality, record.heat,
        int(record.published), flags, choose_url(urls), text.casefold().encode("utf-8", "replace"),
    )


def entry_row(entry: Entry) -> Row:
    """The row of an entry."""
    if isinstance(entry.result, Problem):
        return problem_row(entry.path, entry.stamp, entry.result.reason)
    return record_row(
        entry.path, entry.stamp, summary_columns(entry.result), list(entry.own_keys),
        list(entry.mention_keys), entry.note,
    )


def row_result(row: Row) -> Summary | Problem:
    """What a row holds: the record's summary, or the problem."""
    if row[PROBLEM_AT] is not None:
        return Problem(row[0], row[PROBLEM_AT])
    return summary_from_row(row[:STORED_COLUMN_COUNT])


def row_entry(row: Row) -> Entry:
    """The entry of a row (the keys back as integers)."""
    own, mentions = (tuple(json.loads(keys)) if keys else () for keys in row[OWN_KEYS_AT:KEYS_BLOB_AT])
    return Entry(row[0], row[STAMP_AT], row_result(row), own, mentions, row[NOTE_AT])
