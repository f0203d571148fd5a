"""Which columns an article row has at a given width and sort order, and how wide each one is.

Plain functions, no Textual: the title gets what is left once the columns that fit are placed. A
column is placed only if the title keeps enough room beside it, in order of how much it is worth: the
value the list is sorted by (quality, heat or provider), then the date (in full, else short), then
the provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

MARKS_WIDTH = 3
"""The unread mark, the star and a space before the next column."""
TITLE_END = 1
"""A space after the title, before the list's scrollbar."""
DATE_WIDTH = 10
"""A date in full: 2021-12-29."""
SHORT_DATE_WIDTH = 8
"""A short date, the same order without the century: 21-12-29."""
VALUE_WIDTH = 4
"""Quality (0-189 in the wild) and heat (-1 to 3,694) right-aligned; more than 4 digits are shortened."""
PROVIDER_WIDTH = 16
WIDE_PROVIDER_WIDTH = 22
"""A provider column this wide once the title keeps WIDE_TITLE beside it."""
SORTED_PROVIDER_MIN = 8
"""When the list is sorted by provider, the provider column stays, at least this wide."""

TITLE_FOR_PROVIDER = 60
"""The provider column is shown when the title keeps at least this many cells beside it."""
TITLE_FOR_FULL_DATE = 55
"""The date is written in full when the title keeps at least this many cells beside it ..."""
TITLE_FOR_DATE = 20
"""... else short, when the title keeps at least this many; else there is no date."""
WIDE_TITLE = 100

VALUE_ORDERS = frozenset({"quality", "heat"})
"""Sort orders whose value gets a column of its own (the date and the provider have theirs)."""


@dataclass(frozen=True, slots=True)
class Columns:
    """The widths of a row's columns (0: not shown); they and their separating spaces add up to the
    row's width."""

    date: int
    value: int
    provider: int
    title: int

    @property
    def short_date(self) -> bool:
        return self.date == SHORT_DATE_WIDTH


def sort_key_name(order: str) -> str:
    """The field an order sorts by: "quality" for "quality" and for a reversed "quality (reversed)" or
    "-quality" alike."""
    return order.lstrip("-").split(" ", 1)[0]


def plan(width: int, order: str = "newest") -> Columns:
    """The columns of a row `width` cells wide (marks to the cell before the scrollbar) when the list
    is sorted by `order`."""
    key = sort_key_name(order)
    room = max(width - MARKS_WIDTH - TITLE_END, 0)  # for the columns, their spaces and the title
    # The column of the value sorted by comes first: without it the order would look random.
    value = VALUE_WIDTH if key in VALUE_ORDERS and room - (VALUE_WIDTH + 1) >= TITLE_FOR_DATE else 0
    room -= value + 1 if value else 0
    provider = 0
    if key == "provider":  # up to a quarter of the row, at least a few letters
        provider = max(min(PROVIDER_WIDTH, room // 4), min(SORTED_PROVIDER_MIN, room // 2))
        room -= provider + 1 if provider else 0
    date = 0
    if room - (DATE_WIDTH + 1) >= TITLE_FOR_FULL_DATE:
        date = DATE_WIDTH
    elif room - (SHORT_DATE_WIDTH + 1) >= TITLE_FOR_DATE:
        date = SHORT_DATE_WIDTH
    room -= date + 1 if date else 0
    if not provider:
        if room - (WIDE_PROVIDER_WIDTH + 1) >= WIDE_TITLE:
            provider = WIDE_PROVIDER_WIDTH
        elif room - (PROVIDER_WIDTH + 1) >= TITLE_FOR_PROVIDER:
            provider = PROVIDER_WIDTH
        room -= provider + 1 if provider else 0
    return Columns(date=date, value=value, provider=provider, title=max(room, 0))


def fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def cut(text: str, width: int) -> str:
    """`text` if it fits in `width` cells, else cut to `width` with an ellipsis (never padded)."""
    if cell_len(text) <= width:
        return text
    return fit(text, width)


def value_cell(value: int | None, width: int = VALUE_WIDTH) -> str:
    """A quality or heat right-aligned in `width` cells: a dash when missing, shortened (12k) when
    longer, and never cut without an ellipsis."""
    if value is None:
        return "—".rjust(width)
    text = str(value)
    if len(text) > width and value > 0:
        text = compact(value)
    return text.rjust(width) if len(text) <= width else fit(text, width)


def compact(number: int) -> str:
    """A count in at most 4 cells, never more than it is: 999, 1.2k, 9.9k, 12k, 999k, 1.2M, 12M."""
    if number < 1000:
        return str(number)
    for size, unit in ((1_000, "k"), (1_000_000, "M")):
        if number < 10 * size:
            tenths = number * 10 // size
            return f"{tenths // 10}.{tenths % 10}{unit}" if tenths % 10 else f"{tenths // 10}{unit}"
        if number < 1000 * size:
            return f"{number // size}{unit}"
    return f"{number // 1_000_000_000}G"


def date_cell(date: str, width: int) -> str:
    """A date (2021-12-29, or a dash) in `width` cells: short (21-12-29) when `width` is the short one."""
    if width == SHORT_DATE_WIDTH and len(date) == DATE_WIDTH:
        date = date[2:]
    return fit(date, width)
