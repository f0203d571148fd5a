"""Filter runs: the list for the chosen topic, the query typed and the sort order, computed off the UI
thread; each run has a generation so a stale one is dropped, and a long list's first page is drawn
while the rest is computed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core.library import Library
from ..core.listing import RECENTLY_READ, Lister, Rows, position
from ..core.query import Query, QueryError, all_of, parse_query, published_only
from ..core.record import Summary
from ..core.sorting import SORT_ORDERS, next_order, reverse_order
from ..core.state import StateStore
from ..core.story_groups import StoryGroups
from ..core.story_rows import StoryRows, fold_positions
from ..core.words import WordIndex
from .choice import Choice

GROUPING_KEY = "stories"
"""The ui value that remembers whether the list is grouped by story ("off" when it is not)."""
_NO_GROUPS = StoryGroups()
GROUPED_BY_DEFAULT = True
"""Whether the list is grouped by story before the grouping key was ever pressed."""

# How long a run that sent a list's first page waits for it to be drawn before going on.
FIRST_PAGE_WAIT = 0.05


@dataclass(frozen=True, slots=True)
class Request:
    """What one run lists: taken on the UI thread, computed off it."""

    generation: int
    versions: tuple[int, int]
    """The library's version, and the reading state's when the list depends on it (else 0)."""
    query: Query
    topic: str | None
    order: str
    summaries: list[Summary]
    keep: str | None
    """The path under the cursor when the list was asked for."""
    keep_story: str = ""
    """The story id of the record under the cursor, so a story's row keeps the cursor when the list is
    folded again around another of its records."""
    grouped: bool = False
    """Whether the list is folded to one row per story."""
    opened: str = ""
    """The story opened in place to its records ("" for none)."""


@dataclass(frozen=True, slots=True)
class Page:
    """A run's list, or the first page of one still being computed."""

    generation: int
    summaries: Sequence[Summary]
    complete: bool = True
    """False for the first page of a list still being computed (a complete one follows)."""
    keep: str | None = None
    """The path under the cursor when the list was asked for, and where it is in `summaries`
    (-1: not there), found in the worker: scanning 100,000 rows took ~5 ms of the UI thread."""
    at: int = -1
    drawn: threading.Event | None = field(default=None, compare=False)
    """Set once a first page is on screen: the worker waits for it before going on, as the two
    would otherwise take turns at the interpreter lock while the page is drawn."""


class FilterRuns:
    """What the article list shows: the topic pane's `choice`, the `typed` query and the `sort_order`,
    and the latest run's list (`matching`), maybe its first page only (`complete` false).

    `load_finished()` says whether the first load is done (lists are then prepared ahead)."""

    def __init__(
        self,
        library: Library,
        state: StateStore,
        *,
        show_unpublished: bool,
        load_finished: Callable[[], bool],
    ) -> None:
        self.library = library
        self.state = state
        self.show_unpublished = show_unpublished
        self._load_finished = load_finished
        self.choice = Choice("all")
        """What the topic pane has chosen: all, starred, recently read, a topic or a saved filter."""
        self.typed: Query = parse_query("", state=state, sizes=self.story_size)
        """The query typed in the filter bar."""
        self.sort_order = SORT_ORDERS[0]
        remembered = state.get_ui(GROUPING_KEY)  # as the grouping key left it (control.arrangement)
        self.grouped = GROUPED_BY_DEFAULT if remembered is None else remembered != "off"
        """Whether the list shows one row per story (the grouping key toggles it)."""
        self.opened = ""
        """The story opened in place to its records, "" for none."""
        self._groups: tuple[int, StoryGroups, bool] = (-1, StoryGroups(), False)
        self.lister = Lister(WordIndex(), changes=library.changes)
        self.generation = 0
        """The latest run's generation."""
        self.shown_generation = 0
        """The generation of the list on screen, equal to the latest once a run has landed (maybe
        its first page only: see `complete`)."""
        self.matching: Sequence[Summary] = []
        self.complete = True
        """Whether `matching` is the whole list, not the first page of one still being computed."""
        self._page_cursor: tuple[str | None, int] = (None, 0)
        """Where the cursor was left on a first page, to tell whether it was moved there."""

    @property
    def in_flight(self) -> bool:
        """Whether a run has not landed yet."""
        return self.shown_generation != self.generation

    @property
    def topic(self) -> str | None:
        """The topic the list is limited to (or the recently-read view), None for all."""
        if self.choice.kind == "topic":
            return self.choice.name
        return RECENTLY_READ if self.choice.kind == "recent" else None

    def effective_query(self) -> Query:
        """The query typed, plus what the choice and settings add: a saved filter's query, is:starred,
        is:published."""
        extra = []
        if self.choice.kind == "starred":
            extra.append("is:starred")
        if self.choice.kind == "saved" and self.choice.query_error is None:
            extra.append(self.choice.query)  # a broken one's count shows "!"; the list is the bar's alone
        # Joined as parsed queries: a saved filter and a typed query within the limits on one query
        # (its length and terms) may pass them together.
        query = all_of(*(parse_query(text, state=self.state, sizes=self.story_size) for text in extra), self.typed)
        return query if self.show_unpublished else published_only(query, self.state)

    def depends_on_state(self) -> bool:
        """Whether a change to the reading state can change the list."""
        return self.choice.kind in ("starred", "recent") or self.effective_query().uses_state

    def take_typed(self, text: str) -> tuple[str, bool]:
        """The filter bar's text changed: the error of its query ("" when it has none; the list then
        stays as it was), and whether the query changed."""
        try:
            query = parse_query(text, state=self.state, sizes=self.story_size)
        except QueryError as error:
            return str(error), False
        if query.text.strip() == self.typed.text.strip():
            return "", False
        self.typed = query
        return "", True

    def next_sort_order(self) -> None:
        self.sort_order = next_order(self.sort_order)

    def reverse_sort_order(self) -> None:
        self.sort_order = reverse_order(self.sort_order)

    def groups_for(self, summaries: list[Summary], version: int) -> tuple[StoryGroups, bool]:
        """The story groups of the library's records at `version` (`summaries`, the list taken on the
        UI thread: the library's own records may change under a worker), made once per version, and
        whether any story has several records (else the list is not folded: there is nothing to fold)."""
        known = self._groups
        if known[0] != version:
            delta = self.library.changes(known[0], version) if 0 <= known[0] < version else None
            # Only the stories a change touched are gathered again (a new file: one story).
            if delta is not None:
                groups = known[1].updated(summaries, delta.stories)
            else:
                groups = StoryGroups(summaries)
            known = self._groups = (version, groups, groups.several)
        return known[1], known[2]

    @property
    def groups(self) -> StoryGroups:
        """The story groups of the latest list (made off the UI thread by the runs)."""
        return self._groups[1]

    def coverage_groups(self) -> StoryGroups:
        """The story groups the story pane lists coverage from: none while the list is not grouped, so
        that grouping off shows each record on its own, as before stories."""
        return self._groups[1] if self.grouped else _NO_GROUPS

    def story_size(self, summary: Summary) -> int:
        """How many records report `summary`'s story (the sources: term), as the latest run grouped them."""
        return self._groups[1].size(summary)

    def request(self, keep: str | None, keep_story: str = "") -> Request:
        """A new run for what is chosen now; `keep` is the path under the cursor, of story `keep_story`."""
        self.generation += 1
        query, topic = self.effective_query(), self.topic
        state_version = self.state.version if query.uses_state or topic == RECENTLY_READ else 0
        return Request(
            self.generation, (self.library.version, state_version), query, topic, self.sort_order,
            self.library.summaries, keep, keep_story, self.grouped, self.opened,
        )

    def run(self, request: Request, post: Callable[[Page], object], cancelled: Callable[[], bool]) -> None:
        """Sort and filter (off the UI thread), posting the list; when the whole list takes a while, its
        first page is posted ahead, to be drawn meanwhile."""
        generation, keep = request.generation, request.keep
        stale = lambda: cancelled() or generation != self.generation
        version, state_version = request.versions
        groups, several = self.groups_for(request.summaries, version)  # before the list: sources: asks it
        grouped = request.grouped and several

        def first_page(rows: Rows) -> None:
            if not stale():
                drawn = threading.Event()
                page: Sequence[Summary] = rows
                if grouped:
                    folded = Rows(rows.records, fold_positions(rows.records, rows.positions))
                    page = StoryRows(folded, groups, matched=len(rows))
                post(Page(generation, page, False, keep, position(page, keep, request.keep_story), drawn))
                drawn.wait(FIRST_PAGE_WAIT)

        listing = self.lister.compute(
            request.summaries, version, request.order, request.topic, request.query, stale, state=self.state,
            state_version=state_version, first_page=first_page,
        )
        if listing is not None and not stale():
            rows: Sequence[Summary] = listing.summaries
            if grouped:
                folded = StoryRows(listing.folded(), groups)
                opened = folded.row_of_story(request.opened)
                rows = StoryRows(folded.folded, groups, opened, len(listing.summaries))
            post(Page(generation, rows, True, keep, position(rows, keep, request.keep_story)))
            if self._load_finished():  # what the next lists start from, made now rather than on a keystroke
                self.lister.prepare(request.summaries, version, request.order, stale)

    def landed(self, page: Page, keep: str | None, cursor: int) -> tuple[str | None, int | None] | None:
        """A run's list arrived, with `keep` under the cursor at row `cursor` now: None when it is stale
        (it is dropped), else the path to keep under the cursor and its row in the list when known."""
        if page.generation != self.generation:
            if page.drawn is not None:
                page.drawn.set()
            return None
        at: int | None = page.at if keep == page.keep else None
        if self.shown_generation == page.generation and not self.complete:
            # The rest of a list whose first page is shown: the cursor goes back to where it was
            # before that page, unless it was moved on the page.
            if self._page_cursor == (keep, cursor):
                keep, at = page.keep, page.at
        self.shown_generation = page.generation
        self.complete = page.complete
        self.matching = page.summaries
        return keep, at

    def page_shown(self, path: str | None, cursor: int) -> None:
        """A first page is on screen with `path` under the cursor at row `cursor`."""
        self._page_cursor = (path, cursor)
