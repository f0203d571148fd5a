"""The command line's stories: `--list --stories` (one line per story) and `--explain-story PATH`."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from .core.text import safe_text

_SURROGATE = re.compile("[\ud800-\udfff]")

if TYPE_CHECKING:
    from .core.record import Summary
    from .core.story_groups import StoryGroups


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


def _span(members: list[Summary]) -> tuple[float | None, float | None]:
    times = [member.timestamp for member in members if member.timestamp is not None]
    return (min(times), max(times)) if times else (None, None)


def _providers(members: list[Summary]) -> list[str]:
    return list(dict.fromkeys(member.provider_name for member in members if member.provider_name))


def story_document(lead: Summary, members: list[Summary]) -> dict[str, Any]:
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


def story_lines(matched: list[Summary], groups: StoryGroups, fmt: str) -> list[str]:
    """One line per story with a record in `matched` (in the order of its first one there): its lead's
    title, its size, its first and last dates and its providers, counted over every loaded record."""
    lines = []
    for summary in groups.fold(matched):
        members = groups.members(summary)
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
        print(f"reader: --explain-story: no such file: {safe_text(path)}", file=err)
        return 2
    index = open_index(use_cache)
    if index.notice:
        print(f"reader: {safe_text(index.notice)}", file=err)
    library = load_library([*(folders or [os.path.dirname(target)]), target], index)
    summary = library.summary(target)
    if summary is None:
        problem = next((p.reason for p in library.problems if p.path == target), "not a record file")
        print(f"reader: --explain-story: {safe_text(path)} is not a record ({safe_text(problem)})", file=err)
        return 2
    members = story_members(library.index, summary.story) if summary.story else []
    if not members:
        print(f"reader: --explain-story: {safe_text(path)} is not grouped (its file name cannot be indexed)",
              file=err)
        return 1
    lines = []
    if fmt != "json":
        times = [member.timestamp for member in members if member.timestamp is not None]
        span = f"{_date(min(times))} to {_date(max(times))}" if times else "no dates"
        lines.append(_tsv([f"story {summary.story}: {len(members)} records", span]))
    for member in members:
        reason = member.reason
        if fmt == "json":
            document = {
                "path": member.path, "story": summary.story, "provider": member.provider,
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
