"""The article list as a computation: sort once per library version and order, filter, and narrow
from the previous result when the query only grew, so most keystrokes touch few records.

Lists are kept as positions in the library's list of records (`Rows`): an array of ints is never
walked by Python's cycle collector, where the lists of 100,000 records kept for recent queries,
sort orders and topics made each collection walk them all (2-65 ms, landing on keystrokes)."""

from __future__ import annotations

import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import overload

from .changes import Delta
from .listing_delta import Step, carried_fold, carried_topics, placed_in, step_of
from .query import Query, ReadingState
from .record import Summary
from .sorting import placing_key, sorted_positions
from .story_rows import StoryRows, fold_positions
from .identity import summary_id
from .words import WordIndex

# How many records are filtered between checks that the computation is still wanted.
CHECK_EVERY = 4096
# The first checks come sooner (the chunk doubles from this up to CHECK_EVERY), so that the first
# page of matches is known after a few hundred records when matches are common.
FIRST_CHECK = 256
# How many matches make a first page: more rows than any terminal shows.
FIRST_PAGE = 200
# How long the first page waits for its matches, in seconds: when matches are rare, the ones found
# by then are sent (the start of the final list, maybe empty) and the rest follow with the whole list.
FIRST_PAGE_TIME = 0.012
# How many recent lists are kept, so that deleting characters returns to a list already computed.
RECENT = 16
# The "topic" that lists the records read, most recently read first.
RECENTLY_READ = "\x00recently-read"
# The word index's candidates are tested instead of the list when they are at most this share of it.
WORDS_SHARE = 1 / 16
# Candidates fewer than 1/WORDS_SORTED of the list are sorted into its order; more are picked out of it.
WORDS_SORTED = 32


class Rows(Sequence[Summary]):
    """Records listed as their positions in a list of records."""

    __slots__ = ("positions", "records")

    def __init__(self, records: Sequence[Summary], positions: array[int]) -> None:
        self.records = records
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, index: int) -> Summary: ...

    @overload
    def __getitem__(self, index: slice) -> list[Summary]: ...

    def __getitem__(self, index: int | slice) -> Summary | list[Summary]:
        """A record, or a slice of them as a new list."""
        if isinstance(index, slice):
            return list(map(self.records.__getitem__, self.positions[index]))
        return self.records[self.positions[index]]

    def __iter__(self) -> Iterator[Summary]:
        return map(self.records.__getitem__, self.positions)


@dataclass(frozen=True, slots=True)
class ComputedList:
    """One computed list and what it was computed from."""

    version: int
    state_version: int
    order: str
    topic: str | None
    query: Query
    summaries: Rows
    folds: dict[int, array[int]] = field(default_factory=dict, compare=False)
    """The list folded to one record per story (`story_rows.fold_positions`), made once when asked
    (`folded`), by the version of the story groups it was folded with."""

    def folded(self) -> Rows:
        """The list with one record per story, where each story's first record is."""
        positions = self.folds.get(self.version)
        if positions is None:
            positions = self.folds[self.version] = fold_positions(self.summaries.records, self.summaries.positions)
        return Rows(self.summaries.records, positions)


class Lister:
    """Computes the article lists; safe to call from one worker thread at a time (a stale one may still finish)."""

    def __init__(
        self, words: WordIndex | None = None, changes: Callable[[int, int], Delta | None] | None = None
    ) -> None:
        self.words = words
        """The index that narrows free-text terms to the records that may hold them (None: none)."""
        self._changes = changes
        """What changed in the records between two versions (`Library.changes`): what was made for one
        is then brought to the next by the changes alone (see `listing_delta`). None: made again."""
        self._step: tuple[int, int, Step | None] | None = None
        self._sorted: tuple[int, str, dict[bool | None, array[int]]] | None = None
        self._ranks: tuple[int, str, array[int]] | None = None
        self._by_topic: tuple[int, str, dict[str, array[int]]] | None = None
        self._last: ComputedList | None = None
        self._recent: OrderedDict[tuple[int, int, str, str | None, str], ComputedList] = OrderedDict()
        self._lock = threading.Lock()  # a stale worker may still be finishing beside the current one

    def compute(
        self,
        summaries: list[Summary],
        version: int,
        order: str,
        topic: str | None,
        query: Query,
        cancelled: Callable[[], bool] = lambda: False,
        *,
        state: ReadingState | None = None,
        state_version: int = 0,
        first_page: Callable[[Rows], None] | None = None,
        first_page_time: float = FIRST_PAGE_TIME,
    ) -> ComputedList | None:
        """The list for these inputs, or None when `cancelled` turned true on the way.

        `state` answers the recently-read view; `state_version` must change whenever a state change
        could change the answer (pass 0 when neither the query nor the topic depends on the state).
        `first_page`, when given, is called once with the start of the final list (a new list) while
        records are left to test: the first FIRST_PAGE matches as soon as they are known, or the
        matches found so far once `first_page_time` seconds have passed, so that a screen shows
        the first rows, or that there are none yet, before the whole list is done."""
        started = time.perf_counter()
        key = (version, state_version, order, topic, query.text.strip())
        with self._lock:
            known = self._recent.get(key)
            if known is not None:
                self._recent.move_to_end(key)
                self._last = known
                return known
        carried = self._carried(summaries, version, key, query)
        if carried is not None:
            with self._lock:
                self._keep(key, carried)
            return carried
        last = self._last
        matches = query.tester()
        base: Sequence[int]
        if (
            last is not None
            and (last.version, last.state_version, last.order, last.topic) == key[:4]
            and last.summaries.records is summaries
            and query.narrows(last.query)
        ):
            base = last.summaries.positions  # already sorted and limited to the topic
        elif topic == RECENTLY_READ:
            base = recently_read(summaries, state)
        else:
            # A topic (the pane's, or a topic: term) is looked up, not scanned for: typing
            # `topic:a` then `topic:ai` cannot narrow, and scanning 100,000 records took ~120 ms.
            wanted = topic if topic is not None else query_topic(query)
            published = query.published
            if wanted is not None:
                base = self._topics_for(summaries, version, order).get(wanted.casefold(), array("I"))
            elif published is not None:  # nearly every query: is:published is added unless asked
                base = self._sorted_for(summaries, version, order, published)
                matches = query.tester(published_known=True)
            else:
                base = self._sorted_for(summaries, version, order)
        if self.words is not None and topic != RECENTLY_READ and len(base) > 1:
            found = self.words.candidates(summaries, version, query.terms, int(len(base) * WORDS_SHARE))
            if found is not None and len(found) * WORDS_SORTED < len(base):
                # few: the records that may match, sorted into the list's order and tested in full
                base, matches = self._in_order(summaries, version, order, found), query.tester()
                if topic is not None:
                    matches = _within_topic(topic.casefold(), matches)
            elif found is not None:  # the list's records that may match, picked out in C
                marked = bytearray(len(summaries))
                for at in found:
                    marked[at] = 1
                base = array("I", compress(base, map(marked.__getitem__, base)))
        record = summaries.__getitem__
        result: list[int] = []
        start, chunk = 0, FIRST_CHECK
        while start < len(base):
            if cancelled():
                return None
            part = base[start : start + chunk]
            result.extend(compress(part, map(matches, map(record, part))))
            start, chunk = start + chunk, min(chunk * 2, CHECK_EVERY)
            if first_page is not None and start < len(base) and (
                len(result) >= FIRST_PAGE or time.perf_counter() - started >= first_page_time
            ):
                first_page(Rows(summaries, array("I", result[:FIRST_PAGE])))
                first_page = None
        listing = ComputedList(version, state_version, order, topic, query, Rows(summaries, array("I", result)))
        with self._lock:
            self._keep(key, listing)
        return listing

    def _keep(self, key: tuple[int, int, str, str | None, str], listing: ComputedList) -> None:
        self._last = listing
        self._recent[key] = listing
        while len(self._recent) > RECENT or next(iter(self._recent))[0] != listing.version:
            self._recent.popitem(last=False)  # the oldest, and every list of an older library version

    def _stepped(self, summaries: list[Summary], old: int, version: int) -> Step | None:
        """What changed from version `old` to `version` (the list `summaries`), when what was made for
        `old` can be brought up to date by it (None: make it again)."""
        if self._changes is None or old >= version:
            return None
        known = self._step
        stale = known is not None and known[2] is not None and known[2].records is not summaries
        if known is None or known[:2] != (old, version) or stale:
            known = self._step = (old, version, step_of(self._changes(old, version), summaries))
        return known[2]

    def _carried(
        self, summaries: list[Summary], version: int, key: tuple[int, int, str, str | None, str], query: Query
    ) -> ComputedList | None:
        """The last list, of an older version but the same query, topic and order, brought up to date
        by the records changed since (and its fold with it); None when it cannot be."""
        last, order, topic = self._last, key[2], key[3]
        if (
            last is None or last.version >= version or topic == RECENTLY_READ or query.uses_sources
            or (last.state_version, last.order, last.topic, last.query.text.strip()) != key[1:]
        ):
            return None
        placing = placing_key(order)
        step = self._stepped(summaries, last.version, version) if placing is not None else None
        if placing is None or step is None:
            return None
        wanted = topic if topic is not None else query_topic(query)
        matches = query.tester()
        if wanted is not None:
            matches = _within_topic(wanted.casefold(), matches)
        positions = placed_in(summaries, last.summaries.positions, step, placing, matches)
        listing = ComputedList(version, key[1], order, topic, query, Rows(summaries, positions))
        if (folded := last.folds.get(last.version)) is not None:
            listing.folds[version] = carried_fold(summaries, folded, positions, step, placing)
        return listing

    def prepare(
        self, summaries: list[Summary], version: int, order: str,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        """Make what lists of this library version and order start from: the records in order, the
        published ones, each topic's (building the topic lists took ~70 ms at 100,000 records), and
        the word index, as far as `cancelled` lets it."""
        self._sorted_for(summaries, version, order, True)
        self._topics_for(summaries, version, order)
        if self.words is not None:
            self._ranks_for(summaries, version, order)
            self.words.catch_up(summaries, version, cancelled)

    def _in_order(
        self, summaries: list[Summary], version: int, order: str, positions: list[int]
    ) -> array[int]:
        """The positions in the list's order."""
        positions.sort(key=self._ranks_for(summaries, version, order).__getitem__)
        return array("I", positions)

    def _ranks_for(self, summaries: list[Summary], version: int, order: str) -> array[int]:
        """Where each record is in this order (~0.1 s at 1,000,000 records)."""
        cached = self._ranks
        if cached is None or cached[:2] != (version, order):
            ranks = array("I", bytes(4 * len(summaries)))
            for rank, at in enumerate(self._sorted_for(summaries, version, order)):
                ranks[at] = rank
            cached = self._ranks = (version, order, ranks)
        return cached[2]

    def _topics_for(self, summaries: list[Summary], version: int, order: str) -> dict[str, array[int]]:
        """The sorted records of each (casefolded) topic."""
        cached = self._by_topic
        if cached is not None and cached[:2] == (version, order):
            return cached[2]
        placing = placing_key(order)
        if cached is not None and cached[1] == order and placing is not None:
            step = self._stepped(summaries, cached[0], version)
            if step is not None:
                index = carried_topics(summaries, cached[2], step, placing, step.before)
                self._by_topic = (version, order, index)
                return index
        index = {}
        for position in self._sorted_for(summaries, version, order):
            for topic_cf in dict.fromkeys(summaries[position].topics_cf):  # a topic listed twice counts once
                if (positions := index.get(topic_cf)) is None:
                    positions = index[topic_cf] = array("I")
                positions.append(position)
        self._by_topic = (version, order, index)
        return index

    def _sorted_for(
        self, summaries: list[Summary], version: int, order: str, published: bool | None = None
    ) -> array[int]:
        """The records in this order; only the published or unpublished ones when `published` says."""
        cached = self._sorted
        if cached is None or cached[:2] != (version, order):
            cached = self._sorted = (version, order, self._carried_sorted(summaries, version, order))
        split = cached[2]
        if published not in split:
            every = split[None]
            split[published] = array("I", (p for p in every if summaries[p].published == published))
        return split[published]


    def _carried_sorted(
        self, summaries: list[Summary], version: int, order: str
    ) -> dict[bool | None, array[int]]:
        """The records in this order (and the published ones, the unpublished ones), brought up to date
        from an older version's when they can be, else sorted."""
        cached, placing = self._sorted, placing_key(order)
        if cached is not None and cached[1] == order and placing is not None:
            step = self._stepped(summaries, cached[0], version)
            if step is not None:
                return {
                    which: placed_in(summaries, positions, step, placing,
                                     None if which is None else (lambda s, w=which: s.published == w))
                    for which, positions in list(cached[2].items())
                }
        return {None: sorted_positions(summaries, order)}


def _within_topic(topic_cf: str, matches: Callable[[Summary], bool]) -> Callable[[Summary], bool]:
    """`matches`, for records of the topic (casefolded) alone."""
    return lambda summary: topic_cf in summary.topics_cf and matches(summary)


def recently_read(summaries: Sequence[Summary], state: ReadingState | None) -> array[int]:
    """The positions of the records that were read, the most recently read first."""
    if state is None:
        return array("I")
    read = state.read
    found = [(when, i) for i, s in enumerate(summaries) if (when := read.get(summary_id(s))) is not None]
    found.sort(key=lambda item: (-item[0], summaries[item[1]].path))
    return array("I", (i for _, i in found))


def position(rows: Sequence[Summary], path: str | None, story: str = "") -> int:
    """Where the record at `path` is in `rows`, -1 if not there; in rows by story, where the record or
    its story `story` is."""
    if isinstance(rows, StoryRows):
        return rows.find(path, story) if path is not None else -1
    if path is not None:
        for i, summary in enumerate(rows):
            if summary.path == path:
                return i
    return -1


def query_topic(query: Query) -> str | None:
    """The value of the query's first positive topic: term, if it has one."""
    return next((str(t.value) for t in query.terms if t.kind == "topic" and not t.negated), None)
