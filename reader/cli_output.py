"""What `--list` prints: records as tab-separated lines or JSON, with nothing that could act on a
terminal, written a few thousand lines at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from .core.record import Problem
from .core.text import safe_text
from .core.urls import choose_url, open_refusal

if TYPE_CHECKING:
    from .core.record import Record, Summary


def _print_lines(
    matched: Iterable[tuple[str, float | None, str, str, str, str, int]], fmt: str, out: TextIO, err: TextIO
) -> None:
    """Print the matching records (path, timestamp, provider name, title, url, story id, and how many
    records under the folders listed its story has), in their order, as they come: as tsv lines, or as
    JSON read from their files; a few thousand lines at a time."""
    lines: list[str] = []
    if fmt == "json":
        import json

        from .cli_stories import valid_json
        from .core.frontmatter import read_record

        for path, *_, story, size in matched:
            record = read_record(path)
            if isinstance(record, Problem):
                _write(lines, out)
                print(f"{safe_text(record.path)}: {safe_text(record.reason)}", file=err)
                continue
            document = record_json(record)
            document["story"] = story or None
            document["sources"] = size if story else 1
            lines.append(json.dumps(valid_json(document), ensure_ascii=True))
            if len(lines) >= _WRITE_LINES:
                _write(lines, out)
    else:
        for path, timestamp, provider_name, title, url, story, size in matched:
            lines.append(_tsv(timestamp, provider_name, title, url, path, story or "", str(size if story else 1)))
            if len(lines) >= _WRITE_LINES:
                _write(lines, out)
    _write(lines, out)


_WRITE_LINES = 4096
"""Lines gathered before they are written (in one call)."""


def _write(lines: list[str], out: TextIO) -> None:
    """Write the lines gathered so far (in one call: print costs more than the line) and forget them."""
    if lines:
        out.write("\n".join(lines) + "\n")
        lines.clear()


def _openable(url: str) -> str | None:
    """The URL when `o` would open it, else None."""
    return url if url and open_refusal(url) is None else None


def tsv_line(summary: Summary) -> str:
    """date, provider, title, url, path: tab-separated, with nothing that could act on a terminal."""
    return _tsv(summary.timestamp, summary.provider_name, summary.title, summary.url, summary.path)


def _tsv(timestamp: float | None, provider_name: str, title: str, url: str, path: str, *more: str) -> str:
    """A tsv line; `--list` adds the story id and its number of sources after the path."""
    fields = [
        datetime.fromtimestamp(timestamp, timezone.utc).isoformat() if timestamp is not None else "",
        provider_name,
        title,
        _openable(url) or "",  # the link `o` would open, as in the JSON output
        path,
        *more,
    ]
    every = "".join(fields)
    if every.isascii() and every.isprintable():  # what safe_text leaves as it is (no tabs or breaks)
        return "\t".join(fields)
    return "\t".join(safe_text(field) for field in fields)


def record_json(record: Record) -> dict[str, Any]:
    """A record under its own field names, plus `path` and the `url` that `o` would open."""
    urls = record.urls
    return {
        "title": record.title,
        "excerpt": record.excerpt,
        "publishedDateTime": record.published_at.isoformat() if record.published_at else None,
        "originalUrl": urls.original or None,
        "webUrl": urls.web or None,
        "ampWebUrl": urls.amp or None,
        "type": record.type or None,
        "category": record.category or None,
        "quality": record.quality,
        "heat": record.heat,
        "published": record.published,
        "provider": {"name": record.provider.name, "domain": record.provider.domain},
        "topics": list(record.topics),
        "path": record.path,
        "url": _openable(choose_url(urls)),
    }
