"""Story grouping's rules against merges real feeds showed wrong: market-research releases, an outlet's
series under one headline, and records alike by one shared word."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from reader.core.stories import Grouper, Item
from reader.core.story_text import market_report

HOUR = 3600.0
T0 = datetime(2021, 5, 18, 9, tzinfo=timezone.utc).timestamp()


def item(record_id: str, title: str, excerpt: str, hours: float, provider: str) -> Item:
    domain = provider.lower().replace(" ", "") + ".com"
    return Item(record_id, title, excerpt, T0 + hours * HOUR, provider, domain, ())


def together(items: list[Item], a: str, b: str) -> bool:
    grouper = Grouper()
    grouper.add(items)
    return grouper.story_of(a) == grouper.story_of(b)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Artificial Intelligence in Healthcare Market Size, Share, Growth 2021-2027 | Top Players", True),
        ("Global Computer Vision Market Size 2021 with Top Countries Data", True),
        ("NLP in Healthcare & Life Sciences Market - Forecasts to 2026", True),
        ("Automotive AI Markets: Production, Demand and Applications Forecast", True),
        # "market" with one such word, or none, is news.
        ("Stock market rallies as chip demand soars", False),
        ("Microsoft enters the low-code market", False),
        ("Primer raises $110M for natural language processing", False),
        ("Marketing teams adopt AI writing tools, survey finds in 2021", False),
    ],
)
def test_market_report_headlines(title: str, expected: bool) -> None:
    assert market_report(title) is expected


NLP_MARKET = item(
    "market", "Natural Language Processing Market Size, Share, Growth Forecast 2021-2027 | Top Players",
    "The natural language processing market is expected to grow fast as startups raise funding for language "
    "processing tools and tech companies invest.", 0, "MarketWatch",
)


def test_market_releases_join_nothing_by_their_words() -> None:
    healthcare = item(
        "healthcare", "Natural Language Processing in Healthcare Market Size, Share, Growth Forecast 2021-2028",
        "The natural language processing in healthcare market is expected to grow fast as startups raise "
        "funding for language processing tools and hospitals invest.", 20, "The Sentinel",
    )
    assert not together([NLP_MARKET, healthcare], "market", "healthcare")
    # The same words under headlines that are no market release's are one story.
    plain = [item("market", "Natural language processing grows fast", NLP_MARKET.excerpt, 0, "MarketWatch"),
             item("healthcare", "Natural language processing in healthcare grows fast", healthcare.excerpt, 20,
                  "The Sentinel")]
    assert together(plain, "market", "healthcare")


def test_news_joins_no_market_release() -> None:
    primer = item(
        "primer", "Natural language processing tech startup Primer raises $110M",
        "The natural language processing startup Primer has raised $110 million in funding to grow its language "
        "processing tools for companies.", 2, "VentureBeat",
    )
    assert not together([NLP_MARKET, primer], "market", "primer")
    release = item("market", "Natural language processing startups draw funding", NLP_MARKET.excerpt, 0, "MarketWatch")
    assert together([release, primer], "market", "primer")


FIVE_THINGS = "Five Things You Need to Know to Start Your Day"


def test_one_outlets_series_under_one_headline_is_one_story_a_day() -> None:
    monday = item("monday", FIVE_THINGS, "Belarus forced a plane to land; stocks rose.", 0, "Bloomberg")
    tuesday = item("tuesday", FIVE_THINGS, "Markets steadied as the dollar fell.", 24, "Bloomberg")
    assert not together([monday, tuesday], "monday", "tuesday")
    # Within half a day, one outlet's headline twice is one article (a copy, an update).
    again = item("again", FIVE_THINGS, "Markets steadied as the dollar fell.", 3, "Bloomberg")
    assert together([monday, again], "monday", "again")
    # Two outlets under one headline a day apart are one story, as before.
    syndicated = item("syndicated", FIVE_THINGS, "Markets steadied as the dollar fell.", 24, "Yahoo Finance")
    assert together([monday, syndicated], "monday", "syndicated")


def test_one_shared_word_is_not_enough() -> None:
    # Headlines of two words and no excerpt: one shared word makes their words alike (0.39), but says
    # nothing of an event.
    assert not together([item("js", "JS url", "", 0, "A"), item("userinfo", "Userinfo url", "", 1, "B")],
                        "js", "userinfo")
    assert together([item("recall", "Zenith blender recall", "", 0, "A"),
                     item("widens", "Zenith blender recall widens", "", 1, "B")], "recall", "widens")
