"""Helpers shared by the app tests: waiting on the app, reading what the main screen shows, and the app
with its reading state on a fake clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip

import reader.app
from reader.app import ReaderApp
from reader.core.record import Record, RelatedStory
from reader.screens.main import MainScreen
from reader.widgets.article_list import ArticleList
from reader.widgets.detail import DetailPane

from .fakes import FakeClock

SIZE = (140, 40)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until loading, filtering and reading workers are done and their messages handled (a
    question waiting for its answer is not work: it waits for keys)."""

    def busy() -> bool:
        screen = pilot.app.screen
        # a story waiting for the cursor to rest, counts waiting for a burst of marks to end
        pending = isinstance(screen, MainScreen) and (screen.story.pending or screen.topic_counts.pending)
        working = (w for w in pilot.app.workers if w.group != "question")
        # A message still on its way (a worker's result bubbling up to the screen) is work too: two idle
        # pauses in a row could come between its hops and miss it.
        queued = any(node.message_queue_size for node in (pilot.app, *screen.walk_children(with_self=True)))
        return pending or queued or any(not worker.is_finished for worker in working)

    for _ in range(500):
        was_busy = busy()
        await pilot.pause(0.01 if was_busy else None)
        if not was_busy and not busy():
            await pilot.pause()
            return
    raise AssertionError("workers did not finish")


def screen(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def titles(app: ReaderApp) -> list[str]:
    return [s.title for s in app.screen.query_one(ArticleList).summaries]


def status(app: ReaderApp) -> str:
    return str(app.screen.query_one("#status").render())


def count(app: ReaderApp) -> str:
    """What the article pane's lower border says: how many records are listed."""
    return str(app.screen.query_one(ArticleList).border_subtitle)


def shown(app: ReaderApp) -> Record | RelatedStory | str:
    return app.screen.query_one(DetailPane).shown


def shown_title(app: ReaderApp) -> str:
    item = shown(app)
    return item if isinstance(item, str) else item.title


def screen_strips(app: ReaderApp) -> list[Strip]:
    """The whole screen as rendered now (modal screens over their background), one strip per row."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return [Strip.join(list(chops)) for chops in update.strips]  # type: ignore[attr-defined]


def screen_text(app: ReaderApp) -> str:
    return "\n".join("".join(segment.text for segment in strip) for strip in screen_strips(app))


class ClockedApp(ReaderApp):
    """The app, with the main screen's reading state (the read_after delay) on a FakeClock: `clock`."""

    CSS_PATH = str(Path(reader.app.__file__).with_name("app.tcss"))  # else read beside this file

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = FakeClock()

    def get_default_screen(self) -> Screen[None]:
        main = super().get_default_screen()
        assert isinstance(main, MainScreen)
        main.reading.scheduler = self.clock
        return main
