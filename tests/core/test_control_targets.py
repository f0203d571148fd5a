"""KeyTargets without a screen: which records `m` and `s` mark, which link `o` and `y` act on and which
records reading a story reads, on a story's row, on a record, in the story pane and after following a
link; and the unread records `M` marks, with the stories they make."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from reader.control.story import StoryNavigator
from reader.control.targets import NOTHING_SELECTED, KeyTargets, every_record, unread_listed
from reader.core.listing import Rows
from reader.core.record import RelatedStory, Summary, Urls
from reader.core.settings import Settings
from reader.core.story_groups import StoryGroups
from reader.core.story_rows import StoryRows, fold_positions

from tests.fakes import FakeClock, summary

A1, A2, A3 = (summary(f"a{n}.md", timestamp=float(n), story="A") for n in (1, 2, 3))
LONE = summary("lone.md", timestamp=9.0)
OTHER = summary("other.md", timestamp=8.0)


@dataclass
class FakeRows:
    """The article list: its cursor on `highlighted`, a row of `records` (more than one: a story's row)."""

    records: list[Summary] = field(default_factory=list)
    story_row: bool = False

    @property
    def highlighted(self) -> Summary | None:
        return self.records[0] if self.records else None

    def records_at_cursor(self) -> list[Summary]:
        return list(self.records)

    def on_story_row(self) -> bool:
        return self.story_row


@dataclass
class FakeShown:
    """The story pane: showing `shown` (None: a story not in the library); keys act here while it has the
    focus or once a link was followed, as in the real pane."""

    shown: Summary | None = None
    in_focus: bool = False
    link: str = "https://shown.example/"
    target: Summary | None = None
    navigator: StoryNavigator | None = None

    @property
    def keys_act_here(self) -> bool:
        return self.in_focus or (self.navigator is not None and self.navigator.followed)

    def summary(self) -> Summary | None:
        return self.shown

    def url(self) -> str:
        return self.link

    def opened(self) -> Summary | None:
        return self.target


class Keys:
    """KeyTargets over fake panes and a real navigator; what it warned of, and what a key toggled."""

    def __init__(self, rows: FakeRows, shown: FakeShown, *, mark_story_read: bool = True) -> None:
        self.rows, self.shown = rows, shown
        self.navigator = shown.navigator = StoryNavigator(
            FakeClock(), show=lambda visit: None, say=lambda text: None, rested=lambda path: None
        )
        self.warned: list[str] = []
        self.toggled: list[list[str]] = []
        settings = Settings(mark_story_read=mark_story_read)
        self.targets = KeyTargets(settings, self.navigator, lambda: self.rows, shown, warn=self.warned.append)

    def follow_a_link(self) -> None:
        self.navigator.cursor_moved(self.rows.highlighted.path if self.rows.highlighted else None)
        self.navigator.follow(RelatedStory(title="elsewhere", urls=Urls(web="https://elsewhere.org/")))

    def mark(self) -> list[list[str]]:
        self.targets.mark(lambda records: self.toggled.append([r.path for r in records]))
        return self.toggled


def paths(records: list[Summary]) -> list[str]:
    return [record.path for record in records]


def test_on_the_list_the_keys_act_on_the_row_a_story_row_being_every_record_of_it() -> None:
    story = Keys(FakeRows([A1, A2, A3], story_row=True), FakeShown(A1))
    assert paths(story.targets.to_mark()) == ["a1.md", "a2.md", "a3.md"]
    assert story.mark() == [["a1.md", "a2.md", "a3.md"]] and story.warned == []
    single = Keys(FakeRows([LONE]), FakeShown(OTHER))  # the pane still shows the record before
    assert paths(single.targets.to_mark()) == ["lone.md"]


def test_on_an_empty_list_m_says_there_is_nothing_and_toggles_nothing() -> None:
    keys = Keys(FakeRows([]), FakeShown())
    assert keys.mark() == [] and keys.warned == [NOTHING_SELECTED]  # not "not in the library"


def test_in_the_story_pane_on_the_row_shown_the_keys_act_on_the_row() -> None:
    keys = Keys(FakeRows([A1, A2, A3], story_row=True), FakeShown(A1, in_focus=True))
    assert paths(keys.targets.to_mark()) == ["a1.md", "a2.md", "a3.md"]


def test_in_the_story_pane_on_another_record_the_keys_act_on_that_record() -> None:
    keys = Keys(FakeRows([A1, A2, A3], story_row=True), FakeShown(A2, in_focus=True))
    assert paths(keys.targets.to_mark()) == ["a2.md"]
    assert keys.mark() == [["a2.md"]]


def test_in_the_story_pane_on_a_story_not_in_the_library_m_says_so() -> None:
    keys = Keys(FakeRows([A1, A2, A3], story_row=True), FakeShown(None, in_focus=True))
    assert keys.targets.to_mark() == []
    assert keys.mark() == [] and keys.warned == ["This story is not in the library"]


def test_after_following_a_link_the_keys_act_on_the_record_shown_alone() -> None:
    keys = Keys(FakeRows([A1, A2, A3], story_row=True), FakeShown(A1))
    keys.follow_a_link()  # then back to the row's own record, shown by the pane (the focus on the list)
    assert paths(keys.targets.to_mark()) == ["a1.md"]


@pytest.mark.parametrize(
    ("setting", "story_row", "followed", "read", "expected"),
    [
        (True, True, False, A1, ["a1.md", "a2.md", "a3.md"]),  # read from the story's row: all of it
        (False, True, False, A1, ["a1.md"]),  # mark_story_read = false: the record alone
        (True, True, True, A1, ["a1.md"]),  # a link was followed from the row
        (True, False, False, A1, ["a1.md"]),  # a record's row (an opened story's record)
        (True, True, False, A2, ["a2.md"]),  # another record than the one under the cursor
    ],
)
def test_reading_a_story_reads_its_every_record_only_from_its_row(
    setting: bool, story_row: bool, followed: bool, read: Summary, expected: list[str]
) -> None:
    keys = Keys(FakeRows([A1, A2, A3], story_row=story_row), FakeShown(A1), mark_story_read=setting)
    if followed:
        keys.follow_a_link()
    assert paths(keys.targets.read_with(read)) == expected


def test_the_link_and_the_record_o_opens_follow_where_the_keys_act() -> None:
    on_list = Keys(FakeRows([LONE]), FakeShown(OTHER, target=OTHER))
    assert on_list.targets.url() == LONE.url and on_list.targets.to_open() is LONE
    in_pane = Keys(FakeRows([LONE]), FakeShown(OTHER, in_focus=True, target=A2))
    assert in_pane.targets.url() == "https://shown.example/" and in_pane.targets.to_open() is A2
    empty = Keys(FakeRows([]), FakeShown())
    assert empty.targets.url() == "" and empty.targets.to_open() is None


def test_after_following_a_link_o_and_y_act_on_the_story_shown() -> None:
    keys = Keys(FakeRows([LONE]), FakeShown(None, link="https://elsewhere.org/", target=None))
    keys.follow_a_link()
    assert keys.targets.url() == "https://elsewhere.org/" and keys.targets.to_open() is None


def by_story() -> StoryRows:
    """A1-A3 folded to story A's row, beside LONE and OTHER, newest first."""
    records = [A3, A2, A1, LONE, OTHER]
    order = sorted(range(len(records)), key=lambda i: -(records[i].timestamp or 0))
    folded = Rows(records, fold_positions(records, order))
    return StoryRows(folded, StoryGroups(records), matched=len(records))


def test_every_record_of_a_list_by_story_counts_each_story_s_records() -> None:
    rows = by_story()
    assert len(rows) == 3
    assert sorted(paths(every_record(rows))) == ["a1.md", "a2.md", "a3.md", "lone.md", "other.md"]
    assert paths(every_record([LONE, A2])) == ["lone.md", "a2.md"]


def test_M_marks_the_unread_records_listed_and_counts_their_stories() -> None:
    read = {"a1.md", "other.md"}
    unread_among = lambda records: [r for r in records if r.path not in read]
    unread, stories = unread_listed(by_story(), unread_among)
    assert sorted(paths(unread)) == ["a2.md", "a3.md", "lone.md"] and stories == 2  # story A, and LONE
    unread, stories = unread_listed([A1, A2, LONE, OTHER], unread_among)
    assert paths(unread) == ["a2.md", "lone.md"] and stories is None  # a list by record counts records
