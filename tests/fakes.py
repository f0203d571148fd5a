"""Fakes for the main screen's plain objects (reader.control), with no Textual import: a clock that is
also a scheduler, summaries and a library built in memory, and a load that runs when told."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable

from reader.core.library import Library
from reader.core.loader import Batch
from reader.core.counts import count
from reader.core.record import Record, Summary


class FakeTimer:
    """A timer of a FakeClock."""

    def __init__(
        self, clock: FakeClock, delay: float, callback: Callable[[], object], repeat: bool, name: str | None
    ) -> None:
        self.clock, self.delay, self.callback, self.repeat, self.name = clock, delay, callback, repeat, name
        self.active = True
        self.due = clock.now + delay

    def stop(self) -> None:
        self.active = False

    def reset(self) -> None:
        self.due = self.clock.now + self.delay
        self.active = True
        self.clock._schedule(self)


class FakeClock:
    """A clock and scheduler (see reader.control.clock) whose time moves only when a test advances it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self._queue: list[tuple[float, int, FakeTimer]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    def _schedule(self, timer: FakeTimer) -> None:
        heapq.heappush(self._queue, (timer.due, next(self._order), timer))

    def set_timer(
        self, delay: float, callback: Callable[[], object], *, name: str | None = None
    ) -> FakeTimer:
        timer = FakeTimer(self, delay, callback, False, name)
        self._schedule(timer)
        return timer

    def set_interval(
        self, interval: float, callback: Callable[[], object], *, name: str | None = None
    ) -> FakeTimer:
        timer = FakeTimer(self, interval, callback, True, name)
        self._schedule(timer)
        return timer

    @property
    def timers(self) -> list[FakeTimer]:
        """The timers still to fire, soonest first."""
        live = {id(t): t for due, _, t in sorted(self._queue) if t.active and t.due == due}
        return list(live.values())

    def advance(self, seconds: float) -> None:
        """Move time on by `seconds`, firing every timer that comes due on the way, in order."""
        end = self.now + seconds
        while self._queue and self._queue[0][0] <= end:
            due, _, timer = heapq.heappop(self._queue)
            if not timer.active or timer.due != due:
                continue  # stopped, or reset to a later time (queued again)
            self.now = due
            if timer.repeat:
                timer.due = due + timer.delay
                self._schedule(timer)
            else:
                timer.active = False
            timer.callback()
        self.now = end



def summary(
    path: str,
    title: str = "",
    *,
    url: str = "",
    timestamp: float | None = 1_600_000_000.0,
    topics: tuple[str, ...] = (),
    published: bool = True,
    quality: int | None = None,
    story: str = "",
) -> Summary:
    """A summary of a record at `path` (its URL, and so its identity, is https://example.org/<path>
    unless given), in the story `story` if given."""
    made = Summary.build(
        path=path, title=title or path, timestamp=timestamp, provider_name="", provider_domain="",
        topics=topics, type="article", category="", quality=quality, heat=None, published=published,
        has_image=False, has_related=False, has_body=False, has_url=True,
        url=url or f"https://example.org/{path}", text_cf=(title or path).casefold().encode(),
    )
    made.story = story
    return made


def library_of(summaries: Iterable[Summary]) -> Library:
    """A library holding `summaries`, as if loaded (an in-memory index)."""
    library = Library()
    summaries = list(summaries)
    library.apply(Batch(summaries=summaries, stats={s.path: (1, 1) for s in summaries}))
    return library


class FakeRun:
    """A load started by FolderSync: finished when the test says so."""

    def __init__(self, known: dict[str, tuple[int, int]] | None) -> None:
        self.known = known
        self.is_finished = False


def topic_counts(library: Library) -> list[tuple[str, int]]:
    """Each topic with its record count, most common first, then by name, as the topic pane counts."""
    return [(topic.name, topic.total) for topic in count(library.summaries, None).topics]


def shown_fields(record: Record) -> list[str]:
    """The one-line text fields of a record and of its related stories."""
    fields = [record.title, record.excerpt, record.type, record.category, *record.topics]
    fields += [record.provider.name, record.provider.domain]
    for story in record.related:
        fields += [story.title, story.excerpt, story.type, story.provider.name, story.provider.domain]
    return fields
