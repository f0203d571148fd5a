"""The main screen: topics, articles and the story. It composes the panes and routes messages; the
jobs behind them are plain objects it holds (see reader.control)."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Protocol, cast, runtime_checkable

from textual import work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import get_current_worker

from ..control.arrangement import Arrangement
from ..control.counting import TopicCounts
from ..control.filtering import FilterRuns
from ..control.folders import FolderSync
from ..control.reading import ReadingTracker
from ..control.session import LastSession
from ..control.status import choice_label, empty_message, listed_count, status_parts
from ..control.story import StoryNavigator
from ..control.targets import KeyTargets, nothing_to_mark, unread_listed
from ..core.library import Library
from ..core.loader import Stats
from ..core.query import parse_query
from ..core.record import Summary
from ..core.settings import Settings
from ..core.state import StateStore
from ..idle_gc import IdleCollector
from ..keymap import MAIN_BINDINGS
from ..messages import Counted, Loaded, Walked
from ..palette import action_keys
from ..widgets.article_list import ArticleList
from ..widgets.articles_pane import ArticlesPane
from ..widgets.detail import DetailPane
from ..widgets.filter_bar import FilterBar, FilterInput
from ..widgets.footer import ReaderFooter
from ..widgets.status import StatusLine
from ..widgets.story_pane import StoryPane
from ..widgets.topics import TopicList, option_key
from . import questions
from .arrange import ArrangeKeys
from .layout import WIDE_SCREEN, PaneLayout
from .problems import ProblemsScreen

# Every worker below has a fixed description: without one, Textual describes a worker by the repr()
# of its arguments, which for 100,000 summaries takes longer than the work itself.


@runtime_checkable
class ReaderHost(Protocol):
    """What the main screen asks of the app it runs in (ReaderApp)."""

    problems: list[str]
    """Problems in the settings, listed under `!` with the files that could not be read."""
    collector: IdleCollector
    keyed: bool
    """Whether a key was pressed since the app started."""

    def open_link(self, url: str) -> bool: ...

    def copy_link(self, url: str) -> None: ...


class MainScreen(Screen[None]):
    """Three panes, a status line and the filter bar."""

    BINDINGS = MAIN_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_SCREEN, "-wide")]  # the one place the width is read

    def __init__(self, paths: list[str], library: Library, state: StateStore | None = None,
                 settings: Settings | None = None) -> None:
        super().__init__()
        self.paths, self.library = paths, library
        self.state = state = state if state is not None else StateStore()
        self.settings = settings = settings if settings is not None else Settings()
        self.folders = FolderSync(paths, library, state, self, start_load=self.load,
                                  state_changed=lambda: self.state_changed(refilter=True))
        finished = lambda: self.folders.finished  # noqa: E731
        self.listing = FilterRuns(library, state, show_unpublished=settings.show_unpublished,
                                  load_finished=finished)
        self.arrangement = Arrangement(self.listing, state)
        self.reading = ReadingTracker(state, library, self, settings.read_after, can_read=self.can_read,
                                      changed=self.marked, showing=lambda: self.story.current,
                                      story_of=lambda summary: self.targets.read_with(summary))
        self.topic_counts = TopicCounts(self, self.refresh_topics, show_unpublished=settings.show_unpublished,
                                        stories=lambda: self.listing.grouped,
                                        changes=library.changes)
        self.session = LastSession(state, load_finished=finished)
        self.articles_pane = ArticlesPane(self.listing, select=self.session.selection_in,
                                          landed=self.update_status, id="articles-pane", classes="pane")
        self.story_pane = StoryPane(
            library, self.settings.date_format, marks=self.reading.story_marks, showing=self.reading.shown,
            rested=self.session.selected, stories=self.listing.coverage_groups, id="detail-pane", classes="pane",
        )
        self.story: StoryNavigator = self.story_pane.navigator
        """Which story the story pane shows."""
        self.targets = KeyTargets(settings, self.story, lambda: self.articles_pane.query_one(ArticleList),
                                  self.story_pane, warn=lambda text: self.notify(text, severity="warning"))
        """What the reading keys act on."""
        self.arrange_keys = ArrangeKeys(self.arrangement, self.articles_pane, recount=self.refresh_topics,
                                        status=self.update_status)

    @property
    def host(self) -> ReaderHost:
        """The app, as what this screen asks of it."""
        return cast(ReaderHost, self.app)

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        # Each pane in a box of its own: a frame draws every widget whose box overlaps what changed,
        # so as siblings, a keystroke's new rows would draw the topics and the story again too.
        with Horizontal(id="panes"):
            with Container(id="topics-pane", classes="pane"):
                yield TopicList(id="topics")
            yield self.articles_pane
            yield self.story_pane
        yield FilterBar(id="filter-bar")
        yield ReaderFooter()

    def on_mount(self) -> None:
        articles = self.query_one(ArticleList)
        articles.border_title = "Articles"
        articles.order = self.listing.sort_order
        articles.marks = self.reading.marks_of
        self.query_one(FilterBar).return_focus = articles
        articles.focus()
        topics = self.query_one(TopicList)
        self.panes = PaneLayout(self, articles=articles, topics=topics, story=self.story_pane)
        text = self.session.restore()
        self.query_one(TopicList).pending = self.session.topic
        if text:
            self.query_one(FilterBar).set_text(text)
        self.update_status()
        self.folders.start()

    def on_unmount(self) -> None:
        # From the screen's own attributes: this runs as the screen closes, when its widgets may be gone.
        current = self.library.summary(self.story.list_path) if self.story.list_path else None
        self.session.remember(option_key(self.listing.choice), self.listing.typed.text, current)
        self.folders.close()

    # Loading and watching

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="load")
    def load(self, known: Stats | None) -> None:
        """Load from the index (or, given what is `known`, only what changed on disk), in batches."""
        worker = get_current_worker()
        post = lambda batch: self.post_message(Loaded(batch))  # noqa: E731
        seconds = self.folders.load(known, post, lambda: worker.is_cancelled)
        if seconds is not None:
            self.post_message(Walked(seconds))

    def on_walked(self, message: Walked) -> None:
        self.folders.walked(message.seconds)

    def on_loaded(self, message: Loaded) -> None:
        batch = message.batch
        nothing_listed = not self.listing.matching and not self.listing.in_flight
        arrival = self.folders.received(batch, nothing_listed=nothing_listed)
        self.host.collector.first_load(not self.folders.finished)
        if batch.notice:
            self.notify(batch.notice, severity="warning", markup=False)
        self.story.files_changed(batch.stats, batch.removed)
        if arrival.relist:
            self.articles_pane.refilter()  # first: the list is what a new file is waited for on
            self.refresh_topics()
        elif self.folders.finished and not self.listing.in_flight:  # a list made before the load's end
            self.session.find_selection(self.listing.matching, everything_listed=self.listing.complete)
        if arrival.settle:
            self.host.collector.settle_soon(ready=lambda: _listed(self))  # freeze the records loaded
        self.update_status()

    # Counting and the reading state

    def refresh_topics(self) -> None:
        """Count topics, unread records and saved filters again, off the UI thread."""
        self.topic_counts.started()
        self.run_counts(self.library.summaries, self.state.saved_filters(), self.library.version)

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False, description="count")
    def run_counts(self, summaries: list[Summary], saved: list[tuple[str, str]], version: int) -> None:
        self.post_message(Counted(self.topic_counts.count(summaries, saved, version, self.state)))

    def on_counted(self, message: Counted) -> None:
        self.topic_counts.counts = message.counts
        topics = self.query_one(TopicList)
        topics.show(message.counts)
        if self.folders.all_listed:
            topics.pending = None  # everything is counted: a topic restored from the last run is gone
        self.session.topic = topics.pending
        self.update_status()

    def state_changed(self, *, refilter: bool, by_key: bool = False) -> None:
        """The reading state changed: redraw the marks, count again (at once after a key, else soon),
        and refilter when the list depends on the state."""
        self.query_one(ArticleList).refresh()  # the marks are part of the rows' cache key
        self.query_one(DetailPane).show_marks()
        (self.topic_counts.now if by_key else self.topic_counts.soon)()
        if refilter and self.listing.depends_on_state():
            self.articles_pane.refilter()

    def marked(self, explicit: bool) -> None:
        """The reader marked a story: the list follows a key (a story read by resting on it would shift
        the list under the cursor)."""
        if not self.query(ArticleList):  # the app is closing and the panes are gone
            return
        self.state_changed(refilter=explicit, by_key=explicit)
        if self.state.notice:
            self.notify(self.state.notice, severity="error", markup=False)
            self.state.notice = None

    def first_key(self) -> None:
        """The user's first key since the start: the story on screen (the first seen) is read from now."""
        self.story.placed = False
        if (summary := self.story_pane.on_screen()) is not None:
            self.reading.shown(summary)

    def can_read(self) -> bool:
        """Whether a story shown is being read: this screen is on top, its focus on the article list or
        in the story pane (not choosing a topic, typing a filter or answering a question), the story
        selected last time is not still loading, and a key was pressed since the app started (a story on
        screen at the start is not read by a user who has not yet touched the app)."""
        focused = isinstance(self.focused, ArticleList) or self.story_pane.in_focus
        return self.app.screen is self and focused and self.session.selection is None and self.host.keyed

    # Filtering and sorting

    def on_topic_list_chosen(self, message: TopicList.Chosen) -> None:
        choice = message.choice
        if choice == self.listing.choice:
            return
        self.listing.choice = choice
        self.query_one(FilterBar).set_view(choice_label(choice))  # what narrows the list, where one types
        if (error := choice.query_error) is not None:
            self.notify(f"The saved filter {choice.name!r} cannot be used: {error}", severity="warning",
                        markup=False)
        if self.query_one(TopicList).pending is None:  # chosen, not still waiting for last run's topic
            self.session.chose_topic(option_key(choice))
        self.articles_pane.refilter()
        self.update_status()

    def on_topic_list_rename_requested(self, message: TopicList.RenameRequested) -> None:
        old = message.name
        answer = questions.ask(self.app, questions.rename_question(old, old))
        self.saved_filters_asked(questions.rename_filter(self.app, self.state, old, answer))

    def on_topic_list_delete_requested(self, message: TopicList.DeleteRequested) -> None:
        answer = questions.ask(self.app, questions.delete_question(message.name))
        self.saved_filters_asked(questions.delete_filter(self.state, message.name, answer))

    def on_filter_bar_save_requested(self, message: FilterBar.SaveRequested) -> None:
        text = message.text.strip()
        if (problem := questions.unsavable(text)) is not None:
            self.notify(problem, severity="warning", markup=False)
            return
        answer = questions.ask(self.app, questions.save_question(text))
        self.saved_filters_asked(questions.save_filter(self.app, self.state, text, answer))

    @work(group="question", description="a question about saved filters")
    async def saved_filters_asked(self, decision: Awaitable[str | bool | None]) -> None:
        """Count the saved filters again once a question about them changed them (a renamed one stays
        highlighted); in a worker, as a question that follows an answer is pushed with push_screen_wait."""
        decided = await decision
        if isinstance(decided, str):
            self.query_one(TopicList).pending = "=" + decided
        if decided:
            self.refresh_topics()

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        self.story.typed()  # the story waits for a pause in the typing, as it draws slowly
        error, changed = self.listing.take_typed(message.text)
        self.query_one(FilterBar).set_error(error)
        if changed:
            self.session.typed(self.listing.typed.text)
            self.articles_pane.refilter()

    def on_filter_bar_done(self, message: FilterBar.Done) -> None:
        if message.opened != self.query_one(FilterBar).opened:
            return  # `/` came again before this was handled: the keys typed next belong to the bar
        articles = self.query_one(ArticleList)
        self.set_focus(articles)  # at once, so keys typed next go to the list
        if articles.summaries:
            articles.cursor = 0
        if self.story.pending:
            self.story.now()  # the typing is over: no need to wait for a pause

    def on_filter_bar_cleared(self, message: FilterBar.Cleared) -> None:
        self.listing.typed = parse_query("", state=self.state)
        self.session.typed("")
        self.articles_pane.refilter()
        if message.opened == self.query_one(FilterBar).opened:  # not reopened since: back to the list
            self.set_focus(self.query_one(ArticleList))

    # The story shown

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        # The story is read once the cursor rests: typing a filter or holding a key moves the cursor
        # through many records, and drawing each one's story would slow every keystroke.
        path = message.summary.path if message.summary is not None else None
        loading, keys = self.folders.progress is not None, action_keys(self) if path is None else {}
        empty = empty_message(self.listing, loading=loading, topics_key=keys.get("topics", "t"))
        typing = isinstance(self.focused, Input)
        self.story.cursor_moved(path, typing=typing, empty=empty, placed=message.placed)

    def on_article_list_selected(self, message: ArticleList.Selected) -> None:
        self.story_pane.entered(message.summary)

    # Status

    def update_status(self) -> None:
        """How many records are shown (under the list: a keystroke then repaints the list pane
        alone, where a count in the line at the top made each frame repaint every pane between
        them), and the line at the top: unread count, choice, sort, problems, loading progress."""
        articles = self.query_one(ArticleList)
        if articles.border_subtitle != (count := listed_count(self.listing, len(self.library))):
            articles.border_subtitle = count
        problems = self.library.problem_count + len(self.host.problems)
        counts, progress, now = self.topic_counts.counts, self.folders.progress, time.monotonic()
        self.query_one(StatusLine).update(status_parts(counts, self.listing, problems, progress, now))

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep_filter":
            return isinstance(self.focused, FilterInput)
        # While the filter is being typed, / is a character and goes to it in order with the others.
        return not (action == "filter" and isinstance(self.focused, Input))

    def action_reload(self) -> None:
        self.folders.check_for_changes()
        self.notify("Checking the folders for changes")

    async def action_keep_filter(self) -> None:
        await self.query_one(FilterInput).action_submit()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_open(self) -> None:
        target = self.targets.to_open()
        if self.targets.selected() and self.host.open_link(self.targets.url()):
            self.reading.opened(target)

    def action_copy(self) -> None:
        if self.targets.selected():
            self.host.copy_link(self.targets.url())

    def action_back(self) -> None:
        if not self.story.back():
            self.notify("Nothing to go back to", severity="warning")

    def action_forward(self) -> None:
        if not self.story.forward():
            self.notify("Nothing to go forward to", severity="warning")

    def action_reading_mode(self) -> None:
        self.panes.toggle_reading()

    def action_topics(self) -> None:
        self.panes.toggle_topics()

    def action_step_back(self) -> None:
        self.panes.step_back()

    def action_sort(self, reverse: bool = False) -> None:
        self.arrange_keys.sort(reverse)

    def action_toggle_grouping(self) -> None:
        self.arrange_keys.toggle_grouping()

    def action_problems(self) -> None:
        self.app.push_screen(ProblemsScreen(self.library, list(self.host.problems)))

    def action_toggle_read(self) -> None:
        self.targets.mark(self.reading.toggle_read)

    def action_toggle_star(self) -> None:
        self.targets.mark(self.reading.toggle_star)

    def action_mark_all_read(self) -> None:
        if not self.listing.complete or self.folders.progress is not None:  # the count would change
            self.notify("The list is still being loaded or filtered: press M again in a moment")
            return
        unread, stories = unread_listed(self.listing.matching, self.reading.unread_among)
        if (nothing := nothing_to_mark(len(self.listing.matching), len(unread))) is not None:
            self.notify(nothing, severity="warning")
            return
        self.mark_read(unread, questions.ask(self.app, questions.mark_read_question(len(unread), stories)))

    @work(group="question", description="mark the list read")
    async def mark_read(self, unread: list[Summary], answer: Awaitable[bool | None]) -> None:
        if await answer:
            said, severity = questions.marked_read(self.reading.mark_read(unread), self.state.unsaved_reason)
            self.notify(said, severity=severity, markup=False)

    def action_undo(self) -> None:
        marking = self.reading.undo_last()
        if marking is None:
            self.notify("Nothing to undo", severity="warning")
            return
        self.state_changed(refilter=True, by_key=True)
        self.notify(marking.undone, markup=False)

    def action_next_unread(self, step: int = 1) -> None:
        articles = self.query_one(ArticleList)
        if (index := self.reading.next_unread(articles.summaries, articles.cursor, step)) is not None:
            articles.follow_top = False
            articles.cursor = index
        else:
            self.notify(f"No unread record {'below' if step > 0 else 'above'}", timeout=2)

    def action_previous_unread(self) -> None:
        self.action_next_unread(-1)


def _listed(screen: MainScreen) -> bool:
    """Whether the whole list is shown and no count is under way: the settle that follows a load
    waits for it (a full collection holds the interpreter: the list and counts would wait for it)."""
    counting = any(worker.group == "counts" and not worker.is_finished for worker in screen.workers)
    counting = counting or screen.topic_counts.unshown  # made, its message not handled yet
    return screen.listing.complete and not screen.listing.in_flight and not counting
