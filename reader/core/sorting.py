"""Sort orders of the article list; records missing the sort field always come last."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from itertools import compress, islice
from operator import eq, le
from typing import Any

from .record import Summary

SORT_ORDERS = ("newest", "oldest", "heat", "quality", "title", "provider", "covered")

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


def _covered_positions(summaries: Sequence[Summary], fewest: bool = False) -> array[int]:
    """The "covered" order: the story with the most records first (the fewest first when `fewest`), a
    story's records together and newest first, the story with the newest record first among stories
    as large. Sorted by small ints over the newest-first order (stable), as tuple keys took ~5 times
    as long as the newest order at 100,000 records."""
    newest = sorted_positions(summaries, "newest")
    sizes: dict[str, int] = {}
    for s in summaries:
        if s.story:
            sizes[s.story] = sizes.get(s.story, 0) + 1
    seen: dict[str, int] = {}  # each story, by when its newest record comes in the newest-first order
    story_of = [""] * len(summaries)
    for position in newest:
        story = summaries[position].story or "\0" + str(position)
        story_of[position] = story
        if story not in seen:
            seen[story] = len(seen)
    sign = 1 if fewest else -1
    stories = sorted(seen, key=lambda story: sign * sizes.get(story, 1))  # stable: newest first within a size
    rank = {story: number for number, story in enumerate(stories)}
    return array("I", sorted(newest, key=lambda position: rank[story_of[position]]))


_MISSING: dict[str, Callable[[Summary], bool]] = {
    "heat": lambda s: s.heat is None,
    "quality": lambda s: s.quality is None,
    "title": lambda s: False,
    "provider": lambda s: not (s.provider_name or s.provider_domain),
    "covered": lambda s: False,
}
"""The orders that have a reverse of their own ("-heat": lowest first), and which records they put last
whichever way they go (those without the field)."""

ALL_ORDERS = (*SORT_ORDERS, *(f"-{order}" for order in _MISSING))
"""Every order, the reversed ones included (for checking a remembered one)."""

_LABELS = {"-heat": "heat, lowest first", "-quality": "quality, lowest first", "-title": "title, Z to A",
           "-provider": "provider, Z to A", "covered": "most covered", "-covered": "least covered"}


class _Reversed:
    """A key compared the other way round."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(self.key == other.key)

    __hash__ = None  # type: ignore[assignment]


def placing_key(order: str) -> Callable[[Summary], Any] | None:
    """A key whose order is `sorted_positions`' (ties in path order), to place a record among records
    sorted so; None for the orders that depend on the stories ("covered")."""
    field = order.lstrip("-")
    if field == "covered":
        return None
    key = _KEYS[field]
    if not order.startswith("-"):
        return lambda s: (key(s), s.path)
    missing = _MISSING[field]
    return lambda s: (True, key(s), s.path) if missing(s) else (False, _Reversed(key(s)), s.path)


def reverse_order(order: str) -> str:
    """The same field the other way: newest and oldest swap, "heat" and "-heat" swap."""
    if order in ("newest", "oldest"):
        return "oldest" if order == "newest" else "newest"
    return order[1:] if order.startswith("-") else f"-{order}"


def next_order(order: str) -> str:
    """The next order `S` goes to (from a reversed one, the one after its field)."""
    forward = order.lstrip("-")
    return SORT_ORDERS[(SORT_ORDERS.index(forward) + 1) % len(SORT_ORDERS)]


def order_label(order: str) -> str:
    """How the status line names an order."""
    return _LABELS.get(order, order)


def sort_summaries(summaries: Sequence[Summary], order: str) -> list[Summary]:
    """A new list in the given order (one of ALL_ORDERS); ties keep the path order, so it is stable."""
    return [summaries[p] for p in sorted_positions(summaries, order)]


def sorted_positions(summaries: Sequence[Summary], order: str) -> array[int]:
    """The positions of `summaries` in the given order (one of SORT_ORDERS), as an array of ints: ties
    keep the path order, so it is stable."""
    if order.lstrip("-") == "covered":  # both ways keep stories as large newest first
        return _covered_positions(summaries, fewest=order.startswith("-"))
    field = order.lstrip("-")
    keys = list(map(_KEYS[field], summaries))
    if not order.startswith("-") and (in_order := _as_they_are(summaries, keys)) is not None:
        return in_order
    paths = [s.path for s in summaries]
    positions = sorted(range(len(summaries)), key=paths.__getitem__)
    if order.startswith("-"):  # the other way round (a stable sort: ties keep the path order), records
        missing = _MISSING[order[1:]]  # without the field still last
        present = [p for p in positions if not missing(summaries[p])]
        present.sort(key=keys.__getitem__, reverse=True)
        absent = [p for p in positions if missing(summaries[p])]
        absent.sort(key=keys.__getitem__)
        return array("I", present + absent)
    positions.sort(key=keys.__getitem__)
    return array("I", positions)


def _as_they_are(summaries: Sequence[Summary], keys: list[Any]) -> array[int] | None:
    """The positions in order when the records are in order already but for ties (the index gives
    them newest first: sorting them again took two sorts with Python keys, 0.1-0.3 s at 100,000
    records, for every refresh of the list); each run of ties is put in path order. None when a key
    is smaller than the one before it (the check stops there)."""
    following = islice(keys, 1, None)
    if not all(map(le, keys, following)):
        return None
    positions = list(range(len(keys)))
    ties = list(compress(range(1, len(keys)), map(eq, keys, islice(keys, 1, None))))
    path = lambda position: summaries[position].path  # noqa: E731
    run = 0
    while run < len(ties):
        end = run
        while end + 1 < len(ties) and ties[end + 1] == ties[end] + 1:
            end += 1
        first, last = ties[run] - 1, ties[end] + 1  # the run: the record before its first tie, to its last
        positions[first:last] = sorted(range(first, last), key=path)
        run = end + 1
    return array("I", positions)
