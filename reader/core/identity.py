"""Story identity: the key under which a story's reading state is kept, whatever holds it.

Pure functions of a record's URL and path, so the query, listing and counting modules can key on a
story without importing the state store (which imports this module, never the reverse).
"""

from __future__ import annotations

import hashlib
from typing import Protocol

MAX_ID_CHARS = 4096
"""The longest identity kept as it is; longer ones are cut and end in a hash of the whole."""


class Located(Protocol):
    """Anything with a story's URL and path (a `record.Summary`)."""

    url: str
    path: str


def story_id(url: str, path: str) -> str:
    """The identity of a story: its URL stripped of surrounding whitespace when it has one, else
    "file:" + path.

    Identities are always storable: text that is not valid UTF-8 (unpaired surrogates, as in file names
    that are not UTF-8) has those characters written as backslash escapes, and one longer than
    `MAX_ID_CHARS` is cut and ends in a hash of the whole (see `storable_id`)."""
    url = url.strip() if url else ""
    return storable_id(url if url else "file:" + path)


def summary_id(summary: Located) -> str:
    """The identity of a loaded record (a `record.Summary`): `story_id` of its URL and path."""
    return story_id(summary.url, summary.path)


def storable_id(text: str) -> str:
    """`text` as an identity that SQLite and an exported file can hold: unchanged for ordinary text
    (the fast path), else with unpaired surrogates escaped and cut to `MAX_ID_CHARS` (the end is a hash
    of the whole, so distinct long identities stay distinct)."""
    if len(text) <= MAX_ID_CHARS and text.isascii():
        return text
    text = valid_text(text)
    if len(text) <= MAX_ID_CHARS:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text[: MAX_ID_CHARS - len(digest) - 1] + "#" + digest


def valid_text(text: str) -> str:
    """`text` with unpaired surrogates written as backslash escapes, so it encodes as UTF-8 (the
    surrogate escapes of a file name that is not UTF-8 become its original bytes: "caf\\xe9")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")
    return text
