"""The words of the status line and of the article pane's count."""

from __future__ import annotations

import pytest

from reader.control.choice import Choice
from reader.control.filtering import FilterRuns
from reader.control.folders import Progress
from reader.control.status import choice_label, listed_count, status_text
from reader.core.counts import Counts
from reader.core.state import StateStore

from tests.fakes import library_of, summary


@pytest.mark.parametrize(
    ("choice", "label"),
    [
        (Choice("all"), None),
        (Choice("starred"), "starred"),
        (Choice("recent"), "recently read"),
        (Choice("topic", "AI"), "topic: AI"),
        (Choice("saved", "Mine", "robot"), "saved: Mine"),
    ],
)
def test_choice_labels(choice: Choice, label: str | None) -> None:
    assert choice_label(choice) == label


def listing(choice: Choice | None = None, matching: int = 0, complete: bool = True) -> FilterRuns:
    runs = FilterRuns(library_of([]), StateStore(), show_unpublished=True, load_finished=lambda: True)
    runs.choice, runs.complete = choice or Choice("all"), complete
    runs.matching = [summary(f"{i}.md") for i in range(matching)]
    return runs


def test_the_count_under_the_list() -> None:
    assert listed_count(listing(matching=1234), 100_000) == "showing 1,234 of 100,000"
    assert listed_count(listing(matching=200, complete=False), 100_000) == "showing 200+ of 100,000"


def test_the_status_line() -> None:
    counts = Counts(total=10, unread=7)
    assert status_text(counts, listing(), 0, None, 0.0) == "7 unread  ·  sort: newest"
    assert status_text(Counts(), listing(Choice("recent")), 1, None, 0.0) == (
        "recently read  ·  sort: last read first  ·  1 problem (press ! to see)"
    )
    loading = status_text(Counts(), listing(Choice("topic", "AI")), 2, Progress(300, 1000, 10.0), 12.0)
    assert loading == (  # 3.6 cells of 12 done: 4 drawn
        "topic: AI  ·  sort: newest  ·  2 problems (press ! to see)  ·  "
        "loading ████░░░░░░░░ 300/1,000 · 150/s"
    )
    # 100 records shown before the count began: they are counted as loaded, and in the total
    shown = status_text(Counts(), listing(), 0, Progress(0, 1900, 10.0, base=100), 12.0)
    assert shown.endswith("loading █░░░░░░░░░░░ 100/2,000 · 0/s")


def test_a_saved_filter_s_query_error() -> None:
    assert Choice("saved", "Mine", "quality:x").query_error is not None
    assert Choice("saved", "Mine", "robot").query_error is None
    assert Choice("topic", "quality:x").query_error is None
