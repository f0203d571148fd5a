"""The columns of an article row, as plain functions: what is shown at which width, and that nothing is
cut without an ellipsis."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from reader.core.sorting import SORT_ORDERS
from reader.widgets.columns import (
    DATE_WIDTH,
    MARKS_WIDTH,
    PROVIDER_WIDTH,
    SHORT_DATE_WIDTH,
    TITLE_END,
    TITLE_FOR_PROVIDER,
    VALUE_WIDTH,
    WIDE_PROVIDER_WIDTH,
    Columns,
    cut,
    date_cell,
    fit,
    plan,
    sort_key_name,
    value_cell,
)

# A row's width in a list as wide as the terminal: the list's border (2) and its scrollbar column (1) less.
ROW_AT = {60: 57, 80: 77, 120: 117, 200: 197}


def used(columns: Columns) -> int:
    """The cells a row's columns take, with the space after each."""
    parts = (columns.date, columns.value, columns.provider)
    return MARKS_WIDTH + sum(width + 1 for width in parts if width) + columns.title + TITLE_END


@pytest.mark.parametrize("order", [*SORT_ORDERS, "-quality", "heat (reversed)"])
def test_columns_fill_the_row_exactly(order: str) -> None:
    for width in range(MARKS_WIDTH + TITLE_END, 260):
        columns = plan(width, order)
        assert used(columns) == width, (width, order, columns)


@pytest.mark.parametrize(
    ("width", "order", "expected"),
    [
        # An 80-column terminal, the list full-width: the date in full and 62 cells of title.
        (ROW_AT[80], "newest", Columns(date=DATE_WIDTH, value=0, provider=0, title=62)),
        # 60 columns: a short date keeps the title at 44 cells.
        (ROW_AT[60], "newest", Columns(date=SHORT_DATE_WIDTH, value=0, provider=0, title=44)),
        # 120 columns: a provider column and 85 cells of title.
        (ROW_AT[120], "newest", Columns(date=DATE_WIDTH, value=0, provider=PROVIDER_WIDTH, title=85)),
        # 200 columns: a wider provider column once the title keeps 100 cells anyway.
        (ROW_AT[200], "newest", Columns(date=DATE_WIDTH, value=0, provider=WIDE_PROVIDER_WIDTH, title=159)),
        # Sorted by quality or heat, the value has a column of its own.
        (ROW_AT[80], "quality", Columns(date=DATE_WIDTH, value=VALUE_WIDTH, provider=0, title=57)),
        (ROW_AT[80], "heat", Columns(date=DATE_WIDTH, value=VALUE_WIDTH, provider=0, title=57)),
        (ROW_AT[80], "-heat", Columns(date=DATE_WIDTH, value=VALUE_WIDTH, provider=0, title=57)),
        # Sorted by provider, the provider stays however narrow the row is.
        (ROW_AT[80], "provider", Columns(date=SHORT_DATE_WIDTH, value=0, provider=PROVIDER_WIDTH, title=47)),
        (40, "provider", Columns(date=0, value=0, provider=9, title=26)),
        (26, "provider", Columns(date=0, value=0, provider=8, title=13)),
        # The narrowest rows: the title alone.
        (26, "newest", Columns(date=0, value=0, provider=0, title=22)),
        (4, "quality", Columns(date=0, value=0, provider=0, title=0)),
    ],
)
def test_columns_at_the_sizes_people_use(width: int, order: str, expected: Columns) -> None:
    assert plan(width, order) == expected


def test_the_provider_comes_at_sixty_title_cells() -> None:
    """The provider is shown exactly from the width at which the title keeps 60 cells beside it."""
    first = next(width for width in range(260) if plan(width).provider)
    assert plan(first).title == TITLE_FOR_PROVIDER
    assert plan(first - 1).provider == 0 and plan(first - 1).title >= TITLE_FOR_PROVIDER - 1
    for width in range(260):
        for order in ("newest", "quality", "title"):
            columns = plan(width, order)
            assert not columns.provider or columns.title >= TITLE_FOR_PROVIDER, (width, order)


def test_the_date_goes_short_before_it_goes() -> None:
    forms = [plan(width).date for width in range(10, 120)]
    assert forms == sorted(forms)  # never longer at a narrower width
    assert {0, SHORT_DATE_WIDTH, DATE_WIDTH} <= set(forms)


@pytest.mark.parametrize(
    ("order", "key"),
    [("quality", "quality"), ("-quality", "quality"), ("heat (reversed)", "heat"), ("newest", "newest")],
)
def test_sort_key_name(order: str, key: str) -> None:
    assert sort_key_name(order) == key


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("Microsoft gets", 10, "Microsoft…"),
        ("short", 8, "short   "),
        ("短い日本語", 5, "短い…"),  # cells, not characters
        ("短い日本語", 6, "短い …"),  # a wide character that would straddle the edge is not split
        ("anything", 0, ""),
    ],
)
def test_fit_marks_a_cut_with_an_ellipsis(text: str, width: int, shown: str) -> None:
    assert fit(text, width) == shown and cell_len(shown) == width


@pytest.mark.parametrize(
    ("text", "width", "shown"), [("fits", 10, "fits"), ("Microsoft gets", 10, "Microsoft…")]
)
def test_cut_never_pads(text: str, width: int, shown: str) -> None:
    assert cut(text, width) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "   —"),
        (0, "   0"),
        (-1, "  -1"),
        (189, " 189"),
        (3694, "3694"),
        (12_345, " 12k"),
        (-12_345, "-12…"),
    ],
)
def test_value_cell(value: int | None, shown: str) -> None:
    assert value_cell(value) == shown and cell_len(shown) == VALUE_WIDTH


@pytest.mark.parametrize(
    ("date", "width", "shown"),
    [
        ("2021-12-29", DATE_WIDTH, "2021-12-29"),
        ("2021-12-29", SHORT_DATE_WIDTH, "21-12-29"),
        ("—", SHORT_DATE_WIDTH, "—" + " " * 7),
    ],
)
def test_date_cell(date: str, width: int, shown: str) -> None:
    assert date_cell(date, width) == shown
