"""Keys on an empty list (a filter that matches nothing) say that nothing is selected or listed: a tester
was told "This story is not in the library" by `m`, that the story had no link by `o`, and that every
record listed was already read by `M`."""

from __future__ import annotations

from pathlib import Path

from reader.app import ReaderApp
from reader.control.targets import NOTHING_LISTED, NOTHING_SELECTED
from reader.screens.main import MainScreen

from tests.helpers import SIZE, settle, titles


async def test_keys_on_an_empty_list_say_nothing_is_selected_or_listed(library: Path) -> None:
    app = ReaderApp([str(library)])
    opened: list[str] = []
    app.open_url = lambda url, **kwargs: opened.append(url)  # type: ignore[method-assign]
    app.copy_to_clipboard = opened.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzzzz", "enter")
        await settle(pilot)
        assert titles(app) == [] and isinstance(app.screen, MainScreen)
        for key, said in (("m", NOTHING_SELECTED), ("s", NOTHING_SELECTED), ("o", NOTHING_SELECTED),
                          ("y", NOTHING_SELECTED), ("M", NOTHING_LISTED)):
            app._notifications.clear()
            await pilot.press(key)
            await settle(pilot)
            assert [n.message for n in app._notifications] == [said], key
            assert isinstance(app.screen, MainScreen), key  # M asks no question
        assert opened == [] and not app.screen.state.read and not app.screen.state.starred
