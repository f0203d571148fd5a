"""The story pane around the story itself (DetailPane): which story it shows (see StoryNavigator), read
off the UI thread, and what keys act on while the focus is in it or a link was followed."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import Container

from ..control.story import StoryNavigator, Visit
from ..core.library import Library
from ..core.record import Problem, Record, RelatedStory, Summary
from ..core.story_groups import StoryGroups
from ..core.urls import story_keys
from ..messages import StoryRead
from .detail import DetailPane


class StoryPane(Container):
    """Shows the story under the article list's cursor once the cursor rests, or one followed from it.

    `marks(path)` is the reading state (read, starred) of a record, `showing(summary)` is told when a
    record of the library is on screen, and `rested(summary)` when it is the one under the cursor, shown
    after the cursor rested on it."""

    def __init__(
        self,
        library: Library,
        date_format: str,
        *,
        marks: Callable[[str], tuple[bool, bool] | None],
        showing: Callable[[Summary], None],
        rested: Callable[[Summary], None],
        stories: Callable[[], StoryGroups] = StoryGroups,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.library = library
        self.date_format = date_format
        self._marks, self._showing, self._rested = marks, showing, rested
        self._stories = stories
        """The story groups of the records loaded (as the article list last grouped them)."""
        say = lambda text: self.query_one(DetailPane).show(text)  # noqa: E731
        self.navigator = StoryNavigator(
            self, show=self.show_visit, say=say, rested=self.rested, chosen=self.chosen
        )
        self._focus_when_shown = False
        """Enter came before the story: the story takes the focus once it is shown."""

    def compose(self) -> ComposeResult:
        yield DetailPane(id="detail")

    def on_mount(self) -> None:
        detail = self.query_one(DetailPane)
        detail.border_title = "Story"
        detail.date_format = self.date_format
        detail.marks = lambda record: self._marks(record.path)

    def rested(self, path: str) -> None:
        if (summary := self.library.summary(path)) is not None:
            self._rested(summary)

    def chosen(self, path: str) -> None:
        """The user chose the record the list had put under the cursor: if it is on screen, it is read by
        resting from now (else once it is shown)."""
        if (summary := self.on_screen()) is not None and summary.path == path:
            self._showing(summary)

    def show_visit(self, visit: Visit) -> None:
        """Show a story visited: a loaded record is read in a worker, a related story at once."""
        if isinstance(visit, RelatedStory):
            self.query_one(DetailPane).show(visit)
        else:
            self.read_record(visit)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="read")
    def read_record(self, path: str) -> None:
        """Read the full record from disk and find what mentions it."""
        record = self.library.load_record(path)
        if not isinstance(record, Record):
            self.post_message(StoryRead(path, record, []))
            return
        mentions = self.library.mentioned_by(record)
        summary, coverage, same = self.library.summary(path), [], itself(record)
        if summary is not None and summary.story:
            coverage = self._stories().members(summary)
            if len(coverage) > 1:
                resolved = ((i, self.library.resolve(story)) for i, story in enumerate(record.related))
                same |= {i for i, found in resolved if found is not None and found.story == summary.story}
                mentions = [m for m in mentions if m.story != summary.story]  # they are in the coverage
        self.post_message(StoryRead(path, record, mentions, coverage, same))

    def on_story_read(self, message: StoryRead) -> None:
        message.stop()
        if message.visit != self.navigator.current:
            return
        detail = self.query_one(DetailPane)
        if isinstance(message.record, Problem):
            detail.show(f"This file cannot be read now: {message.record.reason}")
        else:
            detail.show(message.record, message.mentions, message.coverage, message.same_story)
            summary = self.library.summary(message.record.path)
            if summary is not None and self.navigator.reads(message.visit):  # not one the list put there
                self._showing(summary)
        if self._focus_when_shown:
            self._focus_when_shown = False
            self.focus_story()

    def focus_story(self) -> None:
        """Focus the story's related (or mentioning) stories, or else the story."""
        detail = self.query_one(DetailPane)
        if not detail.focus_links():
            self.screen.set_focus(detail)

    def on_detail_pane_notice(self, message: DetailPane.Notice) -> None:
        message.stop()
        self.notify(message.text, markup=False)

    def on_detail_pane_follow(self, message: DetailPane.Follow) -> None:
        message.stop()
        target = message.target
        if isinstance(target, RelatedStory):
            found = self.library.resolve(target)
            self.navigator.follow(found.path if found is not None else target)
        else:
            self.navigator.follow(target.path)

    def entered(self, summary: Summary) -> None:
        """Enter on the article list: focus the story of `summary`, once it is shown (and read it by
        resting on it, also when the list had put it under the cursor)."""
        self.navigator.choose()
        shown = self.query_one(DetailPane).shown
        if isinstance(shown, Record) and shown.path == summary.path and not self.navigator.pending:
            self.focus_story()
            return
        self._focus_when_shown = True  # enter came before the story: focus it when it arrives
        if self.navigator.pending:
            self.navigator.now()

    @property
    def in_focus(self) -> bool:
        """Whether the focus is in the story pane."""
        focused = self.screen.focused
        return focused is not None and (focused is self or self in focused.ancestors)

    @property
    def keys_act_here(self) -> bool:
        """Whether keys act on the story shown rather than the row under the article list's cursor."""
        return self.in_focus or self.navigator.followed

    def summary(self) -> Summary | None:
        """The record of the library shown (or to be shown), if it is one."""
        current = self.navigator.current
        return self.library.summary(current) if isinstance(current, str) else None

    def on_screen(self) -> Summary | None:
        """The record of the library shown now, once it is drawn (not one still being read)."""
        shown, summary = self.query_one(DetailPane).shown, self.summary()
        drawn = isinstance(shown, Record) and summary is not None and summary.path == shown.path
        return summary if drawn else None

    def url(self) -> str:
        """The URL `o` and `y` act on here: the highlighted story in a focused list, else the shown one."""
        return self.query_one(DetailPane).url()

    def opened(self) -> Summary | None:
        """The record `o` opens here, if it is in the library: a highlighted related or mentioning story
        while the focus is in the pane, else the one shown."""
        if self.in_focus:
            focused = self.query_one(DetailPane).focused_target()
            if isinstance(focused, Summary):
                return focused
            if isinstance(focused, RelatedStory):
                return self.library.resolve(focused)
        return self.summary()


def itself(record: Record) -> frozenset[int]:
    """The positions of the related stories of `record` that are the record itself: one of their URL
    keys is one of its own (the story pane leaves them out of its related list)."""
    own = set(story_keys(record.urls))
    if not own:
        return frozenset()
    return frozenset(i for i, story in enumerate(record.related) if own.intersection(story_keys(story.urls)))
