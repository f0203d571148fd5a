"""The story pane as drawn: no scrollbar beside a message, links wrapped where a URL may break, and the
story's reading state in its facts line."""

from __future__ import annotations

from pathlib import Path

from textual.errors import NoWidget

from reader.app import ReaderApp
from reader.widgets.detail import DetailPane

from .test_app import settle

NARROW = (80, 24)  # the story pane is 22 cells wide: the seed's story needs a scrollbar


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
