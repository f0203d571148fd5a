"""Tests for the sort orders of the article list: missing values always last, ties stable."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from reader.core.record import Provider, Record, Summary
from reader.core.sorting import ALL_ORDERS, next_order, order_label, reverse_order, sort_summaries, sorted_positions

BASE = datetime(2021, 1, 24, 12, 0, tzinfo=timezone.utc)


def summary(
    path: str,
    title: str = "t",
    *,
    hours: int | None = 0,
    heat: int | None = None,
    quality: int | None = None,
    provider: str = "",
    domain: str = "",
) -> Summary:
    return Summary.of(
        Record(
            path=path,
            title=title,
            published_at=None if hours is None else BASE + timedelta(hours=hours),
            heat=heat,
            quality=quality,
            provider=Provider(provider, domain),
        )
    )


# Paths are unique; names say what each is for.
RECORDS = [
    summary("/f/a.md", "Bravo", hours=5, heat=100, quality=50, provider="Reuters", domain="reuters.com"),
    summary("/f/b.md", "alpha", hours=1, heat=-1, quality=0, provider="AP", domain="apnews.com"),
    summary("/f/c.md", "Charlie", hours=None, heat=30, quality=None, provider="bbc", domain="bbc.co.uk"),
    summary("/f/d.md", "delta", hours=9, heat=None, quality=80, provider="", domain=""),
    summary("/f/e.md", "Echo", hours=-3, heat=0, quality=50, provider="Reuters", domain="reuters.com"),
    summary("/f/f.md", "foxtrot", hours=None, heat=None, quality=None, provider="", domain=""),
]

EXPECTED = {
    "newest": ["d", "a", "b", "e", "c", "f"],
    "oldest": ["e", "b", "a", "d", "c", "f"],
    # heat: highest first, missing last; ties by newest, then path
    "heat": ["a", "c", "e", "b", "d", "f"],
    # quality: a and e tie at 50 -> newer a first; missing last
    "quality": ["d", "a", "e", "b", "c", "f"],
    # title: casefolded
    "title": ["b", "a", "c", "d", "e", "f"],
    # provider: casefolded name then domain; a/e tie -> newer first; missing last (then newest, then path)
    "provider": ["b", "c", "a", "e", "d", "f"],
    # reversed (R): the records with the field the other way round, those without it still last
    "-heat": ["b", "e", "c", "a", "d", "f"],
    "-quality": ["b", "e", "a", "d", "c", "f"],  # a and e tie at 50: the older e first
    "-title": ["f", "e", "d", "c", "a", "b"],
    "-provider": ["e", "a", "c", "b", "d", "f"],
    # covered: no record here has a story, so each is a story of one: newest first either way
    "covered": ["d", "a", "b", "e", "c", "f"],
    "-covered": ["d", "a", "b", "e", "c", "f"],
}


def names(summaries: list[Summary]) -> list[str]:
    return [s.path.rsplit("/", 1)[1].removesuffix(".md") for s in summaries]


def test_every_order_has_an_expectation() -> None:
    assert set(ALL_ORDERS) == set(EXPECTED)


def test_reverse_and_next_orders() -> None:
    reversed_ = [reverse_order(o) for o in ("newest", "oldest", "heat", "-heat")]
    assert reversed_ == ["oldest", "newest", "-heat", "heat"]
    assert [next_order(o) for o in ("newest", "-quality", "provider", "covered")] == [
        "oldest", "title", "covered", "newest"]
    assert all(reverse_order(reverse_order(o)) == o for o in ALL_ORDERS)


@pytest.mark.parametrize("order", ALL_ORDERS)
def test_sort_orders(order: str) -> None:
    assert names(sort_summaries(RECORDS, order)) == EXPECTED[order]


@pytest.mark.parametrize("order", ALL_ORDERS)
def test_sort_does_not_depend_on_input_order(order: str) -> None:
    shuffled = RECORDS[:]
    random.Random(7).shuffle(shuffled)
    assert names(sort_summaries(shuffled, order)) == EXPECTED[order]
    assert names(sort_summaries(list(reversed(RECORDS)), order)) == EXPECTED[order]


@pytest.mark.parametrize("order", ALL_ORDERS)
def test_sort_returns_a_new_list(order: str) -> None:
    records = RECORDS[:]
    result = sort_summaries(records, order)
    assert result is not records
    assert records == RECORDS
    assert sorted(s.path for s in result) == sorted(s.path for s in RECORDS)


@pytest.mark.parametrize(
    ("order", "missing"),
    [
        ("newest", {"c", "f"}),
        ("oldest", {"c", "f"}),
        ("heat", {"d", "f"}),
        ("quality", {"c", "f"}),
        ("provider", {"d", "f"}),
    ],
)
def test_missing_values_always_last(order: str, missing: set[str]) -> None:
    result = names(sort_summaries(RECORDS, order))
    assert set(result[-len(missing) :]) == missing


@pytest.mark.parametrize("order", ALL_ORDERS)
def test_ties_keep_path_order(order: str) -> None:
    twins = [
        summary(f"/f/{name}.md", "Same", hours=1, heat=5, quality=5, provider="P", domain="p.com")
        for name in ("k", "z", "a", "m")
    ]
    assert names(sort_summaries(twins, order)) == ["a", "k", "m", "z"]


@pytest.mark.parametrize("order", ALL_ORDERS)
def test_ties_with_everything_missing_keep_path_order(order: str) -> None:
    empty = [summary(f"/f/{name}.md", "Same", hours=None) for name in ("q", "b", "x")]
    assert names(sort_summaries(empty, order)) == ["b", "q", "x"]


def test_empty_list() -> None:
    for order in ALL_ORDERS:
        assert sort_summaries([], order) == []
        assert len(sorted_positions([], order)) == 0


@pytest.mark.parametrize("order", ALL_ORDERS)
def test_positions_in_an_order_are_where_each_record_goes(order: str) -> None:
    shuffled = RECORDS[:]
    random.Random(11).shuffle(shuffled)
    positions = sorted_positions(shuffled, order)
    assert sorted(positions) == list(range(len(shuffled)))
    assert names([shuffled[p] for p in positions]) == EXPECTED[order]


def test_mixed_time_zones_sort_by_moment() -> None:
    early = Summary.of(
        Record(path="/f/early.md", title="e", published_at=datetime(2021, 1, 24, 10, tzinfo=timezone(timedelta(hours=5))))
    )  # 05:00 UTC
    late = Summary.of(Record(path="/f/late.md", title="l", published_at=datetime(2021, 1, 24, 6, tzinfo=timezone.utc)))
    assert names(sort_summaries([early, late], "newest")) == ["late", "early"]
    assert names(sort_summaries([late, early], "oldest")) == ["early", "late"]


def test_domain_only_provider_sorts_by_its_domain() -> None:
    records = [
        summary("/f/a.md", provider="Reuters", domain="reuters.com"),
        summary("/f/b.md", provider="", domain="zdnet.com"),
        summary("/f/c.md", provider="AP", domain="apnews.com"),
    ]
    assert names(sort_summaries(records, "provider")) == ["c", "a", "b"]


def test_provider_order_follows_the_name_shown_not_the_domain() -> None:
    rows = [
        summary("/f/zeit.md", hours=1, provider="Zeit", domain="a-zeit.de"),
        summary("/f/abc.md", hours=2, provider="Abc News", domain="zzz.example"),
        summary("/f/bare.md", hours=3, provider="", domain="m-domain.example"),  # no name: the domain shows
    ]
    assert names(sort_summaries(rows, "provider")) == ["abc", "bare", "zeit"]


def test_zero_and_negative_scores_keep_their_order() -> None:
    rows = [
        summary("/f/minus.md", hours=9, heat=-1, quality=-1),
        summary("/f/zero.md", hours=1, heat=0, quality=0),
        summary("/f/one.md", hours=-5, heat=1, quality=1),  # the oldest: only its score puts it first
        summary("/f/none.md", hours=5),
    ]
    assert names(sort_summaries(rows, "quality")) == ["one", "zero", "minus", "none"]
    assert names(sort_summaries(rows, "heat")) == ["one", "zero", "minus", "none"]


def test_reversed_orders_keep_the_records_without_the_field_last_newest_first() -> None:
    rows = [
        summary("/f/older.md", hours=1),  # no heat, no quality, no provider: the path order is not the date order
        summary("/f/newer.md", hours=5),
        summary("/f/low.md", hours=2, heat=1, quality=1, provider="Abc", domain="abc.example"),
        summary("/f/high.md", hours=3, heat=9, quality=9, provider="", domain="zzz.example"),  # a domain alone
        summary("/f/name.md", hours=4, provider="Mid"),  # a name alone
    ]
    assert names(sort_summaries(rows, "-heat")) == ["low", "high", "newer", "name", "older"]
    assert names(sort_summaries(rows, "-quality")) == ["low", "high", "newer", "name", "older"]
    assert names(sort_summaries(rows, "-provider")) == ["high", "name", "low", "newer", "older"]


def test_order_labels() -> None:
    assert [order_label(o) for o in ("newest", "heat", "-heat", "-quality", "-title", "-provider")] == [
        "newest", "heat", "heat, lowest first", "quality, lowest first", "title, Z to A", "provider, Z to A",
    ]


def test_most_covered_puts_the_largest_story_first_its_records_together() -> None:
    """covered: stories by size, the larger first (R: the smaller first), a story's records together and
    newest first; among stories as large, the one with the newest record first."""
    def told(path: str, story: str, hours: int | None) -> Summary:
        made = summary(f"/f/{path}.md", hours=hours)
        made.story = story
        return made

    records = [told("a1", "A", 1), told("b1", "B", 2), told("a2", "A", 5), told("c", "", 9),
               told("b2", "B", 3), told("a3", "A", None), told("d1", "D", 4), told("d2", "D", 0)]
    assert names(sort_summaries(records, "covered")) == ["a2", "a1", "a3", "d1", "d2", "b2", "b1", "c"]
    assert names(sort_summaries(records, "-covered")) == ["c", "d1", "d2", "b2", "b1", "a2", "a1", "a3"]
    assert order_label("covered") == "most covered"


def _expected_positions(summaries: list[Summary], order: str) -> list[int]:
    """The order by its definition: by path, then (stably) by the order's key."""
    by_path = sorted(range(len(summaries)), key=lambda p: summaries[p].path)
    keyed = [p for p in by_path if summaries[p].timestamp is not None]
    sign = -1 if order == "newest" else 1
    keyed.sort(key=lambda p: sign * summaries[p].timestamp)  # type: ignore[operator]
    return keyed + [p for p in by_path if summaries[p].timestamp is None]


@pytest.mark.parametrize("order", ["newest", "oldest"])
@pytest.mark.parametrize("seed", range(20))
def test_records_in_order_but_for_ties_come_back_with_their_ties_in_path_order(order: str, seed: int) -> None:
    # As the index gives them: newest first, ties (and the records without a date, last) in no path order.
    rng = random.Random(seed)
    records = [
        summary(f"/f/{rng.randrange(10**6):06d}-{i}.md", hours=rng.choice([None, 1, 2, 3, rng.randrange(50)]))
        for i in range(rng.randrange(0, 40))
    ]
    ordered = [records[p] for p in _expected_positions(records, order)]
    for start in range(len(ordered)):  # shuffle within each run of ties (and of records without a date)
        end = start
        while end < len(ordered) and ordered[end].timestamp == ordered[start].timestamp:
            end += 1
        run = ordered[start:end]
        rng.shuffle(run)
        ordered[start:end] = run
    assert list(sorted_positions(ordered, order)) == _expected_positions(ordered, order)
    again = sort_summaries(records, order)
    assert [s.path for s in sort_summaries(ordered, order)] == [s.path for s in again]
