"""The story pane as drawn: no scrollbar beside a message, links wrapped where a URL may break, and the
story's reading state in its facts line."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.errors import NoWidget
from textual.widgets import OptionList

from reader.app import ReaderApp
from reader.core.record import Record, RelatedStory
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.widgets.detail import LABEL_WIDTH, DetailPane, wrap_link
from reader.widgets.story_list import story_line

from tests.corpus import SEED_URL
from tests.helpers import screen_text, settle

NARROW = (80, 24)  # the story pane is 22 cells wide: the seed's story needs a scrollbar
WIDE = (160, 45)
NEVER = Settings(read_after=3600)  # stories stay unread unless a test marks them


async def test_a_message_is_never_drawn_beside_a_scrollbar(seed_folder: Path) -> None:
    app = ReaderApp([str(seed_folder)])
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert pane.show_vertical_scrollbar  # the seed's story is longer than the pane
        # Every frame written to the terminal, as the compositor placed it: is a message shown, and is
        # the pane's scrollbar in the frame?
        frames: list[tuple[bool, bool]] = []
        display = app._display

        def spy(screen, renderable) -> None:  # type: ignore[no-untyped-def]
            if renderable is not None:
                try:
                    scrollbar = bool(screen.find_widget(pane.vertical_scrollbar).region)
                except NoWidget:
                    scrollbar = False
                frames.append((isinstance(pane.shown, str), scrollbar))
            display(screen, renderable)

        app._display = spy  # type: ignore[method-assign]
        await pilot.press("slash", *"zzzz")
        await settle(pilot)
        assert pane.shown == "No record matches."
        message_frames = [scrollbar for is_message, scrollbar in frames if is_message]
        assert message_frames and not any(message_frames), frames


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        (
            SEED_URL,
            20,
            ["https://", "www.weau.com/2021/", "01/24/ban-on-facial-", "recognition-", "technology-advances-",
             "in-minneapolis/"],
        ),
        ("https://x.org/?q=a&b=c", 12, ["https://", "x.org/?q=a&", "b=c"]),  # never after a dot
        ("https://example.org/averyveryverylongword", 12, ["https://", "example.org/", "averyveryver", "ylongword"]),
        ("1200×675  https://a.org/i.jpg", 12, ["1200×675", "https://", "a.org/i.jpg"]),  # spaces at a break go
        ("an encrypted payload", 14, ["an encrypted", "payload"]),
        ("短い日本語/パス", 7, ["短い日", "本語/", "パス"]),  # cells, not characters
        ("", 10, [""]),
        ("fits", 10, ["fits"]),
    ],
)
def test_wrap_link_breaks_after_separators(text: str, width: int, lines: list[str]) -> None:
    assert wrap_link(text, width) == lines


def pane_lines(app: ReaderApp) -> list[str]:
    """The story pane's rows as drawn on the screen, inside its border, padding and scrollbar."""
    region = app.screen.query_one(DetailPane).scrollable_content_region
    rows = screen_text(app).split("\n")
    return [row[region.x : region.right].rstrip() for row in rows[region.y : region.bottom]]


@pytest.mark.parametrize("size", [(80, 60), WIDE])
async def test_a_long_url_wraps_after_separators_and_stays_whole(library: Path, size: tuple[int, int]) -> None:
    app = ReaderApp([str(library)], settings=NEVER)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"weau", "enter")
        await settle(pilot)
        lines = pane_lines(app)
        start = next(i for i, line in enumerate(lines) if line.startswith("original"))
        end = next(i for i, line in enumerate(lines) if line.endswith("minneapolis/"))
        if lines[start] == "original":  # a narrow pane: the URL under its label
            url = lines[start + 1 : end + 1]
        else:  # beside its label, then in the same column below it
            url = [line[LABEL_WIDTH:] for line in lines[start : end + 1]]
            assert all(not line[:LABEL_WIDTH].strip() for line in lines[start + 1 : end + 1])
        assert "".join(url) == SEED_URL  # whole, nothing cut, nothing added
        assert len(url) > 1 and all(line[-1] in "/-" for line in url), url  # broken after / and -


def facts_text(app: ReaderApp) -> str:
    """The story pane's text above the links: title, provider, date, facts, topics and excerpt."""
    return str(app.screen.query_one("#detail-text").render())


async def test_the_facts_show_the_reading_state_as_keys_change_it(library: Path, tmp_path: Path) -> None:
    app = ReaderApp([str(library)], state=StateStore(str(tmp_path / "state.sqlite3")), settings=NEVER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "unread  ·  article" in facts_text(app) and "★ starred" not in facts_text(app)
        steps = [("s", "★ starred  ·  unread"), ("m", "★ starred  ·  read"), ("u", "★ starred  ·  unread"),
                 ("u", "unread  ·  article")]
        for key, shown in steps:
            await pilot.press(key)
            await settle(pilot)
            assert shown in facts_text(app), (key, facts_text(app))
        await pilot.press("m")
        await settle(pilot)
        assert "read  ·  article" in facts_text(app) and "unread" not in facts_text(app)


async def test_a_story_read_by_resting_on_it_says_so(library: Path, tmp_path: Path) -> None:
    app = ReaderApp([str(library)], state=StateStore(str(tmp_path / "state.sqlite3")), settings=Settings(read_after=0))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "unread" in facts_text(app)  # nothing is read before the user's first key
        await pilot.press("x")  # a key bound to nothing in the list
        await settle(pilot)
        assert "read  ·  article" in facts_text(app) and "unread" not in facts_text(app)


async def test_a_related_story_outside_the_library_has_no_reading_state(library: Path) -> None:
    app = ReaderApp([str(library)], settings=NEVER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"weau", "enter", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen.query_one(DetailPane).shown, RelatedStory)
        facts = [line.split("  ·  ") for line in facts_text(app).split("\n") if "  ·  " in line]
        assert facts and not any({"read", "unread", "★ starred"} & set(line) for line in facts), facts


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (22, "Azure gets a new regi…"),  # the title alone
        (40, "GeekWire  Azure gets a new region in Sw…"),  # then the source
        (50, "21-01-24  GeekWire  Azure gets a new region in Sw…"),  # then a short date
        (70, "2021-01-24  GeekWire  Azure gets a new region in Sweden and Norway"),
        (90, "2021-01-24  GeekWire  Azure gets a new region in Sweden and Norway"),
    ],
)
def test_a_story_line_keeps_the_title_first(width: int, shown: str) -> None:
    line = story_line("2021-01-24", "GeekWire", "Azure gets a new region in Sweden and Norway", width, 8)
    assert line.plain == shown and line.cell_length <= width


def test_a_story_line_cuts_a_long_source_with_an_ellipsis() -> None:
    line = story_line("2021-01-24", "technologyrecord.com", "Title", 70, 16)
    assert line.plain == "2021-01-24  technologyrecor…  Title"


LONG_TITLE = "Microsoft opens a new datacenter region in Sweden powered by renewable energy alone"


def related_library(folder: Path, count: int = 40, mentions: int = 0) -> Path:
    """A story with `count` related stories (long titles, a long domain for a source) and `mentions`
    records that list it among theirs, and a story with none."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(mentions):
        (folder / f"mention{index}.md").write_text(
            f"""---
title: "Mention {index}"
publishedDateTime: 2020-01-01T10:00:00Z
webUrl: "https://example.org/mention{index}"
related:
  - title: "A story with many related stories"
    webUrl: "https://example.org/many"
---
""",
            encoding="utf-8",
        )
    related = "".join(
        f"""  - title: "{LONG_TITLE} {index}"
    webUrl: "https://technologyrecord.com/{index}"
    publishedDateTime: 2021-01-2{index % 10}T10:00:00Z
    provider:
      domain: technologyrecord.com
"""
        for index in range(count)
    )
    (folder / "many.md").write_text(
        f"""---
title: "A story with many related stories"
excerpt: "{'A long excerpt. ' * 12}"
publishedDateTime: 2021-02-01T10:00:00Z
webUrl: "https://example.org/many"
provider:
  name: Example
  domain: example.org
related:
{related}---
""",
        encoding="utf-8",
    )
    (folder / "alone.md").write_text(
        """---
title: "A story that stands alone"
publishedDateTime: 2021-01-01T10:00:00Z
webUrl: "https://example.org/alone"
---
""",
        encoding="utf-8",
    )
    return folder


def list_rows(app: ReaderApp, widget_id: str) -> list[str]:
    """The rows of a related or mentioned-by list as drawn on the screen."""
    option_list = app.screen.query_one(f"#{widget_id}", OptionList)
    region = option_list.region.intersection(app.screen.query_one(DetailPane).scrollable_content_region)
    rows = screen_text(app).split("\n")
    return [row[region.x : region.right] for row in rows[region.y : region.bottom]]


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_the_related_list_is_a_line_a_story_clear_of_the_scrollbar(tmp_path: Path, size: tuple[int, int]) -> None:
    app = ReaderApp([str(related_library(tmp_path / "library"))], settings=NEVER)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        related = app.screen.query_one("#related", OptionList)
        pane = app.screen.query_one(DetailPane)
        assert app.focused is related
        assert related.virtual_size.height == related.option_count == 40  # never wrapped
        assert related.scrollable_content_region.width == related.region.width  # no scrollbar of its own
        assert pane.show_vertical_scrollbar  # the pane's, against its border ...
        bar = pane.vertical_scrollbar.region
        assert bar.right == pane.region.right - 1
        assert related.region.right < bar.x  # ... with a column between it and the text
        rows = list_rows(app, "related")
        assert len(rows) == min(related.region.height, 40) and all(rows)
        for row in rows:
            text = row.rstrip()
            # A story's whole line, or one cut with an ellipsis: never the rest of a line wrapped.
            assert text.endswith("…") or text[-2:].strip().isdigit(), row
            assert not any(block in row for block in "▁▂▃▄▅▆▇█"), row


@pytest.mark.parametrize("size", [NARROW, (80, 25), (100, 30), WIDE])
async def test_the_related_heading_stays_in_view_while_the_list_has_focus(tmp_path: Path, size: tuple[int, int]) -> None:
    # Stories mention it too: the pane goes on below the related list, so it can scroll past its heading.
    app = ReaderApp([str(related_library(tmp_path / "library", mentions=30))], settings=NEVER)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        heading = app.screen.query_one("#related-heading")
        related = app.screen.query_one("#related", OptionList)
        for step in range(1, 31):
            await pilot.press("down")
            await pilot.pause()
            assert related.highlighted == step
            # The heading is on screen in the pane, and says where the highlight is.
            inside = pane.scrollable_content_region  # inside the border
            assert inside.contains_region(heading.region), step
            assert heading.render().plain.startswith(f"Related stories ({step + 1}/40)")
            # The highlighted story is on screen too.
            line = related.region.y + related.highlighted - related.scroll_offset.y
            assert related.region.y <= line < related.region.bottom and inside.y <= line < inside.bottom
        await pilot.press("tab")  # away from the list: the heading counts the stories again
        await pilot.pause()
        assert heading.render().plain == "Related stories (40)"


async def test_enter_on_a_story_without_related_stories_says_so(tmp_path: Path) -> None:
    app = ReaderApp([str(related_library(tmp_path / "library"))], settings=NEVER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"alone", "enter")
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert isinstance(pane.shown, Record) and pane.shown.title == "A story that stands alone"
        assert not app._notifications
        await pilot.press("enter")
        await settle(pilot)
        assert [n.message for n in app._notifications] == [
            "This story has no related stories, and nothing here mentions it"
        ]


@pytest.mark.parametrize("grouped", [False, True], ids=["ungrouped", "grouped"])
async def test_a_related_story_that_is_the_record_itself_is_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grouped: bool
) -> None:
    from reader.control import filtering

    monkeypatch.setattr(filtering, "GROUPED_BY_DEFAULT", grouped)
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "self.md").write_text(
        """---
title: "Related to self"
publishedDateTime: 2024-01-05T00:00:00Z
webUrl: "https://example.com/self"
related:
  - title: "Related to self"
    webUrl: "https://EXAMPLE.com/self#top"
  - title: "Its AMP form"
    ampWebUrl: "https://example.com/self"
  - title: "Another story"
    webUrl: "https://example.com/other"
  - title: "Related to self"
    webUrl: "https://example.com/a-namesake"
---
Body
""",
        encoding="utf-8",
    )
    app = ReaderApp([str(folder)], settings=NEVER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert isinstance(pane.shown, Record) and pane.shown.title == "Related to self"
        assert [story.title for story in pane.related] == ["Another story", "Related to self"]  # not by title
        assert app.screen.query_one("#related-heading").render().plain == "Related stories (2)"


def test_a_body_s_entities_keep_their_control_characters_visible_and_any_number_is_read() -> None:
    from reader.widgets.detail import markdown_safe

    assert markdown_safe("Red: &#x1b;[31m and &#27;[0m") == "Red: \u241b[31m and \u241b[0m"
    assert markdown_safe("a &#" + "1" * 5000 + "; b") == "a \ufffd b"  # raised ValueError on the UI thread
