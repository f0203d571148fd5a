"""Pilot tests: every interaction of the main screen, driven through the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from reader.app import ReaderApp
from reader.control import folders
from reader.control.story import TYPING_DETAIL_DELAY
from reader.core.record import Record, RelatedStory
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.messages import Filtered
from reader.screens.help import HelpScreen
from reader.screens.main import MainScreen, ReaderHost
from reader.screens.problems import ProblemsScreen
from reader.widgets.article_list import ArticleList
from reader.widgets.articles_pane import ArticlesPane
from reader.widgets.detail import DetailPane
from reader.widgets.filter_bar import FilterBar, FilterInput
from reader.widgets.topics import Choice, TopicList

from tests.corpus import FIRST_RELATED_URL, FOX_URL, SEED_TITLE, SEED_URL
from tests.fakes import FakeClock
from tests.helpers import SIZE, count, screen, settle, shown, shown_title, status, titles


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record URLs given to App.open_url instead of starting a browser."""
    urls: list[str] = []
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **kwargs: urls.append(url))
    return urls


async def test_start_shows_newest_first_with_first_record_in_detail(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(app)[0] == "Weekly roundup: cities and [bold]surveillance[/bold]"
        assert titles(app)[-1] == "An older robotics story"
        assert isinstance(app.focused, ArticleList)
        assert app.screen.query_one(ArticleList).cursor == 0
        assert shown_title(app) == titles(app)[0]
        assert count(app) == "showing 4 of 4"
        assert "1 problem" in status(app)


async def test_unpublished_records_are_listed(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        summaries = app.screen.query_one(ArticleList).summaries
        assert [s.published for s in summaries if s.title == SEED_TITLE] == [False]


async def test_topic_selection_limits_the_list(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        topics = app.screen.query_one(TopicList)
        topic_names = [str(topics.get_option_at_index(i).prompt).split()[0] for i in range(topics.option_count)]
        # the views, then topics most common first, then by name
        assert topic_names[:5] == ["All", "★", "Recently", "AI", "Robotics"]
        topics.focus()
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert screen(app).listing.topic == "AI"
        assert sorted(titles(app)) == sorted([SEED_TITLE, "Proposed ban on facial recognition technology moves forward in Minneapolis"])
        await pilot.press("down")
        await settle(pilot)
        assert sorted(titles(app)) == ["An older robotics story", "Weekly roundup: cities and [bold]surveillance[/bold]"]
        await pilot.press("home")
        await settle(pilot)
        assert len(titles(app)) == 4


async def test_live_filter_error_keeps_last_result_and_enter_returns(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"minneapolis")
        await settle(pilot)
        assert len(titles(app)) == 2
        assert count(app) == "showing 2 of 4"
        app.screen.query_one(Input).insert_text_at_cursor(" topc:x")  # as if pasted
        await settle(pilot)
        field = app.screen.query_one(FilterInput)
        assert field.error == 'unknown field "topc" - did you mean topic?'
        assert field.render_line(0).text.rstrip().endswith("did you mean topic?")  # drawn in the bar
        assert len(titles(app)) == 2  # the last valid result stays
        for _ in "topc:x":
            await pilot.press("backspace")
        await pilot.press(*"quality:<38")
        await settle(pilot)
        assert titles(app) == ["Proposed ban on facial recognition technology moves forward in Minneapolis"]
        assert field.error == "" and "did you mean" not in field.render_line(0).text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, ArticleList)
        assert app.screen.query_one(ArticleList).cursor == 0
        assert shown_title(app) == titles(app)[0]


async def test_the_story_waits_for_a_pause_in_the_typing(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_title(app).startswith("Weekly roundup")
        clock = screen(app).story.scheduler = FakeClock()  # the story's delay, on a clock moved by hand
        await pilot.press("slash")
        for key in "facial":  # "f" moves the cursor to another story; the rest keep it there
            await pilot.press(key)
            clock.advance(0.9 * TYPING_DETAIL_DELAY)  # 5.4 delays in all, but no pause that long
        assert screen(app).story.pending and shown_title(app).startswith("Weekly roundup")
        clock.advance(TYPING_DETAIL_DELAY)
        assert not screen(app).story.pending
        await settle(pilot)
        assert shown_title(app) == titles(app)[0] and not shown_title(app).startswith("Weekly roundup")


async def test_keys_typed_right_after_enter_in_the_filter_bar_go_to_the_list(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ban")
        await settle(pilot)
        # Both keys arrive before either is handled, as when the screen is busy drawing a long list.
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("G", "G"))
        await settle(pilot)
        assert app.screen.query_one(FilterBar).text == "ban"
        articles = app.screen.query_one(ArticleList)
        assert app.focused is articles and articles.cursor == len(articles.summaries) - 1 > 0


async def test_filter_escape_clears(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"robotics")
        await settle(pilot)
        assert len(titles(app)) == 2
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 4
        assert isinstance(app.focused, ArticleList)
        assert app.screen.query_one(FilterBar).text == ""


async def test_no_match_says_so_instead_of_a_stale_record(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzzzz")
        await settle(pilot)
        assert titles(app) == []
        assert shown(app) == "No record matches."


async def test_filter_combines_with_topic(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(TopicList).focus()
        await pilot.press("down", "down", "down", "down")  # past Starred, Recently read and AI: Robotics
        await settle(pilot)
        await pilot.press("slash", *"older")
        await settle(pilot)
        assert titles(app) == ["An older robotics story"]


async def test_sort_cycles_orders(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert screen(app).listing.sort_order == "oldest"
        assert titles(app)[0] == "An older robotics story"
        await pilot.press("S")  # heat
        await settle(pilot)
        assert titles(app)[0] == "Weekly roundup: cities and [bold]surveillance[/bold]"
        assert titles(app)[-1] == SEED_TITLE  # heat -1
        await pilot.press("S", "S")  # quality, title
        await settle(pilot)
        assert screen(app).listing.sort_order == "title"
        assert titles(app) == sorted(titles(app), key=str.casefold)
        await pilot.press("S", "S")  # provider, most covered
        await settle(pilot)
        assert screen(app).listing.sort_order == "covered"
        assert "sort: most covered" in status(app)
        await pilot.press("S")  # newest
        await settle(pilot)
        assert screen(app).listing.sort_order == "newest"
        assert "sort: newest" in status(app)


async def _select_seed(pilot: Pilot[None]) -> None:
    await pilot.press("slash", *"weau", "enter")
    await settle(pilot)
    assert shown_title(pilot.app) == SEED_TITLE


async def test_enter_focuses_related_and_follows_unknown_story(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _select_seed(pilot)
        await pilot.press("enter")
        related = app.screen.query_one("#related", OptionList)
        assert app.focused is related
        assert related.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        story = shown(app)
        assert isinstance(story, RelatedStory)
        assert story.urls.web == FIRST_RELATED_URL


async def test_follow_related_to_loaded_record_then_back_and_forward(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _select_seed(pilot)
        await pilot.press("enter", "down", "down", "down", "down", "enter")  # the fifth: Fox 9
        await settle(pilot)
        record = shown(app)
        assert isinstance(record, Record)  # found in the library by its AMP URL, not shown as a summary
        assert record.urls.web == FOX_URL + ".amp"
        await pilot.press("alt+left")
        await settle(pilot)
        assert shown_title(app) == SEED_TITLE
        await pilot.press("alt+right")
        await settle(pilot)
        assert shown_title(app) == "Proposed ban on facial recognition technology moves forward in Minneapolis"
        app.screen.query_one(ArticleList).focus()
        await pilot.press("backspace")
        await settle(pilot)
        assert shown_title(app) == SEED_TITLE


async def test_mentioned_by_lists_and_follows(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _select_seed(pilot)
        mentions = app.screen.query_one("#mentions", OptionList)
        assert mentions.option_count == 1
        mentions.focus()
        mentions.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert shown_title(app) == "Weekly roundup: cities and [bold]surveillance[/bold]"


async def test_open_and_copy_current_record_and_related(library: Path, opened: list[str]) -> None:
    app = ReaderApp([str(library)])
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _select_seed(pilot)
        await pilot.press("o", "y")
        assert opened == [SEED_URL]  # originalUrl first
        assert copied == [SEED_URL]
        await pilot.press("enter", "o")  # the highlighted related story
        assert opened[-1] == FIRST_RELATED_URL


async def test_open_refuses_non_http(library: Path, opened: list[str]) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"older", "enter")
        await settle(pilot)
        await pilot.press("o", "y")
        await pilot.pause()
        assert opened == []
        messages = [n.message for n in app._notifications]
        assert any("only http and https" in m for m in messages)


async def problems_shown(pilot: Pilot[None]) -> ProblemsScreen:
    """The problems screen, once the app has loaded and `!` was pressed."""
    await settle(pilot)
    await pilot.press("exclamation_mark")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ProblemsScreen)
    return pilot.app.screen


async def test_the_problems_screen_says_when_there_are_none(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: ok\n---\n", encoding="utf-8")
    app = ReaderApp([str(folder)])
    async with app.run_test(size=SIZE) as pilot:
        heading = str((await problems_shown(pilot)).query(Static).first().render())
        assert heading.startswith("No problems: every file was read")


@pytest.mark.parametrize(
    ("broken", "noted", "settings", "heading"),
    [
        (2, 1, 0, "2 files could not be read; 1 file read with notes"),
        (0, 2, 0, "2 files read with notes"),
        (1, 0, 3, "1 file could not be read; 3 problems in the settings"),
        (0, 0, 1, "1 problem in the settings"),
        (0, 1, 2, "1 file read with notes; 2 problems in the settings"),
    ],
)
async def test_the_problems_screen_heading_says_what_there_is(
    tmp_path: Path, broken: int, noted: int, settings: int, heading: str
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: ok\n---\n", encoding="utf-8")
    for index in range(broken):
        (folder / f"broken{index}.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for index in range(noted):  # read and listed, with a field left out
        (folder / f"noted{index}.md").write_text(f"---\ntitle: noted {index}\nquality: high\n---\n", encoding="utf-8")
    app = ReaderApp([str(folder)], problems=[f"/c/config.toml: key{i}: wrong" for i in range(settings)])
    async with app.run_test(size=SIZE) as pilot:
        shown = await problems_shown(pilot)
        assert str(shown.query(Static).first().render()) == f"{heading}   (escape closes)"
        assert shown.query_one(OptionList).option_count == broken + noted + settings


async def test_problems_and_help_screens(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        problems = (await problems_shown(pilot)).query_one(OptionList)
        assert problems.option_count == 1
        assert "broken.md: invalid YAML" in str(problems.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        for key in ("/", "o", "y", "S", "backspace / alt+left", "alt+right", "q", "!", "?", "enter"):
            assert f"\n{key} " in text or text.startswith(key), key
        # The filter language and its examples follow the keys.
        assert "\nFilter language " in text
        for line in ("a OR b", "after:DATE, before:DATE", "(druid barbarian) OR necromancer"):
            assert f"\n{line}\n" in text, line
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_markup_in_record_text_is_literal(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=(240, 40)) as pilot:
        await settle(pilot)
        row = "".join(segment.text for segment in app.screen.query_one(ArticleList).render_line(0))
        assert "Weekly roundup: cities and [bold]surveillance[/bold]" in row
        detail = str(app.screen.query_one("#detail-text", Static).render())
        assert detail.startswith("Weekly roundup: cities and [bold]surveillance[/bold]\n")


async def test_command_palette_offers_actions(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = [command.title for command in app.get_system_commands(app.screen)]
        for name in ("Filter", "Open link", "Copy link", "Cycle sort order", "Back", "Forward", "Help",
                     "Toggle read", "Toggle star", "Mark all read", "Undo marking", "Next unread", "Theme"):
            assert name in names
        assert "Keys" not in names  # Textual's panel of widget internals; `?` lists this app's keys
        sort = next(c for c in app.get_system_commands(app.screen) if c.title == "Cycle sort order")
        assert sort.help.endswith("provider, most covered")  # every order S goes through
        sort.callback()
        await settle(pilot)
        assert screen(app).listing.sort_order == "oldest"


NEW_RECORD = """---
title: "A brand new story about robots"
publishedDateTime: 2021-01-30T10:00:00Z
provider:
  name: New Wire
topics:
  - Robotics
---
"""


async def test_reload_picks_up_new_changed_and_removed_files_keeping_selection(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")  # the seed
        await settle(pilot)
        assert shown_title(app) == SEED_TITLE
        (library / "new.md").write_text(NEW_RECORD, encoding="utf-8")
        (library / "old.md").unlink()
        fox = library / "fox.md"
        fox.write_text(fox.read_text(encoding="utf-8").replace("Proposed ban", "Changed ban"), encoding="utf-8")
        await pilot.press("r")
        await settle(pilot)
        assert titles(app) == [
            "A brand new story about robots",
            "Weekly roundup: cities and [bold]surveillance[/bold]",
            SEED_TITLE,
            "Changed ban on facial recognition technology moves forward in Minneapolis",
        ]
        assert app.screen.query_one(ArticleList).highlighted.title == SEED_TITLE  # the selection stayed
        assert shown_title(app) == SEED_TITLE


@pytest.mark.parametrize("notices", [True, False])
async def test_watcher_notices_a_new_file_without_a_key(
    library: Path, monkeypatch: pytest.MonkeyPatch, notices: bool
) -> None:
    """With the system's notices (inotify) the folders are walked when they say so, not on a timer;
    without them, on a timer."""
    if notices:
        monkeypatch.setattr(folders, "WATCH_INTERVAL", 1000.0)
        monkeypatch.setattr(folders, "SAFETY_INTERVAL", 1000.0)
    else:
        monkeypatch.setattr(folders.FolderWatch, "start", classmethod(lambda cls, paths: None))
        monkeypatch.setattr(folders, "WATCH_INTERVAL", 0.5)
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        (library / "sub").mkdir()  # a folder made while the app runs is watched too
        await pilot.pause(0.8)
        (library / "sub" / "new.md").write_text(NEW_RECORD, encoding="utf-8")
        for _ in range(100):
            await pilot.pause(0.1)
            if "A brand new story about robots" in titles(app):
                break
        assert "A brand new story about robots" in titles(app)
        assert (screen(app).folders.watch is not None) == notices
        await settle(pilot)  # the story pane's read of it, not cut by the app's closing


async def test_notices_start_a_walk_only_when_walks_have_taken_less_than_a_tenth_of_the_time(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folders, "WATCH_INTERVAL", 1000.0)
    monkeypatch.setattr(folders, "SAFETY_INTERVAL", 1000.0)
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        screen(app).folders.named_allowed_at = float("inf")  # as after a load of very many files named
        (library / "new.md").write_text(NEW_RECORD, encoding="utf-8")
        await pilot.pause(1.5)
        assert "A brand new story about robots" not in titles(app)
        screen(app).folders.named_allowed_at = 0.0
        for _ in range(50):
            await pilot.pause(0.1)
            if "A brand new story about robots" in titles(app):
                break
        assert "A brand new story about robots" in titles(app)  # the notice was kept, not dropped
        await settle(pilot)  # the story pane's read of it, not cut by the app's closing


async def test_a_folder_large_enough_for_the_process_pool_loads_in_the_app(tmp_path: Path) -> None:
    """The pool's resource tracker cannot start once Textual has replaced stderr: this once hung at 0."""
    from reader.core.loader import POOL_THRESHOLD

    folder = tmp_path / "many"
    folder.mkdir()
    count = POOL_THRESHOLD + 20
    for i in range(count):
        (folder / f"{i:04}.md").write_text(f'---\ntitle: "Story {i}"\ntopics: [AI]\n---\n', encoding="utf-8")
    app = ReaderApp([str(folder)])
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            await pilot.pause(0.1)
            if len(screen(app).library) == count and not screen(app).listing.matching == []:
                break
        await settle(pilot)
        assert len(titles(app)) == count


async def test_j_and_k_move_in_topics_and_related_lists(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(TopicList).focus()
        await pilot.press("j", "j", "j")  # past Starred and Recently read
        await settle(pilot)
        assert screen(app).listing.topic == "AI"
        await pilot.press("k", "k", "k")
        await settle(pilot)
        assert screen(app).listing.topic is None
        await _select_seed(pilot)
        await pilot.press("enter", "j", "j")
        assert app.screen.query_one("#related", OptionList).highlighted == 2
        await pilot.press("k")
        assert app.screen.query_one("#related", OptionList).highlighted == 1


async def test_j_and_k_stop_at_the_ends_of_the_topic_list(library: Path, tmp_path: Path) -> None:
    state = StateStore(str(tmp_path / "state.sqlite3"))
    state.save_filter("Robots", "robot")
    app = ReaderApp([str(library)], state=state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        topics = app.screen.query_one(TopicList)
        topics.focus()
        await pilot.press("G")
        await settle(pilot)
        last = topics.highlighted
        assert topics.choice == Choice("saved", "Robots", "robot")
        await pilot.press("j", "down")  # like the article list: no wrapping round to All
        await settle(pilot)
        assert topics.highlighted == last
        await pilot.press("k")  # over the "Saved filters" heading, which cannot be chosen
        await settle(pilot)
        assert topics.highlighted == last - 2 and topics.choice.kind == "topic"
        await pilot.press("g", "k", "up")
        await settle(pilot)
        assert topics.highlighted == 0 and screen(app).listing.topic is None


async def test_a_long_query_scrolls_the_filter_input(library: Path) -> None:
    # The filter input sets its scrollable width without laying out the screen: it must still scroll.
    app = ReaderApp([str(library)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = " ".join(f"w{i:03}" for i in range(30))  # 149 characters in a 70-column field
        await pilot.press("slash", *text)
        await settle(pilot)
        field = app.screen.query_one(FilterBar).query_one(Input)
        assert field.value == text
        assert field.scroll_x > 60 and field.virtual_size.width > 140
        await pilot.press("home")
        await pilot.pause()
        assert field.scroll_x == 0


async def test_keys_typed_right_after_enter_in_the_filter_go_to_the_list(library: Path) -> None:
    # Enter and the keys after it can arrive in one read of the terminal: the focus must move as enter
    # is handled, not when the bar's message is, or `j` would be typed into the query.
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"robot")
        await settle(pilot)
        field = app.screen.query_one(FilterBar).query_one(Input)
        await field.action_submit()
        assert isinstance(app.focused, ArticleList)  # before any message was handled
        await settle(pilot)
        assert isinstance(app.focused, ArticleList) and field.value == "robot"


async def test_a_list_drawn_first_page_first_keeps_the_cursor_on_its_record(tmp_path: Path) -> None:
    """A long list is drawn from its first page before it is complete; the record under the cursor
    further down stays under it once the rest arrives, and the count says when it is complete."""
    from reader.synth import write_corpus

    write_corpus(tmp_path / "many", 1500, workers=1)
    sent: list[bool] = []
    original = ArticlesPane.on_filtered

    def recording(self: ArticlesPane, message: Filtered) -> None:
        sent.append(message.page.complete)
        original(self, message)

    app = ReaderApp([str(tmp_path / "many")])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ArticlesPane, "on_filtered", recording)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            articles = app.screen.query_one(ArticleList)
            total = len(articles.summaries)
            articles.follow_top = False  # as when the user moves the cursor
            articles.cursor = 1000
            await settle(pilot)
            kept = articles.highlighted
            sent.clear()
            await pilot.press("slash", *"-zzzqx")
            await settle(pilot)
            assert False in sent and sent[-1] is True  # a first page, then the whole list
            assert articles.highlighted is kept and articles.cursor == 1000
            assert count(app) == f"showing {total:,} of {total:,}"


async def test_the_list_draws_its_own_scrollbar_and_the_wheel_scrolls_it(tmp_path: Path) -> None:
    from textual import events

    from reader.synth import write_corpus
    from reader.widgets.article_list import BAR_THUMB, WHEEL_ROWS

    write_corpus(tmp_path / "many", 400, workers=1)
    app = ReaderApp([str(tmp_path / "many")])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        height = articles.scrollable_content_region.height
        await pilot.press("g")
        await settle(pilot)
        column = [articles.render_line(y).text[-1] for y in range(height)]
        assert column[0] == BAR_THUMB and column[-1] == " "  # at the top: the thumb is at the top
        wheel = events.MouseScrollDown(articles, 1, 1, 0, 1, 0, False, False, False)
        articles.post_message(wheel)
        await settle(pilot)
        assert articles.scroll_offset.y == WHEEL_ROWS and articles.cursor == 0  # the view moved, not the cursor
        await pilot.press("G")
        await settle(pilot)
        assert articles.scroll_offset.y == len(articles.summaries) - height
        column = [articles.render_line(y).text[-1] for y in range(height)]
        assert column[-1] == BAR_THUMB and column[0] == " "
        assert len(articles.render_line(0).text) == articles.scrollable_content_region.width


async def test_the_filter_label_is_muted_while_the_bar_is_closed_and_accented_while_open(library: Path) -> None:
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        label = app.screen.query_one("#filter-label", Static)
        closed = label.rich_style.color
        await pilot.press("slash")
        await pilot.pause()
        opened = label.rich_style.color
        assert opened != closed
        assert label.styles.color == Color.parse(app.get_css_variables()["text-accent"])
        await pilot.press("escape")
        await pilot.pause()
        assert label.rich_style.color == closed


@pytest.mark.parametrize("width", [140, 139, 80])
async def test_the_topic_pane_is_a_drawer_below_140_columns_and_its_rows_follow(
    library: Path, width: int
) -> None:
    app = ReaderApp([str(library)], settings=Settings(read_after=3600))  # the counts stay 4/4
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(width, 40)
        await settle(pilot)
        assert app.screen.query_one("#topics-pane").display == (width >= 140)
        if width < 140:
            await pilot.press("t")  # the drawer
            await settle(pilot)
        topics = app.screen.query_one(TopicList)
        assert app.screen.query_one("#topics-pane").outer_size.width == 28
        assert topics.row_width == 22
        first = str(topics.get_option_at_index(0).prompt)
        assert len(first) == 22 and first.startswith("All") and first.endswith("4/4")


async def test_the_story_lists_stay_unframed_when_focused_and_fit_under_their_heading(library: Path) -> None:
    # Styled by their widgets alone: app.tcss gave them a max-height of its own as well.
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _select_seed(pilot)
        related = app.screen.query_one("#related", OptionList)
        height = app.screen.query_one(DetailPane).scrollable_content_region.height - 1
        for focused in (False, True):
            if focused:
                await pilot.press("enter")
                await pilot.pause()
                assert app.focused is related
            assert related.styles.max_height is not None and related.styles.max_height.value == height
            assert not related.styles.border_top[0] and related.styles.padding.top == 0


def test_the_app_is_what_the_main_screen_asks_of_it(library: Path) -> None:
    # The screen reaches the app through one cast to ReaderHost; this holds the app to it.
    assert isinstance(ReaderApp([str(library)]), ReaderHost)


async def test_a_story_marked_read_as_the_app_closes_is_not_an_error(library: Path) -> None:
    """The read timer or a story pane's read can land while the app closes, after the article list is
    gone: the mark is dropped quietly instead of raising (which failed watcher tests under load)."""
    app = ReaderApp([str(library)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = screen(app)
        await main.query_one(ArticleList).remove()
        main.marked(explicit=False)
        await pilot.pause()
        assert not main.query(ArticleList)
