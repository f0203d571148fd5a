"""What the topic pane counts (reader.core.counts): records and unread records per topic, starred, read,
saved filters; by record and by story; and what a counter keeps from one count to the next."""

from __future__ import annotations

from reader.core.counts import Counts, SavedCount, TopicCount, TopicCounter, count, unread_records
from reader.core.record import Summary
from reader.core.state import StateStore
from tests.fakes import summary

T0 = 1_700_000_000.0


def url(path: str) -> str:
    """The identity `tests.fakes.summary` gives the record at `path`."""
    return f"https://example.org/{path}"


def records() -> list[Summary]:
    return [
        summary("a", topics=("AI", "robots")),
        summary("b", topics=("AI",)),
        summary("c", topics=("space",), quality=80),
        summary("d", topics=("ai lab", "robots"), quality=10),
        summary("e"),
    ]


def store(read: list[str] = [], starred: list[str] = []) -> StateStore:  # noqa: B006 (never changed)
    s = StateStore(clock=lambda: T0)
    s.set_read([url(p) for p in read])
    for path in starred:
        s.set_starred(url(path), True)
    return s


def test_unread_records_are_those_not_read() -> None:
    found = unread_records(records(), {url("b"): T0, url("e"): T0, "https://example.org/x": T0})
    assert [s.path for s in found] == ["a", "c", "d"]
    assert unread_records(records(), {}) == records()


def test_counts_of_records() -> None:
    state = store(read=["a", "d", "e"], starred=["b", "d"])
    counts = count(records(), state, [("good", "quality:>50"), ("robots", "topic:robots"), ("broken", "(")])
    assert (counts.total, counts.unread, counts.read, counts.starred) == (5, 2, 3, 2)
    # most records first, then by name whatever its case
    assert counts.topics == [
        TopicCount("AI", 2, 1), TopicCount("robots", 2, 0), TopicCount("ai lab", 1, 0),
        TopicCount("space", 1, 1),
    ]
    assert counts.saved == [
        SavedCount("good", "quality:>50", 1, 1), SavedCount("robots", "topic:robots", 2, 0),
        SavedCount("broken", "(", None, None),
    ]


def test_counts_without_a_state_count_everything_unread() -> None:
    counts = count(records(), None, [("robots", "topic:robots")])
    assert (counts.total, counts.unread, counts.read, counts.starred) == (5, 5, 0, 0)
    assert [(t.name, t.total, t.unread) for t in counts.topics] == [
        ("AI", 2, 2), ("robots", 2, 2), ("ai lab", 1, 1), ("space", 1, 1)
    ]
    assert counts.saved == [SavedCount("robots", "topic:robots", 2, 2)]
    assert count([], None) == Counts() == Counts(0, 0, 0, 0, [], [])


def test_only_the_records_listed_are_counted() -> None:
    state = store(read=["a", "c"], starred=["c", "e"])
    counts = count(records(), state, [("all", "")], listed=lambda s: s.path in ("a", "b", "c"))
    assert (counts.total, counts.unread, counts.read, counts.starred) == (3, 1, 2, 1)
    topics = [(t.name, t.total, t.unread) for t in counts.topics]
    assert topics == [("AI", 2, 1), ("robots", 1, 0), ("space", 1, 0)]
    assert counts.saved == [SavedCount("all", "", 3, 1)]


def test_a_counter_follows_the_state_without_a_new_version() -> None:
    counter, state = TopicCounter(), store()
    summaries = records()
    saved = [("unread robots", "topic:robots is:unread"), ("robots", "topic:robots")]
    first = counter.count(summaries, 1, state, saved)
    assert (first.unread, first.read, first.starred) == (5, 0, 0)
    assert [(s.count, s.unread) for s in first.saved] == [(2, 2), (2, 2)]
    state.set_read([url("a")])
    state.set_starred(url("e"), True)
    second = counter.count(summaries, 1, state, saved)
    assert (second.total, second.unread, second.read, second.starred) == (5, 4, 1, 1)
    assert [(t.name, t.unread) for t in second.topics][:2] == [("AI", 1), ("robots", 1)]
    # a query about the state is matched again; one that is not keeps its matches and counts unread anew
    assert [(s.count, s.unread) for s in second.saved] == [(1, 1), (2, 1)]


def test_any_version_counts_the_first_time() -> None:
    for version in (None, 0, -1, "", (0, False)):
        counts = TopicCounter().count(records(), version, None)
        assert (counts.total, counts.unread) == (5, 5), version  # None counted nothing, once


def test_a_counter_counts_again_for_a_new_version() -> None:
    counter = TopicCounter()
    summaries = records()
    saved = [("robots", "topic:robots")]
    assert counter.count(summaries, 1, None, saved).saved[0].count == 2
    more = [*summaries, summary("f", topics=("robots",))]
    same_version = counter.count(more, 1, None, saved)  # the caller says nothing changed: kept
    assert same_version.total == 5 and same_version.saved[0].count == 2
    new_version = counter.count(more, 2, None, saved)
    assert new_version.total == 6 and new_version.saved[0].count == 3
    assert [(t.name, t.total) for t in new_version.topics][:2] == [("robots", 3), ("AI", 2)]
    fewer = counter.count(more, 3, None, saved, listed=lambda s: s.path != "a")
    assert fewer.total == 5 and fewer.saved[0].count == 2


def stories() -> list[Summary]:
    return [
        summary("a1", story="A", topics=("x",)),
        summary("a2", story="A", topics=("x", "y")),
        summary("b1", story="B", topics=("y",)),
        summary("b2", story="B"),
        summary("c", topics=("x",)),
        summary("d"),
    ]


def test_counts_by_story() -> None:
    state = store(read=["a1", "b1", "b2"], starred=["a2", "d"])
    counter = TopicCounter()
    saved = [("several", "sources:>=2"), ("y", "topic:y"), ("broken", "(")]
    counts = counter.count(stories(), 1, state, saved, stories=True)
    assert (counts.total, counts.unread, counts.read, counts.starred) == (4, 3, 2, 2)
    assert [(t.name, t.total, t.unread) for t in counts.topics] == [("x", 2, 2), ("y", 2, 1)]
    assert counts.saved == [
        SavedCount("several", "sources:>=2", 2, 1), SavedCount("y", "topic:y", 2, 1),
        SavedCount("broken", "(", None, None),
    ]
    state.set_read([url("a2"), url("a1"), url("c")], read=False)
    state.set_read([url("d")])
    again = counter.count(stories(), 1, state, saved, stories=True)
    assert (again.total, again.unread, again.read, again.starred) == (4, 2, 2, 2)
    assert [(t.name, t.total, t.unread) for t in again.topics] == [("x", 2, 2), ("y", 2, 1)]
    by_record = counter.count(stories(), 2, state, saved)
    assert (by_record.total, by_record.unread, by_record.read) == (6, 3, 3)
    assert by_record.saved[0] == SavedCount("several", "sources:>=2", 4, 2)


def test_records_without_a_story_are_each_their_own() -> None:
    lone = [summary("p", topics=("x",)), summary("q", topics=("x",)), summary("r", story="R", topics=("x",))]
    counts = TopicCounter().count(lone, 1, store(read=["q"]), [("one", "sources:1")], stories=True)
    assert (counts.total, counts.unread, counts.read) == (3, 2, 1)
    assert counts.topics == [TopicCount("x", 3, 2)]
    assert counts.saved == [SavedCount("one", "sources:1", 3, 2)]  # a story of one record has one source


def test_a_counter_groups_again_for_a_new_version() -> None:
    counter = TopicCounter()
    state = store(read=["c"])
    first = counter.count(stories(), 1, state, [("y", "topic:y")], stories=True)
    assert (first.total, first.unread, first.read) == (4, 3, 1)
    fewer = [s for s in stories() if s.path not in ("a1", "a2")]  # story A gone: every story numbered anew
    again = counter.count(fewer, 2, state, [("y", "topic:y")], stories=True)
    assert (again.total, again.unread, again.read) == (3, 2, 1)
    assert [(t.name, t.total, t.unread) for t in again.topics] == [("x", 1, 0), ("y", 1, 1)]
    assert again.saved == [SavedCount("y", "topic:y", 1, 1)]


def test_topics_by_story_come_most_common_first_then_by_name() -> None:
    lone = [
        summary("p", topics=("zeta",)), summary("q1", story="Q", topics=("beta",)),
        summary("q2", story="Q", topics=("beta", "Alpha")), summary("r", topics=("Alpha", "beta")),
        summary("s", topics=("zeta", "gamma")),
    ]
    counts = TopicCounter().count(lone, 1, None, stories=True)
    topics = [(t.name, t.total) for t in counts.topics]
    assert topics == [("Alpha", 2), ("beta", 2), ("zeta", 2), ("gamma", 1)]
