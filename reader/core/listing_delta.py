"""The article list's sorted records, topic lists, lists and folds of one library version brought to
the next by its changes (`changes.Delta`): a new file touches one record, and placing it among
100,000 sorted ones costs a few comparisons where sorting, splitting and folding them again took
~0.5 s of CPU at 100,000 records. Used only while the records' positions stay put (records added at
the end, stories given in place); otherwise (a file changed or removed), and for the orders that depend
on the stories, the lists are made again."""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter
from typing import Any

from .changes import Delta, positions_of
from .record import Summary

_story = attrgetter("story")

PLACE_SHARE = 1 / 200
"""Records touched are placed one by one (a bisect and an insertion into each list) while they are at
most this share of the records (or at most `PLACE_FLOOR`): beyond, sorting again costs less."""
PLACE_FLOOR = 64


@dataclass(frozen=True, slots=True)
class Step:
    """The records touched from one version to the next, by their positions in the newer list (each
    record touched that is still there; those of the older one were at the same positions)."""

    records: Sequence[Summary]
    touched: frozenset[int]
    """Every position a record touched holds now: kept lists drop these and place them again."""
    placed: list[int]
    """The positions of the records touched, in order."""
    stories: frozenset[str]
    """The story ids of the records touched, then and now."""
    before: tuple[Summary, ...]
    """The records touched as they were in the older list."""


def step_of(delta: Delta | None, records: Sequence[Summary]) -> Step | None:
    """The `Step` for `delta` into `records` (the newer list), None when positions moved or the delta
    does not match the list."""
    if delta is None or delta.shifted or len(delta.after) > max(PLACE_FLOOR, int(len(records) * PLACE_SHARE)):
        return None
    placed = positions_of(records, delta.after.values())
    if len(placed) != len(delta.after) or not delta.before.keys() <= delta.after.keys():
        return None
    return Step(records, frozenset(placed), placed, delta.stories,
                tuple(summary for summary, _ in delta.before.values()))


def placed_in(
    records: Sequence[Summary], positions: Sequence[int], step: Step, key: Callable[[Summary], Any],
    wanted: Callable[[Summary], bool] | None = None,
) -> array[int]:
    """`positions` (sorted by `key`) without the records touched, and with those touched that are
    `wanted` (all, when None) put in their place. A record touched that was there already is the same
    object (only its story changed, which no key reads): it is found by its key."""
    out = array("I", positions)
    at = lambda position: key(records[position])  # noqa: E731
    for position in step.placed:
        found = bisect_left(out, at(position), key=at)
        if found < len(out) and out[found] == position:
            del out[found]
    for position in step.placed:
        if wanted is None or wanted(records[position]):
            insort(out, position, key=at)
    return out


def carried_topics(
    records: Sequence[Summary], index: dict[str, array[int]], step: Step, key: Callable[[Summary], Any],
    before: Iterable[Summary],
) -> dict[str, array[int]]:
    """Each topic's sorted records (`Lister._topics_for`), brought up to date: only the topics of the
    records touched (`before`: as they were) are made again."""
    topics: set[str] = set()
    for summary in before:
        topics.update(summary.topics_cf)
    for position in step.placed:
        topics.update(records[position].topics_cf)
    out = dict(index)
    for topic in topics:
        kept = placed_in(records, out.get(topic, ()), step, key, lambda s: topic in s.topics_cf)
        if kept:
            out[topic] = kept
        else:
            out.pop(topic, None)
    return out


def carried_fold(
    records: Sequence[Summary], folded: Sequence[int], positions: Sequence[int], step: Step,
    key: Callable[[Summary], Any],
) -> array[int]:
    """`story_groups.fold_positions(records, positions)` made from the fold of the older list
    (`folded`): the rows of the stories touched are taken out and each such story's first record in
    the newer list put in; the other stories keep their first record."""
    at = lambda position: key(records[position])  # noqa: E731

    def where(rows: Sequence[int], position: int) -> int:
        """The index of `position` in `rows` (sorted by key), -1 when it is not there."""
        found = bisect_left(rows, at(position), key=at)
        return found if found < len(rows) and rows[found] == position else -1

    stories = step.stories
    members = set(step.placed)  # the records of the stories touched, and the records touched
    if stories:
        members.update(compress(range(len(records)), map(stories.__contains__, map(_story, records))))
    out = array("I", folded)
    for position in members:
        if (found := where(out, position)) >= 0:
            del out[found]
    first: dict[str, int] = {}
    for position in sorted(members, key=at):
        if where(positions, position) < 0:
            continue
        story = records[position].story
        if not story:  # its own story
            insort(out, position, key=at)
        elif story in stories and story not in first:
            first[story] = position
            insort(out, position, key=at)
    return out
