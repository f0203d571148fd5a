"""What story grouping reads from a record's text: compound words, noun endings, the excerpt key of a
copied text, and the headline words that tell one instance of a series from another."""

from __future__ import annotations

import os
import pytest

from reader.core.story_text import (
    COPY_WORDS,
    excerpt_key,
    features,
    shared_opening,
    strip_provider,
    text_signals,
    title_key,
    title_words,
    titles_alike,
    titles_conflict,
    words,
)

COPIED = ("Microsoft has announced a new payment option for its Power Apps. The move means that along with "
          "its current user-based model, in which businesses rent out the services for each individual user, "
          "Microsoft is offering a pay-as-you-go plan")


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("Microsoft uses GPT-3 in Power Apps", "gpt3"),  # a number
        ("a pay-as-you-go tier", "payasyougo"),  # stopwords
        ("the flaw CVE-2021-38647 in OMI", "cve202138647"),
        ("T\u2011Mobile launches 5G", "tmobil"),  # a non-breaking hyphen, a one-letter part
        ("an e-commerce site", "ecommerc"),  # a short part
    ],
)
def test_a_compound_of_parts_that_say_little_is_also_kept_whole(text: str, whole: str) -> None:
    assert whole in words(text)
    assert whole not in words(text.replace("-", " ").replace("\u2011", " "))


def test_a_compound_is_found_written_solid_and_with_its_parts_first() -> None:
    assert words("GPT-3 arrives") == ["gpt", "gpt3", "arriv"]  # "3" alone is too short to keep
    assert "gpt3" in words("GPT3 arrives")


@pytest.mark.parametrize("text", ["self-driving cars", "low-code platforms", "a well-known model-driven app"])
def test_a_compound_of_content_words_is_left_to_its_parts(text: str) -> None:
    assert words(text) == words(text.replace("-", " "))


@pytest.mark.parametrize(
    "forms",
    [
        ("exposure", "exposes", "exposed", "expose"),
        ("misconfiguration", "misconfigurations", "misconfigured"),
        ("announcement", "announcements", "announced", "announce"),
        ("automation", "automated", "automate"),
        ("development", "developing", "developed"),
        ("failure", "failed"),
    ],
)
def test_noun_endings_meet_the_verb(forms: tuple[str, ...]) -> None:
    assert len({words(form)[0] for form in forms}) == 1


@pytest.mark.parametrize(("a", "b"), [("comment", "com"), ("station", "st"), ("format", "form"),
                                      ("payment", "pay"), ("creation", "cre")])
def test_short_stems_are_not_cut_further(a: str, b: str) -> None:
    assert words(a) != words(b)


def test_text_signals_are_features_and_the_excerpt_key() -> None:
    title, excerpt = "Microsoft makes some changes to paying for Power Apps - TechRadar", COPIED
    feats, key = text_signals(title, excerpt, "TechRadar", "techradar.com")
    assert feats == features(title, excerpt, "TechRadar", "techradar.com")
    assert key == excerpt_key(excerpt) == " ".join(words(excerpt)[:COPY_WORDS])


def test_copies_cut_at_different_lengths_share_their_excerpt_key() -> None:
    cut = COPIED[:COPIED.index("each individual")] + "each individual user ..."
    assert excerpt_key(cut) == excerpt_key(COPIED) != ""
    assert excerpt_key("Another text entirely: " + COPIED) != excerpt_key(COPIED)


def test_a_short_excerpt_gives_no_excerpt_key() -> None:
    text = " ".join(f"word{i}" for i in range(COPY_WORDS))
    assert excerpt_key(text) == ""  # its last word may be cut: COPY_WORDS whole words are not sure
    assert excerpt_key(text + " extra") == " ".join(words(text)[:COPY_WORDS])
    assert excerpt_key("") == ""


@pytest.mark.parametrize(
    ("a", "b", "shared"),
    [
        (COPIED, COPIED, len(words(COPIED)) - 1),
        (COPIED, COPIED[:120] + "indiv", len(words(COPIED[:120] + "indiv")) - 1),  # cut mid-word
        (COPIED, "Microsoft has announced a new payment option for Dynamics.", 4),  # parted at the 5th
        (COPIED, "Dynamics gets a new payment option", 0),
        ("", COPIED, 0),
    ],
)
def test_shared_opening_counts_the_words_of_the_shorter_excerpt(a: str, b: str, shared: int) -> None:
    assert shared_opening(a, b) == shared_opening(b, a) == shared


def test_the_words_of_one_text_after_a_cut_are_shared() -> None:
    assert shared_opening("alpha beta gamma delt", "alpha beta gamma delta epsilon") == 3
    assert shared_opening("alpha beta gamma", "alpha beta gammas delta") == 2


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("What's new: Power Apps August 2022 Feature Update",
         "What's new: Power Apps September 2022 Feature Update", True),
        ("Microsoft Power Apps | 2019 release wave 2 overview",
         "Microsoft Power Apps | 2020 release wave 1 overview", True),
        ("Power Apps exposes 38M records", "Power Apps exposes 38 million records", False),
        ("Leader in the Forrester Wave, Q2 2021", "Microsoft a Forrester leader in 2021", False),  # within
        ("Microsoft makes some changes to paying for Power Apps", "Power Apps could cost more", False),
        ("Power Apps March update", "Power Apps update for 2023", True),
        ("Microsoft may raise prices in 2023", "Microsoft raises prices in 2023", False),  # may: a verb
        ("Power Apps April 2023 Feature Update", "Power Apps May 2023 Feature Update", True),  # a month
        ("Microsoft may raise prices", "Microsoft raises prices in April", False),
    ],
)
def test_titles_conflict_when_each_names_a_number_or_month_the_other_lacks(a: str, b: str,
                                                                          conflict: bool) -> None:
    assert titles_conflict(title_words(a), title_words(b)) is conflict
    assert titles_conflict(title_words(b), title_words(a)) is conflict


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("How Rolls-Royce is unlocking digital transformation with Power Apps",
         "How Rolls-Royce is unlocking digital transformation with Power Apps \u2013 Microsoft", True),
        ("Power Apps portals as mobile apps (preview)",
         "Announcing General Availability (GA) of Power Apps portals as mobile apps", False),
        ("", "Anything", False),
        ("Anything", "", False),
    ],
)
def test_titles_are_alike_when_one_holds_every_word_of_the_other(a: str, b: str, alike: bool) -> None:
    assert titles_alike(title_words(a), title_words(b)) is alike
    assert titles_alike(title_words(b), title_words(a)) is alike


# -- the edges of each rule ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "provider", "domain", "expected"),
    [
        ("Headline words here - ZDNet", "", "zdnet.com", "Headline words here"),  # the domain without its TLD
        ("Headline words here - TheVerge", "The Verge", "", "Headline words here"),  # the name without spaces
        ("Headline words here today | News | Tech | Wired", "Wired", "wired.com",
         "Headline words here today | News"),  # two tails at most
        ("Headline words here today | One Two Three", "Wired", "wired.com", "Headline words here today"),
        ("Headline words here today | One Two Three Four", "Wired", "wired.com",
         "Headline words here today | One Two Three Four"),  # a section has three words at most
        ("Rock Paper Scissors - ZDNet", "ZDNet", "zdnet.com", "Rock Paper Scissors"),
        ("Rock Paper - ZDNet", "ZDNet", "zdnet.com", "Rock Paper - ZDNet"),  # too little would be left
        ("In The Verge", "The Verge", "theverge.com", "In The Verge"),  # no separator: nothing to cut
        ("Microsoft Power Apps exposes records - ", "***", "", "Microsoft Power Apps exposes records - "),
    ],
)
def test_strip_provider_edges(title: str, provider: str, domain: str, expected: str) -> None:
    assert strip_provider(title, provider, domain) == expected


@pytest.mark.parametrize(
    ("title", "keyed"),
    [
        ("abcde fghij klmno pq", True),  # four words, twenty characters
        ("abcde fghij klmno p", False),  # nineteen characters
        ("abcdefgh ijklmnop qrstuvwx", False),  # three words
    ],
)
def test_a_title_key_needs_four_words_and_twenty_characters(title: str, keyed: bool) -> None:
    assert (title_key(title) == title) is keyed
    assert (title_key(title) == "") is not keyed


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("companies", "company"), ("flies", "fly"), ("ties", "tie"),  # -ies
        ("used", "used"), ("date", "date"), ("store", "stor"),  # too short to lose more
    ],
)
def test_stems_at_their_edges(word: str, stem: str) -> None:
    assert words(word) == [stem]


def test_a_two_letter_part_makes_a_compound_whole() -> None:
    assert words("ai-powered") == ["ai", "power", "aipower"]


def test_entities_and_wide_letters_are_folded() -> None:
    assert words("caf&eacute; opens") == words("caf\u00e9 opens")
    assert words("\uff30\uff4f\uff57\uff45\uff52 \uff21\uff50\uff50\uff53") == ["power", "app"]  # full width


def test_only_the_excerpt_s_first_400_characters_count() -> None:
    excerpt = "lorem " * 66 + "wxyzqrst"  # the 396 characters before it, then "wxyz" within 400
    assert len("lorem " * 66) == 396
    feats = features("Title", excerpt)
    assert "wxyz" in feats and "wxyzq" not in feats and "wxy" not in feats


def test_an_excerpt_key_needs_sixteen_words_and_holds_fifteen() -> None:
    sixteen = " ".join(f"word{i}" for i in range(16))
    assert excerpt_key(sixteen) == " ".join(f"word{i}" for i in range(15))
    assert excerpt_key(" ".join(f"word{i}" for i in range(15))) == ""


def test_the_outlet_s_own_words_do_not_count() -> None:
    feats = features("Zdnet finds a flaw in Zorvex", "Zdnet says so.", "", "zdnet.com")
    assert "zdnet" not in feats and "zorvex" in feats
    feats = features("Wired finds a flaw in Zorvex", "Wired says so.", "Wired", "")
    assert "wired" not in feats and "zorvex" in feats


def test_shared_opening_at_its_edges() -> None:
    assert shared_opening("alpha beta", "alpha gamma delta") == 1
    assert shared_opening("alpha", "alpha beta") == 0
    assert shared_opening("", "") == 0


def test_one_headline_is_alike_itself() -> None:
    words_ = title_words("How Quenlux is unlocking digital transformation")
    assert titles_alike(words_, set(words_))


def test_the_words_come_in_one_order_in_every_process() -> None:
    # A record's word weights are summed in their order (its vector's length, the cosines): an order
    # that changed with the process's hash seed changed the last digits of those sums from run to run.
    import subprocess
    import sys

    code = (
        "from reader.core.story_text import text_signals\n"
        "print(list(text_signals('Waymo raises money', 'Alphabet unit Waymo raised 2.5 billion from investors "
        "including Silver Lake, Tiger Global and others in a round')[0]))"
    )
    orders = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(orders) == 1
