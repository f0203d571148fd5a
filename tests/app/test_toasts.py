"""At most two notifications at once, the newest (at 80x24 a tester's keys piled up toasts over the list),
and a message said again replaces itself rather than stacking."""

from __future__ import annotations

from pathlib import Path

from reader.app import MAX_TOASTS, ReaderApp
from reader.core.settings import Settings
from reader.widgets.article_list import ArticleList

from tests.helpers import settle


def messages(app: ReaderApp) -> list[str]:
    return [note.message for note in app._notifications]


async def test_the_newest_two_notifications_are_shown(library: Path) -> None:
    app = ReaderApp([str(library)], settings=Settings(read_after=3600))
    app.copy_to_clipboard = lambda text: None  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app._notifications.clear()
        await pilot.press("u", "backspace", "alt+right", "y")
        await settle(pilot)
        url = app.screen.query_one(ArticleList).highlighted.url  # type: ignore[union-attr]
        assert MAX_TOASTS == 2 and messages(app) == ["Nothing to go forward to", f"Copied {url}"]
        await pilot.press("u", "u", "u")
        await settle(pilot)
        assert messages(app) == [f"Copied {url}", "Nothing to undo"]  # said again: once
