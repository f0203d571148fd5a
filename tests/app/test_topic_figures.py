"""A topic's figures in the topic pane: exact when they fit, else the unread count alone."""

from __future__ import annotations

import pytest

from reader.widgets.topics import _row, figures


@pytest.mark.parametrize(
    ("unread", "total", "room", "shown"),
    [
        (3, 4, 7, "3/4"),
        (675, 676, 7, "675/676"),
        # The case: 6,560 of 6,569 at 80 columns read 6.5k/6.5k, two figures that look equal.
        (6560, 6569, 7, "6560"),
        (2999, 3000, 7, "2999"),
        (99_999, 100_000, 7, "99999"),
        (1_234_567, 2_000_000, 4, "1.2M"),  # shortened only when the unread count alone does not fit
        (None, 6569, 7, "6569"),
        (None, None, 7, "!"),
    ],
)
def test_topic_figures_show_the_unread_count_alone_rather_than_rounding(
    unread: int | None, total: int | None, room: int, shown: str
) -> None:
    assert figures(unread, total, room) == shown


def test_a_topic_row_at_eighty_columns() -> None:
    # The topic pane's rows are 16 cells wide in an 80-column terminal.
    assert _row("All", 6560, 6569, 16) == "All         6560"
    assert _row("Computer Vision", 675, 676, 16) == "Compute… 675/676"
