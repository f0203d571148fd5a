"""The list computation: narrowing and caching must never change the result."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timedelta, timezone

import pytest

from reader.core.listing import FIRST_CHECK, FIRST_PAGE, RECENTLY_READ, Lister, Rows, position, recently_read
from reader.core.query import parse_query
from reader.core.record import Provider, Record, Summary
from reader.core.sorting import sort_summaries
from reader.core.identity import story_id

BASE = datetime(2021, 1, 1, tzinfo=timezone.utc)
WORDS = ["facial recognition", "robot arms", "city council", "face masks", "recognition ban"]


def summaries() -> list[Summary]:
    return [
        Summary.of(
            Record(
                path=f"/r/{i}.md",
                title=f"{WORDS[i % len(WORDS)]} {i}",
                published_at=BASE + timedelta(hours=i * 7 % 50),
                provider=Provider(f"P{i % 3}", f"p{i % 3}.test"),
                topics=("AI",) if i % 2 else ("Robotics",),
                quality=i % 90,
            )
        )
        for i in range(60)
    ]


def full(records: list[Summary], order: str, topic: str | None, text: str) -> list[str]:
    query = parse_query(text)
    ordered = sort_summaries(records, order)
    return [s.path for s in ordered if (topic is None or topic.casefold() in s.topics_cf) and query.matches(s)]


@pytest.mark.parametrize("typed", [["f", "fa", "fac", "face"], ["r", "re", "rec", "rec q", "rec quality:>40"]])
def test_typing_narrows_to_the_same_result_as_a_full_filter(typed: list[str]) -> None:
    records, lister = summaries(), Lister()
    for text in typed:
        listing = lister.compute(records, 1, "newest", "AI", parse_query(text))
        assert listing is not None
        assert [s.path for s in listing.summaries] == full(records, "newest", "AI", text)


def test_deleting_a_character_widens_again() -> None:
    records, lister = summaries(), Lister()
    lister.compute(records, 1, "newest", None, parse_query("face"))
    listing = lister.compute(records, 1, "newest", None, parse_query("fac"))
    assert listing is not None and [s.path for s in listing.summaries] == full(records, "newest", None, "fac")


def test_new_version_order_or_topic_is_not_narrowed_from_the_old_list() -> None:
    records, lister = summaries(), Lister()
    lister.compute(records[:10], 1, "newest", None, parse_query("r"))
    listing = lister.compute(records, 2, "newest", None, parse_query("re"))  # more records arrived
    assert listing is not None and [s.path for s in listing.summaries] == full(records, "newest", None, "re")
    listing = lister.compute(records, 2, "title", None, parse_query("rec"))
    assert listing is not None and [s.path for s in listing.summaries] == full(records, "title", None, "rec")
    listing = lister.compute(records, 2, "title", "Robotics", parse_query("reco"))
    assert listing is not None and [s.path for s in listing.summaries] == full(records, "title", "Robotics", "reco")


def test_cancelled_computation_returns_nothing() -> None:
    assert Lister().compute(summaries(), 1, "newest", None, parse_query("x"), cancelled=lambda: True) is None


def test_deleting_back_to_an_earlier_query_reuses_its_list_until_the_library_changes() -> None:
    records, lister = summaries(), Lister()
    first = lister.compute(records, 1, "newest", None, parse_query("re"))
    lister.compute(records, 1, "newest", None, parse_query("rec"))
    again = lister.compute(records, 1, "newest", None, parse_query("re"))
    assert again is first  # the same list object: nothing was filtered again
    newer = lister.compute(records[:20], 2, "newest", None, parse_query("re"))
    assert newer is not first
    assert newer is not None and [s.path for s in newer.summaries] == full(records[:20], "newest", None, "re")


class FakeState:
    """Just what queries and the recently-read view look at."""

    def __init__(self) -> None:
        self.read: dict[str, float] = {}
        self.starred: set[str] = set()


def test_state_terms_follow_the_state_when_its_version_changes() -> None:
    records, state, lister = summaries(), FakeState(), Lister()
    query = parse_query("is:unread", state=state)
    first = lister.compute(records, 1, "newest", None, query, state=state, state_version=1)
    assert first is not None and len(first.summaries) == 60
    state.read[story_id("", "/r/3.md")] = 5.0
    cached = lister.compute(records, 1, "newest", None, query, state=state, state_version=1)
    assert cached is first  # same versions: the list kept (the screen bumps the version to refresh)
    again = lister.compute(records, 1, "newest", None, query, state=state, state_version=2)
    assert again is not None and "/r/3.md" not in [s.path for s in again.summaries]
    assert len(again.summaries) == 59
    narrower = lister.compute(records, 1, "newest", None, parse_query("is:unread robot", state=state),
                              state=state, state_version=2)
    assert narrower is not None
    assert [s.path for s in narrower.summaries] == full(records, "newest", None, "robot") and all(
        s.path != "/r/3.md" for s in narrower.summaries
    )


def test_recently_read_lists_read_records_most_recent_first_ignoring_the_order() -> None:
    records, state = summaries(), FakeState()
    for when, index in enumerate([7, 2, 40]):
        state.read[story_id("", f"/r/{index}.md")] = float(when)
    listing = Lister().compute(records, 1, "oldest", RECENTLY_READ, parse_query(""), state=state, state_version=3)
    assert listing is not None and [s.path for s in listing.summaries] == ["/r/40.md", "/r/2.md", "/r/7.md"]
    city = Lister().compute(records, 1, "newest", RECENTLY_READ, parse_query("title:city"), state=state, state_version=3)
    assert city is not None and [s.path for s in city.summaries] == ["/r/2.md", "/r/7.md"]  # "city council N"
    assert len(recently_read(records, None)) == 0


@pytest.mark.parametrize("text", ["topic:ai", "topic:robotics robot", "topic:AI -topic:robotics", "-topic:ai",
                                  "topic:nosuch", "topic:a", "quality:>40 topic:ai"])
@pytest.mark.parametrize("topic", [None, "AI", "Robotics"])
def test_topics_looked_up_give_what_a_scan_gives(text: str, topic: str | None) -> None:
    records = summaries() + [Summary.of(Record(path="/r/twice.md", title="twice", topics=("AI", "ai")))]
    lister = Lister()
    for order in ("newest", "title"):
        listing = lister.compute(records, 1, order, topic, parse_query(text))
        assert listing is not None
        assert [s.path for s in listing.summaries] == full(records, order, topic, text)


def many(count: int) -> list[Summary]:
    return [
        Summary.of(Record(path=f"/m/{i:05}.md", title=f"{'even' if i % 2 == 0 else 'odd'} {i}",
                          published_at=BASE + timedelta(minutes=i)))
        for i in range(count)
    ]


def test_first_page_is_the_start_of_the_final_list_and_is_sent_once() -> None:
    records, pages = many(3000), []
    listing = Lister().compute(
        records, 1, "newest", None, parse_query("even"), first_page=pages.append, first_page_time=math.inf
    )  # no deadline: on a busy machine it could pass before a page is found
    assert listing is not None and len(listing.summaries) == 1500
    assert len(pages) == 1
    assert [s.path for s in pages[0]] == [s.path for s in listing.summaries[:FIRST_PAGE]]
    assert pages[0] is not listing.summaries  # a list of its own: the final one keeps growing


@pytest.mark.parametrize(("count", "text"), [(3000, "odd 77"), (FIRST_CHECK, "even"), (FIRST_CHECK, ""), (3000, "nothing")])
def test_no_first_page_when_few_match_or_nothing_is_left_to_test(count: int, text: str) -> None:
    pages: list[list[Summary]] = []
    listing = Lister().compute(
        many(count), 1, "newest", None, parse_query(text), first_page=pages.append, first_page_time=math.inf
    )
    assert listing is not None
    assert pages == []  # the whole list came as soon as a page would have


@pytest.mark.parametrize("text", ["odd 77", "nothing"])
def test_when_matches_are_rare_the_ones_found_in_time_are_sent_as_the_first_page(text: str) -> None:
    pages: list[list[Summary]] = []
    listing = Lister().compute(
        many(3000), 1, "newest", None, parse_query(text), first_page=pages.append, first_page_time=0
    )
    assert listing is not None and len(pages) == 1
    assert list(pages[0]) == listing.summaries[: len(pages[0])]  # the start of the final list
    assert len(pages[0]) < len(listing.summaries) or not listing.summaries
    # sent after the first FIRST_CHECK records were tested (newest first: from /m/02999.md down)
    assert list(pages[0]) == [s for s in listing.summaries if int(s.path[3:8]) >= 3000 - FIRST_CHECK]


def test_a_cancelled_computation_may_have_sent_its_first_page_but_returns_nothing() -> None:
    pages: list[list[Summary]] = []
    calls = iter(range(100))
    listing = Lister().compute(
        many(20000), 1, "newest", None, parse_query("even"), lambda: next(calls) >= 3, first_page=pages.append
    )
    assert listing is None and len(pages) == 1


def mixed() -> list[Summary]:
    """The records of summaries(), every third one unpublished."""
    return [dataclasses.replace(s, published=i % 3 != 0) for i, s in enumerate(summaries())]


@pytest.mark.parametrize("text", ["", "robot", "is:published", "is:published robot", "is:unpublished face",
                                  "-is:published", "-is:unpublished quality:>40", "is:published is:unpublished",
                                  "is:published -is:unpublished city", "is:published -robot"])
def test_published_records_listed_from_a_list_of_their_own_give_what_a_scan_gives(text: str) -> None:
    records, lister = mixed(), Lister()
    for order in ("newest", "title", "newest"):  # the second "newest" reuses the split lists
        listing = lister.compute(records, 1, order, None, parse_query(text))
        assert listing is not None and [s.path for s in listing.summaries] == full(records, order, None, text)
    assert lister.compute(records, 1, "oldest", None, parse_query("is:unpublished")).summaries
    narrowed = lister.compute(records, 1, "oldest", None, parse_query("is:unpublished robot"))
    assert narrowed is not None and [s.path for s in narrowed.summaries] == full(
        records, "oldest", None, "is:unpublished robot"
    )


@pytest.mark.parametrize("text", ["", "robot", "-robot", "is:published", "-is:unpublished", "robot city",
                                  "is:published -robot", "quality:>40 -is:published"])
def test_a_query_tester_answers_as_matches_does(text: str) -> None:
    query = parse_query(text)
    records = mixed()
    assert [query.tester()(s) for s in records] == [query.matches(s) for s in records]
    if query.published is not None:
        known = [s for s in records if s.published == query.published]
        tester = query.tester(published_known=True)
        assert [tester(s) for s in known] == [query.matches(s) for s in known]


def test_rows_are_the_records_at_their_positions() -> None:
    from array import array

    records = many(6)
    rows = Rows(records, array("I", [4, 0, 5]))
    assert len(rows) == 3 and rows[0] is records[4] and rows[-1] is records[5]
    assert list(rows) == [records[4], records[0], records[5]] and rows[1:] == [records[0], records[5]]
    assert records[0] in rows and records[1] not in rows and rows.index(records[5]) == 2
    with pytest.raises(IndexError):
        rows[3]


def test_position_finds_a_record_by_path() -> None:
    records = many(5)
    assert position(records, records[3].path) == 3
    assert position(records, "/elsewhere.md") == -1
    assert position(records, None) == -1


class Counted(list):  # type: ignore[type-arg]
    """Records that count how many times one is looked at (what filtering and topic lists cost)."""

    touched = 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        self.touched += 1
        return super().__getitem__(index)


def test_a_query_that_grows_tests_only_the_records_the_last_one_matched() -> None:
    records, lister = Counted(summaries()), Lister()
    typed = ["r", "ro", "rob"]
    last = lister.compute(records, 1, "newest", None, parse_query(typed[0]))
    for text in typed[1:]:
        records.touched = 0
        listing = lister.compute(records, 1, "newest", None, parse_query(text))
        assert listing is not None and last is not None
        assert records.touched == len(last.summaries) < len(records)  # before full() looks at them all
        assert [s.path for s in listing.summaries] == full(records, "newest", None, text)
        last = listing
    ro = lister.compute(records, 1, "newest", None, parse_query("ro"))  # deleting a character: kept
    records.touched = 0
    listing = lister.compute(records, 1, "newest", None, parse_query("rot"))  # grows "ro" again
    assert ro is not None and listing is not None and records.touched == len(ro.summaries)
    assert [s.path for s in listing.summaries] == full(records, "newest", None, "rot")


def test_a_topic_is_looked_up_from_lists_made_once_per_version_and_order() -> None:
    records, lister = Counted(summaries()), Lister()
    lister.prepare(records, 1, "newest")
    ai = sum("ai" in s.topics_cf for s in records)
    for text, topic in [("topic:ai", None), ("", "AI"), ("robot", "Robotics"), ("topic:robotics", None)]:
        records.touched = 0
        listing = lister.compute(records, 1, "newest", topic, parse_query(text))
        touched = records.touched
        assert listing is not None and [s.path for s in listing.summaries] == full(records, "newest", topic, text)
        wanted = (topic or text.split(":")[1]).casefold()
        assert touched == sum(wanted in s.topics_cf for s in records)  # the topic's records, no other
    records.touched = 0
    lister.compute(records, 1, "newest", None, parse_query("topic:ai quality:>3"))
    assert records.touched == ai  # the topic's records only, whatever else the query asks


def test_the_records_are_sorted_once_per_version_and_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core import listing as listing_module

    sorts: list[str] = []
    real = listing_module.sorted_positions
    monkeypatch.setattr(listing_module, "sorted_positions", lambda s, order: (sorts.append(order), real(s, order))[1])
    records, lister = summaries(), Lister()
    lister.prepare(records, 1, "newest")
    for text, topic in [("", None), ("robot", None), ("topic:ai", None), ("", "AI"), ("is:published", None)]:
        lister.compute(records, 1, "newest", topic, parse_query(text))
    assert sorts == ["newest"]
    lister.compute(records, 1, "title", None, parse_query("city"))
    lister.compute(records, 2, "title", None, parse_query("city"))
    assert sorts == ["newest", "title", "title"]


def test_a_list_folded_by_story_keeps_each_story_where_its_first_record_is() -> None:
    records = [dataclasses.replace(s, story=f"story {i % 4}" if i % 3 else "") for i, s in enumerate(summaries())]
    listing = Lister().compute(records, 1, "newest", None, parse_query("r"))
    assert listing is not None
    folded = listing.folded()
    seen: set[str] = set()
    expected = []
    for s in listing.summaries:
        if not s.story or s.story not in seen:
            seen.add(s.story)
            expected.append(s.path)
    assert [s.path for s in folded] == expected and len(expected) < len(listing.summaries)
    assert folded.records is records and listing.folded().positions is folded.positions  # folded once


def test_a_first_page_goes_as_soon_as_it_is_full() -> None:
    # newest first: the first FIRST_CHECK records tested hold exactly FIRST_PAGE matches, the rest none
    records = [
        Summary.of(Record(path=f"/m/{i:05}.md", title="hit" if i >= 3000 - FIRST_PAGE else "miss",
                          published_at=BASE + timedelta(minutes=i)))
        for i in range(3000)
    ]
    pages: list[list[Summary]] = []
    listing = Lister().compute(
        records, 1, "newest", None, parse_query("hit"), first_page=pages.append, first_page_time=math.inf
    )
    assert listing is not None and len(listing.summaries) == FIRST_PAGE
    assert len(pages) == 1 and list(pages[0]) == list(listing.summaries)


def test_no_first_page_before_its_deadline_when_matches_are_few() -> None:
    pages: list[list[Summary]] = []
    listing = Lister().compute(
        many(3000), 1, "newest", None, parse_query("odd 77"), first_page=pages.append, first_page_time=60.0
    )
    assert listing is not None and listing.summaries and pages == []  # done long before a minute passed
