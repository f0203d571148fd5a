"""TopicCounts on a fake clock: a burst of reading-state changes is counted once, after it ends."""

from __future__ import annotations

import pytest

from reader.control.counting import COUNT_DELAY, TopicCounts
from reader.core.identity import summary_id
from reader.core.state import StateStore

from tests.fakes import FakeClock, summary


def test_a_burst_of_changes_is_counted_once_a_moment_after_the_last() -> None:
    clock = FakeClock()
    recounts: list[float] = []
    counts = TopicCounts(clock, lambda: recounts.append(clock.now), show_unpublished=True)
    start = clock.now
    for _ in range(5):  # a key held down: a change every 0.1 s
        counts.soon()
        assert counts.pending
        clock.advance(0.1)
    assert recounts == []
    clock.advance(COUNT_DELAY)
    assert recounts == [pytest.approx(start + 0.4 + COUNT_DELAY)]


def test_a_count_started_at_once_is_no_longer_pending() -> None:
    clock = FakeClock()
    counts = TopicCounts(clock, lambda: None, show_unpublished=True)
    counts.soon()
    counts.started()
    assert not counts.pending


def test_counts_leave_out_unpublished_records_unless_shown() -> None:
    stories = [summary("a.md", topics=("AI",)), summary("b.md", topics=("AI",), published=False)]
    state = StateStore()
    state.set_read([summary_id(stories[0])])
    saved = [("All AI", "topic:ai")]
    shown = TopicCounts(FakeClock(), lambda: None, show_unpublished=True).count(stories, saved, 1, state)
    hidden = TopicCounts(FakeClock(), lambda: None, show_unpublished=False).count(stories, [], 1, state)
    assert (shown.total, shown.unread, shown.read) == (2, 1, 1)
    assert [(s.name, s.count) for s in shown.saved] == [("All AI", 2)]
    assert (hidden.total, hidden.unread) == (1, 0)


def test_a_count_made_is_unshown_until_its_counts_are_shown() -> None:
    counts = TopicCounts(FakeClock(), lambda: None, show_unpublished=True)
    records = [summary("a.md", topics=("AI",))]
    assert not counts.unshown
    first = counts.count(records, [], 1, StateStore())
    assert counts.unshown  # made off the UI thread, its message not handled yet
    second = counts.count(records, [], 2, StateStore())
    counts.counts = first
    assert counts.unshown  # the second is still on its way
    counts.counts = second
    assert not counts.unshown and counts.counts is second and second.total == 1
    counts.counts = first  # shown again (never below none unshown)
    assert not counts.unshown


def test_a_key_is_counted_at_once_and_a_burst_after_it_once_more() -> None:
    """After `m` the unread count follows at once (a tester saw it lag up to 2 s); keys that follow
    within COUNT_DELAY wait for the burst to end, counted once."""
    clock = FakeClock()
    recounts: list[float] = []

    def recount() -> None:  # as the screen does
        counts.started()
        recounts.append(clock.now)

    counts = TopicCounts(clock, recount, show_unpublished=True)
    start = clock.now
    counts.now()
    assert recounts == [start] and not counts.pending
    clock.advance(COUNT_DELAY + 0.01)
    counts.now()  # a key well after: at once again
    assert recounts == [start, clock.now]
    for _ in range(3):  # a key held down
        clock.advance(0.1)
        counts.now()
        assert counts.pending
    clock.advance(COUNT_DELAY)
    assert recounts[:2] == [start, start + COUNT_DELAY + 0.01]
    assert recounts[2:] == [pytest.approx(start + COUNT_DELAY + 0.31 + COUNT_DELAY)]
    assert not counts.pending
    clock.advance(COUNT_DELAY + 0.01)
    counts.now()
    assert len(recounts) == 4  # the burst's count is over: the next key is counted at once
