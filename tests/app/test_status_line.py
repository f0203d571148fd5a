"""The status line: a line wider than the screen ends with an ellipsis, never cut mid-word silently."""

from __future__ import annotations

from textual.app import App, ComposeResult

from reader.widgets.status import StatusLine

TEXT = "6,561 unread  ·  topic: Computer Vision  ·  sort: quality  ·  3 problems (press ! to see)"


class StatusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")


async def test_a_long_status_line_ends_with_an_ellipsis() -> None:
    app = StatusApp()
    async with app.run_test(size=(60, 5)) as pilot:
        status = app.query_one(StatusLine)
        status.update(TEXT)
        await pilot.pause()
        line = "".join(segment.text for segment in status.render_lines(status.region.reset_offset)[0])
        assert len(line) == 60
        assert line.rstrip().endswith("…") and line.startswith(" 6,561 unread  ·  topic: Computer Vision"), (
            line
        )
        status.update("short")
        await pilot.pause()
        line = "".join(segment.text for segment in status.render_lines(status.region.reset_offset)[0])
        assert line.rstrip() == " short"
