"""FilterRuns without a screen: what each choice lists, generations (a stale run is dropped), the first
page sent ahead of a long list, and where the cursor goes when a list lands."""

from __future__ import annotations

import threading

import pytest

from reader.control import filtering as filtering_module
from reader.control.choice import Choice
from reader.control.filtering import FIRST_PAGE_WAIT, FilterRuns, Page
from reader.core.identity import summary_id
from reader.core.listing import FIRST_PAGE, RECENTLY_READ
from reader.core.query import MAX_TERMS
from reader.core.record import Summary
from reader.core.sorting import SORT_ORDERS
from reader.core.state import StateStore

from tests.fakes import library_of, summary

STORIES = [
    summary("a.md", "Robots at work", topics=("Robotics",), timestamp=3.0),
    summary("b.md", "Facial recognition", topics=("AI",), timestamp=2.0),
    summary("c.md", "An unpublished robot", topics=("Robotics",), timestamp=1.0, published=False),
]


def runs(
    *, show_unpublished: bool = True, stories: list[Summary] | None = None, state: StateStore | None = None
) -> FilterRuns:
    library = library_of(stories if stories is not None else STORIES)
    state = state if state is not None else StateStore()
    return FilterRuns(library, state, show_unpublished=show_unpublished, load_finished=lambda: True)


def listed(filtering: FilterRuns) -> list[str]:
    """The paths the current choice, query and order list, as a run computes them."""
    pages: list[Page] = []
    filtering.run(filtering.request(None), pages.append, lambda: False)
    assert pages and pages[-1].complete
    return [s.path for s in pages[-1].summaries]


@pytest.mark.parametrize(
    ("choice", "typed", "expected"),
    [
        (Choice("all"), "", ["a.md", "b.md", "c.md"]),
        (Choice("all"), "robot", ["a.md", "c.md"]),
        (Choice("topic", "Robotics"), "", ["a.md", "c.md"]),
        (Choice("topic", "AI"), "robot", []),
        (Choice("starred"), "", ["b.md"]),
        (Choice("recent"), "", ["c.md", "a.md"]),  # last read first
        (Choice("saved", "Faces", "facial"), "", ["b.md"]),
        (Choice("saved", "Broken", "quality:x"), "robot", ["a.md", "c.md"]),  # a broken one adds nothing
    ],
)
def test_what_each_choice_lists(choice: Choice, typed: str, expected: list[str]) -> None:
    clock = iter(range(1000, 2000))
    filtering = runs(state=StateStore(clock=lambda: float(next(clock))))
    filtering.state.set_read([summary_id(STORIES[0])])
    filtering.state.set_read([summary_id(STORIES[2])])
    filtering.state.set_starred(summary_id(STORIES[1]), True)
    filtering.choice = choice
    assert filtering.take_typed(typed) == ("", bool(typed))
    assert listed(filtering) == expected


def test_the_topic_and_the_query_of_each_choice() -> None:
    filtering = runs(show_unpublished=False)
    filtering.take_typed("robot")
    assert filtering.topic is None and filtering.effective_query().text == "is:published robot"
    filtering.choice = Choice("topic", "AI")
    assert filtering.topic == "AI"
    filtering.choice = Choice("recent")
    assert filtering.topic == RECENTLY_READ and filtering.depends_on_state()
    filtering.choice = Choice("starred")
    assert filtering.topic is None and filtering.effective_query().text == "is:published is:starred robot"
    filtering.choice = Choice("saved", "Mine", "is:unpublished")
    assert filtering.effective_query().text == "is:unpublished robot"  # it names unpublished itself
    filtering.choice = Choice("all")
    assert not filtering.depends_on_state()
    filtering.take_typed("is:unread")
    assert filtering.depends_on_state()


def test_a_saved_filter_and_a_typed_query_may_pass_the_limits_of_one_query_together() -> None:
    filtering = runs(show_unpublished=False)
    saved = " ".join(["-zzz"] * (MAX_TERMS - 1) + ["robot"])
    filtering.choice = Choice("saved", "Long", saved)
    assert filtering.take_typed(" ".join(["-yyy"] * (MAX_TERMS - 1) + ["work"])) == ("", True)
    assert filtering.effective_query().text.startswith(f"is:published {saved} -yyy")
    assert listed(filtering) == ["a.md"]


def test_unpublished_records_are_left_out_unless_shown() -> None:
    assert listed(runs(show_unpublished=False)) == ["a.md", "b.md"]


def test_typed_text_changes_the_query_only_when_it_parses_and_differs() -> None:
    filtering = runs()
    assert filtering.take_typed("robot") == ("", True)
    assert filtering.take_typed("  robot ") == ("", False)  # the same query
    error, changed = filtering.take_typed("topc:x")
    assert "did you mean topic?" in error and not changed
    assert filtering.typed.text == "robot"  # the last one that parsed


def test_the_sort_order_cycles() -> None:
    filtering = runs()
    seen = []
    for _ in SORT_ORDERS:
        seen.append(filtering.sort_order)
        filtering.next_sort_order()
    assert seen == list(SORT_ORDERS) and filtering.sort_order == SORT_ORDERS[0]
    filtering.next_sort_order()
    assert listed(filtering) == ["c.md", "b.md", "a.md"]  # oldest first


def test_each_request_is_a_new_generation_and_a_stale_run_posts_nothing() -> None:
    filtering = runs()
    first = filtering.request("b.md")
    second = filtering.request("b.md")
    assert (first.generation, second.generation) == (1, 2) and filtering.in_flight
    pages: list[Page] = []
    filtering.run(first, pages.append, lambda: False)
    assert pages == []
    filtering.run(second, pages.append, lambda: True)  # cancelled
    assert pages == []
    filtering.run(second, pages.append, lambda: False)
    assert [(p.generation, p.complete, p.keep, p.at) for p in pages] == [(2, True, "b.md", 1)]


def test_the_state_version_is_part_of_a_request_only_when_the_list_depends_on_it() -> None:
    filtering = runs()
    filtering.state.set_starred("x", True)
    assert filtering.request(None).versions[1] == 0
    filtering.take_typed("is:starred")
    assert filtering.request(None).versions[1] == filtering.state.version > 0


class RecordingEvent(threading.Event):
    """A threading.Event that notes how long each wait on it was allowed to take."""

    waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        RecordingEvent.waits.append(timeout)
        return super().wait(timeout)


def test_a_long_list_sends_its_first_page_and_waits_for_it_to_be_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(filtering_module.threading, "Event", RecordingEvent)
    RecordingEvent.waits = []
    many = [summary(f"{i:05}.md", f"story {i}", timestamp=float(i)) for i in range(FIRST_PAGE * 40)]
    filtering = runs(stories=many)
    filtering.take_typed("story")
    pages: list[Page] = []
    waited: list[bool] = []

    def post(page: Page) -> None:
        pages.append(page)
        if page.drawn is not None:
            waited.append(page.drawn.is_set())
            page.drawn.set()  # drawn: the run goes on at once

    filtering.run(filtering.request(many[-5].path), post, lambda: False)
    assert [p.complete for p in pages] == [False, True]
    assert waited == [False] and RecordingEvent.waits == [FIRST_PAGE_WAIT]
    assert len(pages[0].summaries) == FIRST_PAGE and pages[0].at == 4 and pages[1].at == 4
    assert len(pages[1].summaries) == len(many)


def test_a_stale_first_page_is_let_go() -> None:
    filtering = runs()
    drawn = threading.Event()
    stale = Page(1, [], complete=False, drawn=drawn)
    filtering.request(None)
    filtering.request(None)
    assert filtering.landed(stale, None, 0) is None and drawn.is_set()
    assert filtering.shown_generation == 0


def test_where_the_cursor_goes_when_lists_land() -> None:
    filtering = runs()
    filtering.request("b.md")
    rows = list(filtering.library.summaries)
    # A complete list: the record under the cursor stays there, found where the run saw it.
    assert filtering.landed(Page(1, rows, True, "b.md", 1), "b.md", 0) == ("b.md", 1)
    assert not filtering.in_flight and filtering.matching == rows and filtering.complete
    # The cursor moved since the run was asked for: its row is looked for again.
    filtering.request("b.md")
    assert filtering.landed(Page(2, rows, True, "b.md", 1), "c.md", 2) == ("c.md", None)
    # A first page, then the rest: the cursor goes back to where it was unless moved on the page.
    filtering.request("c.md")
    assert filtering.landed(Page(3, rows[:1], False, "c.md", -1), "c.md", 2) == ("c.md", -1)  # not on it
    assert not filtering.complete
    filtering.page_shown("a.md", 0)  # the page put the cursor on its first row
    assert filtering.landed(Page(3, rows, True, "c.md", 2), "a.md", 0) == ("c.md", 2)
    filtering.request("c.md")
    filtering.landed(Page(4, rows[:1], False, "c.md", -1), "c.md", 2)
    filtering.page_shown("a.md", 0)
    assert filtering.landed(Page(4, rows, True, "c.md", 2), "b.md", 1) == ("b.md", None)  # moved on it
