"""Tests for relative ages and local dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from reader.core.dates import local_date, local_time, relative_age

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
        (HOUR, "1 hour ago"),
        (2 * HOUR + 59 * MINUTE, "2 hours ago"),
        (23 * HOUR, "23 hours ago"),
        (DAY, "1 day ago"),
        (DAY + 23 * HOUR, "1 day ago"),
        (2 * DAY, "2 days ago"),
        (6 * DAY + 23 * HOUR, "6 days ago"),
        (7 * DAY, "1 week ago"),
        (14 * DAY, "2 weeks ago"),
        (29 * DAY, "4 weeks ago"),
        (30 * DAY, "1 month ago"),
        (60 * DAY, "2 months ago"),
        (364 * DAY, "12 months ago"),
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
    assert local_date(datetime(2021, 1, 24, 23, 2, tzinfo=timezone(timedelta(hours=-5)))) == "2021-01-25"


def test_local_time() -> None:
    assert local_time(NOW) == "2021-01-24 23:02 UTC"
