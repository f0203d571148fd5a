"""The command line's stories: `--list --stories` (one line per story) and `--explain-story PATH`."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from .core.text import safe_text

_SURROGATE = re.compile("[\ud800-\udfff]")

if TYPE_CHECKING:
    from .core.record import Summary
    from .core.story_groups import StoryGroups
    from .core.warm_listing import Listing


def valid_json(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with no lone surrogates (JSON that is not valid Unicode): a file name that is not
    UTF-8 (Python holds each of its bad bytes as a surrogate) becomes `path` with U+FFFD for each of
    those bytes plus `pathBytes`, its bytes in base64; in any other text they become U+FFFD."""

    def valid(value: Any) -> Any:
        if isinstance(value, str):
            return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
        if isinstance(value, list):
            return [valid(item) for item in value]
        if isinstance(value, dict):
            return {key: valid(item) for key, item in value.items()}
        return value

    fixed = valid(document)
    if fixed["path"] != document["path"]:
        import base64

        fixed["pathBytes"] = base64.b64encode(os.fsencode(document["path"])).decode("ascii")
    return fixed


def _date(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat() if timestamp is not None else ""


def _tsv(fields: list[str]) -> str:
    return "\t".join(safe_text(field) for field in fields)


def _span(members: Sequence[Summary | Member]) -> tuple[float | None, float | None]:
    times = [member.timestamp for member in members if member.timestamp is not None]
    return (min(times), max(times)) if times else (None, None)


def _providers(members: Sequence[Summary | Member]) -> list[str]:
    return list(dict.fromkeys(member.provider_name for member in members if member.provider_name))


def story_document(lead: Summary | Member, members: Sequence[Summary | Member]) -> dict[str, Any]:
    """One story as `--list --stories --format json` prints it."""
    first, last = _span(members)
    return {
        "story": lead.story or None,
        "title": lead.title,
        "path": lead.path,
        "sources": len(members),
        "first": _date(first) or None,
        "last": _date(last) or None,
        "providers": _providers(members),
        "paths": [member.path for member in members],
    }


class Member(NamedTuple):
    """What a story's line reads of each of its records (a `Summary` has the same fields)."""

    path: str
    timestamp: float | None
    provider_name: str
    title: str
    story: str


def story_lines(matched: list[Summary], groups: StoryGroups, fmt: str) -> list[str]:
    """One line per story with a record in `matched` (in the order of its first one there): its lead's
    title, its size, its first and last dates and its providers, counted over every loaded record."""
    return _lines([groups.members(summary) for summary in groups.fold(matched)], fmt)


def warm_story_lines(listing: Listing, paths: list[str], fmt: str, location: str | None = None) -> list[str] | None:
    """`story_lines` from a warm listing (`warm_listing.Listing`: the index is up to date with the files
    under `paths`), the members of its stories of several records read from the index at `location`
    (the user's by default); None when the index no longer answers as it did (changed meanwhile,
    damaged): then the caller lists the plain way."""
    seen: set[str] = set()
    folded: list[Member] = []
    sizes: dict[str, int] = {}
    for path, timestamp, provider_name, title, _, story, size in listing.lines:
        if not story or story not in seen:
            seen.add(story)
            folded.append(Member(path, timestamp, provider_name, title, story))
            sizes[story] = size
    several = [member.story for member in folded if member.story and sizes.get(member.story, 1) > 1]
    found = _members(several, paths, location) if several else {}
    if found is None or any(len(found.get(story, ())) != sizes[story] for story in several):
        return None
    return _lines([found[member.story] if member.story in found else [member] for member in folded], fmt)


def _members(stories: list[str], paths: list[str], location: str | None) -> dict[str, list[Member]] | None:
    """The records under `paths` of each of these stories, earliest first, as the index holds them;
    None when it cannot be read or holds a row of the wrong types."""
    import sqlite3
    from urllib.parse import quote

    from .core.index_schema import index_location, real_path, under_roots
    from .core.record import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP

    where, params = under_roots([os.path.abspath(path) for path in paths])
    found: dict[str, list[Member]] = {}
    try:
        db = sqlite3.connect(f"file:{quote(location or index_location())}?mode=rw", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        for start in range(0, len(stories), 500):
            chunk = stories[start : start + 500]
            rows = db.execute(
                f"SELECT path, timestamp, provider_name, title, story FROM files WHERE story IN "
                f"({','.join('?' * len(chunk))}) AND problem IS NULL AND ({where})", [*chunk, *params]
            ).fetchall()
            for path, timestamp, provider_name, title, story in rows:
                if not all(isinstance(text, str) for text in (path, provider_name, title, story)):
                    return None
                if timestamp is not None and not isinstance(timestamp, (int, float)):
                    return None
                if timestamp is not None and not EARLIEST_TIMESTAMP <= timestamp < LATEST_TIMESTAMP + 1:
                    timestamp = None  # as a summary reads it
                member = Member(real_path(path), timestamp, provider_name, title, story)
                found.setdefault(story, []).append(member)
    except sqlite3.Error:
        return None
    finally:
        db.close()
    for members in found.values():
        members.sort(key=_earliest_first)
    return found


def _earliest_first(member: Member) -> tuple[float, str]:
    return (member.timestamp if member.timestamp is not None else math.inf, member.path)


def _lines(stories: list[list[Member]] | list[list[Summary]], fmt: str) -> list[str]:
    """The line of each story (its members earliest first)."""
    lines = []
    for members in stories:
        lead = members[0]
        if fmt == "json":
            document = story_document(lead, members)
            lines.append(json.dumps(valid_json(document), ensure_ascii=True))
        else:
            first, last = _span(members)
            lines.append(_tsv([_date(first), _date(last), str(len(members)), ", ".join(_providers(members)),
                               lead.title, lead.story, lead.path]))
    return lines


def explain_story(path: str, folders: list[str], fmt: str, out: TextIO, err: TextIO, *, use_cache: bool) -> int:
    """Print every record of the story of the record at `path` (loading `folders`, else the folder
    it is in, with it), earliest first, each with its provider, date, title and why it is in the story.
    Exit status 2 when `path` is no record."""
    from .core.grouping import story_members
    from .core.library import load_library, open_index

    target = os.path.abspath(path)
    if not os.path.isfile(target):
        what = "is a folder, not a record file" if os.path.isdir(target) else "no such file"
        print(f"reader: --explain-story: {what}: {safe_text(path)}", file=err)
        return 2
    found = _warm_story(target, folders) if use_cache else None
    if found is not None:  # the index was up to date: its stories are read, nothing is loaded
        story, members = found
    else:
        index = open_index(use_cache)
        if index.notice:
            print(f"reader: {safe_text(index.notice)}", file=err)
        library = load_library([*(folders or [os.path.dirname(target)]), target], index)
        summary = library.summary(target)
        if summary is None:
            problem = next((p.reason for p in library.problems if p.path == target), "not a record file")
            print(f"reader: --explain-story: {safe_text(path)} is not a record ({safe_text(problem)})", file=err)
            return 2
        story = summary.story
        members = _real_members(story_members(library.index, story)) if story else []
    if not members:
        print(f"reader: --explain-story: {safe_text(path)} is not grouped",
              file=err)
        return 1
    lines = []
    if fmt != "json":
        times = [member.timestamp for member in members if member.timestamp is not None]
        span = f"{_date(min(times))} to {_date(max(times))}" if times else "no dates"
        count = len(members)
        lines.append(_tsv([f"story {story}: {count} record{'s' if count != 1 else ''}", span]))
    for member in members:
        reason = member.reason
        if fmt == "json":
            document = {
                "path": member.path, "story": story, "provider": member.provider,
                "publishedDateTime": _date(member.timestamp) or None, "title": member.title,
                "how": reason.how, "peer": reason.peer or None, "score": reason.score, "best": reason.best,
                "reason": reason.describe(), "this": member.path == target,
            }
            lines.append(json.dumps(valid_json(document), ensure_ascii=True))
        else:
            mark = "*" if member.path == target else " "
            lines.append(_tsv([mark, _date(member.timestamp), member.provider, member.title, reason.describe(),
                               member.path]))
    out.write("\n".join(lines) + "\n")
    return 0


def _real_members(members: list[Any]) -> list[Any]:
    """The grouping's members of a story (`grouping.Member`) with their paths and peers as they are on
    disk (the grouping has them as the index stores them: `index_schema.stored_path`)."""
    from dataclasses import replace

    from .core.index_schema import real_path

    return [
        member._replace(
            path=real_path(member.path), reason=replace(member.reason, peer=real_path(member.reason.peer))
        )
        for member in members
    ]


class _Stories:
    """The index's stories table read over one connection, as `grouping.story_members` reads an index."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def run(self, read: Any) -> Any:
        return read(self.db)


def _warm_story(target: str, folders: list[str], location: str | None = None) -> tuple[str, list[Any]] | None:
    """The story of the record at `target` and its members as the index at `location` holds them, when
    the index is up to date with `folders` (else the folder of `target`) and `target`; None when it is
    not (then the caller loads them, which brings the index up to date) or `target` is no grouped record."""
    import sqlite3
    from urllib.parse import quote

    from .core.grouping import story_members
    from .core.index_schema import index_location
    from .core.query import parse_query
    from .core.warm_listing import Listing, warm_listing

    roots = [os.path.abspath(folder) for folder in folders or [os.path.dirname(target)]]
    if not any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        roots.append(target)  # a file under a root is listed once, by its folder
    listing = warm_listing(roots, parse_query(""), location)
    if not isinstance(listing, Listing):
        return None
    story = next((line[5] for line in listing.lines if line[0] == target), "")
    if not story:
        return None
    try:
        db = sqlite3.connect(f"file:{quote(location or index_location())}?mode=rw", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        members = _real_members(story_members(_Stories(db), story))
    except (sqlite3.Error, TypeError, ValueError):
        return None
    finally:
        db.close()
    return (story, members) if members else None
