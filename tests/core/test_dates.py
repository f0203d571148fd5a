"""Tests for relative ages and local dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

import pytest

from reader.core.dates import date_period, local_date, local_time, relative_age, typed_date

NOW = datetime(2021, 1, 24, 23, 2, tzinfo=timezone.utc)

MINUTE = 60
HOUR = 3600
DAY = 86400


@pytest.mark.parametrize(
    ("seconds_ago", "expected"),
    [
        (0, "just now"),
        (1, "just now"),
        (30, "just now"),
        (59, "just now"),
        (60, "1 minute ago"),
        (119, "1 minute ago"),
        (120, "2 minutes ago"),
        (59 * MINUTE + 59, "59 minutes ago"),
        (HOUR - 1, "59 minutes ago"),
        (HOUR, "1 hour ago"),
        (2 * HOUR + 59 * MINUTE, "2 hours ago"),
        (23 * HOUR, "23 hours ago"),
        (DAY - 1, "23 hours ago"),  # one second short of each unit
        (DAY, "1 day ago"),
        (DAY + 23 * HOUR, "1 day ago"),
        (2 * DAY, "2 days ago"),
        (6 * DAY + 23 * HOUR, "6 days ago"),
        (7 * DAY - 1, "6 days ago"),
        (7 * DAY, "1 week ago"),
        (14 * DAY, "2 weeks ago"),
        (29 * DAY, "4 weeks ago"),
        (30 * DAY - 1, "4 weeks ago"),
        (30 * DAY, "1 month ago"),
        (60 * DAY, "2 months ago"),
        (364 * DAY, "12 months ago"),
        (365 * DAY - 1, "12 months ago"),
        (365 * DAY, "1 year ago"),
        (3 * 365 * DAY + DAY, "3 years ago"),
        # the future
        (-1, "just now"),
        (-59, "just now"),
        (-60, "in 1 minute"),
        (-5 * MINUTE, "in 5 minutes"),
        (-HOUR, "in 1 hour"),
        (-2 * HOUR, "in 2 hours"),
        (-2 * HOUR - 30 * MINUTE, "in 2 hours"),
        (-DAY, "in 1 day"),
        (-3 * DAY, "in 3 days"),
        (-14 * DAY, "in 2 weeks"),
        (-400 * DAY, "in 1 year"),
    ],
)
def test_relative_age(seconds_ago: int, expected: str) -> None:
    moment = NOW - timedelta(seconds=seconds_ago)
    assert relative_age(moment, now=NOW) == expected


def test_relative_age_compares_moments_across_zones() -> None:
    moment = datetime(2021, 1, 25, 1, 2, tzinfo=timezone(timedelta(hours=5)))  # 20:02 UTC
    assert relative_age(moment, now=NOW) == "3 hours ago"


def test_relative_age_defaults_to_the_real_clock() -> None:
    assert relative_age(datetime.now(timezone.utc) - timedelta(hours=3)) == "3 hours ago"
    assert relative_age(datetime.now(timezone.utc)) == "just now"


def test_local_date() -> None:
    assert local_date(None) == "\u2014"
    assert local_date(NOW) == "2021-01-24"  # TZ=UTC in the tests
    assert local_date(datetime(1, 1, 2, tzinfo=timezone.utc)) == "0001-01-02"  # four digits, as every year
    assert local_date(datetime(2021, 1, 24, 23, 2, tzinfo=timezone(timedelta(hours=-5)))) == "2021-01-25"


def test_local_time() -> None:
    assert local_time(NOW) == "2021-01-24 23:02 UTC"


EDGE = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14)))  # year 10000 in UTC


def test_local_time_and_date_of_a_moment_past_the_calendar_in_local_time() -> None:
    assert local_time(EDGE) == "9999-12-31 23:59 UTC-14:00"  # shown in its own zone
    assert local_date(EDGE) == "9999-12-31"


def test_local_time_with_a_format_that_cannot_be_written_falls_back_to_iso() -> None:
    assert local_time(NOW, "%Y\udc80") == "2021-01-24T23:02:00+00:00"
    assert local_time(EDGE, "\udc80") == "9999-12-31T23:59:00-14:00"


LOCAL = timezone(timedelta(hours=-5))
TODAY = datetime(2021, 2, 17, 15, 30, tzinfo=timezone.utc)  # 10:30 on the 17th in LOCAL


@pytest.mark.parametrize(
    ("text", "start", "unit"),
    [
        ("2021", datetime(2021, 1, 1), "year"),
        ("1999", datetime(1999, 1, 1), "year"),
        ("2021-08", datetime(2021, 8, 1), "month"),
        ("2021/08", datetime(2021, 8, 1), "month"),
        ("08/2021", datetime(2021, 8, 1), "month"),
        ("Aug 2021", datetime(2021, 8, 1), "month"),
        ("august", datetime(2021, 8, 1), "month"),  # this year
        ("Feb", datetime(2021, 2, 1), "month"),
        ("2021-08-05", datetime(2021, 8, 5), "day"),
        ("Aug 5", datetime(2021, 8, 5), "day"),
        ("5", datetime(2021, 2, 5), "day"),  # this month
        ("monday", datetime(2021, 2, 22), "day"),  # the next Monday, from today (a Wednesday)
        ("10:00", datetime(2021, 2, 17, 10), "day"),  # today, an instant
        ("2021 10:30", datetime(2021, 1, 1, 10, 30), "day"),
        ("2021-08 10:30", datetime(2021, 8, 1, 10, 30), "day"),
        ("2021-08-05T10:30", datetime(2021, 8, 5, 10, 30), "day"),
    ],
)
def test_typed_date_names_a_period(text: str, start: datetime, unit: str) -> None:
    assert typed_date(text, TODAY, LOCAL) == (start.replace(tzinfo=LOCAL), unit)


def test_typed_date_keeps_a_zone_it_is_given() -> None:
    when, unit = typed_date("2021-08-05T10:30+02:00", TODAY, LOCAL)
    assert (when, unit) == (datetime(2021, 8, 5, 10, 30, tzinfo=timezone(timedelta(hours=2))), "day")
    assert typed_date("2021-08-05 10:30 UTC", TODAY, LOCAL)[0] == datetime(2021, 8, 5, 10, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text", ["", "  ", "notadate", "2021-13", "2021-00", "2021-02-30", "10000", "99999999999999999999",
             "2021-08-05T10:00XYZ", "1e308", "now"],
)
def test_typed_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError):
        typed_date(text, TODAY, LOCAL)


def _local(*parts: int, tz: tzinfo = LOCAL) -> datetime:
    return datetime(*parts, tzinfo=tz)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "unit", "period"),
    [
        (_local(2021, 1, 1), "year", (_local(2021, 1, 1), _local(2022, 1, 1))),
        (_local(2021, 8, 1), "month", (_local(2021, 8, 1), _local(2021, 9, 1))),
        (_local(2021, 12, 1), "month", (_local(2021, 12, 1), _local(2022, 1, 1))),
        (_local(2021, 1, 1), "month", (_local(2021, 1, 1), _local(2021, 2, 1))),
        (_local(2020, 2, 1), "month", (_local(2020, 2, 1), _local(2020, 3, 1))),
        (_local(2021, 8, 5), "day", (_local(2021, 8, 5), _local(2021, 8, 6))),
        (_local(2021, 8, 5, 23, 59), "day", (_local(2021, 8, 5), _local(2021, 8, 6))),
        (_local(2021, 12, 31, 12), "day", (_local(2021, 12, 31), _local(2022, 1, 1))),
        # a day is the local day holding the instant: 02:00 UTC on the 6th is the 5th in LOCAL
        (_local(2021, 8, 6, 2, tz=timezone.utc), "day", (_local(2021, 8, 5), _local(2021, 8, 6))),
    ],
)
def test_date_period(start: datetime, unit: str, period: tuple[datetime, datetime]) -> None:
    assert date_period(start, unit, LOCAL) == period  # type: ignore[arg-type]
    assert [p.tzinfo for p in date_period(start, unit, LOCAL)] == [start.tzinfo if unit != "day" else LOCAL] * 2  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "unit"),
    [(_local(9999, 1, 1), "year"), (_local(9999, 12, 1), "month"), (_local(9999, 12, 31), "day"), (EDGE, "day")],
)
def test_date_period_past_the_calendar_raises(start: datetime, unit: str) -> None:
    with pytest.raises((OverflowError, ValueError)):
        date_period(start, unit, LOCAL)  # type: ignore[arg-type]
