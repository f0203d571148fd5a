"""Pilot tests of the reading state, saved filters and settings in the app: every key of issue 4."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList

from reader.app import ReaderApp
from reader.control import folders
from reader.core.loader import Batch
from reader.core.identity import story_id
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.screens.prompt import ConfirmScreen, NameScreen
from reader.widgets.article_list import STAR_MARK, UNREAD_MARK, ArticleList
from reader.widgets.filter_bar import FilterBar
from reader.widgets.topics import TopicList

from tests.corpus import FOX_URL, SEED_TITLE, SEED_URL
from tests.helpers import SIZE, ClockedApp, screen, settle, shown_title, status, titles

ROUNDUP = "Weekly roundup: cities and [bold]surveillance[/bold]"
ROUNDUP_ID = "https://example.org/roundup"
FOX_TITLE = "Proposed ban on facial recognition technology moves forward in Minneapolis"
OLD_TITLE = "An older robotics story"
# Stories stay unread unless a test waits for them: the delay is far longer than any test.
NEVER = Settings(read_after=3600)


@pytest.fixture
def state_path(tmp_path: Path) -> str:
    return str(tmp_path / "state.sqlite3")


def make_app(library: Path, state_path: str, settings: Settings = NEVER) -> ClockedApp:
    """The app, with the time a story takes to be read (read_after) on a clock the test moves on."""
    return ClockedApp([str(library)], state=StateStore(state_path), settings=settings)


def row_text(app: ReaderApp, index: int) -> str:
    """The text of a visible row of the article list as drawn."""
    articles = app.screen.query_one(ArticleList)
    return articles.render_line(index - articles.scroll_offset.y).text


def topic_row(app: ReaderApp, option_id: str) -> str:
    topics = app.screen.query_one(TopicList)
    return str(topics.get_option(option_id).prompt)


def state(app: ReaderApp) -> StateStore:
    return screen(app).state


async def test_story_becomes_read_after_the_delay_not_before(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=0.3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_title(app) == ROUNDUP
        assert not state(app).is_read(ROUNDUP_ID)
        assert row_text(app, 0).startswith(UNREAD_MARK)
        app.clock.advance(0.5)
        await settle(pilot)
        assert not state(app).is_read(ROUNDUP_ID)  # nothing is read before the user's first key
        await pilot.press("x")  # a key bound to nothing in the article list
        app.clock.advance(0.5)
        await settle(pilot)
        assert state(app).is_read(ROUNDUP_ID)
        assert not row_text(app, 0).startswith(UNREAD_MARK)
        assert topic_row(app, "\x00all").split()[-1] == "3/4"  # unread/total


async def test_moving_on_before_the_delay_leaves_the_story_unread(library: Path, state_path: str) -> None:
    # A delay long enough that a busy machine still presses j before it is over.
    app = make_app(library, state_path, Settings(read_after=1.0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        app.clock.advance(1.3)
        await settle(pilot)
        assert not state(app).is_read(ROUNDUP_ID)
        assert state(app).is_read(SEED_URL)


async def test_m_toggles_read_and_u_undoes(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert state(app).is_read(ROUNDUP_ID)
        assert "3 unread" in status(app)
        await pilot.press("m")
        await settle(pilot)
        assert not state(app).is_read(ROUNDUP_ID)
        await pilot.press("u")  # undoes the last marking: read again
        await settle(pilot)
        assert state(app).is_read(ROUNDUP_ID)
        await pilot.press("u", "u")
        await settle(pilot)
        assert not state(app).is_read(ROUNDUP_ID)


async def test_o_marks_the_story_read(library: Path, state_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **kwargs: opened.append(url))
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == [ROUNDUP_ID]
        assert state(app).is_read(ROUNDUP_ID)


async def test_s_stars_and_starred_records_are_marked_and_filterable(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "s")
        await settle(pilot)
        assert state(app).is_starred(SEED_URL)
        assert row_text(app, 1)[:2] == UNREAD_MARK + STAR_MARK  # unread and starred
        assert row_text(app, 0)[:2] == UNREAD_MARK + " "
        await pilot.press("slash", *"is:starred", "enter")
        await settle(pilot)
        assert titles(app) == [SEED_TITLE]
        await pilot.press("s")  # unstar: the list follows, as the filter asks for starred records
        await settle(pilot)
        assert titles(app) == []


async def test_starred_and_recently_read_views(library: Path, state_path: str) -> None:
    clock = iter(range(1000, 2000))
    store = StateStore(state_path, clock=lambda: float(next(clock)))
    store.set_read([story_id(FOX_URL + ".amp", "")])  # read first
    store.set_read([ROUNDUP_ID])  # read last
    store.set_starred(SEED_URL, True)
    app = ReaderApp([str(library)], state=store, settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert topic_row(app, "\x00starred").split()[-1] == "1"
        assert topic_row(app, "\x00recent").split()[-1] == "2"
        topics = app.screen.query_one(TopicList)
        topics.focus()
        await pilot.press("j")
        await settle(pilot)
        assert titles(app) == [SEED_TITLE]
        assert "starred" in status(app)
        await pilot.press("j")
        await settle(pilot)
        assert titles(app) == [ROUNDUP, FOX_TITLE]  # most recently read first, whatever the sort


async def test_n_and_p_jump_between_unread_records(library: Path, state_path: str) -> None:
    store = StateStore(state_path)
    store.set_read([SEED_URL, story_id(FOX_URL + ".amp", "")])
    app = ReaderApp([str(library)], state=store, settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        assert articles.cursor == 0
        await pilot.press("n")
        await settle(pilot)
        assert articles.highlighted is not None and articles.highlighted.title == OLD_TITLE
        await pilot.press("n")  # none below: stays
        await settle(pilot)
        assert articles.cursor == 3
        await pilot.press("p")
        await settle(pilot)
        assert articles.cursor == 0


async def test_M_marks_the_list_read_after_confirmation_and_u_undoes(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"facial", "enter")
        await settle(pilot)
        assert len(titles(app)) == 2
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no: nothing changes
        await settle(pilot)
        assert not state(app).read
        await pilot.press("M", "y")
        await settle(pilot)
        assert sorted(state(app).read) == sorted([SEED_URL, FOX_URL + ".amp"])
        assert "2 unread" in status(app)
        await pilot.press("u")
        await settle(pilot)
        assert not state(app).read


async def test_unread_counts_per_topic(library: Path, state_path: str) -> None:
    store = StateStore(state_path)
    store.set_read([ROUNDUP_ID])  # a Robotics story
    app = ReaderApp([str(library)], state=store, settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert topic_row(app, "#Robotics").split()[-1] == "1/2"
        assert topic_row(app, "#AI").split()[-1] == "2/2"
        await pilot.press("slash", *"is:read", "enter")
        await settle(pilot)
        assert titles(app) == [ROUNDUP]
        await pilot.press("slash", "ctrl+u", *"-is:unread", "enter")
        await settle(pilot)
        assert titles(app) == [ROUNDUP]


async def test_saved_filters_save_apply_rename_delete(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"robot", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NameScreen)
        await pilot.press(*"Robots", "enter")
        await settle(pilot)
        assert state(app).saved_filters() == [("Robots", "robot")]
        assert topic_row(app, "=Robots").split()[-1] == "2/2"  # live counts: unread/total
        await pilot.press("escape")  # clear the bar, back to the list
        await settle(pilot)
        assert len(titles(app)) == 4
        topics = app.screen.query_one(TopicList)
        topics.focus()
        await pilot.press("end")  # the saved filters are under the topics
        await settle(pilot)
        assert sorted(titles(app)) == [OLD_TITLE, ROUNDUP]
        assert "saved: Robots" in status(app)
        assert app.screen.query_one(FilterBar).text == ""  # a view, like a topic: the bar narrows it further
        await pilot.press("home")  # leaving it leaves its query behind
        await settle(pilot)
        assert len(titles(app)) == 4
        await pilot.press("end")  # and choosing it again applies it again
        await settle(pilot)
        assert sorted(titles(app)) == [OLD_TITLE, ROUNDUP]
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, NameScreen)
        await pilot.press("ctrl+u", *"Machines", "enter")
        await settle(pilot)
        assert state(app).saved_filters() == [("Machines", "robot")]
        await pilot.press("x", "y")
        await settle(pilot)
        assert state(app).saved_filters() == []
        with pytest.raises(Exception):
            topics.get_option("=Machines")


async def test_a_key_typed_right_after_M_answers_its_question(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Both keys arrive before either is handled (one read of the terminal): `y` is the answer, not
        # a copy of the link under the cursor, so the question is shown as M is handled.
        app.post_message(events.Key("M", "M"))
        app.post_message(events.Key("y", "y"))
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(state(app).read) == 4 and copied == []


async def test_ctrl_s_asks_before_replacing_a_saved_filter(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    app.state.save_filter("Mine", "robot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"facial", "ctrl+s", *"Mine", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert state(app).saved_filters() == [("Mine", "robot")]
        await pilot.press("ctrl+s", *"Mine", "enter", "y")
        await settle(pilot)
        assert state(app).saved_filters() == [("Mine", "facial")]


async def test_ctrl_s_refuses_an_empty_or_broken_query(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NameScreen)
        await pilot.press(*"quality:x", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NameScreen)
        assert state(app).saved_filters() == []


async def test_topic_filter_and_selection_are_restored_on_the_next_start(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(TopicList).focus()
        await pilot.press("j", "j", "j", "j")  # Robotics
        await settle(pilot)
        assert screen(app).listing.topic == "Robotics"
        await pilot.press("slash", *"robot", "enter", "j")
        await settle(pilot)
        assert shown_title(app) == OLD_TITLE
        # Written as they change, not only at a clean exit: a killed terminal loses nothing.
        other = StateStore(state_path)
        assert (other.get_ui("topic"), other.get_ui("filter")) == ("#Robotics", "robot")
        assert other.get_ui("selection") == "javascript:alert(1)"  # the old story's only URL: its identity
    again = make_app(library, state_path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen(again).listing.topic == "Robotics"
        assert again.screen.query_one(FilterBar).text == "robot"
        assert again.screen.query_one(ArticleList).highlighted.title == OLD_TITLE  # type: ignore[union-attr]


async def test_theme_is_remembered_and_a_changed_setting_wins(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    again = make_app(library, state_path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
    configured = make_app(library, state_path, Settings(read_after=3600, theme="gruvbox"))
    async with configured.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert configured.theme == "gruvbox"  # set in the file after the palette choice: the file wins


async def test_keymap_setting_rebinds_a_key(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=3600, keymap={"main.star": "f"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert state(app).is_starred(ROUNDUP_ID)


async def test_browser_setting_runs_the_command_without_a_shell(
    library: Path, state_path: str, tmp_path: Path
) -> None:
    out = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s|" "$@" > {out}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    app = make_app(library, state_path, Settings(read_after=3600, browser=(str(script), "--new", "{url}")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        for _ in range(100):
            if out.exists() and out.read_text():
                break
            await pilot.pause(0.05)
        assert out.read_text() == f"--new|{ROUNDUP_ID}|"


async def test_hidden_unpublished_records(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=3600, show_unpublished=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert SEED_TITLE not in titles(app)
        assert len(titles(app)) == 3
        assert topic_row(app, "\x00all").split()[-1] == "3/3"
        await pilot.press("slash", *"is:unpublished", "enter")
        await settle(pilot)
        assert titles(app) == [SEED_TITLE]  # asked for by name: shown


async def test_date_format_setting_is_used_in_the_story(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=3600, date_format="%d/%m/%Y"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#detail-text").render())
        assert "28/01/2021" in text


async def test_changes_from_another_copy_of_the_app_appear(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = StateStore(state_path)
        other.set_starred(ROUNDUP_ID, True)
        other.close()
        screen(app).folders.check_for_changes()
        await settle(pilot)
        assert row_text(app, 0)[1] == STAR_MARK


async def test_a_damaged_state_database_is_moved_aside_and_the_app_starts(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    app = ReaderApp([str(library)], state=StateStore(str(path)), settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(app)
        await pilot.press("s")
        await settle(pilot)
        assert state(app).is_starred(ROUNDUP_ID)
    assert list(tmp_path.glob("state.sqlite3.corrupt-*"))
    assert StateStore(str(path)).is_starred(ROUNDUP_ID)



async def test_an_unknown_keymap_id_is_reported_and_the_rest_applies(library: Path, state_path: str) -> None:
    settings = Settings(read_after=3600, keymap={"main.star": "f", "main.stra": "g"})
    app = make_app(library, state_path, settings)
    assert len(app.problems) == 1 and "keymap.main.stra" in app.problems[0] and "main.star" in app.problems[0]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("keymap.main.stra" in n.message for n in app._notifications)
        await pilot.press("f")
        await settle(pilot)
        assert state(app).is_starred(ROUNDUP_ID)


async def test_a_story_is_not_read_while_the_focus_is_in_the_topics(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")  # a first key (bound to nothing in the list): reading may begin
        app.screen.query_one(TopicList).focus()
        await settle(pilot)
        app.clock.advance(0.5)
        await settle(pilot)
        assert shown_title(app) == ROUNDUP and not state(app).is_read(ROUNDUP_ID)
        app.screen.query_one(ArticleList).focus()
        await settle(pilot)
        app.clock.advance(0.6)
        await settle(pilot)
        assert state(app).is_read(ROUNDUP_ID)


async def test_u_undoes_the_last_key_not_a_story_read_by_resting(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "j")  # star the first story; the second is then read by resting on it
        await settle(pilot)
        app.clock.advance(0.5)
        await settle(pilot)
        assert state(app).is_read(SEED_URL)
        await pilot.press("u")
        await settle(pilot)
        assert not state(app).is_starred(ROUNDUP_ID)
        assert state(app).is_read(SEED_URL)


async def test_settings_problems_are_one_toast_when_many_and_listed_under_bang(library: Path, state_path: str) -> None:
    problems = [f"/c/config.toml: key{i}: wrong" for i in range(4)]
    app = ReaderApp([str(library)], state=StateStore(state_path), settings=NEVER, problems=problems)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("4 problems in the settings" in m for m in messages)
        assert not any("key0" in m for m in messages)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        listed = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert [line for line in listed if "config.toml" in line] == [f"settings  {p}" for p in problems]


async def test_keys_act_on_the_row_under_the_cursor_before_the_story_follows(library: Path, state_path: str,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A key typed right after a movement (one read of the terminal) arrives before the story pane
    # has followed the cursor: it must act on the row under the cursor, not the story shown.
    opened: list[str] = []
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **kwargs: opened.append(url))
    app = make_app(library, state_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        articles.cursor = 1  # the seed; its Highlighted message is not handled yet
        screen(app).action_toggle_star()
        screen(app).action_toggle_read()
        screen(app).action_open()
        await settle(pilot)
        assert state(app).starred == {SEED_URL} or set(state(app).starred) == {SEED_URL}
        assert list(state(app).read) == [SEED_URL]
        assert opened == [SEED_URL]


async def test_undoing_a_star_keeps_a_read_that_came_after(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("s")  # starred while unread; read by resting on it after that
        await settle(pilot)
        app.clock.advance(0.5)
        await settle(pilot)
        assert state(app).is_read(SEED_URL) and state(app).is_starred(SEED_URL)
        await pilot.press("u")
        await settle(pilot)
        assert state(app).is_read(SEED_URL) and not state(app).is_starred(SEED_URL)


async def test_nothing_is_read_while_a_question_is_open(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=0.4))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")  # well within the 0.4 s the first story needs to be read
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        app.clock.advance(0.5)
        await settle(pilot)
        assert not app.state.read  # the first story was shown all along, under the question
        await pilot.press("n")
        await settle(pilot)
        app.clock.advance(0.7)
        await settle(pilot)
        assert app.state.is_read(ROUNDUP_ID)  # and is read once the list has the focus again


async def test_keymap_clashes_and_bad_key_names_are_reported(library: Path, state_path: str) -> None:
    app = make_app(library, state_path, Settings(read_after=3600, keymap={"main.star": "m", "main.open": "ctrl+nosuch"}))
    assert any("'m' is bound to both main.star and main.read" in p for p in app.problems)
    assert any("keymap.main.open: 'ctrl+nosuch' is not a key name" in p for p in app.problems)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "3 problems (press ! to see)" in status(app)  # these two and the broken file


async def test_a_restored_selection_that_is_gone_does_not_stop_reading(library: Path, state_path: str) -> None:
    store = StateStore(state_path)
    store.set_ui("selection", "https://example.org/a-story-deleted-since")
    app = ClockedApp([str(library)], state=store, settings=Settings(read_after=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")  # a first key (bound to nothing in the list): reading may begin
        app.clock.advance(0.5)
        await settle(pilot)
        assert app.state.is_read(ROUNDUP_ID)


async def test_a_gone_selection_is_let_go_when_the_load_ends_without_a_change(
    library: Path, state_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The load's records come before its end, and its last batch adds nothing: no list is made after
    # the load ends, yet the last run's story, not among the records, must stop being waited for (else
    # nothing is ever read). A busy machine gave this order to the test above now and then.
    real_stream = folders.stream
    listed = threading.Event()

    def records_then_an_empty_end(*args: object, **kwargs: object) -> Iterator[Batch]:
        for batch in real_stream(*args, **kwargs):
            batch.final = False
            yield batch
        listed.wait(timeout=30)  # the records' list is made and shown before the load ends
        yield Batch(final=True)

    monkeypatch.setattr(folders, "stream", records_then_an_empty_end)
    store = StateStore(state_path)
    store.set_ui("selection", "https://example.org/a-story-deleted-since")
    app = ClockedApp([str(library)], state=store, settings=Settings(read_after=0.2))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(1000):
            await pilot.pause(0.01)
            listing = screen(app).listing
            if len(listing.matching) == 4 and listing.complete and not listing.in_flight:
                break
        listed.set()
        await settle(pilot)
        assert screen(app).session.selection is None
        await pilot.press("x")
        app.clock.advance(0.5)
        await settle(pilot)
        assert app.state.is_read(ROUNDUP_ID)


async def test_a_refused_rename_asks_again_with_the_name_typed(library: Path, state_path: str) -> None:
    app = make_app(library, state_path)
    app.state.save_filter("Robots", "robot")
    app.state.save_filter("Faces", "facial")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        topics = app.screen.query_one(TopicList)
        topics.focus()
        await pilot.press("end", "up", "R", "ctrl+u", *"Faces", "enter")  # Robots -> Faces: taken
        await settle(pilot)
        assert isinstance(app.screen, NameScreen)
        assert app.screen.query_one(Input).value == "Faces"
        await pilot.press("ctrl+u", *"Machines", "enter")
        await settle(pilot)
        assert app.state.saved_filters() == [("Machines", "robot"), ("Faces", "facial")]


async def test_the_read_timer_firing_as_the_app_closes_is_not_an_error(library: Path, state_path: str) -> None:
    """The read timer can fire after the article list is gone (the whole suite under load: the timer's
    second passed between a test's last step and the app's end): it waits, it does not raise."""
    app = make_app(library, state_path, Settings(read_after=0.3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = screen(app)
        await main.query_one(ArticleList).remove()
        app.clock.advance(0.5)
        await pilot.pause()
        assert not main.query(ArticleList) and not state(app).read
