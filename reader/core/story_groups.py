"""Which loaded records report one event: the loaded summaries folded by their `story` id.

The grouping itself (`stories.Grouper`) decides each record's story id; this module only answers, for
what is loaded, a story's members, its size and its lead, and folds a list of records into one row per
story. A record with no story id (not grouped yet, or grouping off) is a story of its own.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence, Set
from itertools import compress
from operator import attrgetter

from .record import Summary

__all__ = ["StoryGroups", "fold_positions", "story_key"]


def story_key(summary: Summary) -> str:
    """The key of a record's story among the loaded ones: its story id, or its own path when it has none."""
    return summary.story or "file:" + summary.path


def fold_positions(records: Sequence[Summary], positions: Sequence[int]) -> array[int]:
    """`positions` (into `records`) with one position per story: each story's first, where it is."""
    seen: set[str] = set()
    add = seen.add
    out = array("I")
    append = out.append
    for position in positions:
        story = records[position].story
        if not story:
            append(position)
        elif story not in seen:
            add(story)
            append(position)
    return out


_story = attrgetter("story")


def _earliest_first(summary: Summary) -> tuple[float, str]:
    return (summary.timestamp if summary.timestamp is not None else math.inf, summary.path)


class StoryGroups:
    """The loaded records by story: members earliest first; the lead of a story is its earliest record
    (the one that broke the news, whose id the story id is made from). Only stories of several records
    are kept (most stories have one record: at 100,000 records a list for each took ~11 MiB); a record
    whose story is not kept is its story's only loaded record."""

    def __init__(self, summaries: Iterable[Summary] = ()) -> None:
        first: dict[str, Summary] = {}  # each story's first record met
        members: dict[str, list[Summary]] = {}
        for summary in summaries:
            story = summary.story
            if story:
                met = first.setdefault(story, summary)
                if met is not summary:
                    group = members.get(story)
                    if group is None:
                        members[story] = [met, summary]
                    else:
                        group.append(summary)
        for group in members.values():
            group.sort(key=_earliest_first)
        self._members = members
        self._count: int | None = len(first)
        self._records: Sequence[Summary] = ()
        self.several = bool(members)
        """Whether any story has several records (else folding a list changes nothing)."""

    def updated(self, summaries: Sequence[Summary], stories: Set[str]) -> StoryGroups:
        """The groups of `summaries`, records these groups were made from but for those of `stories`
        (records of them joined, left or changed): only those stories are gathered again (a scan in C),
        where making them all again walked every record (~0.1 s at 100,000)."""
        groups = StoryGroups()
        members = {story: group for story, group in self._members.items() if story not in stories}
        found: dict[str, list[Summary]] = {}
        if stories:
            for summary in compress(summaries, map(stories.__contains__, map(_story, summaries))):
                found.setdefault(summary.story, []).append(summary)
        for story, group in found.items():
            if len(group) > 1:
                group.sort(key=_earliest_first)
                members[story] = group
        groups._members, groups._count, groups._records = members, None, summaries
        groups.several = bool(members)
        return groups

    def __len__(self) -> int:
        """How many stories have an id (stories of one record without one are not counted)."""
        if self._count is None:
            self._count = len(set(filter(None, map(_story, self._records))))
        return self._count

    def members(self, summary: Summary) -> list[Summary]:
        """Every loaded record of `summary`'s story, earliest first (itself alone when it has none)."""
        group = self._members.get(summary.story) if summary.story else None
        return group if group is not None else [summary]

    def size(self, summary: Summary) -> int:
        """How many loaded records report `summary`'s story (its sources)."""
        group = self._members.get(summary.story) if summary.story else None
        return len(group) if group else 1

    def lead(self, summary: Summary) -> Summary:
        """The earliest loaded record of `summary`'s story."""
        group = self._members.get(summary.story) if summary.story else None
        return group[0] if group else summary

    def fold(self, summaries: Sequence[Summary]) -> list[Summary]:
        """One record per story, in the order of each story's first record in `summaries`: that record
        stands for its story in the list (a filtered list keeps a story where its first match is)."""
        return [summaries[position] for position in fold_positions(summaries, range(len(summaries)))]
