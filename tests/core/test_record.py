"""The data model (reader.core.record): times a datetime can hold, a record's defaults, and the summary
kept in memory for the list and the filter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from reader.core.record import (
    EARLIEST_TIMESTAMP,
    LATEST_TIMESTAMP,
    Image,
    Provider,
    Record,
    RelatedStory,
    Summary,
    Urls,
    folded,
    utc_time,
)

UTC = timezone.utc


def test_the_edges_are_the_first_and_last_whole_seconds_a_datetime_in_utc_holds() -> None:
    assert datetime(1, 1, 1, tzinfo=UTC).timestamp() == EARLIEST_TIMESTAMP
    assert datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp() == LATEST_TIMESTAMP


def test_utc_time_holds_every_time_between_the_edges() -> None:
    assert utc_time(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert utc_time(EARLIEST_TIMESTAMP) == datetime(1, 1, 1, tzinfo=UTC)
    assert utc_time(LATEST_TIMESTAMP) == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert utc_time(LATEST_TIMESTAMP + 0.5) == datetime(9999, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)


def test_utc_time_is_none_for_none_and_outside_the_calendar() -> None:
    for timestamp in (None, EARLIEST_TIMESTAMP - 1, EARLIEST_TIMESTAMP - 0.5, LATEST_TIMESTAMP + 1, 1e300,
                      -1e300, float("inf"), float("-inf"), float("nan")):
        assert utc_time(timestamp) is None, timestamp


def test_a_record_written_with_a_path_and_a_title_is_a_plain_published_story() -> None:
    record = Record("/x/a.md", "A")
    assert record.published and not record.removed and not record.has_secured
    assert record.urls == Urls() and record.provider == Provider() and record.published_at is None
    assert (record.topics, record.images, record.related, record.notes) == ((), (), (), ())


def test_folded_is_the_casefold_shared_by_equal_texts() -> None:
    assert folded("Straße") == "strasse"
    first, second = folded("".join(["Tech", "nology"])), folded("".join(["Techno", "logy"]))
    assert first == "technology" and first is second


def test_a_summary_keeps_what_the_list_and_the_filter_need() -> None:
    published = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    record = Record(
        "/x/a.md", "Große News", excerpt="The EXCERPT", published_at=published,
        urls=Urls(web="https://e.com/w", amp="https://e.com/amp"), type="Article", category="Wörld",
        quality=3, heat=7, published=False, provider=Provider("Die Zeit", "Zeit.de"),
        topics=("Politik", "EU"), images=(Image("https://e.com/i.png"),),
        related=(RelatedStory("Other"),), body="Body ÄÖ",
    )
    summary = Summary.of(record)
    assert (summary.path, summary.title, summary.timestamp) == ("/x/a.md", "Große News", published.timestamp())
    assert summary.published_at == published
    assert (summary.provider_name, summary.provider_domain, summary.topics) == ("Die Zeit", "Zeit.de", ("Politik", "EU"))
    assert (summary.type, summary.category, summary.quality, summary.heat) == ("Article", "Wörld", 3, 7)
    assert not summary.published
    assert (summary.has_image, summary.has_related, summary.has_body, summary.has_url) == (True, True, True, True)
    assert summary.url == "https://e.com/w"
    assert summary.text_cf == "the excerpt\ndie zeit\nzeit.de\npolitik\neu\nbody äö".encode()
    assert summary.title_cf == "grosse news" and summary.provider_cf == "die zeit\nzeit.de"
    assert summary.topics_cf == ("politik", "eu")
    assert (summary.type_cf, summary.category_cf) == ("article", "wörld")
    assert summary.story == ""


def test_a_bare_record_summarises_to_no_date_no_url_and_no_extras() -> None:
    summary = Summary.of(Record("/x/b.md", "B", body="  \n "))
    assert summary.timestamp is None and summary.published_at is None and summary.published
    assert (summary.has_image, summary.has_related, summary.has_body, summary.has_url) == (False,) * 4
    assert summary.url == "" and summary.text_cf == b"\n\n\n  \n "
    only_video = Summary.of(Record("/x/c.md", "C", urls=Urls(video="https://v.com/1")))
    assert only_video.has_url and only_video.url == "https://v.com/1"
    epoch = Summary.of(Record("/x/d.md", "D", published_at=datetime(1970, 1, 1, tzinfo=UTC)))
    assert epoch.timestamp == 0.0 and epoch.published_at == datetime(1970, 1, 1, tzinfo=UTC)


def test_a_summary_of_a_time_no_datetime_holds_has_no_date() -> None:
    summary = Summary.of(Record("/x/e.md", "E", published_at=datetime(1, 1, 1, tzinfo=UTC)))
    summary.timestamp = EARLIEST_TIMESTAMP - timedelta(days=1).total_seconds()
    assert summary.published_at is None
