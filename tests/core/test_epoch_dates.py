"""A record whose publishedDateTime is an epoch number (a tester's record: `publishedDateTime: 1700000000`)
is dated: seconds since 1970-01-01 UTC, or milliseconds when too big for seconds; a number that is no
plausible date (0, a year, a quality, a bool) stays no date."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from reader.core.dates import epoch_date
from reader.core.fields import parse_date
from reader.core.frontmatter import parse_text
from reader.core.record import Record, Summary

NOV_14_2023 = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)  # 1700000000


def record_with(date: str) -> Record:
    record = parse_text("/news/epoch.md", f"---\ntitle: epoch\npublishedDateTime: {date}\n---\n")
    assert isinstance(record, Record)
    return record


@pytest.mark.parametrize(
    "date", ["1700000000", "1700000000000", "1700000000.0", '"1700000000"', "'1700000000000'"]
)
def test_an_epoch_number_in_seconds_or_milliseconds_is_the_date(date: str) -> None:
    record = record_with(date)
    assert record.published_at == NOV_14_2023 and record.notes == ()
    assert Summary.of(record).timestamp == 1700000000.0


def test_a_fraction_of_a_second_is_kept() -> None:
    assert epoch_date(1700000000.5) == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)
    assert epoch_date(1700000000500) == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [0, -1700000000, 2021, 87, 1.5, 99999999, True, float("nan"), float("inf"),
                                   10**20, "12345", "1700000000x", "", None, [1700000000]])
def test_a_number_that_is_no_plausible_date_is_no_date(value: object) -> None:
    assert epoch_date(value) is None
    assert parse_date(value) is None


def test_the_range_read_as_seconds_ends_where_milliseconds_begin() -> None:
    assert epoch_date(315532800) == datetime(1980, 1, 1, tzinfo=timezone.utc)
    assert epoch_date(315532799) is None
    assert epoch_date(4102444799) == datetime(2099, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    assert epoch_date(4102444800) is None  # 2100 in seconds, 1970 in milliseconds: neither
    assert epoch_date(315532800000) == datetime(1980, 1, 1, tzinfo=timezone.utc)


def test_a_digit_string_dateutil_reads_stays_its_date() -> None:
    """`202301151230` is 2023-01-15 12:30 to dateutil, which goes first: an epoch is what it cannot read."""
    assert parse_date("202301151230") == datetime(2023, 1, 15, 12, 30, tzinfo=timezone.utc)
    assert parse_date("20230115") == datetime(2023, 1, 15, tzinfo=timezone.utc)
