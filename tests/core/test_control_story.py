"""StoryNavigator on a fake clock: the story follows the cursor once it rests, waits for a pause in the
typing, and keeps the stories followed from it for back and forward."""

from __future__ import annotations

import pytest

from reader.control.story import DETAIL_DELAY, TYPING_DETAIL_DELAY, StoryNavigator, Visit
from reader.core.record import RelatedStory, Urls

from tests.fakes import FakeClock


class Pane:
    """What the navigator drives: records what it was told to show, say and report as rested."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.events: list[tuple[str, object]] = []
        self.navigator = StoryNavigator(
            self.clock,
            show=lambda visit: self.events.append(("show", visit)),
            say=lambda text: self.events.append(("say", text)),
            rested=lambda path: self.events.append(("rested", path)),
            chosen=lambda path: self.events.append(("chosen", path)),
        )


@pytest.fixture
def pane() -> Pane:
    return Pane()


def related(title: str) -> RelatedStory:
    return RelatedStory(title=title, urls=Urls(web=f"https://elsewhere.org/{title}"))


def test_the_story_is_shown_once_the_cursor_has_rested(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md")
    assert pane.navigator.pending and pane.events == []
    pane.clock.advance(DETAIL_DELAY * 0.99)
    assert pane.navigator.pending and pane.events == []
    pane.clock.advance(DETAIL_DELAY * 0.02)
    assert not pane.navigator.pending
    assert pane.events == [("show", "a.md"), ("rested", "a.md")]


def test_keys_held_down_show_only_the_record_the_cursor_stops_on(pane: Pane) -> None:
    for path in ("a.md", "b.md", "c.md", "d.md"):  # a key repeat of ~30 ms
        pane.navigator.cursor_moved(path)
        pane.clock.advance(0.03)
    pane.clock.advance(DETAIL_DELAY)
    assert pane.events == [("show", "d.md"), ("rested", "d.md")]


def test_while_typing_the_story_waits_for_a_pause_in_the_typing(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md", typing=True)
    for _ in range(6):  # keystrokes closer together than the delay, 1.2 s in all
        pane.clock.advance(TYPING_DETAIL_DELAY * 0.7)
        pane.navigator.typed()
    assert pane.navigator.pending and pane.events == []
    pane.clock.advance(TYPING_DETAIL_DELAY)
    assert pane.events == [("show", "a.md"), ("rested", "a.md")]


def test_typing_with_nothing_waiting_starts_no_wait(pane: Pane) -> None:
    pane.navigator.typed()
    assert not pane.navigator.pending and pane.clock.timers == []


def test_enter_shows_what_waits_at_once(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md", typing=True)
    pane.navigator.now()
    assert pane.events == [("show", "a.md"), ("rested", "a.md")] and not pane.navigator.pending
    pane.clock.advance(1.0)
    assert len(pane.events) == 2  # not shown a second time when the wait would have ended
    pane.navigator.now()
    assert len(pane.events) == 2


def test_an_empty_list_says_so_after_the_rest(pane: Pane) -> None:
    pane.navigator.cursor_moved(None, empty="No record matches.")
    assert pane.events == []
    pane.clock.advance(DETAIL_DELAY)
    assert pane.events == [("say", "No record matches.")]
    assert pane.navigator.current is None


def test_the_list_refreshed_around_the_same_record_keeps_the_history(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md")
    pane.clock.advance(DETAIL_DELAY)
    pane.navigator.follow(story := related("x"))
    pane.navigator.cursor_moved("a.md")
    assert not pane.navigator.pending and pane.navigator.current == story and pane.navigator.followed


def test_follow_back_and_forward(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md")
    pane.clock.advance(DETAIL_DELAY)
    x, y = related("x"), related("y")
    pane.navigator.follow(x)
    pane.navigator.follow("b.md")
    pane.navigator.follow(y)
    assert pane.navigator.followed and pane.navigator.current == y
    shown: list[Visit | None] = []
    for step in (pane.navigator.back, pane.navigator.back, pane.navigator.back, pane.navigator.forward):
        assert step()
        shown.append(pane.navigator.current)
    assert shown == ["b.md", x, "a.md", x]
    assert [event for event in pane.events[-4:]] == [("show", v) for v in shown]
    assert pane.navigator.back() and not pane.navigator.back()  # at the start: nothing shown
    assert pane.events[-1] == ("show", "a.md")


def test_moving_the_cursor_forgets_the_stories_followed(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md")
    pane.clock.advance(DETAIL_DELAY)
    pane.navigator.follow(related("x"))
    pane.navigator.cursor_moved("b.md")
    assert not pane.navigator.followed and not pane.navigator.back()


def test_a_link_followed_while_the_cursor_rests_is_not_replaced_by_the_record(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md")
    pane.navigator.follow(story := related("x"))
    pane.clock.advance(DETAIL_DELAY)
    assert pane.events == [("show", story)]


@pytest.mark.parametrize(
    ("changed", "removed", "again"),
    [({"a.md": (1, 2)}, [], True), ({}, ["a.md"], True), ({"b.md": (1, 2)}, [], False)],
)
def test_the_story_shown_is_read_again_when_its_file_changes(
    pane: Pane, changed: dict[str, tuple[int, int]], removed: list[str], again: bool
) -> None:
    pane.navigator.cursor_moved("a.md")
    pane.clock.advance(DETAIL_DELAY)
    before = len(pane.events)
    pane.navigator.files_changed(changed, removed)
    assert pane.events[before:] == ([("show", "a.md")] if again else [])


def test_a_related_story_shown_is_not_read_again_for_a_changed_file(pane: Pane) -> None:
    pane.navigator.cursor_moved("a.md")
    pane.clock.advance(DETAIL_DELAY)
    pane.navigator.follow(related("a.md"))
    before = len(pane.events)
    pane.navigator.files_changed({"a.md": (1, 2)})
    assert len(pane.events) == before


def test_a_record_the_list_put_under_the_cursor_is_not_read_until_chosen(pane: Pane) -> None:
    nav = pane.navigator
    nav.cursor_moved("a.md", placed=True)
    assert nav.reads("a.md")  # the first record listed: what the user sees first
    nav.cursor_moved("b.md", placed=True)  # a new order put b under the cursor
    pane.clock.advance(DETAIL_DELAY)
    assert ("show", "b.md") in pane.events and not nav.reads("b.md")
    nav.cursor_moved("b.md", placed=True)  # the list refreshed around it: still not chosen
    assert not nav.reads("b.md") and ("chosen", "b.md") not in pane.events
    nav.cursor_moved("b.md")  # the user moved onto it (the cursor set to where it is)
    assert nav.reads("b.md") and pane.events[-1] == ("chosen", "b.md")
    nav.cursor_moved("c.md", placed=True)
    nav.choose()  # enter on it
    assert nav.reads("c.md") and pane.events[-1] == ("chosen", "c.md")
    nav.choose()  # chosen once
    assert pane.events.count(("chosen", "c.md")) == 1


def test_a_story_followed_from_a_placed_record_is_read_and_back_chooses_it(pane: Pane) -> None:
    nav = pane.navigator
    nav.cursor_moved("z.md")
    nav.cursor_moved("a.md", placed=True)
    pane.clock.advance(DETAIL_DELAY)
    nav.follow("b.md")
    assert nav.reads("b.md") and not nav.reads("a.md")
    assert nav.back() and nav.reads("a.md")


def test_a_record_listed_where_there_was_none_is_read_by_resting(pane: Pane) -> None:
    """The first record listed at the start, or after an empty list, is what the user sees first."""
    nav = pane.navigator
    nav.cursor_moved("a.md", placed=True)
    assert not nav.placed and nav.reads("a.md")
    nav.cursor_moved(None, placed=True, empty="No record matches.")
    nav.cursor_moved("b.md", placed=True)
    assert nav.reads("b.md")
