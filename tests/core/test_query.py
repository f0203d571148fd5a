"""Tests for the filter language in reader.core.query."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import query as query_module
from reader.core.identity import story_id
from reader.core.query import (
    EXAMPLES,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    SYNTAX,
    Query,
    QueryError,
    all_of,
    filter_summaries,
    parse_query,
    published_only,
)
from reader.core.query_syntax import tokenize
from reader.core.record import Image, Provider, Record, RelatedStory, Summary, Urls

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
        # a quote ends a phrase and a term: what follows it at once is the next term
        ('"two words"-face', "old"),
        ('"two"words', "week old"),
        ('-"two words"old', ""),
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
        ("since:99999999999h", "face strasse recent week old"),  # 11 digits: the most a span has
        # partial dates: a year or month is its whole period in on:, its first instant in after:/before:
        ("on:2021", "face strasse recent week"),
        ("on:2019", "old"),
        ("on:2020", ""),
        ("on:2021-01", "face strasse week"),
        ("on:2021-02", "recent"),
        ('on:"Jan 2021"', "face strasse week"),
        ("on:2021/01", "face strasse week"),
        ('on:"June 2019"', "old"),
        ("on:2019-05", ""),
        ("on:August", ""),  # August of this year (2021)
        ("on:January", "face strasse week"),
        ("-on:2021", "nodate old"),
        ("after:2021 before:2022", "face strasse recent week"),
        ("before:2021", "old"),
        ("before:2019", ""),
        ("after:2019", "face strasse recent week old"),
        ("after:2019-07", "face strasse recent week"),
        ("after:2021-02", "recent"),
        ("before:2021-02", "face strasse week old"),
        # OR binds tighter than the space; parentheses group; - negates a group
        ("face OR strasse", "face strasse"),
        ("face OR strasse OR old", "face strasse old"),
        ("(face OR strasse) OR old", "face strasse old"),
        ("face zebra OR markets", "face"),  # face AND (zebra OR markets)
        ("(face zebra) OR markets", "face recent"),
        ("markets OR (two words)", "recent week old"),
        ("markets OR (two -words)", "recent"),
        ("topic:ai OR topic:finance", "face recent week"),
        ("(topic:ai OR topic:finance) -face", "recent week"),
        ("is:unpublished OR quality:>=80", "face nodate"),
        ("on:2021-02 OR on:2019", "recent old"),
        ('("two words" OR zebra)', "face old"),
        ("-(face OR markets)", "strasse nodate week old"),
        ("-(face zebra)", "strasse nodate recent week old"),
        ("-(face OR strasse) -(old OR memo)", "recent week"),
        ("-(face OR strasse) OR old", "nodate recent week old"),  # a negated OR stays whole inside an OR
        ("old OR -(face OR strasse)", "nodate recent week old"),
        ("-(-face)", "face"),
        ("-(face)", "strasse nodate recent week old"),
        ("(face)", "face"),
        ("((face))", "face"),
        ("(face) (zebra)", "face"),
        ("(face strasse)", ""),
        ("- (face)", "face"),  # a bare - is ignored
        ("face -)", None),  # the - is bare, the ) unmatched: an error (see test_errors)
        ("face or strasse", ""),  # lower-case or is a word
        ('"OR"', "week old"),  # OR quoted is text: "words"
        ("-OR", "face strasse nodate recent"),  # so is a negated OR
        ("OR:x", None),
        # combinations
        ("topic:ai quality:>=60", "face"),
        ("type:story -topic:ai has:body", "old"),
        ('provider:"fox 9" "zebra crossing" since:2w', "face"),
    ],
)
def test_matching(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(QueryError):
            names(text)
    else:
        assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("topc:ai", 'unknown field "topc" - did you mean topic?'),
        ("Titel:x", 'unknown field "Titel" - did you mean title?'),
        ("face xyz:1", 'unknown field "xyz"'),
        ("10:30", 'unknown field "10" - quote it to search the text: "10:30"'),
        ("face 3:2", 'unknown field "3" - quote it to search the text: "3:2"'),
        ("1234567890123456789012345:" + "6" * 45,
         'unknown field "1234567890123456789012345" - quote it to search the text: "12345678901234567890:'
         + "6" * 40 + '"'),
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
        ("since:999999999999h", 'bad span "999999999999h" in since: - use e.g. 12h, 7d, 2w, 3m or 1y'),  # 12 digits
        ("is:done", 'unknown value "done" for is: - use read, unread, starred, published or unpublished'),
        ("has:video", 'unknown value "video" for has: - use image, related, body or url'),
        ('"two words', "unclosed quote"),
        ('topic:"computer', "unclosed quote"),
        ('-"', "unclosed quote"),
        # partial dates that are not dates, or past the calendar's end: errors, never exceptions
        ("on:2021-13", 'bad date "2021-13" in on:'),
        ("after:2021-00", 'bad date "2021-00" in after:'),
        ("on:9999-12-31", 'bad date "9999-12-31" in on:'),
        ("on:9999-12", 'bad date "9999-12" in on:'),
        ("on:9999", 'bad date "9999" in on:'),
        ('on:"9999-12-31T23:00-14:00"', 'bad date "9999-12-31T23:00-14:00" in on:'),
        ("before:99999", 'bad date "99999" in before:'),
        ("on:99999999999999999999", 'bad date "99999999999999999999" in on:'),
        ("on:Tuesday:x", 'bad date "Tuesday:x" in on:'),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text, now=NOW, tz=TZ)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("(face", 'unclosed "(" at column 1', 0),
        ("face (strasse", 'unclosed "(" at column 6', 5),
        ("-(face", 'unclosed "(" at column 2', 1),
        ("((face)", 'unclosed "(" at column 1', 0),
        ("(a (b) (c", 'unclosed "(" at column 8', 7),
        ("face)", 'unmatched ")" at column 5', 4),
        ("(face))", 'unmatched ")" at column 7', 6),
        (")", 'unmatched ")" at column 1', 0),
        ("face -)", 'unmatched ")" at column 7', 6),
        ("face OR", "OR at column 6 needs a term on each side", 5),
        ("OR face", "OR at column 1 needs a term on each side", 0),
        ("  OR", "OR at column 3 needs a term on each side", 2),
        ("face OR OR strasse", "OR at column 6 needs a term on each side", 5),
        ("(OR face)", "OR at column 2 needs a term on each side", 1),
        ("(face OR)", "OR at column 7 needs a term on each side", 6),
        ("face OR -", "OR at column 6 needs a term on each side", 5),
        ('face OR ""', "OR at column 6 needs a term on each side", 5),
        ("()", "empty parentheses at column 1", 0),
        ("-()", "empty parentheses at column 2", 1),
        ("face ( )", "empty parentheses at column 6", 5),
        ("(" * 11 + "a" + ")" * 11, "parentheses nested more than 10 deep at column 11", 10),
        ("-(" * 11 + "a" + ")" * 11, "parentheses nested more than 10 deep at column 22", 21),
        # the other errors carry where their term starts
        ("face topc:ai", 'unknown field "topc" - did you mean topic?', 5),
        ("(face -title:)", "empty value in title:", 6),
        ("a b quality:x", 'bad number "x" in quality:', 4),
        ('face "two', "unclosed quote", 5),
        ('x title:"two', "unclosed quote", 8),
    ],
)
def test_errors_say_where(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text, now=NOW, tz=TZ)
    assert (str(caught.value), caught.value.position) == (message, position)


def test_parentheses_may_nest_ten_deep() -> None:
    assert names("(" * 10 + "face" + ")" * 10) == "face"
    assert names("-(" * 10 + "face" + ")" * 10) == "face"  # ten negations cancel out


def test_limits_on_length_and_terms() -> None:
    longest = "x" * MAX_QUERY_CHARS
    assert parse_query(longest, now=NOW, tz=TZ).text == longest
    with pytest.raises(QueryError) as caught:
        parse_query(longest + "x", now=NOW, tz=TZ)
    assert str(caught.value) == "the query is too long: 1,001 characters, at most 1,000"
    most = " ".join(["-topic:x"] * MAX_TERMS)
    assert len(parse_query(most, now=NOW, tz=TZ).terms) == MAX_TERMS
    with pytest.raises(QueryError) as caught:
        parse_query(most + " (a OR b)", now=NOW, tz=TZ)  # terms inside groups count too
    assert str(caught.value) == "too many terms: 52, at most 50"


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
        ("-after:2021-01-02", "-after:2021-01-01", True),
        # before: the earlier bound narrows
        ("before:2021-06-01", "before:2021-01-01", True),
        ("before:2021-01-01", "before:2021-01-01", True),
        ("before:2021-01-01", "before:2021-06-01", False),
        ("-before:2021-01-01", "-before:2021-06-01", True),
        ("-before:2021-06-01", "-before:2021-01-01", False),
        ("after:2021-01-01", "before:2021-01-01", False),
        # on: a period inside the previous one, or inside an after:/before: bound
        ("on:2021", "on:2021-08", True),
        ("on:2021", "on:2021-12-31", True),
        ("on:2021-08", "on:2021-08", True),
        ("on:2021-08", "on:2021", False),
        ("on:2021", "on:2022-01", False),
        ("-on:2021-08", "-on:2021", True),
        ("-on:2021", "-on:2021-08", False),
        ("after:2021", "on:2021-08", True),
        ("after:2021-08-02", "on:2021-08", False),
        ("before:2022", "on:2021-08", True),
        ("before:2021-08-31", "on:2021-08", False),
        ("-after:2021", "on:2020", False),
        ("after:2021", "-on:2020", False),
        ("quality:>=60", "on:2021", False),
        ("after:2021-08", "on:2021-08", True),  # the bounds themselves
        ("before:2021-09", "on:2021-08", True),
        ("on:2021-08", "on:2021-07", False),
        ("on:2021-07", "on:2021-08", False),
        # numbers: a range inside the previous one
        ("quality:60", "quality:=60", True),
        ("quality:>5", "quality:>50", True),
        ("quality:>=6", "quality:>=60", True),
        ("quality:>=60", "quality:>60", True),
        ("quality:>60", "quality:>=60", False),
        ("quality:>=50", "quality:60", True),
        ("quality:>60", "quality:60", False),
        ("quality:<60", "quality:<6", True),
        ("quality:<=60", "quality:<60", True),
        ("quality:<60", "quality:<=60", False),
        ("quality:<6", "quality:<60", False),
        ("quality:>60", "quality:<60", False),
        ("quality:<3", "quality:>5", False),
        ("quality:3", "quality:>5", False),
        ("quality:>3", "quality:<1", False),
        ("quality:60", "quality:>=60", False),
        ("quality:60", "quality:61", False),
        ("heat:>5", "quality:>50", False),
        ("-quality:>50", "-quality:>5", True),
        ("-quality:>5", "-quality:>50", False),
        # OR and groups: a longer query does not always narrow
        ("face", "face OR strasse", False),
        ("face OR strasse", "face", True),
        ("face OR strasse", "strasse", True),
        ("face OR strasse", "face OR strasse OR old", False),
        ("face OR strasse OR old", "face OR strasse", True),
        ("face OR strasse OR old", "old OR face", True),
        ("face OR strasse", "(face OR strasse) topic:ai", True),
        ("face OR strasse", "face -old", True),
        ("fac OR strass", "face OR strasse", True),
        ("face OR strasse", "fac OR strasse", False),
        ("-(face OR strasse)", "-(face OR strasse OR old)", True),
        ("-(face OR strasse OR old)", "-(face OR strasse)", False),
        ("-face", "-(face OR old)", True),
        ("-(face OR old)", "-face", False),
        ("-(face OR old)", "-face -old", True),
        ("face", "-(-face)", True),
        ("(face zebra) OR markets", "face zebra", True),
        ("(face zebra) OR markets", "face", False),
        ("face zebra", "(face zebra) OR markets", False),
        ("face", "(face zebra) OR (face markets)", True),
        ("face", "(face zebra) OR markets", False),
        ("-(face zebra)", "-face", True),
        ("-(face zebra)", "-zebra", True),
        ("-face", "-(face zebra)", False),
        ("-(face zebra)", "-(face zebra) x", True),
        ("x -(face zebra)", "-(face zebra)", False),
        ("-(face zebra)", "-(fac zebra)", True),
        ("-(fac zebra)", "-(face zebra)", False),
        ("-(face OR zebra)", "-(face zebra)", False),
        ("a OR b", "a b", True),
        ("a b", "a OR b", False),
    ],
)
def test_narrows(old: str, new: str, expected: bool) -> None:
    previous, current = parse_query(old, now=NOW, tz=TZ), parse_query(new, now=NOW, tz=TZ)
    assert current.narrows(previous) is expected
    if expected:  # the promise itself: filtering the previous results gives the same answer
        assert filter_summaries(current, filter_summaries(previous, SUMMARIES)) == filter_summaries(current, SUMMARIES)


ATOMS = ["face", "fac", "two", "words", "zebra", "o", "topic:ai", "title:fa", "after:2021", "after:2021-01-24",
         "before:2021", "before:2021-02", "on:2021", "on:2021-01", "on:2021-01-24", "quality:>=60", "is:published",
         "since:1w", "since:8d", "has:image"]


def _query_text(draw: st.DrawFn, depth: int = 0) -> str:
    """A random query of ATOMS, with -, OR and parentheses."""
    parts = []
    for _ in range(draw(st.integers(1, 2))):
        alternatives = []
        for _ in range(draw(st.integers(1, 2 if depth else 3))):
            if depth < 2 and draw(st.booleans()):
                item = f"({_query_text(draw, depth + 1)})"
            else:
                item = draw(st.sampled_from(ATOMS))
            alternatives.append(("-" if draw(st.booleans()) else "") + item)
        parts.append(" OR ".join(alternatives))
    return " ".join(parts)


queries = st.composite(_query_text)()


@settings(deadline=None)
@given(queries, queries)
def test_narrows_never_claims_what_is_not_so(old: str, new: str) -> None:
    previous, current = parse_query(old, now=NOW, tz=TZ), parse_query(new, now=NOW, tz=TZ)
    if current.narrows(previous):
        assert {s.path for s in filter_summaries(current, SUMMARIES)} <= {s.path for s in filter_summaries(previous, SUMMARIES)}
    assert current.narrows(current)  # a query always narrows itself
    assert all_of(previous, current).narrows(previous)  # and adding terms narrows


def test_narrows_stays_quick_on_deeply_alternating_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "x"
    for level in range(9):
        text = f"({text} a{level})" if level % 2 else f"({text} OR b{level})"
    query = parse_query(text, now=NOW, tz=TZ)
    calls = 0
    real = query_module._implies

    def counted(new: object, old: object) -> bool:
        nonlocal calls
        calls += 1
        return real(new, old)  # type: ignore[arg-type]

    monkeypatch.setattr(query_module, "_implies", counted)
    assert query.narrows(query)
    assert calls < 2000


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


@pytest.mark.parametrize(
    ("span", "seconds"),
    [("1h", 3600), ("5h", 5 * 3600), ("1d", 86400), ("3D", 3 * 86400), ("1w", 7 * 86400), ("2w", 14 * 86400),
     ("1m", 30 * 86400), ("2m", 60 * 86400), ("1y", 365 * 86400), ("2y", 730 * 86400)],
)
def test_since_reaches_back_exactly_its_span(span: str, seconds: int) -> None:
    query = parse_query(f"since:{span}", now=NOW, tz=TZ)
    at, before = (Summary.of(Record(path=p, title=p, published_at=NOW - timedelta(seconds=s)))
                  for p, s in (("at", seconds), ("before", seconds + 1)))
    assert query.matches(at) and not query.matches(before)


LOCAL = TZ  # the tests' local zone, UTC-5


@pytest.mark.parametrize(
    ("query", "inside", "outside"),
    [
        # the first and last instants of each period, and the instants just outside it
        ("on:2021", [datetime(2021, 1, 1), datetime(2021, 12, 31, 23, 59, 59, 999999)],
         [datetime(2020, 12, 31, 23, 59, 59, 999999), datetime(2022, 1, 1)]),
        ("on:2021-08", [datetime(2021, 8, 1), datetime(2021, 8, 31, 23, 59, 59)],
         [datetime(2021, 7, 31, 23, 59, 59), datetime(2021, 9, 1)]),
        ("on:2021-12", [datetime(2021, 12, 1), datetime(2021, 12, 31, 23, 59, 59)],
         [datetime(2021, 11, 30, 23, 59, 59), datetime(2022, 1, 1)]),
        ("on:2020-02", [datetime(2020, 2, 29, 12)], [datetime(2020, 3, 1)]),
        ('on:"Aug 5"', [datetime(2021, 8, 5), datetime(2021, 8, 5, 23, 59)], [datetime(2021, 8, 4, 23, 59), datetime(2021, 8, 6)]),
        ("after:2021", [datetime(2021, 1, 1)], [datetime(2020, 12, 31, 23, 59, 59)]),
        ("after:2021-08", [datetime(2021, 8, 1)], [datetime(2021, 7, 31, 23, 59, 59)]),
        ("before:2021-08", [datetime(2021, 7, 31, 23, 59, 59)], [datetime(2021, 8, 1)]),
        ("before:2019", [datetime(2018, 12, 31, 23, 59, 59)], [datetime(2019, 1, 1)]),
        ("after:2021-08-05T10:30", [datetime(2021, 8, 5, 10, 30)], [datetime(2021, 8, 5, 10, 29, 59)]),
        ('after:"2021 10:30"', [datetime(2021, 1, 1, 10, 30)], [datetime(2021, 1, 1, 10, 29)]),
        ("on:2021-08-05T10:30", [datetime(2021, 8, 5)], [datetime(2021, 8, 6)]),
        ('on:"2021 10:30"', [datetime(2021, 1, 1)], [datetime(2021, 1, 2)]),
    ],
)
def test_a_partial_date_is_its_whole_period(query: str, inside: list[datetime], outside: list[datetime]) -> None:
    compiled = parse_query(query, now=NOW, tz=LOCAL)

    def at(moment: datetime) -> Summary:
        local = moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)
        return Summary.of(Record(path=str(moment), title="x", published_at=local))

    assert [compiled.matches(at(m)) for m in inside + outside] == [True] * len(inside) + [False] * len(outside)


def test_defaults_use_current_time() -> None:
    query = parse_query("since:1d")
    fresh = Summary.of(Record(path="fresh", title="x", published_at=datetime.now(UTC) - timedelta(hours=1)))
    stale = Summary.of(Record(path="stale", title="x", published_at=datetime.now(UTC) - timedelta(days=2)))
    assert query.matches(fresh) and not query.matches(stale)


def test_query_keeps_text() -> None:
    query = parse_query(" face  topic:ai ", now=NOW, tz=TZ)
    assert isinstance(query, Query) and query.text == " face  topic:ai "


PREFIXES = ["", "-", '"', "title:", "topic:", "after:", "before:", "on:", "since:", "quality:", "heat:", "is:", "has:",
            "(", "-(", ")", "OR ", "a OR ", "on:9999-", "on:0001-", "before:9999"]
SYNTAX_PIECES = st.lists(st.sampled_from(["(", ")", "-", " ", "OR", '"', "a", ":", "on:", "9999", "-12", "12-31"])).map("".join)


@settings(deadline=None)
@given(st.one_of(st.text(), st.builds(lambda p, t: p + t, st.sampled_from(PREFIXES), st.text()), SYNTAX_PIECES))
def test_parse_never_crashes(text: str) -> None:
    try:
        query = parse_query(text, now=NOW, tz=TZ)
    except QueryError as error:
        assert len(str(error).splitlines()) == 1
        assert error.position is None or 0 <= error.position < len(text)
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


def test_published_only_adds_is_published_unless_the_query_names_it() -> None:
    limited = published_only(parse_query("face OR memo", now=NOW, tz=TZ))
    assert limited.text == "is:published face OR memo"
    assert [s.path for s in filter_summaries(limited, SUMMARIES)] == ["face"]
    assert limited.published is True and not parse_query("face OR memo").names_published
    for text in ("is:unpublished OR face", "-(is:published topic:ai)", "is:published"):
        query = parse_query(text, now=NOW, tz=TZ)
        assert query.names_published and published_only(query) is query
    assert parse_query("is:unpublished OR face", now=NOW, tz=TZ).published is None  # not sure of either
    longest = parse_query("x" * MAX_QUERY_CHARS, now=NOW, tz=TZ)
    assert len(published_only(longest).terms) == 2  # built from the terms, not parsed again over the limit


def test_all_of_joins_queries_without_the_limits() -> None:
    saved = parse_query(" ".join(["-topic:x"] * MAX_TERMS), now=NOW, tz=TZ)
    typed = parse_query("face OR strasse", now=NOW, tz=TZ)
    both = all_of(saved, typed)
    assert both.text == f"{saved.text} {typed.text}" and len(both.terms) == MAX_TERMS + 1
    assert [s.path for s in filter_summaries(both, SUMMARIES)] == ["face", "strasse"]
    assert [s.path for s in filter_summaries(all_of(typed, parse_query("zebra")), SUMMARIES)] == ["face"]
    assert all_of().terms == () and all_of(typed).text == typed.text


def test_state_terms_inside_groups_count_as_using_the_state() -> None:
    assert parse_query("face OR is:read").uses_state
    assert parse_query("-(is:starred)").uses_state
    assert not parse_query("face OR (zebra -memo)").uses_state


def test_one_term_tester_is_the_term_itself_and_agrees_with_matches() -> None:
    for text in ("face", "-face", "face OR memo", "-(face OR memo)", "(face zebra)", "is:published face"):
        query = parse_query(text, now=NOW, tz=TZ)
        assert [query.tester()(s) for s in SUMMARIES] == [query.matches(s) for s in SUMMARIES], text
    face = parse_query("face", now=NOW, tz=TZ)
    assert face.tester() is face.terms[0].test  # the common case costs one call a record
    published = parse_query("is:published face OR memo", now=NOW, tz=TZ)
    assert [published.tester(published_known=True)(s) for s in SUMMARIES] == [
        s.path in ("face", "nodate") for s in SUMMARIES
    ]


def test_the_language_description_covers_every_field_and_its_examples_parse() -> None:
    described = " ".join(syntax for syntax, _ in SYNTAX)
    for name in query_module._FIELDS:
        assert f"{name}:" in described, name
    for word in ("OR", "(", "-"):
        assert word in described
    assert all(syntax.strip() and meaning.strip() for syntax, meaning in SYNTAX)
    for example, meaning in EXAMPLES:
        assert meaning.strip()
        parse_query(example, now=NOW, tz=TZ)


def test_the_examples_mean_what_they_say() -> None:
    records = {
        name: Summary.of(Record(path=name, title=name.replace("-", " ")))
        for name in ("blizzard-necromancer", "blizzard-sorceress", "blizzard-druid", "necromancer",
                     "druid-barbarian", "diablo-druid", "diablo")
    }

    def found(text: str) -> list[str]:
        return [n for n, s in records.items() if parse_query(text, now=NOW, tz=TZ).matches(s)]

    examples = dict(EXAMPLES)
    assert found("blizzard necromancer OR sorceress") == ["blizzard-necromancer", "blizzard-sorceress"]
    assert found("(druid barbarian) OR necromancer") == ["blizzard-necromancer", "necromancer", "druid-barbarian"]
    assert found("diablo -(druid OR barbarian)") == ["diablo"]
    assert {"blizzard necromancer OR sorceress", "(druid barbarian) OR necromancer",
            "diablo -(druid OR barbarian)"} <= examples.keys()


def test_list_filter_takes_the_same_language_and_refuses_a_huge_filter(
    seed_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reader import cli

    def listed(text: str) -> int:
        assert cli.main(["--list", "--no-cache", "--filter", text, str(seed_folder)]) == 0
        return len(capsys.readouterr().out.splitlines())

    # the seed is 2021-01-24 "Ban on facial recognition technology advances in Minneapolis"
    assert listed("facial OR zzz") == listed("on:2021") == listed("after:2021 before:2022") == 1
    assert listed("zzz OR yyy") == listed("-(facial OR zzz)") == listed("on:2021-02") == listed("before:2021") == 0
    # issue 12: 10,000 -topic:x terms took 74 s on 100,000 records; now a one-line error at once
    assert cli.main(["--list", "--filter", " ".join(["-topic:x"] * 10_000), str(seed_folder)]) == 2
    assert capsys.readouterr().err == "reader: invalid filter: the query is too long: 89,999 characters, at most 1,000\n"
    assert cli.main(["--list", "--filter", "a " * 60, str(seed_folder)]) == 2
    assert capsys.readouterr().err == "reader: invalid filter: too many terms: 60, at most 50\n"
    assert cli.main(["--list", "--filter", "facial OR", str(seed_folder)]) == 2
    assert capsys.readouterr().err == "reader: invalid filter: OR at column 8 needs a term on each side\n"


def test_a_query_is_its_text() -> None:
    assert parse_query("face", now=NOW, tz=TZ) == parse_query("face", now=NOW, tz=TZ) != parse_query("fac")
    assert repr(parse_query("face OR memo")) == "Query(text='face OR memo')"


def test_parentheses_around_one_term_leave_the_term_itself() -> None:
    """So the fast paths (the topic index, SQL in the warm listing) still see it."""
    for grouped, plain in (("(topic:ai)", "topic:ai"), ("-(topic:ai)", "-topic:ai"), ("((-face))", "-face"),
                           ("-(-(quality:>5))", "quality:>5")):
        shape = [(t.kind, t.value, t.negated) for t in parse_query(grouped, now=NOW, tz=TZ).terms]
        assert shape == [(t.kind, t.value, t.negated) for t in parse_query(plain, now=NOW, tz=TZ).terms]


def test_now_in_another_zone_or_naive_is_the_same_moment() -> None:
    """`now` is an instant (naive: wall time in `tz`); `tz` decides where days begin."""
    expected = [s.path for s in filter_summaries(parse_query("since:3h", now=NOW, tz=TZ), SUMMARIES)]
    assert expected == ["recent"]
    for now in (NOW.astimezone(UTC), NOW.replace(tzinfo=None)):
        assert [s.path for s in filter_summaries(parse_query("since:3h", now=now, tz=TZ), SUMMARIES)] == expected


def test_empty_and_published_only_testers_pass_everything() -> None:
    everything = [True] * len(SUMMARIES)
    assert [parse_query("", now=NOW, tz=TZ).tester()(s) for s in SUMMARIES] == everything
    published = parse_query("is:published", now=NOW, tz=TZ)
    assert [published.tester(published_known=True)(s) for s in SUMMARIES] == everything
    assert [published.tester()(s) for s in SUMMARIES] == [s.path != "nodate" for s in SUMMARIES]  # not by default


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("face", [("term", 0, False, None, "face")]),
        ("  -face OR  title:x", [("term", 2, True, None, "face"), ("OR", 8, False, None, ""),
                                 ("term", 12, False, "title", "x")]),
        ("-(a OR b)", [("(", 0, True, None, ""), ("term", 2, False, None, "a"), ("OR", 4, False, None, ""),
                       ("term", 7, False, None, "b"), (")", 8, False, None, "")]),
        ('("a b")', [("(", 0, False, None, ""), ("term", 1, False, None, "a b"), (")", 6, False, None, "")]),
        ('"a b"c', [("term", 0, False, None, "a b"), ("term", 5, False, None, "c")]),
        ('topic:"a (b)"x', [("term", 0, False, "topic", "a (b)"), ("term", 13, False, None, "x")]),
        ("f(x) g(h(i)) (j)", [("term", 0, False, None, "f(x)"), ("term", 5, False, None, "g(h(i))"),
                               ("(", 13, False, None, ""), ("term", 14, False, None, "j"), (")", 15, False, None, "")]),
        ("(f(x))", [("(", 0, False, None, ""), ("term", 1, False, None, "f(x)"), (")", 5, False, None, "")]),
        ("a(b x)", [("term", 0, False, None, "a(b"), ("term", 4, False, None, "x"), (")", 5, False, None, "")]),
        ("- -) -", [(")", 3, False, None, "")]),  # bare dashes are dropped, the ) is kept
        ('"" -"" x', [("term", 7, False, None, "x")]),
        ("or OR -OR OR:", [("term", 0, False, None, "or"), ("OR", 3, False, None, ""),
                           ("term", 6, True, None, "OR"), ("term", 10, False, "OR", "")]),
    ],
)
def test_tokenize(text: str, tokens: list[tuple[str, int, bool, str | None, str]]) -> None:
    assert [(t.kind, t.at, t.negated, t.name, t.value) for t in tokenize(text)] == tokens


def test_words_with_parentheses_of_their_own_are_searched_as_text() -> None:
    records = [Summary.of(Record(path=p, title=t)) for p, t in
               (("call", "Calling f(x) twice"), ("nested", "g(h(i)) is nested"), ("half", "a(b is half open"))]

    def found(text: str) -> list[str]:
        return [s.path for s in filter_summaries(parse_query(text, now=NOW, tz=TZ), records)]

    assert found("f(x)") == ["call"]
    assert found("(f(x) OR g(h(i)))") == ["call", "nested"]
    assert found("-(f(x))") == ["nested", "half"]
    assert found("a(b") == ["half"]
    with pytest.raises(QueryError, match=r'unmatched "\)" at column 5'):
        parse_query("f(x))", now=NOW, tz=TZ)
