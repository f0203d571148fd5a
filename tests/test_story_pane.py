"""The story pane as drawn: no scrollbar beside a message, links wrapped where a URL may break, and the
story's reading state in its facts line."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.errors import NoWidget

from reader.app import ReaderApp
from reader.core.record import RelatedStory
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.widgets.detail import LABEL_WIDTH, DetailPane, wrap_link

from .corpus import SEED_URL
from .test_app import library, settle  # noqa: F401 - library is a fixture
from .test_hostile import screen_text

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
