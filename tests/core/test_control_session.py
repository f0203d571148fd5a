"""LastSession: the topic, filter and story of the last run are put back, and the story is waited for
only until everything is loaded and listed without it."""

from __future__ import annotations

from pathlib import Path

from reader.control.filtering import Page
from reader.control.session import LastSession
from reader.core.identity import summary_id
from reader.core.state import StateStore

from tests.fakes import summary

A, B = summary("a.md"), summary("b.md")


def test_the_places_of_the_last_run_come_back(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    first = LastSession(StateStore(path))
    assert first.restore() is None and first.topic is None and first.selection is None
    first.remember("#AI", "robot", B)
    again = LastSession(StateStore(path))
    assert again.restore() == "robot"
    assert (again.topic, again.selection) == ("#AI", summary_id(B))


def test_places_are_written_as_they_change(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    session = LastSession(StateStore(path))
    session.restore()
    session.chose_topic("=Mine")
    session.typed("facial")
    session.selected(A)
    other = StateStore(path)
    places = (other.get_ui("topic"), other.get_ui("filter"), other.get_ui("selection"))
    assert places == ("=Mine", "facial", summary_id(A))


def test_a_topic_not_put_back_yet_is_kept_for_the_next_run() -> None:
    state = StateStore()
    state.set_ui("topic", "#Robotics")
    session = LastSession(state)
    session.restore()
    session.remember("\x00all", "", None)  # closed before the topic was counted
    assert state.get_ui("topic") == "#Robotics"


def test_the_last_story_is_selected_once_listed_and_not_replaced_meanwhile() -> None:
    state = StateStore()
    state.set_ui("selection", summary_id(B))
    finished = False
    session = LastSession(state, load_finished=lambda: finished)
    session.restore()
    session.selected(A)  # the first story shown while the last one loads
    assert state.get_ui("selection") == summary_id(B)
    assert session.selection_in(Page(1, [A], complete=True)) is None and session.selection is not None
    assert session.selection_in(Page(2, [A, B], complete=True)) == "b.md"
    assert session.selection is None
    session.selected(A)
    assert state.get_ui("selection") == summary_id(A)


def test_a_last_story_that_is_gone_is_no_longer_waited_for() -> None:
    state = StateStore()
    state.set_ui("selection", "https://example.org/deleted-since")
    finished = False
    session = LastSession(state, load_finished=lambda: finished)
    session.restore()
    assert session.selection_in(Page(1, [A, B], complete=True)) is None and session.selection is not None
    finished = True
    assert session.selection_in(Page(2, [A], complete=False)) is None and session.selection is not None
    assert session.selection_in(Page(2, [A, B], complete=True)) is None and session.selection is None
