"""The article list as a computation: sort once per library version and order, filter, and narrow
from the previous result when the query only grew, so most keystrokes touch few records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .query import Query
from .record import Summary
from .sorting import sort_summaries

# How many records are filtered between checks that the computation is still wanted.
CHECK_EVERY = 4096


@dataclass(frozen=True, slots=True)
class Listing:
    """One computed list and what it was computed from."""

    version: int
    order: str
    topic: str | None
    query: Query
    summaries: list[Summary]


class Lister:
    """Computes listings; safe to call from one worker thread at a time (a stale one may still finish)."""

    def __init__(self) -> None:
        self._sorted: tuple[int, str, list[Summary]] | None = None
        self._last: Listing | None = None

    def compute(
        self,
        summaries: list[Summary],
        version: int,
        order: str,
        topic: str | None,
        query: Query,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Listing | None:
        """The list for these inputs, or None when `cancelled` turned true on the way."""
        last = self._last
        if (
            last is not None
            and (last.version, last.order, last.topic) == (version, order, topic)
            and query.narrows(last.query)
        ):
            base = last.summaries  # already sorted and limited to the topic
        else:
            base = self._sorted_for(summaries, version, order)
            if topic is not None:
                topic_cf = topic.casefold()
                base = [s for s in base if topic_cf in s.topics_cf]
        matches = query.matches
        result: list[Summary] = []
        for start in range(0, len(base), CHECK_EVERY):
            if cancelled():
                return None
            result.extend([s for s in base[start : start + CHECK_EVERY] if matches(s)])
        listing = Listing(version, order, topic, query, result)
        self._last = listing
        return listing

    def _sorted_for(self, summaries: list[Summary], version: int, order: str) -> list[Summary]:
        cached = self._sorted
        if cached is not None and cached[:2] == (version, order):
            return cached[2]
        ordered = sort_summaries(summaries, order)
        self._sorted = (version, order, ordered)
        return ordered
