"""What the topic pane shows: records and unread records per topic, starred, read, saved filters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .query import QueryError, ReadingState, parse_query
from .record import Summary
from .state import story_id


@dataclass(frozen=True, slots=True)
class TopicCount:
    """One topic: its name, how many records it has and how many of them are unread."""

    name: str
    total: int
    unread: int


@dataclass(frozen=True, slots=True)
class SavedCount:
    """One saved filter: its name, query, and how many records match (None when the query is broken)."""

    name: str
    query: str
    count: int | None


@dataclass(frozen=True, slots=True)
class Counts:
    """Everything the topic pane counts, for the records that are listed at all."""

    total: int = 0
    unread: int = 0
    starred: int = 0
    read: int = 0
    topics: list[TopicCount] = field(default_factory=list)
    saved: list[SavedCount] = field(default_factory=list)


def count(
    summaries: Sequence[Summary],
    state: ReadingState | None,
    saved: Sequence[tuple[str, str]] = (),
    *,
    listed: Callable[[Summary], bool] | None = None,
) -> Counts:
    """Count `summaries` (only those `listed` says are shown); topics most common first, then by name."""
    read = state.read if state is not None else {}
    starred = state.starred if state is not None else frozenset()
    shown = [s for s in summaries if listed(s)] if listed is not None else summaries
    totals: Counter[str] = Counter()
    unread_topics: Counter[str] = Counter()
    unread = starred_count = 0
    for summary in shown:
        key = story_id(summary.url, summary.path)
        totals.update(summary.topics)
        if key not in read:
            unread += 1
            unread_topics.update(summary.topics)
        if key in starred:
            starred_count += 1
    topics = [TopicCount(name, total, unread_topics[name]) for name, total in totals.items()]
    topics.sort(key=lambda t: (-t.total, t.name.casefold()))
    saved_counts = []
    for name, text in saved:
        try:
            query = parse_query(text, state=state)
        except QueryError:
            saved_counts.append(SavedCount(name, text, None))
            continue
        saved_counts.append(SavedCount(name, text, sum(1 for s in shown if query.matches(s))))
    return Counts(len(shown), unread, starred_count, len(shown) - unread, topics, saved_counts)
