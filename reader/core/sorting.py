"""Sort orders of the article list; records missing the sort field always come last."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

from .record import Summary

SORT_ORDERS = ("newest", "oldest", "heat", "quality", "title", "provider")

_NEG_INF = float("-inf")
_INF = float("inf")


def _newest(s: Summary) -> Any:
    return -(s.timestamp if s.timestamp is not None else _NEG_INF)


def _oldest(s: Summary) -> Any:
    return s.timestamp if s.timestamp is not None else _INF


def _heat(s: Summary) -> Any:
    return (s.heat is None, -(s.heat or 0), _newest(s))


def _quality(s: Summary) -> Any:
    return (s.quality is None, -(s.quality or 0), _newest(s))


def _title(s: Summary) -> Any:
    return (s.title_cf, _newest(s))


def _provider(s: Summary) -> Any:
    shown = (s.provider_name or s.provider_domain).casefold()  # what the list shows
    return (not shown, shown, _newest(s))


_KEYS: dict[str, Callable[[Summary], Any]] = {
    "newest": _newest,
    "oldest": _oldest,
    "heat": _heat,
    "quality": _quality,
    "title": _title,
    "provider": _provider,
}


def sort_summaries(summaries: Sequence[Summary], order: str) -> list[Summary]:
    """A new list in the given order (one of SORT_ORDERS); ties keep the path order, so it is stable."""
    return [summaries[p] for p in sorted_positions(summaries, order)]


def sorted_positions(summaries: Sequence[Summary], order: str) -> array[int]:
    """The positions of `summaries` in the given order (one of SORT_ORDERS), as an array of ints: ties
    keep the path order, so it is stable."""
    paths = [s.path for s in summaries]
    positions = sorted(range(len(summaries)), key=paths.__getitem__)
    keys = list(map(_KEYS[order], summaries))
    positions.sort(key=keys.__getitem__)
    return array("I", positions)
