"""Dates as a reader sees them: local time and a relative age."""

from __future__ import annotations

from datetime import datetime, timezone

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
        return moment.astimezone().strftime("%Y-%m-%d")
    except (OverflowError, ValueError, OSError):
        return moment.strftime("%Y-%m-%d")
