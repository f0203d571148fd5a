"""Dates as a reader sees them (local time, a relative age) and types them (a date names a period)."""

from __future__ import annotations

import math
import re
import warnings
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal

from dateutil import parser as date_parser
from dateutil.parser import UnknownTimezoneWarning

Unit = Literal["year", "month", "day"]

_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def current_time() -> datetime:
    """Now, in UTC (one place to fix the clock in tests)."""
    return datetime.now(timezone.utc)


def relative_age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago `moment` was, in its largest whole unit: "3 days ago", "in 2 hours", "just now"."""
    now = now or current_time()
    seconds = (now - moment).total_seconds()
    span = abs(seconds)
    for size, name in _UNITS:
        if span >= size:
            count = int(span // size)
            words = f"{count} {name}{'' if count == 1 else 's'}"
            return f"{words} ago" if seconds > 0 else f"in {words}"
    return "just now"


# An epoch number is read as a date only in these years: 0 and small numbers are placeholders (or a
# quality, a count), and anything past this range is not a date a news record has.
EPOCH_EARLIEST = 315532800  # 1980-01-01 UTC, in seconds
EPOCH_LATEST = 4102444800  # 2100-01-01 UTC
_EPOCH_TEXT = re.compile(r"\d{9,13}(\.\d+)?")


def epoch_date(value: object) -> datetime | None:
    """The moment an epoch number names (`publishedDateTime: 1700000000`): seconds since 1970-01-01 UTC,
    or milliseconds when it is too big for seconds (1700000000000), also as a string of digits; None
    for anything else, and for a number that is not plausibly a date of 1980 to 2099 (0, a year as a
    number, a quality, NaN, a bool)."""
    if isinstance(value, str):
        value = value.strip()
        if not _EPOCH_TEXT.fullmatch(value):
            return None
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value):
        return None
    seconds = value / 1000 if value >= EPOCH_LATEST else value
    if not EPOCH_EARLIEST <= seconds < EPOCH_LATEST:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc)


DATE_FORMAT = "%Y-%m-%d %H:%M %Z"


def local_time(moment: datetime, date_format: str = DATE_FORMAT) -> str:
    """The moment in the local time zone, as strftime `date_format` writes it (by default with the
    zone's name)."""
    try:
        return moment.astimezone().strftime(date_format)
    except (OverflowError, ValueError, OSError):
        try:
            return moment.strftime(date_format)
        except (OverflowError, ValueError, OSError):
            return moment.isoformat()


def local_date(moment: datetime | None) -> str:
    """The local calendar date, or a dash when there is none."""
    if moment is None:
        return "—"
    try:
        moment = moment.astimezone()
    except (OverflowError, ValueError, OSError):
        pass
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"  # strftime's %Y gives "1" for year 1


_PARSER = date_parser.parser()
_TIME_FIELDS = ("hour", "minute", "second", "microsecond")


def typed_date(text: str, now: datetime, tz: tzinfo) -> tuple[datetime, Unit]:
    """The first instant of the period a typed date names, and the period's unit: `2021` is a year,
    `2021-08` or `Aug 2021` a month, anything else python-dateutil reads a day (or an instant, when
    it has a time). What the text leaves out is taken from the period's start (`2021` is 2021-01-01)
    or, above it, from today in `tz` (`Aug 5` is this year's); a missing time is midnight and a
    naive one is in `tz`. ValueError when the text is not a date, names an unknown zone, or leaves
    the calendar."""
    try:
        with warnings.catch_warnings():  # an unknown zone name is an error, not a silent local time
            warnings.simplefilter("error", UnknownTimezoneWarning)
            # Which fields the text gives: dateutil's parser fills the others from its default, so
            # it alone cannot tell `2021-08` from the 1st of August (its _parse is that first step).
            given = _PARSER._parse(text)[0]
            if given is None:
                raise ValueError(f"not a date: {text!r}")
            default = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
            unit: Unit = "day"
            if given.day is None and given.weekday is None:
                if given.month is not None:
                    unit, default = "month", default.replace(day=1)
                elif given.year is not None:
                    unit, default = "year", default.replace(month=1, day=1)
            if any(getattr(given, name) is not None for name in _TIME_FIELDS):
                unit = "day"  # `2021 10:30` is an instant: 10:30 on 2021-01-01
            when = _PARSER.parse(text, default=default)
    except (ValueError, OverflowError, UnknownTimezoneWarning) as error:
        raise ValueError(str(error)) from None
    return (when.replace(tzinfo=tz) if when.tzinfo is None else when), unit


def date_period(start: datetime, unit: Unit, tz: tzinfo) -> tuple[datetime, datetime]:
    """The period of `unit` that `start` (from `typed_date`) begins, as [start, end): a day is the
    whole local day in `tz` that holds `start`. OverflowError or ValueError past the calendar's end."""
    if unit == "day":
        day = datetime.combine(start.astimezone(tz).date(), datetime.min.time(), tzinfo=tz)
        return day, day + timedelta(days=1)
    if unit == "year":
        return start, start.replace(year=start.year + 1)
    year, month = divmod(start.year * 12 + start.month, 12)  # the month after: (year, month - 1)
    return start, start.replace(year=year, month=month + 1)
