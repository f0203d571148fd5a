"""The words of the status line and of the article pane's count."""

from __future__ import annotations

import pytest

from reader.control.choice import Choice
from reader.control.filtering import FilterRuns
from reader.control.folders import Progress
from reader.control.status import MIN_VIEW, choice_label, fit_status, listed_count, status_parts, status_text
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


def fitted(choice: Choice, problems: int, progress: Progress | None, width: int) -> str:
    return status_text(Counts(total=9000, unread=6561), listing(choice), problems, progress, 12.0, width)


def test_a_status_line_that_fits_is_left_whole() -> None:
    full = fitted(Choice("saved", "Robots"), 3, None, 1000)
    assert full == "6,561 unread  ·  saved: Robots  ·  sort: newest  ·  3 problems (press ! to see)"
    assert fitted(Choice("saved", "Robots"), 3, None, len(full)) == full


@pytest.mark.parametrize("width", [78, 60, 50])
def test_a_saved_view_s_status_line_fits_the_width_least_useful_part_first(width: int) -> None:
    """At 80 columns (78 inside the padding) a tester's status line with a saved view was cut: the parts
    give way, the unread count and the view's name last."""
    name = "Robots and machines in the news this week"
    line = fitted(Choice("saved", name), 3, Progress(300, 1000, 10.0), width)
    assert len(line) <= width, line
    assert line.startswith("6,561 unread · saved: ") and " · 3 " in line and "30" in line
    assert "press !" not in line and "/s" not in line and "sort:" not in line  # these went first
    assert line.endswith(" · 30%") and line.count("…") == 1  # the loading a percentage, the name cut
    assert len(line) == width  # the name cut only as far as needed
    if width == 78:  # the problems still named
        assert line.endswith(" · newest · 3 problems (!) · 30%")
    else:  # the name cut to MIN_VIEW was not enough: the problems in short, the name as long as it can be
        assert line.endswith(" · newest · 3 ! · 30%")
    short = fitted(Choice("saved", "Robots"), 3, Progress(300, 1000, 10.0), width)
    assert "saved: Robots" in short and len(short) <= width  # a short name is never cut


def test_the_name_is_cut_last_and_never_below_its_minimum() -> None:
    name = "N" * 100
    line = fitted(Choice("saved", name), 0, None, 78)
    assert len(line) == 78 and line.endswith(" · sort: newest") is False
    assert "saved: NNN" in line and "…" in line
    narrow = fitted(Choice("saved", name), 12, Progress(300, 1000, 10.0), 64)
    assert narrow.endswith("saved: NNNNNNNN… · newest · 12 problems (!) · 30%") and len(narrow) == 64
    assert len("saved: NNNNNNNN…") == MIN_VIEW  # down to the minimum before the problems are said in short
    narrower = fitted(Choice("saved", name), 12, Progress(300, 1000, 10.0), 63)
    assert narrower.endswith("N… · newest · 12 ! · 30%") and len(narrower) == 63
    tiny = fitted(Choice("saved", name), 12, Progress(300, 1000, 10.0), 20)
    assert len(tiny) > 20 and tiny.startswith("6,561 unread · …")  # the widget's ellipsis cuts the rest


def test_wide_characters_are_measured_by_the_width_given() -> None:
    parts = status_parts(Counts(total=1, unread=1), listing(Choice("topic", "漢字" * 20)), 0, None, 0.0)
    double = lambda text: sum(2 if ord(c) >= 0x3000 else 1 for c in text)  # noqa: E731
    line = fit_status(parts, 40, double)
    assert double(line) <= 40 and "…" in line
