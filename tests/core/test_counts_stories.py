"""The topic pane's counts by story (issue 13): a story counts once in each topic any of its records is
in, is unread while any of its records is, and a saved filter counts the stories it matches."""

from __future__ import annotations

from reader.core.counts import TopicCounter
from reader.core.identity import summary_id
from reader.core.state import StateStore

from tests.fakes import summary


def _counts(summaries, read=(), saved=()):  # type: ignore[no-untyped-def]
    state = StateStore()
    state.set_read([summary_id(s) for s in read])
    return TopicCounter().count(summaries, object(), state, saved, stories=True)


def test_a_story_counts_once_in_every_topic_of_its_records_in_the_order_they_come() -> None:
    a1 = summary("a1", topics=("Robots", "Chips", "Robots"), story="A")
    a2 = summary("a2", topics=("Space", "Chips"), story="A")
    b = summary("b", topics=("Chips", "Chips"), story="B")
    c = summary("c", topics=("Space",))  # no story id: a story of its own
    d = summary("d", topics=("Space",))
    counts = _counts([a1, b, a2, c, d], read=[a1, a2, c])
    assert (counts.total, counts.unread, counts.read) == (4, 2, 2)
    assert [(t.name, t.total, t.unread) for t in counts.topics] == [
        ("Space", 3, 1), ("Chips", 2, 1), ("Robots", 1, 0)
    ]


def test_a_story_with_one_unread_record_is_unread_and_a_saved_filter_counts_stories() -> None:
    a1, a2 = summary("a1", topics=("Robots",), story="A"), summary("a2", topics=("Robots",), story="A")
    b1, b2 = summary("b1", topics=("Robots",), story="B"), summary("b2", topics=("Robots",), story="B")
    counts = _counts([a1, a2, b1, b2], read=[a1, b1, b2], saved=[("two", "sources:2"), ("b", "b1 OR b2")])
    assert (counts.total, counts.unread, counts.read) == (2, 1, 2)
    assert [(t.name, t.total, t.unread) for t in counts.topics] == [("Robots", 2, 1)]
    assert [(s.name, s.count, s.unread) for s in counts.saved] == [("two", 2, 1), ("b", 1, 0)]
