"""Saved filters' names (reader.core.filter_names): cleaned, never passing for a built-in view, and the
list operations the state store builds on."""

from __future__ import annotations

import pytest

from reader.core.filter_names import (
    clean_filter_text,
    imitated_view,
    renamed_filter,
    shown_name,
    with_filter,
    without_filter,
)


def test_names_and_queries_are_cleaned_to_one_safe_line() -> None:
    assert clean_filter_text("a\x1b[2Jb\nc") == "a␛[2Jb c"
    assert clean_filter_text("plain") == "plain"


@pytest.mark.parametrize("name, view", [
    ("All", "All"), ("all", "All"), (" ★ starred ", "★ Starred"), ("STARRED", "★ Starred"),
    ("Recently-Read", "Recently read"), ("saved filters", "Saved filters"), ("ＡＬＬ", "All"),
])
def test_a_name_with_the_letters_of_a_built_in_view_imitates_it(name: str, view: str) -> None:
    assert imitated_view(name) == view


@pytest.mark.parametrize("name", ["Allies", "Star", "Recently", "a l l x", ""])
def test_other_names_imitate_nothing(name: str) -> None:
    assert imitated_view(name) is None


def test_shown_names_are_cleaned_and_imitations_marked() -> None:
    assert shown_name("Tech") == "Tech"
    assert shown_name("Te\x1bch") == "Te␛ch"
    assert shown_name(" all ") == "“all” (saved)"


def test_saving_a_new_name_goes_last_and_an_old_one_keeps_its_place() -> None:
    filters = [("a", "1"), ("b", "2")]
    assert with_filter(filters, "c", "3", limit=3) == [("a", "1"), ("b", "2"), ("c", "3")]
    assert with_filter(filters, "a", "9", limit=2) == [("a", "9"), ("b", "2")]
    assert filters == [("a", "1"), ("b", "2")]


def test_saving_a_new_name_past_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 2 filters"):
        with_filter([("a", "1"), ("b", "2")], "c", "3", limit=2)
    assert with_filter([("a", "1")], "c", "3", limit=2) == [("a", "1"), ("c", "3")]


def test_renaming_keeps_the_place_and_the_query() -> None:
    filters = [("a", "1"), ("b", "2"), ("c", "3")]
    assert renamed_filter(filters, "b", "x") == [("a", "1"), ("x", "2"), ("c", "3")]
    assert renamed_filter(filters, "b", "b") == filters
    with pytest.raises(KeyError):
        renamed_filter(filters, "z", "x")
    with pytest.raises(ValueError, match="'c' already exists"):
        renamed_filter(filters, "b", "c")


def test_deleting_removes_only_that_name() -> None:
    filters = [("a", "1"), ("b", "2"), ("c", "3")]
    assert without_filter(filters, "b") == [("a", "1"), ("c", "3")]
    with pytest.raises(KeyError):
        without_filter(filters, "z")
