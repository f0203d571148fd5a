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


class TopicCounter:
    """Counts for the topic pane, recounting as little as it can: what does not depend on the reading
    state (topic totals, story ids, saved filters without state terms) is kept per library version,
    so a mark made while reading costs one pass of dictionary lookups, not a full recount."""

    def __init__(self) -> None:
        self._version: object = None
        self._shown: list[Summary] = []
        self._ids: list[str] = []
        self._totals: Counter[str] = Counter()
        self._saved: dict[str, int | None] = {}

    def count(
        self,
        summaries: Sequence[Summary],
        version: object,
        state: ReadingState | None,
        saved: Sequence[tuple[str, str]] = (),
        *,
        listed: Callable[[Summary], bool] | None = None,
    ) -> Counts:
        """The counts of `summaries` (only those `listed`); `version` must change whenever they or
        `listed` do. Safe to call from one worker thread at a time."""
        if version != self._version:
            self._shown = [s for s in summaries if listed(s)] if listed is not None else list(summaries)
            self._ids = [story_id(s.url, s.path) for s in self._shown]
            self._totals = Counter(topic for s in self._shown for topic in s.topics)
            self._saved = {}
            self._version = version
        shown, read = self._shown, state.read if state is not None else {}
        starred = state.starred if state is not None else frozenset()
        read_topics: dict[str, int] = dict.fromkeys(self._totals, 0)
        read_count = 0
        for summary, key in zip(shown, self._ids):
            if key in read:
                read_count += 1
                for topic in summary.topics:
                    read_topics[topic] += 1
        starred_count = sum(1 for key in self._ids if key in starred) if starred else 0
        topics = [TopicCount(name, total, total - read_topics[name]) for name, total in self._totals.items()]
        topics.sort(key=lambda t: (-t.total, t.name.casefold()))
        saved_counts = [SavedCount(name, text, self._saved_count(text, state)) for name, text in saved]
        return Counts(len(shown), len(shown) - read_count, starred_count, read_count, topics, saved_counts)

    def _saved_count(self, text: str, state: ReadingState | None) -> int | None:
        known = self._saved.get(text, -1)
        if known != -1:
            return known
        try:
            query = parse_query(text, state=state)
        except QueryError:
            found: int | None = None
        else:
            found = sum(1 for s in self._shown if query.matches(s))
        if not query_uses_state(text):
            self._saved[text] = found
        return found


def query_uses_state(text: str) -> bool:
    """Whether a saved query's count can change with the reading state."""
    try:
        return parse_query(text).uses_state
    except QueryError:
        return False


def count(
    summaries: Sequence[Summary],
    state: ReadingState | None,
    saved: Sequence[tuple[str, str]] = (),
    *,
    listed: Callable[[Summary], bool] | None = None,
) -> Counts:
    """Count `summaries` (only those `listed` says are shown); topics most common first, then by name."""
    return TopicCounter().count(summaries, object(), state, saved, listed=listed)
