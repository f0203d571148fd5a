"""Stories in the app: one row per story, opened in place and closed, the grouping key (remembered), the
coverage in the story pane, marking a story, sources: and the counts by story."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from reader.app import ReaderApp
from reader.core.identity import summary_id
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.core.story_rows import StoryRows
from reader.widgets.article_list import ArticleList
from reader.widgets.detail import DetailPane
from reader.widgets.filter_bar import FilterBar
from reader.widgets.topics import TopicList

from tests.helpers import SIZE, count, screen, screen_text, settle, shown_title, titles
from tests.story_corpus import FLAW, OTHER_RELATED, ROCKET, ROCKET_URLS, SOLO, group, write_stories

pytestmark = pytest.mark.stories

NEVER = Settings(read_after=3600)  # nothing is read by resting on it unless a test says so


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    return write_stories(tmp_path / "stories")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs given to App.open_url instead of starting a browser."""
    urls: list[str] = []
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **kwargs: urls.append(url))
    return urls


def rows(app: ReaderApp) -> list[tuple[str, str]]:
    """(kind, title) of every row of the article list."""
    listed = app.screen.query_one(ArticleList).summaries
    assert isinstance(listed, StoryRows)
    return [(listed.kind(i), summary.title) for i, summary in enumerate(listed)]


def read_titles(app: ReaderApp, state: StateStore) -> set[str]:
    return {s.title for s in screen(app).library.summaries if summary_id(s) in state.read}


async def test_one_row_per_story_opened_in_place_and_closed(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        assert rows(app) == [("record", SOLO), ("story", ROCKET), ("story", FLAW)]  # newest first
        assert count(app) == "showing 3 stories · 6 of 6"
        assert "×3 " + ROCKET in screen_text(app) and "×2 " + FLAW in screen_text(app)
        await pilot.press("space")  # on a record alone: nothing to open
        assert len(rows(app)) == 3
        await pilot.press("down", "space")
        assert rows(app) == [
            ("record", SOLO), ("story", ROCKET), ("member", ROCKET), ("member", f"{ROCKET} - The Verge"),
            ("member", "Acme's first rocket lifts off"), ("story", FLAW),
        ]
        text = screen_text(app)
        assert "The Verge" in text and " · " in text  # each record with its provider
        await pilot.press("down", "down", "left")  # closed from one of its records: back on its row
        assert len(rows(app)) == 3 and app.screen.query_one(ArticleList).cursor == 1
        await pilot.press("right", "end", "right")  # another story opens, the first one closes
        assert rows(app)[-3:] == [("story", FLAW), ("member", FLAW), ("member", f"{FLAW} | Ars")]
        assert len(rows(app)) == 5
        await pilot.press("space")
        assert len(rows(app)) == 3


async def test_an_opened_story_stays_open_when_the_list_is_computed_again(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("down", "right")
        screen(app).articles_pane.refilter()
        await settle(pilot)
        assert len(rows(app)) == 6 and app.screen.query_one(ArticleList).cursor == 1


async def test_grouping_key_turns_grouping_off_and_it_is_remembered(stories: Path) -> None:
    state = StateStore()
    app = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("down")  # on the rocket story: the cursor stays on it
        await pilot.press("v")
        await settle(pilot)
        assert not isinstance(app.screen.query_one(ArticleList).summaries, StoryRows)
        assert len(titles(app)) == 6 and count(app) == "showing 6 of 6"
        assert app.screen.query_one(ArticleList).highlighted.title == ROCKET  # type: ignore[union-attr]
        assert screen(app).topic_counts.counts.total == 6  # records counted again
    again = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with again.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        assert len(titles(again)) == 6  # still off after a restart
        await pilot.press("v")
        await settle(pilot)
        assert titles(again) == [SOLO, ROCKET, FLAW]
        assert state.get_ui("stories") == "on"


async def test_topic_counts_count_stories(stories: Path) -> None:
    state = StateStore()
    app = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        counts = screen(app).topic_counts.counts
        assert (counts.total, counts.unread) == (3, 3)
        assert {t.name: (t.total, t.unread) for t in counts.topics} == {"Space": (2, 2), "Security": (1, 1)}
        await pilot.press("down", "right", "down", "m")  # one record of the rocket story read: still unread
        await settle(pilot)
        counts = screen(app).topic_counts.counts
        assert (counts.total, counts.unread, counts.read) == (3, 3, 1)
        assert {t.name: t.unread for t in counts.topics} == {"Space": 2, "Security": 1}
        await pilot.press("up", "m")  # the whole story read
        await settle(pilot)
        counts = screen(app).topic_counts.counts
        assert (counts.unread, {t.name: t.unread for t in counts.topics}) == (2, {"Space": 1, "Security": 1})


async def test_m_s_and_u_act_on_a_whole_story_or_on_one_record(stories: Path) -> None:
    state = StateStore()
    app = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("down", "m")
        await settle(pilot)
        rocket = {ROCKET, f"{ROCKET} - The Verge", "Acme's first rocket lifts off"}
        assert read_titles(app, state) == rocket
        await pilot.press("u")
        await settle(pilot)
        assert read_titles(app, state) == set()
        await pilot.press("s")
        starred = {s.title for s in screen(app).library.summaries if summary_id(s) in state.starred}
        assert starred == rocket
        await pilot.press("right", "down", "down", "m")  # on the Verge's record alone
        await settle(pilot)
        assert read_titles(app, state) == {f"{ROCKET} - The Verge"}
        assert "●" in screen_text(app).split(ROCKET)[0].splitlines()[-1]  # the story is still unread
        await pilot.press("up", "up", "m")  # the story's row: unread while one is, so all become read
        await settle(pilot)
        assert read_titles(app, state) == rocket
        await pilot.press("m")  # all read: all unread again
        await settle(pilot)
        assert read_titles(app, state) == set()


async def test_M_marks_every_record_of_the_stories_listed(stories: Path) -> None:
    state = StateStore()
    app = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("slash", *"rocket", "enter")  # matches two of the rocket's records
        await settle(pilot)
        assert titles(app) == [ROCKET]
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")  # the question: yes
        await settle(pilot)
        assert read_titles(app, state) == {ROCKET, f"{ROCKET} - The Verge", "Acme's first rocket lifts off"}


@pytest.mark.parametrize(("setting", "read"), [(True, 3), (False, 1)])
async def test_reading_a_story_reads_all_its_records_unless_the_setting_says(
    stories: Path, setting: bool, read: int
) -> None:
    state = StateStore()
    app = ReaderApp([str(stories)], settings=Settings(read_after=0, mark_story_read=setting), state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("down")  # a key: the story shown is read from now
        await settle(pilot)
        assert shown_title(app) == ROCKET
        assert len(read_titles(app, state) - {SOLO}) == read


async def test_coverage_lists_the_story_follows_back_and_opens(stories: Path, opened: list[str]) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("down")
        await settle(pilot)
        detail = app.screen.query_one(DetailPane)
        assert [s.title for s in detail.coverage] == [ROCKET, f"{ROCKET} - The Verge", "Acme's first rocket lifts off"]
        assert "Coverage (3)" in screen_text(app)
        await pilot.press("enter")  # focuses the coverage
        await settle(pilot)
        coverage = app.screen.query_one("#coverage", OptionList)
        assert coverage.has_focus and coverage.highlighted == 0
        await pilot.press("down", "o")
        assert opened == [ROCKET_URLS[1]]  # the Verge's, the outlet chosen
        await pilot.press("down", "enter")
        await settle(pilot)
        assert shown_title(app) == "Acme's first rocket lifts off"
        assert len(detail.coverage) == 3  # the story's records again, from another of them
        await pilot.press("backspace")
        await settle(pilot)
        assert shown_title(app) == ROCKET
        await pilot.press("alt+right")
        await settle(pilot)
        assert shown_title(app) == "Acme's first rocket lifts off"


async def test_related_and_mentions_of_the_same_story_are_not_listed_twice(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("down", "right", "down", "down", "down")  # the BBC's record
        await settle(pilot)
        detail = app.screen.query_one(DetailPane)
        assert shown_title(app) == "Acme's first rocket lifts off"
        assert [story.urls.web for story in detail.related] == [OTHER_RELATED]  # not Reuters' rocket
        await pilot.press("up", "up")  # Reuters' record, which the BBC's lists as related
        await settle(pilot)
        assert shown_title(app) == ROCKET and detail.mentions == []


async def test_a_record_alone_has_no_coverage(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        assert shown_title(app) == SOLO
        assert app.screen.query_one(DetailPane).coverage == []
        assert "Coverage" not in screen_text(app)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("sources:>=3", [ROCKET]), ("sources:2", [FLAW]), ("sources:<2", [SOLO]), ("-sources:1", [ROCKET, FLAW]),
     ("lifts", [ROCKET])],  # a story is listed when one of its records matches, under its lead's title
)
async def test_sources_filters_by_the_size_of_the_story(stories: Path, query: str, expected: list[str]) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("slash", *query, "enter")
        await settle(pilot)
        assert titles(app) == expected


async def test_a_bad_sources_term_is_said_and_keeps_the_list(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        await pilot.press("slash", *"sources:>=2")
        await settle(pilot)
        assert titles(app) == [ROCKET, FLAW]
        await pilot.press("x")
        await settle(pilot)
        assert 'bad number ">=2x" in sources:' in screen_text(app)
        assert titles(app) == [ROCKET, FLAW]  # the list stays as it was
        assert app.screen.query_one(FilterBar).has_class("-error") or "bad number" in screen_text(app)


async def test_most_covered_order(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        for _ in range(6):  # newest -> oldest, heat, quality, title, provider, covered
            await pilot.press("S")
        await settle(pilot)
        assert "most covered" in screen_text(app)
        assert titles(app) == [ROCKET, FLAW, SOLO]
        await pilot.press("R")
        await settle(pilot)
        assert "least covered" in screen_text(app)
        assert titles(app) == [SOLO, FLAW, ROCKET]


async def test_saved_filter_with_sources_counts_stories(stories: Path) -> None:
    state = StateStore()
    state.save_filter("big", "sources:>=2")
    app = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        saved = {s.name: (s.count, s.unread) for s in screen(app).topic_counts.counts.saved}
        assert saved == {"big": (2, 2)}
        assert app.screen.query_one(TopicList) is not None


async def test_sorted_by_quality_a_story_shows_the_quality_that_placed_it(stories: Path) -> None:
    app = ReaderApp([str(stories)], settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        for _ in range(3):  # newest -> oldest, heat, quality
            await pilot.press("S")
        await settle(pilot)
        assert titles(app)[0] == ROCKET  # placed by the Verge's 90, under its lead's title (Reuters, 50)
        first_row = screen_text(app).split(ROCKET)[0].splitlines()[-1]
        assert " 90 " in first_row and " 50 " not in first_row


async def test_next_unread_goes_by_story(stories: Path) -> None:
    state = StateStore()
    app = ReaderApp([str(stories)], settings=NEVER, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await group(pilot, stories)
        library = screen(app).library
        state.set_read([summary_id(s) for s in library.summaries if s.title == ROCKET])  # its lead only
        await pilot.press("n")
        assert app.screen.query_one(ArticleList).cursor == 1  # the rocket story: two records unread
        state.set_read([summary_id(s) for s in library.summaries if "rocket" in s.title.casefold()])
        await pilot.press("home", "n")
        assert app.screen.query_one(ArticleList).cursor == 2  # the whole story read: the flaw's next
