"""Record fields from loaded front matter, one function at a time: what each field becomes for each kind
of value, at the limits (numbers, lengths, the years 1 to 9999 in UTC), and the notes a record gets."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reader.core.fields import (
    MAX_SHORT,
    MAX_URL,
    listed_items,
    parse_date,
    record_from_mapping,
    related_links,
    story_urls,
    text_field,
    unescape_html,
    video_url,
)
from reader.core.frontmatter import read_for_index, read_record
from reader.core.record import Image, Provider, Record, RelatedStory
from reader.core.text import safe_text
from reader.core.urls import Urls

UTC = timezone.utc
OUT_OF_RANGE = "a number out of range, left out"


def record(**data: Any) -> Record:
    return record_from_mapping("/news/A story.md", data)


# --- text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  a \t b  ", "a b"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (2.5, "2.5"),
        (-999_999_999_999, "-999999999999"),
        (10**12, ""),
        (-(10**12), ""),
        (1e12, ""),
        (date(2024, 5, 6), "2024-05-06"),
        (datetime(2024, 5, 6, 7, 8, tzinfo=UTC), "2024-05-06T07:08:00+00:00"),
        (None, ""),
        ([1], ""),
        ({"a": 1}, ""),
        ("a\x1bb", "a\u241bb"),
    ],
)
def test_a_value_as_one_line_of_text(value: object, text: str) -> None:
    assert text_field(value, 100) == text


def test_text_is_cut_at_its_limit_with_an_ellipsis() -> None:
    assert text_field("x" * 10, 10) == "x" * 10
    assert text_field("x" * 11, 10) == "x" * 9 + "…"
    assert text_field("x" * 11 + "\x1b", 10) == "x" * 9 + "…"


def test_entities_are_decoded_only_where_asked() -> None:
    assert text_field("Fish &amp; chips", 100, unescape=True) == "Fish & chips"
    assert text_field("Fish &amp; chips", 100) == "Fish &amp; chips"
    assert text_field("a\x1b &amp; b", 100) == "a\u241b &amp; b"
    assert text_field("a\x1b &amp; b", 100, unescape=True) == "a\u241b & b"
    assert record(type="R&amp;D", category="Q&amp;A", title="R&amp;D", excerpt="Q&amp;A") == record(
        type="R&amp;D", category="Q&amp;A", title="R&D", excerpt="Q&A"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a&#x1b;[31mb", "a\u241b[31mb"), ("a&#27;b", "a\u241bb"), ("a&#X1B;b", "a\u241bb"),
        ("a&#0000027;b", "a\u241bb"), ("a&#27b", "a\u241bb"), ("a&#x7f;b", "a\u2421b"), ("a&#1;b", "a\u2401b"),
        ("a&#38;b", "a&b"), ("a&#x263a;b", "a\u263ab"), ("a&#x202e;b", safe_text("a\u202eb")),
    ],
)
def test_a_control_character_decoded_from_an_entity_is_shown_as_one_written_in_yaml(text: str, shown: str) -> None:
    # html.unescape makes nothing of a reference to a control character: it is kept, then made safe
    # as any other (ESC as U+241B).
    for field in ("title", "excerpt"):
        assert getattr(record(**{field: text}), field) == shown
    assert record(related=[{"title": text}]).related[0].title == shown
    assert safe_text(unescape_html(text)) == shown


@pytest.mark.parametrize("reference", ["&#" + "1" * 5000 + ";", "&#x" + "f" * 5000 + ";", "&#" + "0" * 5000 + "65;"])
def test_a_reference_of_any_length_is_read(reference: str) -> None:
    # html.unescape raised ValueError past 4,300 digits (int's limit), and the file was a problem.
    shown = "A" if reference.endswith("65;") else "\ufffd"
    assert record(excerpt=f"a{reference}b").excerpt == f"a{shown}b"
    assert unescape_html(f"a{reference}b") == f"a{shown}b"


def test_only_four_times_the_limit_is_decoded() -> None:
    # The work is bounded before entities are decoded: of 100 "&amp;" (5 characters each), the first
    # 4 x 10 characters are read, 8 entities.
    assert text_field("&amp;" * 100, 10, unescape=True) == "&" * 8


# --- numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (40, 40), (-3, -3), (0, 0), (999_999_999_999, 999_999_999_999), (40.9, 40), (-2.5, -2),
        (999_999_999_999.0, 999_999_999_999), ("42", 42), (" 7 ", 7), ("-12", -12),
        ("0000000000000000042", 42),  # 19 characters: read
        (True, None), (False, None), ("high", None), ("4.5", None), (float("nan"), None), ([1], None),
        ({"a": 1}, None), (None, None),
    ],
)
def test_whole_numbers_and_what_is_no_whole_number(value: object, number: int | None) -> None:
    assert record(quality=value).quality == number
    assert (record(quality=value).notes == ()) == (number is not None or value is None)  # see below
    assert record(images=[{"url": "https://i/a.jpg", "width": value}]).images[0].width == number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("high", "high"), ("4.5", "4.5"), ("1e3", "1e3"), (True, "true"), (float("nan"), "nan"),
        ([1, 2], "(a list)"), ({"a": 1}, "(a mapping)"), ("a\x1bb", "a\u241bb"), ("x" * 100, "x" * 59 + "…"),
    ],
)
def test_a_value_that_is_no_whole_number_is_left_out_with_a_note(value: object, shown: str) -> None:
    result = record(quality=value, heat=value)
    assert (result.quality, result.heat) == (None, None)
    assert result.notes == (f"quality: {shown} is not a whole number, left out",
                            f"heat: {shown} is not a whole number, left out")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_number_field_null_or_blank_has_no_note(value: object) -> None:
    result = record(quality=value, heat=value)
    assert (result.quality, result.heat, result.notes) == (None, None, ())


@pytest.mark.parametrize(
    "value",
    [10**12, -(10**12), 10**400, 1e12, float("inf"), float("-inf"), "1000000000000", "-1000000000000",
     "+12345678901234567890", " 99999999999999999999999 ", "1e400", "-1e13", " 2.5E12 "],
)
def test_a_number_out_of_range_is_left_out_with_a_note(value: object) -> None:
    result = record(quality=value, heat=value)
    assert (result.quality, result.heat) == (None, None)
    assert result.notes == (f"quality: {OUT_OF_RANGE}", f"heat: {OUT_OF_RANGE}")


def test_text_of_20_characters_or_more_once_stripped_is_never_turned_into_a_number() -> None:
    # (The work is bounded.) A number of twelve digits padded with spaces is read; twenty digits are
    # out of range, whatever they say.
    assert record(quality="   123456789012     ").quality == 123456789012
    assert record(quality="   123456789012     ").notes == ()
    assert record(quality="00000000000000000042").quality is None
    assert record(quality="00000000000000000042").notes == (f"quality: {OUT_OF_RANGE}",)


# --- flags ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (True, True), (False, False), ("true", True), (" Yes ", True), ("ON", True), ("1", True),
        ("false", False), ("no", False), ("Off", False), ("0", False), (1, True), (2, True), (-1, True),
        (0, False),
    ],
)
def test_flags_in_their_many_spellings(value: object, flag: bool) -> None:
    result = record(published=value, removed=value)
    assert (result.published, result.removed) == (flag, flag)


@pytest.mark.parametrize("value", [None, "maybe", "", 1.0, [True], {"a": 1}])
def test_a_flag_that_says_nothing_keeps_its_default(value: object) -> None:
    result = record(published=value, removed=value)
    assert result.published is True and result.removed is False


def test_a_record_without_flags_is_published_and_not_removed() -> None:
    result = record(title="t")
    assert result.published is True and result.removed is False


# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        (datetime(2024, 5, 6, 7, 8, tzinfo=UTC), datetime(2024, 5, 6, 7, 8, tzinfo=UTC)),
        (datetime(2024, 5, 6, 7, 8), datetime(2024, 5, 6, 7, 8, tzinfo=UTC)),
        (date(2024, 5, 6), datetime(2024, 5, 6, tzinfo=UTC)),
        ("2024-05-06T07:08:09", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("2021", datetime(2021, 1, 1, tzinfo=UTC)),
        ("May 2021", datetime(2021, 5, 1, tzinfo=UTC)),
        ("March 5 10:30 +0200", datetime(2000, 3, 5, 8, 30, tzinfo=UTC)),  # four digits, but no year
        ("January" + " " * 86 + "2, 2024", datetime(2024, 1, 2, tzinfo=UTC)),  # 100 characters
        (" \t2024-05-06 ", datetime(2024, 5, 6, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_dates_and_the_moment_they_name(value: object, moment: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == moment
    assert parsed is not None and parsed.tzinfo is not None
    assert record(publishedDateTime=value).notes == ()


def test_an_aware_date_keeps_its_offset() -> None:
    parsed = parse_date("2024-05-06T07:08:09+02:00")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=2) and parsed.hour == 7


@pytest.mark.parametrize(
    "value",
    ["", "   ", "soon", "2024-13-45", "January" + " " * 87 + "2, 2024", 2.5, True, None, [], {}],
)
def test_what_is_no_date(value: object) -> None:
    assert parse_date(value) is None
    given = value is not None and not (isinstance(value, str) and not value.strip())
    notes = record(publishedDateTime=value).notes
    assert len(notes) == given  # a note for each value that is not null or blank
    assert all(note.startswith("publishedDateTime ") and note.endswith(" is not a date: shown without a date")
               for note in notes)


@pytest.mark.parametrize(
    "value", ["yesterday", "31/02/2024", "2024-13-01", "now", "0000-01-01", 0, -1, 2024, "\x1b[31m"]
)
def test_a_date_that_is_no_date_is_left_out_with_a_note(value: object) -> None:
    result = record(publishedDateTime=value)
    assert result.published_at is None
    shown = "\u241b[31m" if value == "\x1b[31m" else str(value)
    assert result.notes == (f"publishedDateTime {shown} is not a date: shown without a date",)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("9999-12-31T23:00:00-01:00", "9999-12-31T23:00:00-01:00"),  # 10000-01-01T00:00:00 in UTC
        ("0001-01-01T00:30:00+01:00", "0001-01-01T00:30:00+01:00"),  # the year 0 in UTC
        (
            datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=14))),
            "9999-12-31T23:59:59-14:00",
        ),
        ("10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z"),  # no date reads a year of five digits
        ("+123456-1-2", "+123456-1-2"),
        (  # shown cut to 60 characters
            "on Thursday, 31st of December of 9999 at 23:00:00.000000 and at -0100",
            "on Thursday, 31st of December of 9999 at 23:00:00.000000 an…",
        ),
    ],
)
def test_a_date_outside_the_years_1_to_9999_in_utc_is_no_date_with_a_note(value: object, shown: str) -> None:
    assert parse_date(value) is None
    assert record(publishedDateTime=value).notes == (
        f"publishedDateTime {shown} is outside the years 1 to 9999 in UTC: shown without a date",
    )


def test_the_notes_come_in_order() -> None:
    result = record(publishedDateTime="9999-12-31T23:00:00-01:00", quality=10**13, heat="1" * 15)
    assert [note.split(" ")[0] for note in result.notes] == ["publishedDateTime", "quality:", "heat:"]


# --- title, body, provider, topics, images -----------------------------------------------------------------


def test_a_record_without_a_title_takes_its_file_name() -> None:
    assert record().title == "A story"
    assert record(title="  ").title == "A story"
    assert record_from_mapping("/news/plain", {}).title == "plain"
    assert record(title="T").title == "T"


def test_the_body_keeps_its_lines_and_loses_blank_ones_at_the_ends() -> None:
    assert record_from_mapping("/a.md", {}, "\n\nline 1\n\nline 2\n\n").body == "line 1\n\nline 2"
    assert record_from_mapping("/a.md", {}, " \n \t\n").body == ""
    assert record_from_mapping("/a.md", {}, "\x1b[2Jx").body == "\u241b[2Jx"


def test_a_provider_is_a_name_or_a_name_and_a_domain() -> None:
    assert record(provider="WEAU").provider == Provider("WEAU", "")
    assert record(provider={"name": "WEAU", "domain": "weau.com"}).provider == Provider("WEAU", "weau.com")
    assert record(provider=["a"]).provider == Provider()


def test_listed_items() -> None:
    assert listed_items([1, 2, 3], 2) == [1, 2]
    assert listed_items(None, 2) == []
    assert listed_items("one", 2) == ["one"]
    assert listed_items({"a": 1}, 2) == [{"a": 1}]


def test_topics_are_kept_once_each_in_order() -> None:
    assert record(topics=["AI", "", "Robots", "AI", ["x"], {"a": 1}, None, 5]).topics == ("AI", "Robots", "5")
    assert record(topics="AI").topics == ("AI",)
    assert record(topics=None).topics == ()
    assert record(topics=[f"t{n}" for n in range(60)]).topics == tuple(f"t{n}" for n in range(50))
    assert record(topics=["x" * (MAX_SHORT + 1)]).topics == ("x" * (MAX_SHORT - 1) + "…",)


def test_images_are_urls_with_sizes_where_given() -> None:
    images = record(images=[
        "https://i/a.jpg", {"url": " https://i/b.jpg ", "width": "640", "height": 480}, {"url": ""},
        {"width": 5}, 7, None, {"url": 5},
    ]).images
    assert images == (Image("https://i/a.jpg"), Image("https://i/b.jpg", 640, 480))
    assert record(images="https://i/c.jpg").images == (Image("https://i/c.jpg"),)


# --- URLs --------------------------------------------------------------------------------------------------


def test_urls_are_kept_as_written_up_to_their_limit() -> None:
    longest = "https://a.example/" + "x" * (MAX_URL - 18)
    urls = record(originalUrl=longest, webUrl=longest + "x", ampWebUrl=" https://amp/x ", cdnAmpWebUrl=5).urls
    assert urls == Urls(original=longest, web="", amp="https://amp/x", cdn_amp="")


@pytest.mark.parametrize(
    ("featured", "video"),
    [
        ('<iframe width="560" src="https://y/embed/1" frameborder="0"></iframe>', "https://y/embed/1"),
        ("<iframe src = ' https://y/embed/2 '></iframe>", "https://y/embed/2"),
        ('<iframe src=\\"https://y/embed/3\\"></iframe>', "https://y/embed/3"),
        ("  https://y/watch?v=4 ", "https://y/watch?v=4"),
        ("HTTP://Y/5", "HTTP://Y/5"),
        ("<p>nothing</p>", ""),
        ("ftp://y/6", ""),
        (5, ""),
        (None, ""),
        ("https://y/" + "v" * (MAX_URL - 10), "https://y/" + "v" * (MAX_URL - 10)),
        ("https://y/" + "v" * (MAX_URL - 9), ""),
    ],
)
def test_the_video_of_a_featured_embed(featured: object, video: str) -> None:
    assert video_url(featured) == video
    assert record(featuredContent=featured).urls.video == video


def test_story_urls_are_the_urls_as_kept_and_empty_where_absent() -> None:
    assert story_urls({"originalUrl": " https://o ", "webUrl": "https://w", "ampWebUrl": "https://a",
                       "cdnAmpWebUrl": "https://c"}) == ("https://o", "https://w", "https://a", "https://c")
    assert story_urls({}) == ("", "", "", "")
    assert story_urls({"webUrl": 5, "ampWebUrl": None}) == ("", "", "", "")


# --- related stories --------------------------------------------------------------------------------------


RELATED = [
    "just text",
    None,
    {"excerpt": "no title and no URL: left out"},
    {"title": "Title &amp; only"},
    {"webUrl": "https://w/untitled"},
    {"featuredContent": "https://video/only"},
    {
        "title": "In full", "excerpt": "An &amp; excerpt", "publishedDateTime": "2024-05-06T07:08:09Z",
        "originalUrl": "https://o/1", "type": "news", "provider": {"name": "P", "domain": "p.example"},
        "quality": "40", "images": ["https://i/1.jpg"],
    },
]


def test_related_stories_in_full() -> None:
    related = record(related=RELATED).related
    assert related == (
        RelatedStory(title="Title & only"),
        RelatedStory(title="", urls=Urls(web="https://w/untitled")),
        RelatedStory(title="", urls=Urls(video="https://video/only")),
        RelatedStory(
            title="In full", excerpt="An & excerpt", published_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
            urls=Urls(original="https://o/1"), type="news", provider=Provider("P", "p.example"), quality=40,
            images=(Image("https://i/1.jpg"),),
        ),
    )


def test_related_stories_for_the_index_carry_titles_and_urls_only() -> None:
    related = record_from_mapping("/a.md", {"related": RELATED}, related_in_full=False).related
    assert related == (
        RelatedStory(title="Title & only"),
        RelatedStory(title="", urls=Urls(web="https://w/untitled")),
        RelatedStory(title="", urls=Urls(video="https://video/only")),
        RelatedStory(title="In full", urls=Urls(original="https://o/1")),
    )
    assert related_links(RELATED) == [
        ("Title & only", "", "", "", ""),
        ("", "", "https://w/untitled", "", ""),
        ("", "", "", "", ""),
        ("In full", "https://o/1", "", "", ""),
    ]
    assert related_links({"title": "One"}) == [("One", "", "", "", "")]
    assert related_links(None) == []


def test_at_most_500_related_stories_are_read() -> None:
    many = [{"title": f"t{n}"} for n in range(501)]
    assert len(record(related=many).related) == 500
    assert len(related_links(many)) == 500


# --- the limits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit", "shown"),
    [
        ("title", 1_000, lambda r: r.title),
        ("excerpt", 5_000, lambda r: r.excerpt),
        ("type", 300, lambda r: r.type),
        ("category", 300, lambda r: r.category),
        ("provider", 300, lambda r: r.provider.name),
    ],
)
def test_text_fields_are_cut_at_their_documented_length(field: str, limit: int, shown: Any) -> None:
    assert shown(record(**{field: "x" * limit})) == "x" * limit
    assert shown(record(**{field: "x" * (limit + 1)})) == "x" * (limit - 1) + "…"


def test_urls_past_4000_characters_are_dropped() -> None:
    url = "https://a.example/" + "x" * (4_000 - 18)
    assert record(webUrl=url).urls.web == url
    assert record(webUrl=url + "x").urls.web == ""
    assert record(images=[url, url + "x"]).images == (Image(url),)


def test_the_body_is_cut_at_200000_characters() -> None:
    assert record_from_mapping("/a.md", {}, "x" * 200_000).body == "x" * 200_000
    assert len(record_from_mapping("/a.md", {}, "x" * 200_001).body) == 200_000


def test_at_most_50_images_are_read() -> None:
    images = [f"https://i/{n}.jpg" for n in range(51)]
    assert record(images=images).images == tuple(Image(url) for url in images[:50])


# --- the notes of values as YAML gives them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "note"),
    [
        ("publishedDateTime: yesterday", "publishedDateTime yesterday is not a date: shown without a date"),
        ("publishedDateTime: 31/02/2024", "publishedDateTime 31/02/2024 is not a date: shown without a date"),
        ("publishedDateTime: 2024-13-01", "publishedDateTime 2024-13-01 is not a date: shown without a date"),
        ("publishedDateTime: now", "publishedDateTime now is not a date: shown without a date"),
        ("publishedDateTime: 10000-01-01T00:00:00Z",
         "publishedDateTime 10000-01-01T00:00:00Z is outside the years 1 to 9999 in UTC: shown without a date"),
        ("quality: high", "quality: high is not a whole number, left out"),
        ("quality: 1e400", f"quality: {OUT_OF_RANGE}"),
        ("heat: [1,2]", "heat: (a list) is not a whole number, left out"),
        ("heat: &a [*a]", "heat: (a list) is not a whole number, left out"),
    ],
)
@pytest.mark.parametrize("how", ["read_record", "read_for_index"])
def test_a_record_file_with_a_value_it_cannot_use_is_kept_with_a_note(
    tmp_path: Path, line: str, note: str, how: str
) -> None:
    path = tmp_path / "a.md"
    path.write_text(f"---\ntitle: Kept\n{line}\n---\nBody.\n", encoding="utf-8")
    result = read_record(str(path)) if how == "read_record" else read_for_index(str(path))[0]
    assert isinstance(result, Record) and result.title == "Kept"
    assert result.notes == (note,)
