"""Arrangement without a screen: S goes through every order and wraps, R reverses the order, v groups
and ungroups the list, and each is remembered for the next start (read back by a new listing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.control.arrangement import SORT_KEY, Arrangement
from reader.control.filtering import GROUPING_KEY, FilterRuns
from reader.core.sorting import SORT_ORDERS
from reader.core.state import StateStore

from tests.fakes import library_of, summary


def arranged(state: StateStore) -> Arrangement:
    """An arrangement of a new listing on `state`, as the main screen makes at each start."""
    library = library_of([summary("a.md")])
    listing = FilterRuns(library, state, show_unpublished=True, load_finished=lambda: True)
    return Arrangement(listing, state)


def test_S_goes_through_every_order_and_back_to_the_first() -> None:
    arrangement = arranged(StateStore())
    seen = [arrangement.listing.sort_order]
    for _ in SORT_ORDERS:
        seen.append(arrangement.sort())
        assert arrangement.listing.sort_order == seen[-1]
    assert seen == [*SORT_ORDERS, SORT_ORDERS[0]]


@pytest.mark.parametrize(
    ("order", "reversed_order", "next_order"),
    [
        ("newest", "oldest", "heat"),  # newest and oldest are one field's two ways and two orders of S
        ("oldest", "newest", "oldest"),
        ("heat", "-heat", "quality"),
        ("title", "-title", "provider"),
        ("covered", "-covered", SORT_ORDERS[0]),
    ],
)
def test_R_reverses_the_order_and_S_goes_on_from_its_field(
    order: str, reversed_order: str, next_order: str
) -> None:
    arrangement = arranged(StateStore())
    arrangement.listing.sort_order = order
    assert arrangement.sort(reverse=True) == reversed_order
    assert arrangement.sort(reverse=True) == order  # twice: back where it was
    arrangement.sort(reverse=True)
    assert arrangement.sort() == next_order  # S from the reversed order: from "-heat" as from "heat"


def test_the_order_is_remembered_for_the_next_start(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    state = StateStore(path)
    first = arranged(state)
    first.sort()
    first.sort()
    assert first.sort(reverse=True) == "-heat"
    assert state.get_ui(SORT_KEY) == "-heat"
    state.close()
    again = StateStore(path)
    assert arranged(again).listing.sort_order == "-heat"
    again.close()


@pytest.mark.parametrize("remembered", ["", "sideways", "-newest", "HEAT", " heat"])
def test_an_order_that_is_not_one_is_not_taken(remembered: str) -> None:
    state = StateStore()
    state.set_ui(SORT_KEY, remembered)
    assert arranged(state).listing.sort_order == SORT_ORDERS[0]


def test_v_groups_and_ungroups_closing_the_story_opened_and_is_remembered() -> None:
    state = StateStore()
    arrangement = arranged(state)
    assert not arrangement.listing.grouped  # tests see a row per record unless about stories
    arrangement.listing.opened = "story-1"
    assert arrangement.toggle_grouping() is True
    assert arrangement.listing.grouped and arrangement.listing.opened == ""
    assert state.get_ui(GROUPING_KEY) == "on" and arranged(state).listing.grouped
    arrangement.listing.opened = "story-2"
    assert arrangement.toggle_grouping() is False
    assert not arrangement.listing.grouped and arrangement.listing.opened == ""
    assert state.get_ui(GROUPING_KEY) == "off" and not arranged(state).listing.grouped
