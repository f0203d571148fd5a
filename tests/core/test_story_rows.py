"""The article list by story as a computation: folding a list's positions, the rows of a folded list with
one story opened, sources: in the filter language, and the topic counts by story."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.counts import TopicCounter
from reader.core.listing import Rows, position
from reader.core.query import QueryError, parse_query
from reader.core.record import Summary
from reader.core.settings import Settings, load_settings
from reader.core.story_groups import StoryGroups
from reader.core.story_rows import StoryRows, fold_positions
from tests.fakes import summary

pytestmark = pytest.mark.stories


def _records() -> list[Summary]:
    # a1 is story A's earliest record (its lead), b1 story B's; c stands alone.
    return [
        summary("a2", timestamp=20.0, story="A", topics=("x",)),
        summary("b2", timestamp=40.0, story="B", topics=("y",)),
        summary("c", timestamp=30.0, topics=("x",)),
        summary("a1", timestamp=10.0, story="A", topics=("z",)),
        summary("b1", timestamp=15.0, story="B", topics=("y",)),
        summary("a3", timestamp=50.0, story="A"),
    ]


def _paths(rows: object) -> list[str]:
    return [s.path for s in rows]  # type: ignore[attr-defined]


def test_fold_keeps_each_story_at_its_first_position() -> None:
    records = _records()
    assert list(fold_positions(records, [5, 1, 2, 0, 4, 3])) == [5, 1, 2]
    assert list(fold_positions(records, [2, 4, 0])) == [2, 4, 0]  # a filtered list: one match each


def test_rows_show_each_story_by_its_lead_and_open_one_in_place() -> None:
    records = _records()
    groups = StoryGroups(records)
    folded = Rows(records, fold_positions(records, [5, 1, 2, 0, 4, 3]))  # a3 b2 c, by story
    rows = StoryRows(folded, groups, matched=6)
    assert _paths(rows) == ["a1", "b1", "c"]  # each story's row is its lead
    assert [rows.kind(i) for i in range(3)] == ["story", "story", "record"]
    assert [rows.size(i) for i in range(3)] == [3, 2, 1]
    assert _paths(rows.records_at(0)) == ["a1", "a2", "a3"] and _paths(rows.records_at(2)) == ["c"]
    opened = rows.opening(1)
    assert _paths(opened) == ["a1", "b1", "b1", "b2", "c"]
    assert [opened.kind(i) for i in range(5)] == ["story", "story", "member", "member", "record"]
    assert opened[-1].path == "c" and _paths(opened[1:4]) == ["b1", "b1", "b2"]
    assert _paths(opened.records_at(3)) == ["b2"] and _paths(opened.records_at(1)) == ["b1", "b2"]
    assert [opened.story_row(i) for i in range(5)] == [0, 1, 1, 1, 2]
    assert opened.matched == 6 and len(opened) == 5
    with pytest.raises(IndexError):
        opened[5]
    assert _paths(opened.opening(3)) == ["a1", "b1", "b1", "b2", "c"]  # from a record: its own story
    reopened = opened.opening(0)
    assert _paths(reopened) == ["a1", "a1", "a2", "a3", "b1", "c"]  # one story open at a time
    assert len(reopened.closed()) == 3
    assert StoryRows(folded, groups, 2).opened == -1  # a record alone does not open


def _by_story(opened: int = -1) -> StoryRows:
    """The records folded by story, newest first (a3 b2 c: stories A and B, then c), the story at row
    `opened` opened."""
    records = _records()
    return StoryRows(Rows(records, fold_positions(records, [5, 1, 2, 0, 4, 3])), StoryGroups(records), opened)


@pytest.mark.parametrize("opened", [-1, 0, 1])
def test_each_row_by_index_is_the_row_iterated(opened: int) -> None:
    rows = _by_story(opened)
    listed = list(rows)
    assert [rows[i] for i in range(len(rows))] == listed
    assert [rows[i - len(rows)] for i in range(len(rows))] == listed  # from the end
    for outside in (len(rows), -len(rows) - 1, 100, -100):
        with pytest.raises(IndexError):
            rows[outside]


def test_each_row_of_a_story_opened_at_the_top() -> None:
    """The first story opened: its row, then each of its records, earliest first; the rows after it
    shift down by as many."""
    rows = _by_story(0)
    assert _paths(rows) == ["a1", "a1", "a2", "a3", "b1", "c"]
    assert [rows.kind(i) for i in range(6)] == ["story", "member", "member", "member", "story", "record"]
    assert [rows.size(i) for i in range(6)] == [3, 1, 1, 1, 2, 1]
    assert [rows.story_row(i) for i in range(6)] == [0, 0, 0, 0, 1, 2]
    assert [_paths(rows.records_at(i)) for i in range(6)] == [
        ["a1", "a2", "a3"], ["a1"], ["a2"], ["a3"], ["b1", "b2"], ["c"],
    ]
    # What put each row where it is: for a story's row the story's first record in the list's order
    # (a3 and b2, the newest), not the lead it shows; for any other row its own record.
    assert _paths([rows.placed(i) for i in range(6)]) == ["a3", "a1", "a2", "a3", "b2", "c"]


def test_each_row_of_a_story_opened_below_the_top() -> None:
    rows = _by_story(1)
    assert [rows.size(i) for i in range(5)] == [3, 2, 1, 1, 1]
    assert _paths([rows.placed(i) for i in range(5)]) == ["a3", "b2", "b1", "b2", "c"]
    assert [_paths(rows.records_at(i)) for i in (1, 2)] == [["b1", "b2"], ["b1"]]


@pytest.mark.parametrize("opened", [3, 4, -2, 2])
def test_a_row_past_the_end_before_the_start_or_of_one_record_opens_nothing(opened: int) -> None:
    rows = _by_story(opened)
    assert rows.opened == -1 and rows.members == [] and _paths(rows) == ["a1", "b1", "c"]


def test_an_empty_list_by_story() -> None:
    records = _records()
    rows = StoryRows(Rows(records, fold_positions(records, [])), StoryGroups(records))
    assert len(rows) == 0 and list(rows) == [] and rows[:] == [] and rows.matched == 0
    assert rows.opened == -1 and rows.opening(0).opened == -1
    assert rows.find("a1", "A") == -1 and rows.row_of_story("A") == -1
    with pytest.raises(IndexError):
        rows[0]


def test_finding_a_record_or_its_story_in_rows() -> None:
    records = _records()
    groups = StoryGroups(records)
    rows = StoryRows(Rows(records, fold_positions(records, [5, 1, 2, 0, 4, 3])), groups)
    assert position(rows, "a2", "A") == 0  # a record of a folded story: its story's row
    assert position(rows, "c") == 2 and position(rows, "zz") == -1 and position(rows, None) == -1
    opened = rows.opening(0)
    assert position(opened, "a2", "A") == 2  # in the opened story: its own row
    assert position(opened, "a1", "A") == 0  # the lead: the story's row
    assert opened.row_of_story("B") == 1 and opened.row_of_story("") == -1
    # A row's lead (what the row shows, and what the last run kept as selected) finds its row by its
    # path alone, though the list was folded at another record of the story (a3 for A, b2 for B).
    assert position(rows, "a1") == 0 and position(rows, "b1") == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [("sources:3", ["a2", "a1", "a3"]), ("sources:>=2", ["a2", "b2", "a1", "b1", "a3"]), ("sources:<2", ["c"]),
     ("sources:>3", []), ("-sources:1", ["a2", "b2", "a1", "b1", "a3"]), ("sources:2.0", ["b2", "b1"])],
)
def test_sources_compares_the_size_of_the_story(query: str, expected: list[str]) -> None:
    records = _records()
    groups = StoryGroups(records)
    matches = parse_query(query, sizes=groups.size).matches
    assert [s.path for s in records if matches(s)] == expected


def test_sources_errors_and_narrowing() -> None:
    for bad in ("sources:many", "sources:>=", "sources:=>2"):
        with pytest.raises(QueryError, match="bad number .* in sources:"):
            parse_query(bad)
    with pytest.raises(QueryError, match="empty value in sources:"):
        parse_query("sources:")
    with pytest.raises(QueryError, match="did you mean sources"):
        parse_query("sourcs:2")
    assert parse_query("sources:>5").narrows(parse_query("sources:>2"))
    assert not parse_query("sources:>2").narrows(parse_query("sources:>5"))
    assert not parse_query("sources:>5").narrows(parse_query("quality:>2"))
    assert parse_query("sources:>=2").matches(summary("x")) is False  # without sizes, a story of one


def test_topic_counts_by_story() -> None:
    records = _records()
    counter = TopicCounter()
    read = {"https://example.org/a1": 1.0, "https://example.org/b1": 1.0, "https://example.org/b2": 1.0}

    class State:
        def __init__(self) -> None:
            self.read = read
            self.starred = {"https://example.org/a3"}

    by_story = counter.count(records, 1, State(), [("big", "sources:>=2"), ("bad", "(")], stories=True)
    assert (by_story.total, by_story.unread, by_story.read, by_story.starred) == (3, 2, 2, 1)
    # a story is in every topic of its records; unread while one of its records is
    assert {t.name: (t.total, t.unread) for t in by_story.topics} == {"x": (2, 2), "y": (1, 0), "z": (1, 1)}
    assert [(s.name, s.count, s.unread) for s in by_story.saved] == [("big", 2, 1), ("bad", None, None)]
    by_record = counter.count(records, 2, State(), [("big", "sources:>=2")])
    assert (by_record.total, by_record.unread) == (6, 3)
    assert by_record.saved[0].count == 5


def test_the_mark_story_read_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("mark_story_read = false\n", encoding="utf-8")
    assert load_settings(str(path)) == (Settings(mark_story_read=False), [])
    path.write_text('mark_story_read = "no"\n', encoding="utf-8")
    settings, problems = load_settings(str(path))
    assert settings.mark_story_read is True
    assert [p.key for p in problems] == ["mark_story_read"] and "true or false" in problems[0].problem
    path.write_text("mark_story_reed = false\n", encoding="utf-8")
    assert "did you mean mark_story_read" in load_settings(str(path))[1][0].problem
