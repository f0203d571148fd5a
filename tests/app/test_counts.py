"""What the topic pane counts: topics with unread records, starred, read, saved filters."""

from __future__ import annotations

import pytest

from reader.core.counts import SavedCount, TopicCount, TopicCounter, count
from reader.core.record import Record, Summary
from reader.core.identity import story_id
from reader.widgets.topics import _row, compact


class FakeState:
    def __init__(self) -> None:
        self.read: dict[str, float] = {}
        self.starred: set[str] = set()


def summary(name: str, topics: tuple[str, ...], published: bool = True) -> Summary:
    return Summary.of(Record(path=f"/r/{name}.md", title=name, topics=topics, published=published))


RECORDS = [
    summary("a", ("AI", "Robotics")),
    summary("b", ("AI",)),
    summary("c", ("Robotics",), published=False),
    summary("d", ("ai",)),
]


def test_counts_topics_unread_starred_and_read() -> None:
    state = FakeState()
    state.read[story_id("", "/r/a.md")] = 1.0
    state.starred.add(story_id("", "/r/c.md"))
    counts = count(RECORDS, state)
    assert (counts.total, counts.unread, counts.read, counts.starred) == (4, 3, 1, 1)
    assert counts.topics == [
        TopicCount("AI", 2, 1),  # most common first, then by name; "ai" is another topic
        TopicCount("Robotics", 2, 1),
        TopicCount("ai", 1, 1),
    ]


def test_counts_only_what_is_listed_and_saved_filters() -> None:
    state = FakeState()
    counts = count(
        RECORDS, state, [("robots", "topic:robotics"), ("broken", "quality:x"), ("all", "")],
        listed=lambda s: s.published,
    )
    assert counts.total == 3
    assert counts.saved == [SavedCount("robots", "topic:robotics", 1, 1), SavedCount("broken", "quality:x", None),
                            SavedCount("all", "", 3, 3)]


def test_counts_without_state_count_everything_unread() -> None:
    counts = count(RECORDS, None)
    assert (counts.unread, counts.read, counts.starred) == (4, 0, 0)


@pytest.mark.parametrize(
    ("number", "shown"),
    [(0, "0"), (999, "999"), (1000, "1k"), (1234, "1.2k"), (9999, "9.9k"), (10_000, "10k"), (12_345, "12k"),
     (999_999, "999k"), (1_234_567, "1.2M"), (12_345_678, "12M")],
)
def test_compact_counts_fit_four_cells_and_never_overstate(number: int, shown: str) -> None:
    assert compact(number) == shown and len(shown) <= 4


def test_counter_keeps_what_the_state_cannot_change_and_recounts_the_rest() -> None:
    state, counter = FakeState(), TopicCounter()
    saved = [("unread ai", "is:unread topic:ai"), ("ai", "topic:ai")]
    first = counter.count(RECORDS, 1, state, saved)
    assert [s.count for s in first.saved] == [3, 3]  # topic:ai is AI and ai
    state.read[story_id("", "/r/b.md")] = 1.0
    second = counter.count(RECORDS, 1, state, saved)  # same library version, new state
    assert (second.unread, second.read) == (3, 1)
    assert second.topics[0] == TopicCount("AI", 2, 1)
    assert [s.count for s in second.saved] == [2, 3]
    assert counter.count(RECORDS[:2], 2, state, saved).total == 2  # a new version: recounted
    assert counter.count(RECORDS, 2, state, saved).total == 2  # same version: the kept list


@pytest.mark.parametrize(
    ("unread", "total", "shown"),
    [(3, 4, "Computer Vision    3/4"), (9999, 10_000, "Computer V… 9999/10000"), (0, 100_000, "Computer Vis… 0/100000"),
     (99_999, 100_000, "Computer Vision  99999"), (None, 5, "Computer Vision      5"), (None, None, "Computer Vision      !")],
)
def test_topic_rows_are_exact_when_they_fit(unread: int | None, total: int | None, shown: str) -> None:
    assert _row("Computer Vision", unread, total, 22) == shown
