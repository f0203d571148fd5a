"""The main screen: topics, articles and the story; it owns the state and hands it to the panes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from ..core.counts import Counts, TopicCounter
from ..core.history import History
from ..core.library import Library
from ..core.listing import RECENTLY_READ, Lister, Rows, position
from ..core.loader import Batch, stream
from ..core.query import Query, QueryError, parse_query, published_only
from ..core.record import Problem, Record, RelatedStory, Summary
from ..core.settings import Settings
from ..core.sorting import SORT_ORDERS
from ..core.identity import summary_id
from ..core.state import StateStore
from ..core.watch import FolderWatch
from ..widgets.article_list import ArticleList
from ..widgets.detail import DetailPane
from ..widgets.filter_bar import FilterBar, FilterInput
from ..widgets.status import StatusLine
from ..widgets.topics import ROW_SPARE, Choice, TopicList, option_key
from .prompt import ConfirmScreen, NameScreen
from .reading import Marking, ReadingActions

# Every worker below has a fixed description: without one, Textual describes a worker by the repr()
# of its arguments, which for 100,000 summaries takes longer than the work itself.

# How often the list is refreshed while records stream in, in seconds.
LOAD_REFRESH_INTERVAL = 0.5
# How long a filter worker that sent a list's first page waits for it to be drawn before going on.
FIRST_PAGE_WAIT = 0.05
# How long the cursor must rest on a record before its story is read and drawn, in seconds.
# Drawing a story lays out the whole screen again; keys held down or pressed
# in quick succession (page-down at a key repeat of 25-35 ms) then draw only the list.
DETAIL_DELAY = 0.12
# The same while typing in the filter bar: each keystroke changes the list, and drawing a story lays
# out the screen again, so the story waits for a pause in the typing.
TYPING_DETAIL_DELAY = 0.3
# How often the folders are checked for changes: at least this often, and at most 10% of the time.
WATCH_INTERVAL = 3.0
# Where the system tells of changes (inotify), how often its notices are read, and how often the
# folders are still walked to be safe (it misses changes made by another machine to a network folder).
NOTICE_INTERVAL = 0.5
SAFETY_INTERVAL = 60.0
# Below this many columns the topic pane narrows, so that an 80-column terminal has room for titles.
NARROW_SCREEN = 100
TOPICS_WIDTH = {False: 28, True: 22}
# How long the topic counts wait after a change to the reading state, so a burst is counted once.
COUNT_DELAY = 0.3


# A view in the history: the path of a loaded record, or a related story that is not in the library.
View = str | RelatedStory


class MainScreen(ReadingActions, Screen[None]):
    """Three panes, a status line and the filter bar."""

    BINDINGS = [
        # A priority binding: checked as the key arrives, not after it has bubbled up behind queued
        # messages; otherwise, while records load, keys typed right after / reached the list first.
        Binding("slash", "filter", "Filter", id="main.filter", priority=True),
        # Enter in the filter bar, also as the key arrives: keys typed right after it (G, j, s ...)
        # were already on their way to the bar when it handled enter, if the screen was busy.
        Binding("enter", "keep_filter", "Keep the filter", show=False, priority=True),
        Binding("o", "open", "Open", id="main.open"),
        Binding("s", "toggle_star", "Star", id="main.star"),
        Binding("m", "toggle_read", "Read/unread", id="main.read", show=False),
        Binding("M", "mark_all_read", "All read", id="main.all_read", show=False),
        Binding("u", "undo", "Undo", id="main.undo", show=False),
        Binding("n", "next_unread", "Next unread", id="main.next_unread", show=False),
        Binding("p", "previous_unread", "Previous unread", id="main.previous_unread", show=False),
        Binding("y", "copy", "Copy URL", id="main.copy", show=False),
        Binding("S", "sort", "Sort", id="main.sort"),
        Binding("backspace,alt+left", "back", "Back", id="main.back"),
        Binding("alt+right", "forward", "Forward", id="main.forward", show=False),
        Binding("exclamation_mark", "problems", "Problems", id="main.problems", show=False),
        Binding("r", "reload", "Reload", id="main.reload", show=False),
    ]

    @dataclass
    class Loaded(Message):
        """A batch arrived from the loader."""

        batch: Batch

    @dataclass
    class Filtered(Message):
        """The filter worker finished; stale generations are dropped."""

        generation: int
        summaries: Sequence[Summary]
        complete: bool = True
        """False for the first page of a list still being computed (a complete one follows)."""
        keep: str | None = None
        """The path under the cursor when the list was asked for, and where it is in `summaries`
        (-1: not there), found in the worker: scanning 100,000 rows took ~5 ms of the UI thread."""
        at: int = -1
        drawn: threading.Event | None = None
        """Set once a first page is on screen: the worker waits for it before going on, as the two
        would otherwise take turns at the interpreter lock while the page is drawn."""

    @dataclass
    class Shown(Message):
        """The detail worker read a record for the current view."""

        view: View
        record: Record | Problem
        mentions: list[Summary]

    @dataclass
    class Counted(Message):
        """The counts worker finished."""

        counts: Counts

    def __init__(
        self, paths: list[str], library: Library, state: StateStore | None = None, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.paths = paths
        self.library = library
        self.state = state if state is not None else StateStore()
        self.settings = settings if settings is not None else Settings()
        self.undo: list[Marking] = []
        self._read_timer: Timer | None = None
        self._count_timer: Timer | None = None
        self.counts_pending = False
        """Counting waits for a burst of state changes to end."""
        self.counts = Counts()
        self.counter = TopicCounter()
        self.history: History[View] = History()
        self.sort_order = SORT_ORDERS[0]
        self.view = Choice("all")
        """What the topic pane has chosen: all, starred, recently read, a topic or a saved filter."""
        self._pending_selection: str | None = None
        """The story selected when the app last quit, selected again once it is listed."""
        self._pending_topic: str | None = None
        """The topic pane's row to restore, until the pane has it (kept here for when the pane is gone)."""
        self._load_finished = False
        """The first load has finished (a restored selection that is not listed by then is gone)."""
        self.filter_query: Query = parse_query("", state=self.state)
        self.matching: Sequence[Summary] = []
        self.lister = Lister()
        self._generation = 0
        self.shown_generation = 0
        """The generation of the list on screen, equal to the latest once a filter has landed (maybe
        its first page only: see matching_complete)."""
        self.matching_complete = True
        """Whether `matching` is the whole list, not the first page of one still being computed."""
        self._page_cursor: tuple[str | None, int] = (None, 0)
        """Where the cursor was left on a first page, to tell whether it was moved there."""
        self._loading: tuple[int, int, float] | None = None
        self._last_refresh = 0.0
        self._listed_version = -1  # the library version the topics and list were last computed for
        self._settled_version = -1  # the library version whose records were last frozen (see idle_gc)
        self._list_path: str | None = None
        self._detail_timer: Timer | None = None
        self._detail_action: Callable[[], None] | None = None
        self.detail_pending = False
        """A story is waiting for the cursor to rest before it is read."""
        self._focus_links_when_shown = False
        self._watch: FolderWatch | None = None
        self._watch_tried = False
        self._walk_timer: Timer | None = None
        self._files_changed = False
        """The system told of a change that no walk has looked at yet."""
        self._walk_allowed_at = 0.0
        """When a walk may start again on a notice: walks take at most 10% of the time."""

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        # Each pane in a box of its own: a frame draws every widget whose box overlaps what changed,
        # so as siblings, a keystroke's new rows would draw the topics and the story again too.
        with Horizontal(id="panes"):
            with Container(id="topics-pane", classes="pane"):
                yield TopicList(id="topics")
            with Container(id="articles-pane", classes="pane"):
                yield ArticleList(id="articles")
            with Container(id="detail-pane", classes="pane"):
                yield DetailPane(id="detail")
        yield FilterBar(id="filter-bar")
        yield Footer()

    def on_mount(self) -> None:
        articles = self.query_one("#articles", ArticleList)
        articles.border_title = "Articles"
        articles.marks = self.marks_of
        detail = self.query_one("#detail", DetailPane)
        detail.border_title = "Story"
        detail.date_format = self.settings.date_format
        detail.marks = self.story_marks
        self.query_one(FilterBar).return_focus = articles
        articles.focus()
        self.restore_places()
        self.update_status()
        self._loader = self.load(None)

    def on_resize(self, event: events.Resize) -> None:
        topics = self.query_one(TopicList)
        width = TOPICS_WIDTH[event.size.width < NARROW_SCREEN]
        if topics.row_width != width - ROW_SPARE:
            self.query_one("#topics-pane").styles.width = width
            topics.row_width = width - ROW_SPARE
            topics.show(self.counts)

    # What is restored from the last run, and remembered for the next

    def restore_places(self) -> None:
        """Put back the topic, filter and selection of the last run."""
        self._pending_topic = self.query_one(TopicList).pending = self.state.get_ui("topic")
        self._pending_selection = self.state.get_ui("selection")
        text = self.state.get_ui("filter")
        if text:
            self.query_one(FilterBar).set_text(text)

    def remember_places(self) -> None:
        """Keep the topic, filter and selection for the next run (from the screen's own attributes:
        this runs as the screen closes, when its widgets may be gone)."""
        self.state.set_ui("topic", self._pending_topic or option_key(self.view))
        self.state.set_ui("filter", self.filter_query.text)
        if self._pending_selection is None:
            current = self.library.summary(self._list_path) if self._list_path else None
            self.state.set_ui("selection", summary_id(current) if current is not None else None)

    def on_unmount(self) -> None:
        self.remember_places()
        if self._watch is not None:
            self._watch.close()

    # Loading and watching

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="load")
    def load(self, known: dict[str, tuple[int, int]] | None) -> None:
        """Load from the index (or, given what is `known`, only what changed on disk), in batches."""
        worker = get_current_worker()
        started = time.monotonic()
        for batch in stream(self.paths, self.library.index, known=known, cancelled=lambda: worker.is_cancelled):
            if worker.is_cancelled:
                return
            self.post_message(self.Loaded(batch))
        seconds = time.monotonic() - started
        if not self._watch_tried:  # here, off the UI thread: finding the folders reads every one
            self._watch_tried = True
            self._watch = FolderWatch.start(self.paths)
        self.post_message(self.Watched(seconds))

    @dataclass
    class Watched(Message):
        """A load or check for changes finished, taking `seconds`."""

        seconds: float

    def on_main_screen_watched(self, message: Watched) -> None:
        if self._watch is not None and self._walk_timer is None:  # the first load is done
            self.set_interval(NOTICE_INTERVAL, self.check_notices, name="notices")
            self.set_interval(WATCH_INTERVAL, self.check_state, name="state")
        if self._walk_timer is not None:
            self._walk_timer.stop()
        interval = SAFETY_INTERVAL if self._watch is not None else WATCH_INTERVAL
        self._walk_timer = self.set_timer(max(interval, 10 * message.seconds), self.check_for_changes, name="walk")
        self._walk_allowed_at = time.monotonic() + 9 * message.seconds

    def check_notices(self) -> None:
        """Walk the folders if the system told of a change in them, once the last walk is done and
        walks have taken less than 10% of the time (at 100,000 files one takes ~1 s: a folder written
        to all the time is then walked every ~10 s, not back to back)."""
        if self._watch is not None and self._watch.changed():
            self._files_changed = True
        if self._files_changed and self._loader.is_finished and time.monotonic() >= self._walk_allowed_at:
            self._files_changed = False
            self.check_for_changes()

    def check_state(self) -> None:
        """Pick up the reading state another copy of the app wrote."""
        if self.state.refresh():
            self.state_changed(refilter=True)

    def check_for_changes(self) -> None:
        """Look for new, changed and removed files (the watcher's tick, and `r`), and for reading state
        another copy of the app wrote."""
        self.check_state()
        if self._loader.is_finished:
            self._loader = self.load(dict(self.library.stats))

    def on_main_screen_loaded(self, message: Loaded) -> None:
        batch = message.batch
        self.library.apply(batch)
        if batch.notice:
            self.notify(batch.notice, severity="warning", markup=False)
        current = self.history.current
        if isinstance(current, str) and (current in batch.stats or current in batch.removed):
            self.show_view(current)  # the file shown changed under us
        now = time.monotonic()
        if batch.total and self._loading is None:
            self._loading = (batch.done, batch.total, now)
        elif self._loading is not None:
            self._loading = (batch.done, batch.total, self._loading[2])
        first_rows = not self.matching and self.shown_generation == self._generation  # none in flight
        changed = self.library.version != self._listed_version  # the watcher's ticks mostly change nothing
        if changed and (batch.final or now - self._last_refresh >= LOAD_REFRESH_INTERVAL or first_rows):
            self._last_refresh = now
            self._listed_version = self.library.version
            self.refresh_topics()
            self.refilter()
        if batch.final:
            self._loading = None
            self._load_finished = True
            if self.library.version != self._settled_version:
                self._settled_version = self.library.version
                if (collector := getattr(self.app, "collector", None)) is not None:
                    collector.settle_soon()  # freeze the records loaded, at the next pause
        self.update_status()

    def refresh_topics(self) -> None:
        """Count topics, unread records and saved filters again, off the UI thread."""
        self.counts_pending = False
        self.run_counts(self.library.summaries, self.state.saved_filters(), self.library.version)

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False, description="count")
    def run_counts(self, summaries: list[Summary], saved: list[tuple[str, str]], version: int) -> None:
        listed = None if self.settings.show_unpublished else (lambda s: s.published)
        counts = self.counter.count(summaries, version, self.state, saved, listed=listed)
        self.post_message(self.Counted(counts))

    def on_main_screen_counted(self, message: Counted) -> None:
        self.counts = message.counts
        topics = self.query_one(TopicList)
        topics.show(message.counts)
        if self._loading is None and self._listed_version == self.library.version:
            topics.pending = None  # everything is counted: a topic restored from the last run is gone
        self._pending_topic = topics.pending
        self.update_status()

    def state_changed(self, *, refilter: bool) -> None:
        """The reading state changed: redraw the marks, count again soon, and refilter when the list
        depends on the state."""
        self.query_one(ArticleList).refresh()  # the marks are part of the rows' cache key
        self.query_one(DetailPane).show_marks()
        if self._count_timer is not None:
            self._count_timer.stop()
        self.counts_pending = True
        self._count_timer = self.set_timer(COUNT_DELAY, self.refresh_topics)
        if refilter and (self.view.kind in ("starred", "recent") or self.effective_query().uses_state):
            self.refilter()

    # Filtering and sorting

    @property
    def topic(self) -> str | None:
        """The topic the list is limited to (or the recently-read view), None for all."""
        if self.view.kind == "topic":
            return self.view.name
        return RECENTLY_READ if self.view.kind == "recent" else None

    def effective_query(self) -> Query:
        """The query typed, plus what the view and settings add: a saved filter's query, is:starred,
        is:published."""
        extra = []
        if self.view.kind == "starred":
            extra.append("is:starred")
        if self.view.kind == "saved" and self.view.query_error is None:
            extra.append(self.view.query)  # a broken one's count shows "!"; the list is the bar's alone
        query = parse_query(" ".join([*extra, self.filter_query.text]), state=self.state) if extra else self.filter_query
        return query if self.settings.show_unpublished else published_only(query, self.state)

    def refilter(self) -> None:
        """Recompute the list for the current topic, query and sort order, off the UI thread."""
        self._generation += 1
        query, topic = self.effective_query(), self.topic
        state_version = self.state.version if query.uses_state or topic == RECENTLY_READ else 0
        current = self.query_one(ArticleList).highlighted
        self.run_filter(
            self._generation, (self.library.version, state_version), query, topic, self.sort_order,
            self.library.summaries, current.path if current is not None else None,
        )

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="filter")
    def run_filter(
        self, generation: int, versions: tuple[int, int], query: Query, topic: str | None, order: str,
        summaries: list[Summary], keep: str | None,
    ) -> None:
        """Sort and filter in a worker; the UI keeps the last result until this one arrives. When
        the whole list takes a while, its first page is sent ahead, to be drawn meanwhile."""
        worker = get_current_worker()
        stale = lambda: worker.is_cancelled or generation != self._generation  # noqa: E731
        version, state_version = versions

        def first_page(rows: Rows) -> None:
            if not stale():
                drawn = threading.Event()
                self.post_message(self.Filtered(generation, rows, False, keep, position(rows, keep), drawn))
                drawn.wait(FIRST_PAGE_WAIT)

        listing = self.lister.compute(
            summaries, version, order, topic, query, stale, state=self.state, state_version=state_version,
            first_page=first_page,
        )
        if listing is not None and not stale():
            rows = listing.summaries
            self.post_message(self.Filtered(generation, rows, True, keep, position(rows, keep)))
            if self._load_finished:  # what the next lists start from, made now rather than on a keystroke
                self.lister.prepare(summaries, version, order)

    def on_main_screen_filtered(self, message: Filtered) -> None:
        if message.generation != self._generation:
            if message.drawn is not None:
                message.drawn.set()
            return
        articles = self.query_one(ArticleList)
        current = articles.highlighted
        keep = current.path if current else None
        at: int | None = message.at if keep == message.keep else None
        if self.shown_generation == message.generation and not self.matching_complete:
            # The rest of a list whose first page is shown: the cursor goes back to where it was
            # before that page, unless it was moved on the page.
            if self._page_cursor == (keep, articles.cursor):
                keep, at = message.keep, message.at
        self.shown_generation = message.generation
        self.matching_complete = message.complete
        if self._pending_selection is not None:
            wanted = self._pending_selection
            found = next((s.path for s in message.summaries if summary_id(s) == wanted), None)
            if found is not None:
                keep, at, self._pending_selection = found, None, None
            elif self._load_finished and message.complete:
                self._pending_selection = None  # everything is loaded and listed, and it is not there
        self.matching = message.summaries
        articles.show(message.summaries, keep=keep, fallback=articles.cursor, at=at)
        if not message.complete:
            shown = articles.highlighted
            self._page_cursor = (shown.path if shown is not None else None, articles.cursor)
        if message.drawn is not None:
            self.call_after_refresh(message.drawn.set)
        self.update_status()

    def on_topic_list_chosen(self, message: TopicList.Chosen) -> None:
        choice = message.choice
        if choice == self.view:
            return
        self.view = choice
        if (error := choice.query_error) is not None:
            self.notify(f"The saved filter {choice.name!r} cannot be used: {error}", severity="warning",
                        markup=False)
        if self.query_one(TopicList).pending is None:  # chosen, not still waiting for last run's topic
            self.state.set_ui("topic", option_key(choice))
        self.refilter()
        self.update_status()

    def on_topic_list_rename_requested(self, message: TopicList.RenameRequested) -> None:
        old = message.name
        question = f"Rename the saved filter {old!r} to:"

        def renamed(new: str | None) -> None:
            if new is None or new == old:
                return
            try:
                self.state.rename_filter(old, new)
            except (KeyError, ValueError) as error:
                self.notify(f"Cannot rename: {error}", severity="warning", markup=False)
                if not isinstance(error, KeyError):  # ask again, keeping what was typed
                    self.app.push_screen(NameScreen(question, new), renamed)
                return
            self.query_one(TopicList).pending = "=" + new
            self.refresh_topics()

        self.app.push_screen(NameScreen(question, old), renamed)

    def on_topic_list_delete_requested(self, message: TopicList.DeleteRequested) -> None:
        name = message.name

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    self.state.delete_filter(name)
                except KeyError:
                    pass  # another copy of the app deleted it first
                self.refresh_topics()

        self.app.push_screen(ConfirmScreen(f"Delete the saved filter {name!r}?"), answered)

    def on_filter_bar_save_requested(self, message: FilterBar.SaveRequested) -> None:
        text = message.text.strip()
        if not text:
            self.notify("Type a query first, then ctrl+s saves it", severity="warning")
            return
        try:
            parse_query(text)
        except QueryError as error:
            self.notify(f"Cannot save a broken query: {error}", severity="warning", markup=False)
            return

        def save(name: str) -> None:
            try:
                self.state.save_filter(name, text)
            except ValueError as error:  # too many saved filters, or a name the store refuses
                self.notify(f"Cannot save: {error}", severity="warning", markup=False)
                return
            self.refresh_topics()
            self.notify(f"Saved the filter as {name!r}; it is listed under the topics", markup=False)

        def named(name: str | None) -> None:
            if name is None:
                return
            old = dict(self.state.saved_filters()).get(name)
            if old is None:
                save(name)
            elif old != text:
                question = f"Replace the saved filter {name!r} ({old}) with {text!r}?"
                self.app.push_screen(ConfirmScreen(question), lambda yes: save(name) if yes else None)

        self.app.push_screen(NameScreen(f"Save the filter {text!r} as:"), named)

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        if self.detail_pending and self._detail_timer is not None:
            self._detail_timer.reset()  # the story waits for a pause in the typing, as it draws slowly
        bar = self.query_one(FilterBar)
        try:
            query = parse_query(message.text, state=self.state)
        except QueryError as error:
            bar.set_error(str(error))
            return
        bar.set_error("")
        if query.text.strip() != self.filter_query.text.strip():
            self.filter_query = query
            self.state.set_ui("filter", query.text)
            self.refilter()

    def on_filter_bar_done(self, message: FilterBar.Done) -> None:
        if message.opened != self.query_one(FilterBar).opened:
            return  # `/` came again before this was handled: the keys typed next belong to the bar
        articles = self.query_one(ArticleList)
        self.set_focus(articles)  # at once, so keys typed next go to the list
        if articles.summaries:
            articles.cursor = 0
        if self.detail_pending:
            self._detail_now()  # the typing is over: no need to wait for a pause

    def on_filter_bar_cleared(self, message: FilterBar.Cleared) -> None:
        self.filter_query = parse_query("", state=self.state)
        self.state.set_ui("filter", "")
        self.refilter()
        if message.opened == self.query_one(FilterBar).opened:  # not reopened since: back to the list
            self.set_focus(self.query_one(ArticleList))

    # The story shown

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        path = message.summary.path if message.summary is not None else None
        if path is not None and path == self._list_path:
            return  # the list was refreshed around the same record: keep the history
        self._list_path = path
        self.history.clear()
        # The story is read once the cursor rests: typing a filter or holding a key moves the cursor
        # through many records, and drawing each one's story would slow every keystroke.
        delay = TYPING_DETAIL_DELAY if isinstance(self.focused, Input) else DETAIL_DELAY
        if message.summary is None:
            text = "No record matches." if self._loading is None else "Loading…"
            self._detail_after(delay, lambda: self._show_message(text))
            return
        self.history.visit(path)
        self._detail_after(delay, lambda: self._show_resting(path))

    def _detail_after(self, delay: float, action: Callable[[], None]) -> None:
        """Show the story (or a message) once the cursor has rested for `delay` seconds."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self.detail_pending = True
        self._detail_action = action
        self._detail_timer = self.set_timer(delay, self._detail_now)

    def _detail_now(self) -> None:
        """Show the story waiting for the cursor to rest now: its time came, or a key asked for it."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        action, self._detail_action = self._detail_action, None
        if action is not None:
            action()

    def _show_message(self, text: str) -> None:
        self.detail_pending = False
        self.query_one(DetailPane).show(text)

    def _show_resting(self, path: str) -> None:
        self.detail_pending = False
        if self.history.current == path:
            self.show_view(path)
            summary = self.library.summary(path)
            if summary is not None and self._pending_selection is None:
                self.state.set_ui("selection", summary_id(summary))

    def on_article_list_selected(self, message: ArticleList.Selected) -> None:
        detail = self.query_one(DetailPane)
        shown = detail.shown
        if isinstance(shown, Record) and shown.path == message.summary.path and not self.detail_pending:
            if not detail.focus_links():
                self.set_focus(detail)
            return
        self._focus_links_when_shown = True  # enter came before the story: focus it when it arrives
        if self.detail_pending:
            self._detail_now()

    def on_detail_pane_notice(self, message: DetailPane.Notice) -> None:
        self.notify(message.text, markup=False)

    def on_detail_pane_follow(self, message: DetailPane.Follow) -> None:
        target = message.target
        if isinstance(target, RelatedStory):
            found = self.library.resolve(target)
            view: View = found.path if found is not None else target
        else:
            view = target.path
        self.history.visit(view)
        self.show_view(view)

    def show_view(self, view: View) -> None:
        """Show a history entry: a loaded record is read in a worker, a related story at once."""
        if isinstance(view, RelatedStory):
            self.query_one(DetailPane).show(view)
        else:
            self.read_record(view)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="read")
    def read_record(self, path: str) -> None:
        """Read the full record from disk and find what mentions it."""
        record = self.library.load_record(path)
        mentions = self.library.mentioned_by(record) if isinstance(record, Record) else []
        self.post_message(self.Shown(path, record, mentions))

    def on_main_screen_shown(self, message: Shown) -> None:
        if message.view != self.history.current:
            return
        detail = self.query_one(DetailPane)
        if isinstance(message.record, Problem):
            detail.show(f"This file cannot be read now: {message.record.reason}")
        else:
            detail.show(message.record, message.mentions)
            if (summary := self.library.summary(message.record.path)) is not None:
                self.start_reading(summary)
        if self._focus_links_when_shown:
            self._focus_links_when_shown = False
            if not detail.focus_links():
                self.set_focus(detail)

    # Status

    def update_status(self) -> None:
        """How many records are shown (under the list: a keystroke then repaints the list pane
        alone, where a count in the line at the top made each frame repaint every pane between
        them), and the line at the top: unread count, view, sort, problems, loading progress."""
        articles = self.query_one(ArticleList)
        more = "" if self.matching_complete else "+"
        count = f"showing {len(self.matching):,}{more} of {len(self.library):,}"
        if articles.border_subtitle != count:
            articles.border_subtitle = count
        parts = []
        if self.counts.total:
            parts.append(f"{self.counts.unread:,} unread")
        if self.view.kind == "topic":
            parts.append(f"topic: {self.view.name}")
        elif self.view.kind != "all":
            parts.append({"starred": "starred", "recent": "recently read"}.get(self.view.kind, f"saved: {self.view.name}"))
        # Recently read is in reading order whatever the sort order is.
        parts.append("sort: last read first" if self.view.kind == "recent" else f"sort: {self.sort_order}")
        problems = len(self.library.problems) + len(getattr(self.app, "problems", ()))
        if problems:
            parts.append(f"{problems:,} problem{'s' if problems != 1 else ''} (press ! to see)")
        if self._loading is not None:
            done, count, started = self._loading
            rate = done / max(time.monotonic() - started, 1e-3)
            filled = round(12 * done / count) if count else 0
            bar = "█" * filled + "░" * (12 - filled)
            parts.append(f"loading {bar} {done:,}/{count:,} · {rate:,.0f}/s")
        self.query_one(StatusLine).update("  ·  ".join(parts))

    # Actions

    def action_reload(self) -> None:
        self.check_for_changes()
        self.notify("Checking the folders for changes")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep_filter":
            return isinstance(self.focused, FilterInput)
        # While the filter is being typed, / is a character and goes to it in order with the others.
        return not (action == "filter" and isinstance(self.focused, Input))

    async def action_keep_filter(self) -> None:
        await self.query_one(FilterInput).action_submit()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_sort(self) -> None:
        self.sort_order = SORT_ORDERS[(SORT_ORDERS.index(self.sort_order) + 1) % len(SORT_ORDERS)]
        self.query_one(ArticleList).order = self.sort_order
        self.refilter()
        self.update_status()  # the status line names the order; a notification would only pile up

    def _current_url(self) -> str:
        """The link `o` and `y` act on: on the story (see `on_story`), what it shows or has highlighted; else
        the record under the list's cursor (the story pane may still show the one before: a key
        typed right after a movement arrives before the pane follows)."""
        if self.on_story():
            return self.query_one(DetailPane).url()
        summary = self.query_one(ArticleList).highlighted
        return summary.url if summary is not None else ""

    def action_open(self) -> None:
        target = self.current_summary()
        if self.in_story_pane():  # a highlighted related or mentioning story is what opens
            focused = self.query_one(DetailPane).focused_target()
            if isinstance(focused, Summary):
                target = focused
            elif isinstance(focused, RelatedStory):
                target = self.library.resolve(focused)
        if self.app.open_link(self._current_url()):  # type: ignore[attr-defined]
            self.mark_opened(target)

    def action_copy(self) -> None:
        self.app.copy_link(self._current_url())  # type: ignore[attr-defined]

    def action_back(self) -> None:
        view = self.history.back()
        if view is None:
            self.notify("Nothing to go back to", severity="warning")
        else:
            self.show_view(view)

    def action_forward(self) -> None:
        view = self.history.forward()
        if view is None:
            self.notify("Nothing to go forward to", severity="warning")
        else:
            self.show_view(view)

    def action_problems(self) -> None:
        from .problems import ProblemsScreen

        settings = list(getattr(self.app, "problems", []))
        self.app.push_screen(ProblemsScreen(list(self.library.problems), settings))
