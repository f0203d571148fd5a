"""ReadingTracker on a fake clock: a story shown for `read_after` seconds becomes read (not while the
user is elsewhere), keys mark and star, and `u` undoes only what keys did."""

from __future__ import annotations

import pytest

from reader.control.reading import RETRY_AFTER, UNDO_LIMIT, ReadingTracker
from reader.core.identity import summary_id
from reader.core.state import StateStore

from tests.fakes import FakeClock, library_of, summary

A, B, C = summary("a.md", "Story A"), summary("b.md", "Story B"), summary("c.md", "Story C")


class Reader:
    """A tracker over three stories, with what the screen would tell it set by the test."""

    def __init__(self, read_after: float = 2.0) -> None:
        self.clock = FakeClock()
        self.state = StateStore(clock=self.clock)
        self.library = library_of([A, B, C])
        self.showing: str | None = None
        self.can_read = True
        self.changes: list[bool] = []
        self.tracker = ReadingTracker(
            self.state, self.library, self.clock, read_after, showing=lambda: self.showing,
            can_read=lambda: self.can_read, changed=self.changes.append,
        )

    def show(self, path: str) -> None:
        self.showing = path
        summary = self.library.summary(path)
        assert summary is not None
        self.tracker.shown(summary)

    def read(self) -> set[str]:
        return set(self.state.read)


def test_a_story_is_read_after_read_after_seconds_not_before() -> None:
    reader = Reader(read_after=2.0)
    reader.show("a.md")
    reader.clock.advance(1.99)
    assert reader.read() == set()
    reader.clock.advance(0.02)
    assert reader.read() == {summary_id(A)}
    assert reader.changes == [False]  # not a key: the list does not follow, and `u` does not undo it
    assert reader.tracker.undo == []


def test_read_after_zero_reads_at_once() -> None:
    reader = Reader(read_after=0)
    reader.show("a.md")
    assert reader.read() == {summary_id(A)} and reader.clock.timers == []


def test_moving_on_before_the_delay_leaves_the_story_unread() -> None:
    reader = Reader(read_after=2.0)
    reader.show("a.md")
    reader.clock.advance(1.5)
    reader.show("b.md")
    reader.clock.advance(1.5)
    assert reader.read() == set()
    reader.clock.advance(0.5)
    assert reader.read() == {summary_id(B)}


def test_a_story_no_longer_shown_when_its_time_comes_stays_unread() -> None:
    reader = Reader(read_after=1.0)
    reader.show("a.md")
    reader.showing = "b.md"  # a link was followed: the story pane shows another
    reader.clock.advance(5.0)
    assert reader.read() == set()


@pytest.mark.parametrize("read_after", [0.05, 1.0])
def test_while_the_user_is_elsewhere_the_story_waits_and_is_read_on_return(read_after: float) -> None:
    reader = Reader(read_after=read_after)
    reader.can_read = False  # the topic pane has the focus, or a question is open
    reader.show("a.md")
    retry = max(read_after, RETRY_AFTER)
    reader.clock.advance(read_after + 10.5 * retry)  # tried 11 times, the next half a retry away
    assert reader.read() == set()
    reader.can_read = True
    reader.clock.advance(retry * 0.49)
    assert reader.read() == set()
    reader.clock.advance(retry * 0.02)
    assert reader.read() == {summary_id(A)}


def test_a_story_already_read_starts_no_timer() -> None:
    reader = Reader()
    reader.state.set_read([summary_id(A)])
    reader.show("a.md")
    assert reader.clock.timers == []


def test_toggles_are_kept_for_undo_and_undoing_a_star_keeps_a_later_read() -> None:
    reader = Reader(read_after=1.0)
    reader.tracker.toggle_star([B])
    reader.show("b.md")
    reader.clock.advance(1.0)  # read by resting on it, after the star
    assert reader.state.is_starred(summary_id(B)) and reader.state.is_read(summary_id(B))
    assert reader.changes == [True, False]
    marking = reader.tracker.undo_last()
    assert marking is not None and marking.kind == "star" and marking.undone == "Undone: starred: Story B"
    assert not reader.state.is_starred(summary_id(B)) and reader.state.is_read(summary_id(B))
    assert reader.tracker.undo_last() is None


def test_toggle_read_twice_and_undo_in_turn() -> None:
    reader = Reader()
    reader.tracker.toggle_read([A])
    reader.tracker.toggle_read([A])
    assert reader.read() == set()
    assert [m.what for m in reader.tracker.undo] == ["marked read: Story A", "marked unread: Story A"]
    reader.tracker.undo_last()
    assert reader.read() == {summary_id(A)}
    reader.tracker.undo_last()
    assert reader.read() == set()


def test_a_story_marked_then_undone_before_the_delay_is_not_read_by_resting_on_it() -> None:
    reader = Reader(read_after=2.0)
    reader.show("a.md")
    reader.clock.advance(0.5)
    reader.tracker.toggle_read([A])  # m, within the delay
    reader.tracker.undo_last()  # u
    reader.clock.advance(5.0)
    assert reader.read() == set()


def test_a_story_marked_unread_while_shown_stays_unread() -> None:
    reader = Reader(read_after=2.0)
    reader.tracker.toggle_read([A])
    reader.show("a.md")  # read already: nothing to wait for
    reader.tracker.toggle_read([A])  # m: unread again, and the reader is still on it
    reader.clock.advance(5.0)
    assert reader.read() == set()
    reader.show("b.md")
    reader.clock.advance(2.0)
    assert reader.read() == {summary_id(B)}  # the next story shown is read as before


def test_marking_the_list_read_then_undoing_it_leaves_the_story_shown_unread() -> None:
    reader = Reader(read_after=2.0)
    reader.show("a.md")
    reader.tracker.mark_read([A, B])
    reader.tracker.undo_last()
    reader.clock.advance(5.0)
    assert reader.read() == set()


def test_marking_the_list_read_is_one_undo() -> None:
    reader = Reader()
    reader.state.set_read([summary_id(B)])
    unread = reader.tracker.unread_among([A, B, C])
    assert unread == [A, C]
    assert reader.tracker.mark_read([A, B, C]) == 2
    marking = reader.tracker.undo_last()
    assert marking is not None and marking.undone == "Undone: marked 2 read"
    assert reader.read() == {summary_id(B)}


def test_opening_reads_the_story_but_is_not_undone() -> None:
    reader = Reader()
    reader.tracker.opened(A)
    reader.tracker.opened(None)
    assert reader.read() == {summary_id(A)} and reader.tracker.undo == []


def test_undo_keeps_the_last_hundred_markings() -> None:
    reader = Reader()
    for _ in range(UNDO_LIMIT + 5):
        reader.tracker.toggle_star([A])
    assert len(reader.tracker.undo) == UNDO_LIMIT
    # the oldest go: kept are the 6th (an unstar) to the 105th (a star)
    kept = (reader.tracker.undo[0].what, reader.tracker.undo[-1].what)
    assert kept == ("unstarred: Story A", "starred: Story A")


def test_a_marking_that_changes_nothing_is_not_kept() -> None:
    reader = Reader()
    reader.state.set_read([summary_id(A)])
    reader.tracker.mark_read([A])
    assert reader.tracker.undo == [] and reader.changes == [True]


def test_marks_of_and_the_story_pane_marks() -> None:
    reader = Reader()
    reader.state.set_starred(summary_id(B), True)
    reader.state.set_read([summary_id(A)])
    assert reader.tracker.marks_of(A) == (True, False) and reader.tracker.marks_of(B) == (False, True)
    assert reader.tracker.story_marks("b.md") == (False, True)
    assert reader.tracker.story_marks("gone.md") is None


@pytest.mark.parametrize(
    ("cursor", "step", "expected"), [(0, 1, 2), (2, 1, None), (2, -1, 0), (0, -1, None), (-1, 1, 0)]
)
def test_next_unread(cursor: int, step: int, expected: int | None) -> None:
    reader = Reader()
    reader.state.set_read([summary_id(B)])
    assert reader.tracker.next_unread([A, B, C], cursor, step) == expected


def test_the_records_of_one_story_are_each_counted_and_read_together() -> None:
    # Two files with one URL are one story (one mark) but two rows of the list: both are counted, as
    # the status line counts them, so `M` asks about as many records as the line says are unread.
    copy = summary("a-copy.md", "Story A again", url=A.url)
    reader = Reader()
    assert reader.tracker.unread_among([A, copy, B]) == [A, copy, B]
    assert reader.tracker.mark_read([A, copy, B]) == 3
    assert reader.read() == {summary_id(A), summary_id(B)}
    marking = reader.tracker.undo_last()
    assert marking is not None and marking.undone == "Undone: marked 3 read"
