"""Story grouping: each signal's table, the linkage (what must and must not merge, chains included),
and that the groups depend on the set of records only (any order, any batches)."""

from __future__ import annotations

import itertools
import json
import math
import pickle
import random
import re
from datetime import datetime, timezone

import pytest

from reader.core import stories
from reader.core.frontmatter import parse_text
from reader.core.record import Provider, Record, Urls
from reader.core.stories import Grouper, Item, Settings, item_of, signals_of, story_id
from reader.core.story_text import COPY_WORDS, features, strip_provider, title_key, url_key, url_keys, words
from reader.synth import BLOCK, SYLLABLES, WORDS, generate

HOUR = 3600.0
T0 = datetime(2021, 8, 23, 9, tzinfo=timezone.utc).timestamp()
EXPOSES = "Microsoft Power Apps exposes 38 million records"
MISCONFIGURATION = "Microsoft Power Apps misconfiguration exposes 38 million records"
COMMUNITY_CALL = "Power Apps community call: custom pages and the modern designer"


def item(record_id: str, title: str, excerpt: str = "", hours: float = 0.0, provider: str = "",
         urls: tuple[str, ...] = (), timed: bool = True) -> Item:
    """An Item published `hours` after T0 (or without a time)."""
    domain = re.sub(r"[^a-z]", "", provider.lower()) + ".com" if provider else ""
    return Item(record_id, title, excerpt, T0 + hours * HOUR if timed else None, provider, domain, urls)


def grouped(*items: Item, settings: Settings | None = None) -> Grouper:
    grouper = Grouper(settings)
    grouper.add(items)
    return grouper


def together(grouper: Grouper, a: str, b: str) -> bool:
    return grouper.story_of(a) == grouper.story_of(b)


# -- signals -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.com/news/story-1?utm_source=x&utm_medium=rss",
         "http://example.com/news/story-1"),
        ("https://example.com/a/b/?fbclid=abc", "https://example.com/a/b"),
        ("https://www.example.com/amp/news/story-1", "https://example.com/news/story-1"),
        ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story-1",
         "https://example.com/news/story-1/"),
        ("https://example.com/story?id=7&ocid=msn", "https://example.com/story?id=7"),
    ],
)
def test_url_keys_equal_for_one_page(a: str, b: str) -> None:
    assert url_key(a) and url_key(a) == url_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/story?id=7", "https://example.com/story?id=8"),  # the id is not tracking
        ("https://example.com/news/story-1", "https://example.org/news/story-1"),
        ("https://example.com/news/story-1", "https://example.com/news/story-2"),
    ],
)
def test_url_keys_differ_for_other_pages(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize(
    "url", ["https://www.example.com/", "https://example.com", "mailto:x@y.z", "", "not a url"]
)
def test_home_pages_and_non_web_urls_give_no_key(url: str) -> None:
    assert url_key(url) == ""


@pytest.mark.parametrize(
    ("title", "provider", "expected"),
    [
        (f"{EXPOSES} - ZDNet", "ZDNet", EXPOSES),
        (f"{EXPOSES} | The Verge", "The Verge", EXPOSES),
        (f"{EXPOSES} - zdnet.com", "", EXPOSES),
        (f"{EXPOSES} | Security | Wired", "Wired", EXPOSES),
        ("Power Apps - What is new in the May release", "ZDNet",
         "Power Apps - What is new in the May release"),
        ("Rock - Paper - Scissors", "Paper", "Rock - Paper - Scissors"),  # too little would be left
    ],
)
def test_strip_provider(title: str, provider: str, expected: str) -> None:
    domain = provider.lower().replace(" ", "") + ".com" if provider else "zdnet.com"
    assert strip_provider(title, provider, domain) == expected


def test_title_keys_fold_case_punctuation_and_signature() -> None:
    a = title_key(f"{MISCONFIGURATION} - ZDNet", "ZDNet", "zdnet.com")
    b = title_key("MICROSOFT POWER APPS MISCONFIGURATION EXPOSES 38 MILLION RECORDS!", "Wired", "wired.com")
    c = title_key("Microsoft Power Apps misconfiguration exposes 38 million users", "Wired", "wired.com")
    assert a and a == b and a != c


@pytest.mark.parametrize("title", ["Weekly update", "News", "Power Apps - ZDNet", ""])
def test_short_titles_give_no_title_key(title: str) -> None:
    assert title_key(title, "ZDNet", "zdnet.com") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Snafu Exposes 38M Records", ["snafu", "expos", "38", "million", "record"]),
        ("exposed, expose, exposing", ["expos", "expos", "expos"]),
        ("The company says it has launched its new apps", ["company", "launch", "app"]),
        ("Start-up raises $2bn &amp; more", ["start", "startup", "rais", "billion"]),
    ],
)
def test_words_fold_stems_magnitudes_and_drop_stopwords(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_features_weigh_headline_words_over_excerpt_words_and_ignore_the_outlet() -> None:
    weights = features("Zorvex launches robot - TechCrunch", "Zorvex robot arm ships. TechCrunch has more.",
                       "TechCrunch", "techcrunch.com")
    assert weights["zorvex"] == 3 and weights["robot"] == 3 and weights["launch"] == 2 and weights["arm"] == 1
    assert "techcrunch" not in weights


# -- what must merge and what must not ---------------------------------------------------------

EXPOSURE = "Misconfigured Power Apps portals left 38 million records open, researchers at UpGuard found."


def background(n: int = 40) -> list[Item]:
    """Unrelated Power Apps news around T0, so the topic's words are common."""
    rng = random.Random(7)
    subjects = ["canvas apps", "model-driven apps", "Dataverse", "portals", "Teams", "AI Builder",
                "connectors", "Power Fx", "mobile apps", "licensing"]
    verbs = ["gets", "adds", "improves", "previews", "updates", "expands"]
    return [item(f"bg{i}", f"Microsoft Power Apps {rng.choice(verbs)} {rng.choice(subjects)} feature {i}",
                 f"Microsoft announced Power Apps {rng.choice(subjects)} changes for makers, release {i}.",
                 hours=-72 + i * 3, provider=rng.choice(["Microsoft", "ZDNet", "Neowin"]))
            for i in range(n)]


@pytest.mark.parametrize(
    ("a", "b", "how"),
    [
        (item("a", "One headline", "", 0, "ZDNet", ("https://zdnet.com/article/x-1?utm_source=rss",)),
         item("b", "Another headline entirely", "", 30, "MSN", ("https://www.zdnet.com/article/x-1/",)),
         "url"),
        (item("a", "Headline", "", 0, "The Verge", ("https://theverge.com/2021/8/23/123/story",)),
         item("b", "Headline again", "", 2, "The Verge",
              ("https://www-theverge-com.cdn.ampproject.org/c/s/www.theverge.com/2021/8/23/123/story",)),
         "url"),
        (item("a", f"{MISCONFIGURATION} - ZDNet", "", 0, "ZDNet"),
         item("b", MISCONFIGURATION.upper(), "", 50, "Neowin"), "title"),
        (item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet"),
         item("b", "38M records exposed by default settings in Microsoft Power Apps portals",
              "UpGuard researchers found 38 million records exposed through Power Apps portals.", 5, "Wired"),
         "similar"),
    ],
)
def test_pairs_that_must_merge(a: Item, b: Item, how: str) -> None:
    grouper = grouped(*background(), a, b)
    assert together(grouper, "a", "b")
    reason = grouper.reason("b")
    assert reason.how == how and reason.peer == "a"
    assert grouper.reason("a").how == "first"
    if how != "similar":  # a URL or a headline is sure: it scores 1
        assert reason.score == reason.best == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # The same topic and company, another happening.
        (item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet"),
         item("b", "Microsoft Power Apps adds natural language app creation with GPT-3",
              "Power Apps makers can now describe a formula in plain words, Microsoft said at Build.",
              5, "Wired")),
        # One headline, a month apart: a recurring title, not one event.
        (item("a", COMMUNITY_CALL, "", 0, "Microsoft"), item("b", COMMUNITY_CALL, "", 24 * 30, "Microsoft")),
        # The same words ten days later: past the window and the story's span.
        (item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet"),
         item("b", MISCONFIGURATION.replace("exposes", "exposed"), EXPOSURE, 240, "Wired")),
        # A home page is no shared URL.
        (item("a", "Zorvex raises money", "", 0, "ZDNet", ("https://www.microsoft.com/",)),
         item("b", "Quenlux ships a robot", "", 1, "ZDNet", ("https://microsoft.com",))),
    ],
)
def test_pairs_that_must_not_merge(a: Item, b: Item) -> None:
    grouper = grouped(*background(), a, b)
    assert not together(grouper, "a", "b")


def test_one_outlet_writing_twice_about_one_product_is_two_stories() -> None:
    a = item("a", "Announcing general availability of code components for Power Apps portals",
             "Code components for portals are now generally available to makers of Power Apps portals.", 0,
             "Microsoft")
    b = item("b", "Announcing general availability of the Web API and code for Power Apps portals",
             "Querying data with the portals Web API is now generally available for Power Apps portals.", 1,
             "Microsoft")
    assert not together(grouped(*background(), a, b), "a", "b")
    other = item("b", b.title, b.excerpt, 1, "Neowin")  # from another outlet the same words are one event
    assert together(grouped(*background(), a, other), "a", "b")


def chain(length: int) -> list[Item]:
    """Headlines each sharing half its rare words with the next and none with the one after."""
    names = [f"{a}{b}" for a, b in itertools.product(SYLLABLES, repeat=2)][: 2 * (length + 1)]
    return [item(f"c{i}", " ".join(names[2 * i : 2 * i + 4]), " ".join(names[2 * i : 2 * i + 4]) + ".",
                 hours=i, provider=f"Outlet{i}")
            for i in range(length)]


@pytest.mark.parametrize(("days", "joins"), [(29.5, True), (30.5, False)])
def test_a_shared_url_counts_for_thirty_days(days: float, joins: bool) -> None:
    url = ("https://zdnet.com/article/exposure",)
    a = item("a", "One headline", "", 0, "ZDNet", url)
    b = item("b", "Another headline entirely", "", 24 * days, "MSN", url)
    assert together(grouped(*background(), a, b), "a", "b") is joins


def test_a_url_is_found_on_its_latest_record_when_older_ones_are_let_go() -> None:
    url = ("https://zdnet.com/article/exposure",)
    records = [item("a", "One headline", "", 0, "ZDNet", url),
               item("b", "Another headline entirely", "", 24 * 20, "MSN", url),
               item("c", "A third headline", "", 24 * 45, "Wired", url)]  # a is 45 days old, b 25
    grouper = grouped(*background(), *records)
    assert together(grouper, "a", "b") and together(grouper, "b", "c")
    assert grouper.reason("c").peer == "b"


@pytest.mark.parametrize(("hours", "joins"), [(24 * 4.5, True), (24 * 5.5, False)])
def test_similar_words_count_within_five_days(hours: float, joins: bool) -> None:
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet")
    b = item("b", "38M records exposed by default settings in Microsoft Power Apps portals",
             "UpGuard researchers found 38 million records exposed through Power Apps portals.", hours,
             "Wired")
    assert together(grouped(*background(), a, b), "a", "b") is joins


@pytest.mark.parametrize("late", [0.0, 1.0])
def test_the_windows_end_to_the_second(late: float) -> None:
    """Similar words count within five days and a URL within thirty, to the second."""
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet")
    b = Item("b", "38M records exposed by default settings in Microsoft Power Apps portals",
             "UpGuard researchers found 38 million records exposed through Power Apps portals.",
             T0 + 5 * 86400 + late, "Wired", "wired.com")
    assert together(grouped(*background(), a, b), "a", "b") is (late == 0)
    url = ("https://zdnet.com/article/exposure",)
    a = item("a", "One headline", "", 0, "ZDNet", url)
    b = Item("b", "Another headline entirely", "", T0 + 30 * 86400 + late, "MSN", "msn.com", url)
    assert together(grouped(*background(), a, b), "a", "b") is (late == 0)


def test_a_headline_counts_for_seven_days() -> None:
    a = item("a", f"{MISCONFIGURATION} - ZDNet", "", 0, "ZDNet")
    b = item("b", MISCONFIGURATION.upper(), "", 24 * 6.5, "Neowin")
    grouper = grouped(*background(), a, b)
    assert together(grouper, "a", "b") and grouper.reason("b").how == "title"


def test_a_record_finds_one_four_days_before_across_five_midnights() -> None:
    late = datetime(2021, 8, 23, 23, tzinfo=timezone.utc).timestamp()
    a = Item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, late,
             "ZDNet", "zdnet.com")
    b = Item("b", "38M records exposed by default settings in Microsoft Power Apps portals",
             "UpGuard researchers found 38 million records exposed through Power Apps portals.",
             late + 4 * 86400 + 2 * 3600, "Wired", "wired.com")  # 01:00 on the fifth day after
    assert together(grouped(*background(), a, b), "a", "b")


def test_an_outlet_known_by_its_name_only_writes_twice_as_one_outlet() -> None:
    def bare(record_id: str, title: str, excerpt: str, hours: float) -> Item:
        return Item(record_id, title, excerpt, T0 + hours * HOUR, "Zorvex Blog", "")
    a = bare("a", "Announcing general availability of code components for Power Apps portals",
             "Code components for portals are now generally available to makers of Power Apps portals.", 0)
    b = bare("b", "Announcing general availability of Power Apps portals support for query data by Web API",
             "Querying data with the portals Web API is now generally available for Power Apps portals.", 1)
    assert not together(grouped(*background(), a, b), "a", "b")


def test_a_chain_of_look_alikes_does_not_become_one_story() -> None:
    links = chain(8)
    grouper = grouped(*background(), *links)
    stories = {grouper.story_of(link.id) for link in links}
    assert len(stories) >= 3  # single linkage would make one story of all eight
    for i, j in itertools.combinations(range(8), 2):
        if j - i >= 3:  # records sharing nothing, nor with a shared neighbour, never meet
            assert not together(grouper, f"c{i}", f"c{j}")


def test_a_story_spans_at_most_a_week() -> None:
    recall = "Zorvex recalls its drones over batteries."
    daily = [item(f"d{day}", f"Zorvex recall widens to batch {day}", recall, 24 * day, f"P{day}")
             for day in range(10)]
    grouper = grouped(*background(), *daily)
    assert all(together(grouper, "d0", f"d{day}") for day in range(1, 8))
    assert not together(grouper, "d0", "d8") and not together(grouper, "d0", "d9")


def test_a_record_like_two_stories_does_not_join_them() -> None:
    x = [item(f"x{i}", f"Zorvex raises funding round {i}", "Zorvex raises funding from investors.", i, "P")
         for i in range(3)]
    y = [item(f"y{i}", f"Quenlux recalls drone batch {i}", "Quenlux recalls drones over batteries.", i, "Q")
         for i in range(3)]
    bridge = item("z", "Zorvex raises funding as Quenlux recalls drone batch",
                  "Zorvex raises funding; Quenlux recalls drones.", 5, "R")
    grouper = grouped(*background(), *x, *y, bridge)
    assert all(together(grouper, "x0", f"x{i}") and together(grouper, "y0", f"y{i}") for i in range(3))
    assert not together(grouper, "x0", "y0")


def test_records_without_a_time_join_by_url_or_headline_only() -> None:
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet",
             ("https://zdnet.com/article/exposure",))
    by_url = item("b", "Another headline", "", provider="MSN",
                  urls=("https://www.zdnet.com/article/exposure",), timed=False)
    by_words = item("c", "38M records exposed by Microsoft Power Apps portals", EXPOSURE,
                    provider="Wired", timed=False)
    grouper = grouped(*background(), a, by_url, by_words)
    assert together(grouper, "a", "b") and not together(grouper, "a", "c")


def test_a_record_without_a_time_added_later_still_finds_a_url() -> None:
    a = item("a", "One headline", "", 0, "ZDNet", ("https://zdnet.com/article/x-1",))
    undated = [item(f"u{i}", f"An undated record {i}", "", provider="MSN", timed=False) for i in (0, 2)]
    u1 = item("u1", "Another undated record", "", provider="MSN", urls=("https://zdnet.com/article/x-1",),
              timed=False)
    grouper = grouped(*background(), a, *undated)
    grouper.add([u1])  # between u0 and u2: grouped again from there, with the dated records before
    assert together(grouper, "a", "u1") and grouper.reason("u1").how == "url"


@pytest.mark.parametrize("between", [False, True])
def test_a_record_added_out_of_order_finds_an_older_url(between: bool) -> None:
    url = ("https://zdnet.com/article/x-1",)
    earlier = [item("a", "One headline", "", 0, "ZDNet", url)]
    if between:  # a record between them, five days before the late one
        earlier.append(item("m", "Something else entirely", "", 24 * 5, "Wired"))
    later = item("z", "A much later record", "", 24 * 40, "Neowin")
    grouper = grouped(*earlier, later)
    grouper.add([item("b", "Another headline entirely", "", 24 * 10, "MSN", url)])  # replays from b on
    assert together(grouper, "a", "b") and grouper.reason("b").how == "url"


def test_a_record_added_out_of_order_finds_a_url_or_copy_at_the_edge_of_its_window() -> None:
    """A replay refills the windows from the latest record before the new one: a URL held 30 days,
    and an excerpt held 180 days under one headline, must still be there (a day of margin besides)."""
    url = ("https://zdnet.com/article/x-1",)
    earlier = [item("a", "One headline", "", 0, "ZDNet", url),
               item("m", "Something else entirely", "", 24 * 29.6, "Wired")]
    grouper = grouped(*earlier, item("z", "A much later record", "", 24 * 40, "Neowin"))
    grouper.add([item("b", "Another headline entirely", "", 24 * 29.9, "MSN", url)])  # replays from b on
    assert together(grouper, "a", "b") and grouper.reason("b").how == "url"
    earlier = [item("a", "How Quenlux is unlocking digital transformation", COPY, 0, "Inferse"),
               item("m", "Something else entirely", "", 24 * 179.5, "Wired")]
    grouper = grouped(*earlier, item("z", "A much later record", "", 24 * 185, "Neowin"))
    grouper.add([item("b", "How Quenlux is unlocking digital transformation", COPY, 24 * 179.8, "Inferse")])
    assert together(grouper, "a", "b") and grouper.reason("b").how == "copy"


def test_a_record_without_a_time_added_after_others_without_finds_a_headline() -> None:
    """The windows are refilled from the latest record with a time, past those without one."""
    dated = item("a", MISCONFIGURATION, "", 0, "ZDNet")
    undated = item("u", "Something else entirely happened today", "", 0, "Wired", timed=False)
    grouper = grouped(dated, undated)
    grouper.add([item("v", MISCONFIGURATION.upper(), "", 0, "Neowin", timed=False)])
    assert together(grouper, "a", "v") and grouper.reason("v").how == "title"


def test_the_thresholds_hold_at_equality_and_a_reason_keeps_four_decimals(monkeypatch: pytest.MonkeyPatch) -> None:
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet")
    b = item("b", "38M records exposed by default settings in Microsoft Power Apps portals",
             "UpGuard researchers found 38 million records exposed through Power Apps portals.", 20, "Wired")
    records = [*background(), a, b]
    kept = grouped(*records).reason("b")
    with monkeypatch.context() as patched:  # the scores as compared, before they are rounded
        patched.setattr(stories, "round", lambda value, digits: value, raising=False)
        exact = grouped(*records).reason("b")
    assert kept.how == exact.how == "similar" and exact.score != kept.score
    assert (kept.score, kept.best) == (round(exact.score, 4), round(exact.best, 4))
    above = math.nextafter(exact.score, 1.0), math.nextafter(exact.best, 1.0)
    for threshold, best_threshold, joins in ((exact.score, exact.best, True), (above[0], 0.0, False),
                                             (0.0, above[1], False)):
        settings = Settings(threshold=threshold, best_threshold=best_threshold)
        assert together(grouped(*records, settings=settings), "a", "b") is joins


def test_reasons_explain_each_join() -> None:
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet",
             ("https://zdnet.com/article/exposure",))
    b = item("b", "Another headline", "", 1, "MSN", ("https://www.zdnet.com/article/exposure?ocid=x",))
    c = item("c", "38M records exposed by default settings in Microsoft Power Apps portals", EXPOSURE, 2,
             "Wired")
    grouper = grouped(*background(), a, b, c)
    assert grouper.reason("a").describe() == "began the story"
    assert grouper.reason("b").describe() == "same URL as a (zdnet.com/article/exposure)"
    reason = grouper.reason("c")
    assert reason.how == "similar" and reason.peer in ("a", "b") and 0.25 <= reason.score <= reason.best <= 1
    assert reason.describe() == (f"similar words: {reason.score:.2f} on average with the story, "
                                 f"{reason.best:.2f} with {reason.peer}")
    assert grouper.members("c") == ["a", "b", "c"]
    d = item("d", "Microsoft Power Apps misconfiguration exposes 38 million records!", "", 3, "Wired")
    grouper.add([d])
    assert grouper.reason("d").describe() == "same headline as a"


def test_a_grouper_says_what_it_holds() -> None:
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet")
    b = item("b", "Microsoft Power Apps misconfiguration exposes 38 million records", "", 2, "Wired")
    grouper = grouped(a, b)
    assert len(grouper) == 2 and "a" in grouper and "b" in grouper and "c" not in grouper
    assert grouper.add([]) == {} and grouper.remove(["c"]) == {}  # nothing new, nothing held: no change
    assert grouper.lead_of("b") == "a" and grouper.story_of("b") == story_id("a")
    assert re.fullmatch(r"[0-9a-f]{12}", story_id("a"))  # six bytes of digest


# -- copies of one text, compounds, noun endings ----------------------------------------------

COPY = ("Zorvex has announced a new payment option for its drone fleet service. The move means that along "
        "with its current per-pilot model, in which operators rent out drones for each individual pilot, "
        "Zorvex now offers a per-flight plan")
SERIES = ("Welcome to the Zorvex monthly feature update! We will use this post to share a summary of "
          "product, community and learning updates from throughout the month so you can find them in one "
          "place.")
CUT = COPY[: COPY.index("each individual")] + "each indiv ..."  # another edition cuts it short


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Another headline on a copy of the text ten days on (past the window of similar words).
        (item("a", "Zorvex drone service could be about to get more expensive", CUT, 0, "TechRadar"),
         item("b", "Zorvex makes some changes to paying for its drones", COPY, 24 * 10, "TechRadar")),
        # The same headline (but a signature) on the same text five months on.
        (item("a", "How Quenlux is unlocking digital transformation with Zorvex drones", COPY, 0, "Inferse"),
         item("b", "How Quenlux is unlocking digital transformation with Zorvex drones \u2013 Zorvex", COPY,
              24 * 150, "Inferse")),
        (item("a", "How Quenlux is unlocking digital transformation", COPY, 0, "Inferse"),
         item("b", "How Quenlux is unlocking digital transformation", COPY, 24 * 179.5, "Inferse")),
    ],
)
def test_copies_of_one_text_merge(a: Item, b: Item) -> None:
    grouper = grouped(*background(), a, b)
    assert together(grouper, "a", "b")
    reason = grouper.reason("b")
    assert reason.how == "copy" and reason.peer == "a" and int(reason.detail) >= COPY_WORDS
    assert reason.describe() == f"same text as a ({reason.detail} words of its excerpt)"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # A series: one text under each month's headline.
        (item("a", "What's new: Zorvex August 2022 feature update", SERIES, 0, "Zorvex"),
         item("b", "What's new: Zorvex September 2022 feature update", SERIES, 24 * 26, "Zorvex")),
        # The text of a preview again at its general availability, months later, under another headline.
        (item("a", "Zorvex portals as mobile apps (preview)", COPY, 0, "Zorvex"),
         item("b", "Announcing general availability of Zorvex portals as mobile apps", COPY, 24 * 77,
              "Zorvex")),
        # The same headline and text, past `copy_days`.
        (item("a", "How Quenlux is unlocking digital transformation", COPY, 0, "Inferse"),
         item("b", "How Quenlux is unlocking digital transformation", COPY, 24 * 180.5, "Inferse")),
        # A shared opening of boilerplate, then two texts.
        (item("a", "Quenlux recalls batteries", SERIES[:140] + " Quenlux recalls its batteries after fires.",
              0, "Zorvex"),
         item("b", "Vantor opens a depot", SERIES[:140] + " Vantor opens a depot in the north of Spain.",
              24 * 10, "Zorvex")),
        # Two short excerpts alike: too few words to be sure of one text.
        (item("a", "Quenlux recalls batteries", "Zorvex news in brief for makers and pilots.", 0, "Zorvex"),
         item("b", "Vantor opens a depot", "Zorvex news in brief for makers and pilots.", 24 * 10, "Zorvex")),
    ],
)
def test_texts_alike_that_are_no_copy_do_not_merge(a: Item, b: Item) -> None:
    grouper = grouped(*background(), a, b)
    assert not together(grouper, "a", "b")


BLURB = ("Quenlux Daily brings you the latest drone, battery and logistics news from makers, regulators "
         "and pilots across Europe, every weekday morning in one short read.")


def test_a_stock_description_under_a_third_headline_is_no_copy() -> None:
    """An excerpt held by records under two unlike headlines is an outlet's stock text: a third
    headline does not join them by it (a week apart each, so no similar words join them either)."""
    depot = item("a", "Vantor opens a depot in northern Spain", BLURB, 0, "Quenlux Daily")
    recall = item("b", "Quenlux recalls batteries after fires", BLURB, 24 * 7, "Quenlux Daily")
    patrol = item("c", "Zorvex wins a contract for border patrol drones", BLURB, 24 * 14, "Quenlux Daily")
    grouper = grouped(*background(), depot, recall, patrol)
    assert grouper.reason("b").how == "copy" and together(grouper, "a", "b")  # one text, as far as known
    assert grouper.reason("c").how == "first"
    # A record under a headline like one of theirs is that record's copy, stock text or not.
    again = item("d", "Quenlux recalls batteries after fires - Quenlux Daily", BLURB, 24 * 15, "Quenlux Daily")
    grouper = grouped(*background(), depot, recall, patrol, again)
    assert grouper.reason("d").how == "copy" and together(grouper, "b", "d")


def test_an_excerpt_held_under_one_headline_is_no_stock_description() -> None:
    depot = item("a", "Vantor opens a depot in northern Spain", BLURB, 0, "Quenlux Daily")
    signed = item("b", "Vantor opens a depot in northern Spain | Quenlux Daily", BLURB, 24 * 7, "Quenlux Daily")
    other = item("c", "Zorvex wins a contract for border patrol drones", BLURB, 24 * 14, "Quenlux Daily")
    grouper = grouped(*background(), depot, signed, other)
    assert grouper.reason("c").how == "copy" and together(grouper, "a", "c")


def test_a_stored_reason_keeps_its_peer_the_earliest_record_too() -> None:
    a = item("a", "Microsoft Power Apps misconfiguration exposes 38 million records", EXPOSURE, 0, "ZDNet")
    b = item("b", "Microsoft Power Apps misconfiguration exposes 38 million records", "", 2, "Wired")
    stored = json.loads(json.dumps(grouped(a, b).state()))
    restored = Grouper.from_state(stored)
    assert restored.reason("b") == grouped(a, b).reason("b") and restored.reason("b").peer == "a"
    with pytest.raises(ValueError):  # a state from before the words changed
        Grouper.from_state({**stored, "version": 1})
    with pytest.raises(ValueError, match="out of order"):
        Grouper.from_state({**stored, "records": stored["records"][::-1]})


def test_a_copy_is_sought_among_the_latest_holders_of_its_excerpt_key_only() -> None:
    original = item("o", "How Quenlux is unlocking digital transformation", SERIES, 0, "Inferse")
    months = ["January", "February", "March", "April", "June"]
    series = [item(f"s{i}", f"Quenlux {month} 2023 update", SERIES, 24 * (1 + i), "Inferse")
              for i, month in enumerate(months)]
    copy = item("c", "How Quenlux is unlocking digital transformation", SERIES, 24 * 60, "Inferse")
    grouper = grouped(*background(), original, *series[:3], copy)
    assert together(grouper, "o", "c")  # the original is among the latest four holders
    grouper = grouped(*background(), original, *series[:4], copy)
    assert not together(grouper, "o", "c")  # a text this many records hold is not sought further back


def test_a_copy_is_found_after_a_replay_and_from_a_stored_state() -> None:
    a = item("a", "Zorvex drone service could be about to get more expensive", CUT, 0, "TechRadar")
    b = item("b", "Zorvex makes some changes to paying for its drones", COPY, 24 * 100, "TechRadar")
    c = item("c", "How Quenlux is unlocking digital transformation", SERIES, 24 * 40, "Inferse")
    later = item("d", "How Quenlux is unlocking digital transformation \u2013 Inferse", SERIES, 24 * 150,
                 "Inferse")
    grouper = grouped(*background(), a, b, c)
    assert not together(grouper, "a", "b")  # a copy under another headline counts within `url_days`
    # Restored, the grouper holds c (sixty days before the latest record) by its excerpt key only.
    restored = Grouper.from_state(json.loads(json.dumps(grouper.state())))
    restored.add([later])
    assert together(restored, "c", "d") and restored.reason("d").how == "copy"
    early = item("e", "Zorvex drone service could be about to get more expensive", COPY, 24 * 95, "TechRadar")
    restored.add([early])  # earlier than b and d: they are grouped again
    assert together(restored, "e", "b") and together(restored, "c", "d")
    assert restored.assignments() == grouped(*background(), a, b, c, later, early).assignments()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Only the compound tells "pay-as-you-go" from any pay or go.
        (item("a", "Microsoft Power Apps gets a pay-as-you-go plan", "Makers pay per app through Azure.", 0,
              "ZDNet"),
         item("b", "Pay-as-you-go arrives for Power Apps makers",
              "Billing goes through an Azure subscription.", 20, "Neowin")),
        # Misconfiguration, misconfigured; exposes, exposure.
        (item("a", "Power Apps misconfiguration causes a data exposure",
              "An announcement on the automation of portal configuration.", 0, "ZDNet"),
         item("b", "Misconfigured Power Apps exposed data",
              "Microsoft announced it automated how portals are configured.", 20, "Neowin")),
    ],
)
def test_compounds_and_noun_endings_let_coverage_meet(a: Item, b: Item) -> None:
    grouper = grouped(*background(), a, b)
    assert together(grouper, "a", "b") and grouper.reason("b").how == "similar"


# -- the groups depend on the set of records only ----------------------------------------------

@pytest.fixture(scope="module")
def synthetic() -> list[Item]:
    """Six hundred synthetic records (a third of the blocks report one event several times)."""
    out = []
    for relative, text in generate(600, seed=3):
        record = parse_text(relative, text, related_in_full=False)
        assert isinstance(record, Record)
        out.append(item_of(record))
    return out


def test_shuffled_input_gives_the_same_groups(synthetic: list[Item]) -> None:
    expected = grouped(*synthetic).assignments()
    for seed in range(3):
        shuffled = synthetic[:]
        random.Random(seed).shuffle(shuffled)
        assert grouped(*shuffled).assignments() == expected


def test_adding_in_batches_in_any_order_equals_one_batch(synthetic: list[Item]) -> None:
    batch = grouped(*synthetic)
    expected = batch.assignments()
    ordered = sorted(synthetic, key=lambda i: (i.timestamp or 0.0, i.id))
    grouper = Grouper()
    for at in range(0, len(ordered), 37):  # newer records each time: no replay
        changes = grouper.add(ordered[at : at + 37])
        assert set(changes) >= {i.id for i in ordered[at : at + 37]}
    assert grouper.assignments() == expected
    batches = [synthetic[at : at + 50] for at in range(0, len(synthetic), 50)]
    random.Random(1).shuffle(batches)  # older records after newer: replays
    grouper = Grouper()
    for chunk in batches:
        grouper.add(chunk)
    assert grouper.assignments() == expected
    assert {i.id: grouper.reason(i.id) for i in synthetic} == {i.id: batch.reason(i.id) for i in synthetic}


def test_removing_and_adding_back_restores_the_groups(synthetic: list[Item]) -> None:
    grouper = grouped(*synthetic)
    expected = grouper.assignments()
    gone = synthetic[100:130]
    changes = grouper.remove(i.id for i in gone)
    assert all(changes[i.id] is None for i in gone)
    assert all(members for members in grouper.stories().values())  # no story left empty
    with pytest.raises(KeyError):  # nor a reason for a record gone
        grouper.reason(gone[0].id)
    assert grouper.assignments() == grouped(*(i for i in synthetic if i not in gone)).assignments()
    grouper.add(gone)
    assert grouper.assignments() == expected


def test_a_stored_grouper_goes_on_as_if_it_had_never_stopped(synthetic: list[Item]) -> None:
    ordered = sorted(synthetic, key=lambda i: (i.timestamp or 0.0, i.id))
    batch = grouped(*synthetic)
    # Stop just before a record that joins a story by its words, in the later half.
    split = next(at for at in range(300, len(ordered)) if batch.reason(ordered[at].id).how == "similar")
    first, rest = ordered[:split], ordered[split:]
    stored = json.loads(json.dumps(grouped(*first).state()))
    restored = Grouper.from_state(stored)
    assert restored.assignments() == grouped(*first).assignments()
    restored.add(rest)
    assert restored.assignments() == batch.assignments()
    assert all(restored.reason(i.id) == batch.reason(i.id) for i in synthetic)
    again = Grouper.from_state(stored)
    again.add(rest[::-1][:50])  # the newest first, then older ones: replays from a restored state
    again.add(rest[::-1][50:])
    assert again.assignments() == batch.assignments()
    with pytest.raises(ValueError):
        Grouper.from_state({**stored, "version": 0})


def test_story_ids_come_from_the_earliest_record_and_stay_while_it_does(synthetic: list[Item]) -> None:
    grouper = grouped(*synthetic)
    for story, members in grouper.stories().items():
        assert story == story_id(members[0])
    several = next(m for m in grouper.stories().values() if len(m) >= 3)
    before = grouper.story_of(several[0])
    latest = max(synthetic, key=lambda i: i.timestamp or 0.0)
    grouper.add([Item("new", "Something else entirely happened", "", (latest.timestamp or 0) + 10 * 86400)])
    assert grouper.story_of(several[0]) == before and grouper.story_of(several[-1]) == before
    changes = grouper.remove([several[-1]])
    assert changes == {several[-1]: None} and grouper.story_of(several[0]) == before


def test_synthetic_events_are_found_with_few_false_merges(synthetic: list[Item]) -> None:
    """Synthetic coverage of one event (same block, same made-up name) is the truth here."""
    made_up = re.compile(f"(?:{'|'.join(SYLLABLES)})+")

    def event(i: Item) -> str:
        block = int(i.id.rsplit("-", 1)[1].removesuffix(".md")) // BLOCK
        name = next((w for w in i.title.lower().split() if w not in WORDS and made_up.fullmatch(w)), None)
        return f"{block}:{name}" if name else i.id

    truth = {i.id: event(i) for i in synthetic}
    found = grouped(*synthetic).assignments()
    true_pairs = {p for p in itertools.combinations(sorted(truth), 2) if truth[p[0]] == truth[p[1]]}
    found_pairs = {p for p in itertools.combinations(sorted(found), 2) if found[p[0]] == found[p[1]]}
    assert len(true_pairs) > 100
    assert len(found_pairs & true_pairs) / len(found_pairs) >= 0.9  # precision
    assert len(found_pairs & true_pairs) / len(true_pairs) >= 0.8  # recall


def test_item_of_takes_what_grouping_reads() -> None:
    when = datetime(2021, 8, 23, 12, tzinfo=timezone.utc)
    record = Record("t/_news/x.md", "Title", "Excerpt", when,
                    Urls(original="https://a.com/x", web="https://b.com/y", amp="https://a.com/amp/x"),
                    provider=Provider("A", "a.com"))
    assert item_of(record) == Item("t/_news/x.md", "Title", "Excerpt", when.timestamp(), "A", "a.com",
                                   ("https://a.com/x", "https://b.com/y", "https://a.com/amp/x", ""))


def test_signals_hold_what_the_grouper_would_derive() -> None:
    urls = ("https://www.example.com/news/a?utm_source=x", "https://example.com/amp/news/a", "")
    title = "Microsoft Power Apps exposes 38M records - Example News"
    excerpt = "UpGuard found &amp; said 38M."
    signals = signals_of(title, excerpt, "Example News", "example.com", urls)
    assert signals.feats() == features(title, excerpt, "Example News", "example.com")
    assert signals.feats() == {"microsoft": 2, "power": 2, "app": 2, "expos": 2, "38": 3, "million": 3,
                               "record": 2, "upguard": 1, "found": 1}  # headline 2, excerpt 1, both 3
    assert signals.ukeys == url_keys(urls) == ("example.com/news/a",)
    assert signals.tkey == title_key(title, "Example News", "example.com")
    assert signals.tkey == "microsoft power apps exposes 38m records"
    empty = signals_of("")
    assert empty.feats() == {} and empty.ukeys == () and empty.tkey == ""


def test_items_with_signals_made_ahead_group_as_items_without(synthetic: list[Item]) -> None:
    assert all(i.signals is not None for i in synthetic)  # item_of makes them
    bare = [i.bare() for i in synthetic]
    assert all(b.signals is None for b in bare) and bare == synthetic  # signals are not compared
    shipped = pickle.loads(pickle.dumps(synthetic))  # as a parsing worker hands them over
    with_signals, without = grouped(*shipped), grouped(*bare)
    assert with_signals.assignments() == without.assignments()
    assert all(with_signals.reason(i.id) == without.reason(i.id) for i in synthetic)
    assert any(with_signals.reason(i.id).how == "similar" for i in synthetic)
    assert item_of(parse_text("t/_news/x.md", "---\ntitle: T\n---\n"), signals=False).signals is None
