"""Tests for the browser-like history."""

from __future__ import annotations

import pytest

from reader.core.history import History


def test_empty() -> None:
    history: History[str] = History()
    assert history.current is None
    assert not history.can_go_back
    assert not history.can_go_forward
    assert history.back() is None
    assert history.forward() is None
    assert history.current is None
    assert len(history) == 0


def test_visit_sets_current() -> None:
    history: History[str] = History()
    history.visit("a")
    assert history.current == "a"
    assert not history.can_go_back
    history.visit("b")
    assert history.current == "b"
    assert history.can_go_back
    assert not history.can_go_forward


def test_back_and_forward() -> None:
    history: History[str] = History()
    for item in "abc":
        history.visit(item)
    assert history.back() == "b"
    assert history.current == "b"
    assert history.can_go_back and history.can_go_forward
    assert history.back() == "a"
    assert history.current == "a"
    assert not history.can_go_back
    assert history.back() is None
    assert history.current == "a"
    assert history.forward() == "b"
    assert history.forward() == "c"
    assert history.current == "c"
    assert not history.can_go_forward
    assert history.forward() is None
    assert history.current == "c"


def test_visit_clears_forward() -> None:
    history: History[str] = History()
    for item in "abc":
        history.visit(item)
    history.back()
    history.back()
    history.visit("d")
    assert history.current == "d"
    assert not history.can_go_forward
    assert history.forward() is None
    assert history.back() == "a"
    assert history.back() is None
    assert len(history) == 2


def test_visiting_current_again_does_nothing() -> None:
    history: History[str] = History()
    history.visit("a")
    history.visit("b")
    history.visit("b")
    assert len(history) == 2
    assert history.back() == "a"
    assert history.back() is None


def test_visiting_current_again_keeps_forward() -> None:
    history: History[str] = History()
    history.visit("a")
    history.visit("b")
    history.back()
    history.visit("a")
    assert history.can_go_forward
    assert history.forward() == "b"


def test_revisiting_an_older_item_pushes_it() -> None:
    history: History[str] = History()
    for item in "aba":
        history.visit(item)
    assert len(history) == 3
    assert history.back() == "b"
    assert history.back() == "a"


def test_limit_drops_oldest() -> None:
    history: History[int] = History(limit=3)
    for item in range(5):
        history.visit(item)
    assert len(history) == 3
    assert history.current == 4
    assert history.back() == 3
    assert history.back() == 2
    assert history.back() is None
    assert history.forward() == 3


def test_default_limit_is_500() -> None:
    history: History[int] = History()
    for item in range(600):
        history.visit(item)
    assert len(history) == 500
    while history.back() is not None:
        pass
    assert history.current == 100


def test_no_limit() -> None:
    history: History[int] = History(limit=None)
    for item in range(1000):
        history.visit(item)
    assert len(history) == 1000


@pytest.mark.parametrize("limit", [0, -1])
def test_bad_limit(limit: int) -> None:
    with pytest.raises(ValueError):
        History(limit=limit)


def test_clear() -> None:
    history: History[str] = History()
    for item in "abc":
        history.visit(item)
    history.back()
    history.clear()
    assert history.current is None
    assert len(history) == 0
    assert not history.can_go_back
    assert not history.can_go_forward
    history.visit("z")
    assert history.current == "z"
    assert not history.can_go_back


def test_a_limit_of_one_keeps_only_the_current_item() -> None:
    history: History[str] = History(limit=1)
    history.visit("a")
    history.visit("b")
    assert (len(history), history.current, history.can_go_back, history.back()) == (1, "b", False, None)


def test_the_limit_counts_the_forward_entries_too() -> None:
    history: History[int] = History(limit=3)
    for item in range(3):
        history.visit(item)
    assert len(history) == 3 and history.back() == 1 and history.back() == 0  # exactly at the limit: all kept
    history.visit(9)  # drops 1 and 2 (forward), keeps 0
    assert len(history) == 2 and history.back() == 0
