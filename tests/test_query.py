"""Tests for the filter language in reader.core.query."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.core.query import Query, QueryError, filter_summaries, parse_query
from reader.core.record import Image, Provider, Record, RelatedStory, Summary, Urls
from reader.core.identity import story_id

TZ = timezone(timedelta(hours=-5))
NOW = datetime(2021, 2, 1, 12, 0, tzinfo=TZ)
UTC = timezone.utc

RECORDS = [
    Record(
        path="face",
        title="Face recognition bans spread",
        excerpt="Cities vote on cameras",
        # 03:00 UTC on the 24th is 22:00 local (UTC-5) on the 23rd.
        published_at=datetime(2021, 1, 24, 3, 0, tzinfo=UTC),
        urls=Urls(original="https://fox9.com/face"),
        type="Story",
        category="Tech",
        quality=80,
        heat=5,
        provider=Provider(name="FOX 9", domain="fox9.com"),
        topics=("Computer Vision", "AI"),
        images=(Image(url="https://fox9.com/face.jpg"),),
        related=(RelatedStory(title="More bans"),),
        body="A zebra crossing was mentioned.",
    ),
    Record(
        path="strasse",
        title="Große Straße reopens",
        excerpt="Traffic returns",
        published_at=datetime(2021, 1, 24, 15, 0, tzinfo=UTC),  # 10:00 local on the 24th
        type="story",
        category="world",
        quality=40,
        heat=-3,
        provider=Provider(name="Der Spiegel", domain="spiegel.de"),
        topics=("Germany",),
    ),
    Record(
        path="nodate",
        title="Undated memo",
        type="memo",
        published=False,
        provider=Provider(name="Intranet"),
    ),
    Record(
        path="recent",
        title="Markets rally",
        published_at=NOW - timedelta(hours=2),
        urls=Urls(web="https://reuters.com/markets"),
        type="video",
        category="business",
        quality=60,
        heat=0,
        provider=Provider(name="Reuters", domain="reuters.com"),
        topics=("Finance",),
        related=(RelatedStory(title="Stocks up"),),
    ),
    Record(
        path="week",
        title="Weekly roundup of AI papers",
        excerpt="two new models and a few words on safety",
        published_at=NOW - timedelta(days=5),
        type="story",
        category="tech",
        quality=59,
        heat=12,
        provider=Provider(name="Lab Blog", domain="lab.example"),
        topics=("AI", "Research"),
        images=(Image(url="https://lab.example/a.png"),),
    ),
    Record(
        path="old",
        title="Archive: the two words",
        excerpt="Two words appear here, on the 10:30 train",
        published_at=datetime(2019, 6, 1, 12, 0, tzinfo=UTC),
        urls=Urls(amp="https://old.example/amp"),
        type="story",
        category="archive",
        quality=10,
        heat=1,
        provider=Provider(name="Old Times", domain="old.example"),
        body="Long body text.",
    ),
]
SUMMARIES = [Summary.of(record) for record in RECORDS]
ALL = "face strasse nodate recent week old"


def names(text: str) -> str:
    """The paths of the summaries the query matches, space-separated, in record order."""
    query = parse_query(text, now=NOW, tz=TZ)
    return " ".join(summary.path for summary in filter_summaries(query, SUMMARIES))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # empty and ignorable input
        ("", ALL),
        ("   ", ALL),
        ("-", ALL),
        ('""', ALL),
        ("face -", "face"),
        # free words: title, excerpt, provider name and domain, topics, body
        ("face", "face"),
        ("FACE", "face"),
        ("cameras", "face"),
        ("fox", "face"),
        ("SPIEGEL.DE", "strasse"),
        ("research", "week"),
        ("zebra", "face"),
        ("straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Strasse reopens", "strasse"),
        ("nothing-like-this", ""),
        # all terms must hold; phrases are contiguous
        ("two words", "week old"),
        ('"two words"', "old"),
        ('"TWO WORDS"', "old"),
        ('"10:30"', "old"),
        ('"große straße"', "strasse"),
        # negation
        ("-face", "strasse nodate recent week old"),
        ('-"two words"', "face strasse nodate recent week"),
        ("two -words", ""),
        ("-topic:ai", "strasse nodate recent old"),
        ("-title:face -provider:reuters", "strasse nodate week old"),
        # title
        ("title:face", "face"),
        ("title:fox", ""),
        ("TITLE:Face", "face"),
        ('title:"archive:"', "old"),
        ('title:"große straße"', "strasse"),
        ("title:STRASSE", "strasse"),
        # provider / source: substring of name or domain
        ("provider:fox", "face"),
        ('provider:"fox 9"', "face"),
        ("source:FOX9.COM", "face"),
        ("provider:example", "week old"),
        ("Provider:Reuters", "recent"),
        # topic: equality with any topic
        ("topic:ai", "face week"),
        ('topic:"computer vision"', "face"),
        ('topic:"COMPUTER VISION"', "face"),
        ("topic:comp", ""),
        ("topic:germany", "strasse"),
        # type and category: equality
        ("type:story", "face strasse week old"),
        ("type:VIDEO", "recent"),
        ("type:vid", ""),
        ("category:tech", "face week"),
        ("category:tec", ""),
        ("-category:tech", "strasse nodate recent old"),
        # quality and heat; None never matches the positive term
        ("quality:40", "strasse"),
        ("quality:=40", "strasse"),
        ("quality:>=60", "face recent"),
        ("quality:>60", "face"),
        ("quality:<60", "strasse week old"),
        ("quality:<=40", "strasse old"),
        ("quality:>=0", "face strasse recent week old"),
        ("-quality:>=60", "strasse nodate week old"),
        ("heat:<0", "strasse"),
        ("heat:0", "recent"),
        ("heat:>0", "face week old"),
        ("heat:>=-3", "face strasse recent week old"),
        # is / has
        ("is:published", "face strasse recent week old"),
        ("is:unpublished", "nodate"),
        ("IS:Published", "face strasse recent week old"),
        ("-is:published", "nodate"),
        ("has:image", "face week"),
        ("has:related", "face recent"),
        ("has:body", "face old"),
        ("has:url", "face recent old"),
        ("-has:url", "strasse nodate week"),
        # dates: a bare date is local (UTC-5) midnight; undated records never match
        ("after:2021-01-24", "strasse recent week"),
        ('after:"Jan 24 2021"', "strasse recent week"),
        ("before:2021-01-24", "face old"),
        ("-after:2021-01-24", "face nodate old"),
        ("after:2021-01-24T10:00", "strasse recent week"),
        ("before:2021-01-24T10:00", "face old"),
        ("after:2021-01-24T10:01", "recent week"),
        ("after:2021-01-24T15:00Z", "strasse recent week"),
        ("after:2021-01-24T15:01+00:00", "recent week"),
        ("on:2021-01-23", "face"),
        ("on:2021-01-24", "strasse"),
        ("on:2021-01-24T23:59", "strasse"),
        ('on:"January 23, 2021"', "face"),
        ("on:2021-01-25", ""),
        ("-on:2021-01-24", "face nodate recent week old"),
        ("after:2021-01-01 before:2021-01-25", "face strasse"),
        # since: relative to now
        ("since:12h", "recent"),
        ("since:1h", ""),
        ("since:48H", "recent"),
        ("since:7d", "recent week"),
        ("since:1w", "recent week"),
        ("since:1m", "face strasse recent week"),
        ("since:1y", "face strasse recent week"),
        ("since:3y", "face strasse recent week old"),
        ("-since:7d", "face strasse nodate old"),
        # combinations
        ("topic:ai quality:>=60", "face"),
        ("type:story -topic:ai has:body", "old"),
        ('provider:"fox 9" "zebra crossing" since:2w', "face"),
    ],
)
def test_matching(text: str, expected: str) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topc:ai", 'unknown field "topc" - did you mean topic?'),
        ("Titel:x", 'unknown field "Titel" - did you mean title?'),
        ("face xyz:1", 'unknown field "xyz"'),
        ("10:30", 'unknown field "10" - quote it to search the text: "10:30"'),
        ("face 3:2", 'unknown field "3" - quote it to search the text: "3:2"'),
        ("title:", "empty value in title:"),
        ('title:""', "empty value in title:"),
        ("-topic:", "empty value in topic:"),
        ("after:notadate", 'bad date "notadate" in after:'),
        ('before:"not a  date"', 'bad date "not a date" in before:'),
        ("on:2021-13-45", 'bad date "2021-13-45" in on:'),
        ("after:2021-01-24T10:00XYZ", 'bad date "2021-01-24T10:00XYZ" in after:'),
        ("quality:high", 'bad number "high" in quality:'),
        ("heat:>=", 'bad number ">=" in heat:'),
        ("quality:=>5", 'bad number "=>5" in quality:'),
        ("since:7x", 'bad span "7x" in since: - use e.g. 12h, 7d, 2w, 3m or 1y'),
        ("since:d", 'bad span "d" in since: - use e.g. 12h, 7d, 2w, 3m or 1y'),
        ("since:99999999999999999999y", 'bad span "99999999999999999999y" in since: - use e.g. 12h, 7d, 2w, 3m or 1y'),
        ("is:done", 'unknown value "done" for is: - use read, unread, starred, published or unpublished'),
        ("has:video", 'unknown value "video" for has: - use image, related, body or url'),
        ('"two words', "unclosed quote"),
        ('topic:"computer', "unclosed quote"),
        ('-"', "unclosed quote"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text, now=NOW, tz=TZ)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "face", True),
        ("fac", "face", True),
        ('"two w"', '"two wo"', True),
        ("face", "face topic:ai", True),
        ("face", "face -", True),
        ("a b", "b a", True),
        ("title:fa", "title:face", True),
        ("face", "face quality:>=60", True),
        ("-face", "-fac", True),
        ("after:2021-01-01", "after:2021-01-02", True),
        ("face", "fac", False),
        ("face topic:ai", "face", False),
        ("face b", "face", False),
        ("topic:ai", "topic:a", False),
        ("topic:ai", "topic:research", False),
        ("provider:fox", "title:fox", False),
        ("face", "-face", False),
        ("-fac", "-face", False),
        ("-after:2021-01-01", "-after:2021-01-02", False),
        ("after:2021-01-02", "after:2021-01-01", False),
    ],
)
def test_narrows(old: str, new: str, expected: bool) -> None:
    previous, current = parse_query(old, now=NOW, tz=TZ), parse_query(new, now=NOW, tz=TZ)
    assert current.narrows(previous) is expected
    if expected:  # the promise itself: filtering the previous results gives the same answer
        assert filter_summaries(current, filter_summaries(previous, SUMMARIES)) == filter_summaries(current, SUMMARIES)


def test_narrows_without_previous_is_false() -> None:
    assert parse_query("face", now=NOW, tz=TZ).narrows(None) is False


def test_local_midnight_follows_tz() -> None:
    utc_names = [s.path for s in SUMMARIES if parse_query("on:2021-01-24", now=NOW, tz=UTC).matches(s)]
    assert utc_names == ["face", "strasse"]  # face (03:00 UTC) is on the 24th in UTC but not in UTC-5


@pytest.mark.parametrize(
    ("published_at", "day"),
    [
        (datetime(2021, 1, 24, 0, 0, tzinfo=TZ), "2021-01-24"),
        (datetime(2021, 1, 24, 23, 59, 59, 999000, tzinfo=TZ), "2021-01-24"),
        (datetime(2021, 1, 25, 0, 0, tzinfo=TZ), "2021-01-25"),
        (datetime(2021, 1, 24, 4, 59, tzinfo=UTC), "2021-01-23"),
    ],
)
def test_on_covers_exactly_one_local_day(published_at: datetime, day: str) -> None:
    summary = Summary.of(Record(path="edge", title="edge", published_at=published_at))
    days = ["2021-01-23", "2021-01-24", "2021-01-25"]
    assert [d for d in days if parse_query(f"on:{d}", now=NOW, tz=TZ).matches(summary)] == [day]


def test_defaults_use_current_time() -> None:
    query = parse_query("since:1d")
    fresh = Summary.of(Record(path="fresh", title="x", published_at=datetime.now(UTC) - timedelta(hours=1)))
    stale = Summary.of(Record(path="stale", title="x", published_at=datetime.now(UTC) - timedelta(days=2)))
    assert query.matches(fresh) and not query.matches(stale)


def test_query_keeps_text() -> None:
    query = parse_query(" face  topic:ai ", now=NOW, tz=TZ)
    assert isinstance(query, Query) and query.text == " face  topic:ai "


PREFIXES = ["", "-", '"', "title:", "topic:", "after:", "before:", "on:", "since:", "quality:", "heat:", "is:", "has:"]


@given(st.one_of(st.text(), st.builds(lambda p, t: p + t, st.sampled_from(PREFIXES), st.text())))
def test_parse_never_crashes(text: str) -> None:
    try:
        query = parse_query(text, now=NOW, tz=TZ)
    except QueryError as error:
        assert len(str(error).splitlines()) == 1
        return
    assert query.text == text
    for summary in SUMMARIES:
        assert isinstance(query.matches(summary), bool)


class FakeState:
    def __init__(self) -> None:
        self.read: dict[str, float] = {}
        self.starred: set[str] = set()


def test_state_terms_look_at_the_state_when_tested() -> None:
    state = FakeState()
    face, *others = SUMMARIES
    read, unread, starred = (parse_query(t, state=state) for t in ("is:read", "is:unread", "is:starred"))
    assert not read.matches(face) and unread.matches(face) and not starred.matches(face)
    state.read[story_id(face.url, face.path)] = 1.0
    state.starred.add(story_id(face.url, face.path))
    assert read.matches(face) and not unread.matches(face) and starred.matches(face)  # parsed before the change
    assert parse_query("-is:read", state=state).matches(others[0])
    assert not any(read.matches(s) or starred.matches(s) for s in others)
    assert read.uses_state and parse_query("-is:starred x").uses_state and not parse_query("is:published").uses_state
    assert parse_query("is:read").matches(face) is False  # no state: nothing is read
    assert parse_query("is:unread").matches(face)


def test_state_terms_narrow_only_themselves() -> None:
    assert parse_query("is:read robot").narrows(parse_query("is:read"))
    assert not parse_query("is:unread").narrows(parse_query("is:read"))
    assert not parse_query("is:starred").narrows(parse_query("is:read"))
