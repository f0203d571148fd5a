"""The words of the status line and of the article pane's count: pure functions of what they report."""

from __future__ import annotations

from ..core.counts import Counts
from ..core.sorting import order_label
from ..core.story_rows import StoryRows
from ..core.text import safe_text
from .choice import Choice
from .filtering import FilterRuns
from .folders import Progress

PROGRESS_CELLS = 12
"""The width of the loading bar."""


def listed_count(listing: FilterRuns, total: int) -> str:
    """How many records are listed, of how many (a "+" while the list is its first page only)."""
    rows, more = listing.matching, "" if listing.complete else "+"
    if isinstance(rows, StoryRows):  # by story: how many stories, and how many records they hold
        stories = f"{len(rows.folded):,}{more} {'story' if len(rows.folded) == 1 and not more else 'stories'}"
        return f"showing {stories} · {rows.matched:,}{more} of {total:,}"
    return f"showing {len(rows):,}{more} of {total:,}"


def choice_label(choice: Choice) -> str | None:
    """What the status line calls the topic pane's choice (nothing for all records)."""
    if choice.kind == "topic":
        return f"topic: {choice.name}"
    if choice.kind == "saved":
        return f"saved: {choice.name}"
    return {"starred": "starred", "recent": "recently read"}.get(choice.kind)


def empty_message(listing: FilterRuns, *, loading: bool, topics_key: str = "t") -> str:
    """What the story pane says when the list is empty: which view narrows it (a topic, a saved filter,
    starred or recently read: a saved filter restored at the start narrows every search) and how to
    search every record (`topics_key`, then All)."""
    if loading:
        return "Loading…"
    choice = listing.choice
    where = {
        "topic": f"in the topic {safe_text(choice.name, limit=80)!r}",
        "saved": f"in the saved filter {safe_text(choice.name, limit=80)!r}",
        "starred": "among the starred records",
        "recent": "among the records read recently",
    }.get(choice.kind)
    if where is None:
        return "No record matches."
    typed = listing.typed.text.strip()
    what = f"No record matches {safe_text(typed, limit=60)!r}" if typed else "No record"
    return f"{what} {where}. To search every record, press {topics_key} and choose All."


def status_text(
    counts: Counts, listing: FilterRuns, problems: int, progress: Progress | None, now: float
) -> str:
    """The line at the top: unread count, what is listed and in what order, problems, loading progress
    at `now`."""
    choice = listing.choice
    parts = []
    if counts.total:
        parts.append(f"{counts.unread:,} unread")
    if (label := choice_label(choice)) is not None:
        parts.append(label)
    # Recently read is in reading order whatever the sort order is.
    order = "last read first" if choice.kind == "recent" else order_label(listing.sort_order)
    parts.append(f"sort: {order}")
    if problems:
        parts.append(f"{problems:,} problem{'s' if problems != 1 else ''} (press ! to see)")
    if progress is not None:
        # What is loaded of what will be (the records shown before the count began included), at the
        # rate files are parsed now.
        loaded, expected = progress.loaded, progress.expected
        rate = progress.done / max(now - progress.started, 1e-3)
        filled = round(PROGRESS_CELLS * loaded / expected) if expected else 0
        bar = "█" * filled + "░" * (PROGRESS_CELLS - filled)
        parts.append(f"loading {bar} {loaded:,}/{expected:,} · {rate:,.0f}/s")
    return "  ·  ".join(parts)
