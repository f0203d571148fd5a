"""Tests for reading one record file: odd values are coerced, odd files become problems, never exceptions."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core import fields, frontmatter
from reader.core.fields import MAX_RELATED, MAX_TITLE, MAX_TOPICS, parse_date
from reader.core.frontmatter import MAX_FILE_BYTES, parse_text, read_record
from reader.core.record import Image, Problem, Provider, Record, Summary
from tests.fakes import shown_fields

REPO = Path(__file__).resolve().parents[2]
SEED = sorted((REPO / "seeds").glob("*.txt"))[0]

# Characters that must never reach the screen from a record's one-line fields.
BIDI_AND_INVISIBLE = set(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)


def unsafe_chars(text: str) -> list[str]:
    """Every character of `text` that could act on a terminal or reorder/hide text."""
    return [
        c
        for c in text
        if ord(c) < 0x20
        or 0x7F <= ord(c) <= 0x9F
        or 0xD800 <= ord(c) <= 0xDFFF
        or c in BIDI_AND_INVISIBLE
        or 0xE0000 <= ord(c) <= 0xE007F
    ]


def field(record: Record, dotted: str) -> Any:
    value: Any = record
    for name in dotted.split("."):
        value = getattr(value, name)
    return value


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def fm(body: str, after: str = "") -> str:
    """A record file: the given YAML (dedented) between --- lines, then `after`."""
    return "---\n" + textwrap.dedent(body).strip("\n") + "\n---\n" + after


def assert_one_line_reason(result: Record | Problem) -> Problem:
    assert isinstance(result, Problem), result
    assert result.reason.strip()
    assert "\n" not in result.reason and "\r" not in result.reason
    assert not unsafe_chars(result.reason)
    return result


# ---------------------------------------------------------------------------------------------------------
# The seed


def test_seed_parses() -> None:
    record = read_record(str(SEED))
    assert isinstance(record, Record)
    assert record.path == str(SEED)
    assert record.title == "Ban on facial recognition technology advances in Minneapolis"
    assert record.published_at == datetime(2021, 1, 24, 23, 2, tzinfo=timezone.utc)
    url = "https://www.weau.com/2021/01/24/ban-on-facial-recognition-technology-advances-in-minneapolis/"
    assert record.urls.original == url
    assert record.urls.web == url
    assert record.urls.amp == record.urls.cdn_amp == record.urls.video == ""
    assert record.topics == ("Computer Vision", "AI")
    assert record.category == "news"
    assert record.type == "article"
    assert (record.quality, record.heat, record.published, record.removed) == (39, -1, False, False)
    assert record.provider == Provider("WEAU", "weau.com")
    assert len(record.images) == 1 and record.images[0].width == 980 and record.images[0].height == 574
    raw = SEED.read_text(encoding="utf-8")
    assert len(record.related) == raw.count("\n  - title: ") == 6
    assert record.related[0].title == "Minneapolis a step closer to banning facial recognition technology"
    assert record.related[0].published_at == datetime(2021, 1, 22, 17, 31, tzinfo=timezone.utc)
    assert record.related[0].urls.amp.startswith("https://bringmethenews.com/.amp/")
    assert record.related[0].provider == Provider("Bring Me The News", "bringmethenews.com")
    assert record.related[0].quality == 59
    assert record.has_secured is True
    assert record.body == ""


def test_seed_secured_payload_never_kept_as_text() -> None:
    secured = yaml.safe_load(SEED.read_text(encoding="utf-8").split("---")[1])["secured"]
    assert len(secured) > 40
    record = read_record(str(SEED))
    assert isinstance(record, Record)
    summary = Summary.of(record)
    for text in [*shown_fields(record), record.body, summary.text_cf.decode("utf-8"), summary.url]:
        assert secured not in text
        assert secured.split(";")[1] not in text


# ---------------------------------------------------------------------------------------------------------
# Field coercion: a table of odd files and the field values they must give

UTC = timezone.utc
YT = "https://www.youtube.com/embed/abc123"

FIELD_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("int title", fm("title: 42"), {"title": "42"}),
    ("float title", fm("title: 1.5"), {"title": "1.5"}),
    ("bool title", fm("title: true"), {"title": "true"}),
    ("list title falls back to file name", fm("title: [a, b]"), {"title": "odd-file"}),
    ("missing title falls back to file name", fm("excerpt: x"), {"title": "odd-file"}),
    ("empty title falls back to file name", fm('title: ""'), {"title": "odd-file"}),
    ("binary title falls back to file name", fm("title: !!binary aGVsbG8="), {"title": "odd-file"}),
    ("single topic string", fm("title: t\ntopics: AI"), {"topics": ("AI",)}),
    ("null topics dropped", fm("title: t\ntopics:\n  - AI\n  -\n  - null\n  - Robots"), {"topics": ("AI", "Robots")}),
    ("topics null", fm("title: t\ntopics:"), {"topics": ()}),
    ("topics int", fm("title: t\ntopics: [1, AI, AI]"), {"topics": ("1", "AI")}),
    ("topics nested lists dropped", fm("title: t\ntopics: [[a], {b: c}, AI]"), {"topics": ("AI",)}),
    (
        "missing fields get defaults",
        fm("title: only a title"),
        {
            "title": "only a title",
            "excerpt": "",
            "published_at": None,
            "quality": None,
            "heat": None,
            "published": True,
            "removed": False,
            "provider": Provider(),
            "topics": (),
            "images": (),
            "related": (),
            "body": "",
            "has_secured": False,
            "type": "",
            "category": "",
        },
    ),
    # dates
    ("date: YAML timestamp, aware", fm("publishedDateTime: 2021-01-24T23:02:00Z"), {"published_at": datetime(2021, 1, 24, 23, 2, tzinfo=UTC)}),
    ("date: YAML timestamp, naive -> UTC", fm("publishedDateTime: 2021-01-24 10:00:00"), {"published_at": datetime(2021, 1, 24, 10, 0, tzinfo=UTC)}),
    ("date: YAML timestamp with offset", fm("publishedDateTime: 2021-01-24T23:02:00+05:00"), {"published_at": datetime(2021, 1, 24, 18, 2, tzinfo=UTC)}),
    ("date: date only", fm("publishedDateTime: 2021-01-24"), {"published_at": datetime(2021, 1, 24, tzinfo=UTC)}),
    ("date: quoted words", fm('publishedDateTime: "Jan 24 2021 10:00"'), {"published_at": datetime(2021, 1, 24, 10, 0, tzinfo=UTC)}),
    ("date: quoted ISO with offset", fm('publishedDateTime: "2021-01-24T23:02:00+05:00"'), {"published_at": datetime(2021, 1, 24, 18, 2, tzinfo=UTC)}),
    ("date: quoted RFC 2822", fm('publishedDateTime: "Sun, 24 Jan 2021 23:02:00 GMT"'), {"published_at": datetime(2021, 1, 24, 23, 2, tzinfo=UTC)}),
    ("date: unparseable", fm('publishedDateTime: "not a date at all"'), {"published_at": None}),
    ("date: empty string", fm('publishedDateTime: ""'), {"published_at": None}),
    ("date: epoch seconds", fm("publishedDateTime: 1611529320"), {"published_at": datetime(2021, 1, 24, 23, 2, tzinfo=UTC)}),
    ("date: a year as a number", fm("publishedDateTime: 2021"), {"published_at": None}),
    ("date: list", fm("publishedDateTime: [2021-01-24]"), {"published_at": None}),
    ("date: offset out of range", fm('publishedDateTime: "2021-01-24T23:02:00+99:00"'), {"published_at": None}),
    # numbers and flags
    ("quality str", fm('quality: "40"\nheat: " 80 "'), {"quality": 40, "heat": 80}),
    ("quality bool", fm("quality: true\nheat: false"), {"quality": None, "heat": None}),
    ("quality float", fm("quality: 40.9"), {"quality": 40}),
    ("quality words", fm("quality: high"), {"quality": None}),
    ("quality huge", fm("quality: 10000000000000"), {"quality": None}),
    ("quality nan/inf", fm("quality: .nan\nheat: .inf"), {"quality": None, "heat": None}),
    ("quality zero", fm("quality: 0\nheat: 0"), {"quality": 0, "heat": 0}),
    ("published missing", fm("title: t"), {"published": True}),
    ("published string false", fm('published: "false"'), {"published": False}),
    ("published bool false", fm("published: false\nheat: -1"), {"published": False, "heat": -1}),
    ("published nonsense keeps default", fm('published: "maybe"'), {"published": True}),
    ("removed yes", fm('removed: "yes"'), {"removed": True}),
    # provider
    ("provider string", fm("provider: WEAU"), {"provider": Provider("WEAU", "")}),
    ("provider mapping", fm("provider: {name: WEAU, domain: weau.com, images: [x]}"), {"provider": Provider("WEAU", "weau.com")}),
    ("provider list", fm("provider: [a, b]"), {"provider": Provider()}),
    ("provider int name", fm("provider: {name: 7}"), {"provider": Provider("7", "")}),
    # images
    ("images string", fm("images: https://img.example/a.jpg"), {"images": (Image("https://img.example/a.jpg"),)}),
    (
        "images mixed",
        fm('images:\n  - url: "https://i/a.jpg"\n    width: "980"\n    height: x\n  - {width: 3}\n  - 5\n  - "https://i/b.jpg"'),
        {"images": (Image("https://i/a.jpg", 980, None), Image("https://i/b.jpg"))},
    ),
    # related
    (
        "related non-dict entries skipped",
        fm(
            """
            related:
              - just a string
              - 5
              -
              - [a, b]
              - title: "Kept"
                webUrl: "https://example.com/kept"
              - excerpt: "no title, no url: dropped"
              - webUrl: "https://example.com/untitled"
            """
        ),
        {"related.0.title": "Kept", "related.1.title": "", "related.count": 2},
    ),
    ("related as a single mapping", fm("related: {title: One}"), {"related.0.title": "One", "related.count": 1}),
    ("related string", fm("related: nope"), {"related": ()}),
    # featured video
    (
        "featuredContent iframe, escaped quotes in a double-quoted scalar",
        fm(f'type: video\nfeaturedContent: "<iframe width=\\"560\\" height=\\"315\\" src=\\"{YT}\\" frameborder=\\"0\\" allowfullscreen></iframe>"'),
        {"urls.video": YT, "type": "video"},
    ),
    (
        "featuredContent iframe, literal backslash-quotes (single-quoted scalar)",
        fm(f"featuredContent: '<iframe width=\\\"560\\\" src=\\\"{YT}\\\" frameborder=\\\"0\\\"></iframe>'"),
        {"urls.video": YT},
    ),
    ("featuredContent iframe, single quotes", fm(f"featuredContent: \"<iframe src='{YT}'></iframe>\""), {"urls.video": YT}),
    ("featuredContent bare URL", fm(f"featuredContent: {YT}"), {"urls.video": YT}),
    ("featuredContent no URL", fm('featuredContent: "<p>nothing</p>"'), {"urls.video": ""}),
    ("featuredContent mapping", fm("featuredContent: {src: x}"), {"urls.video": ""}),
    # urls
    ("urls trimmed, wrong types empty", fm('originalUrl: "  https://a.example/x  "\nwebUrl: 5\nampWebUrl: [x]'), {"urls.original": "https://a.example/x", "urls.web": "", "urls.amp": ""}),
    # body
    ("body kept", fm("title: t", "\n# Heading\n\nSome *text*.\n"), {"body": "# Heading\n\nSome *text*."}),
    ("body with a --- line inside", fm("title: t", "one\n---\ntwo\n"), {"body": "one\n---\ntwo"}),
    ("blank body dropped", fm("title: t", "\n   \n\n"), {"body": ""}),
    ("front matter closed with ...", "---\ntitle: dots\n...\nbody\n", {"title": "dots", "body": "body"}),
    ("CRLF line endings", "---\r\ntitle: crlf\r\ntopics: [a]\r\n---\r\nline1\r\nline2\r\n", {"title": "crlf", "topics": ("a",), "body": "line1\nline2"}),
    # entities and markup
    ("entities unescaped in excerpt", fm('excerpt: "Fish &amp; chips &lt;b&gt; &quot;q&quot;"'), {"excerpt": 'Fish & chips <b> "q"'}),
    ("entities unescaped in title", fm('title: "R&amp;D"'), {"title": "R&D"}),
    ("markup kept literally", fm('title: "[bold]x[/bold]"\nexcerpt: "[link=https://evil]y[/link] [/]"'), {"title": "[bold]x[/bold]", "excerpt": "[link=https://evil]y[/link] [/]"}),
    ("whitespace collapsed in title", fm('title: "  a \\t\\n  b  "'), {"title": "a b"}),
    ("secured present", fm('title: t\nsecured: "abc;def"'), {"has_secured": True}),
    ("secured empty", fm('title: t\nsecured: ""'), {"has_secured": False}),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in FIELD_CASES], ids=[c[0] for c in FIELD_CASES])
def test_field_values(tmp_path: Path, text: str, expected: dict[str, Any]) -> None:
    path = write(tmp_path, "odd-file.md", text)
    record = read_record(str(path))
    assert isinstance(record, Record), record
    for name, want in expected.items():
        if name.startswith("related."):
            _, index, attr = (name.split(".") + [""])[:3]
            if index == "count":
                assert len(record.related) == want
            else:
                assert getattr(record.related[int(index)], attr) == want
        else:
            assert field(record, name) == want, name
    assert not any(unsafe_chars(text) for text in shown_fields(record))


def test_aware_dates_keep_the_moment() -> None:
    record = parse_text("x.md", fm('publishedDateTime: "2021-01-24T23:02:00+05:00"'))
    assert isinstance(record, Record) and record.published_at is not None
    assert record.published_at.utcoffset() == timedelta(hours=5)
    assert record.published_at.hour == 23


@pytest.mark.parametrize(
    "value",
    ["", "   ", "nonsense", "x" * 500, 5, 1.5, None, True, [], {}, "99999999999999999999"],
)
def test_parse_date_rejects(value: Any) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["2021-13-45", "2021-02-30T10:00:00Z"])
def test_impossible_yaml_timestamp_only_loses_the_date(value: str) -> None:
    record = parse_text("x.md", fm(f"title: kept\npublishedDateTime: {value}"))
    assert isinstance(record, Record), record
    assert record.title == "kept"
    assert record.published_at is None


@pytest.mark.parametrize("value", ["10", "March 2021"])
def test_partial_date_does_not_depend_on_today(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    import datetime as datetime_module

    results = []
    for today in (datetime(2030, 1, 1, 12), datetime(2031, 7, 15, 12)):

        class Frozen(datetime_module.datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Any:  # noqa: ARG003
                return cls(today.year, today.month, today.day, today.hour)

        with monkeypatch.context() as patch:
            patch.setattr(datetime_module, "datetime", Frozen)
            result = parse_date(value)
        results.append(None if result is None else (result.year, result.month, result.day))
    assert results[0] == results[1]


# ---------------------------------------------------------------------------------------------------------
# Escape sequences, bidi and invisible characters never survive in shown fields

HOSTILE_YAML = fm(
    r'''
    title: "\e]52;c;SGVsbG8=\a\e[2J\x9b31m\u202eevil\u2066\u200bX\e\\"
    excerpt: "&#x1b;[31m &#x9b; &#x202e; \e[1mE\x85\u2028\u2029\ufeff"
    topics: ["\e[1mT\u202e", "\x9dZ", "\u200b", "\x90q\e\\"]
    provider: {name: "\e]8;;http://x\e\\P\u2067", domain: "\u200bd.com\x07"}
    type: "\e[5mvideo"
    category: "\x1b(0news"
    related:
      - title: "\e[31mrel\u202e"
        excerpt: "\x9b2J"
        provider: {name: "\u2066p", domain: "\x1bd"}
    '''
)


def test_hostile_text_is_neutralised() -> None:
    record = parse_text("x.md", HOSTILE_YAML)
    assert isinstance(record, Record), record
    for text in shown_fields(record):
        assert not unsafe_chars(text), (text, unsafe_chars(text))
    # ESC is shown, not dropped, so the reader can see something odd was there.
    assert record.title.startswith("\u241b]52;c;SGVsbG8=")
    assert "\ufffd" in record.title  # the C1 CSI
    assert record.title.endswith("evilX\u241b\\")
    assert record.topics[0] == "\u241b[1mT"
    assert "\u200b" not in record.topics  # a topic of only a zero-width space vanishes
    assert record.provider.domain == "d.com\u2407"


def test_raw_bidi_and_zero_width_in_plain_scalars_removed() -> None:
    record = parse_text("x.md", fm("title: \u202eabc\u2066 d\u200be\ntopics: [\u2067AI\u2069]"))
    assert isinstance(record, Record)
    assert record.title == "abc de"
    assert record.topics == ("AI",)


def test_body_keeps_lines_but_not_escapes() -> None:
    record = parse_text("x.md", fm("title: t", "line \x1b[31mred\n\u202eline2\tx\x9b\n"))
    assert isinstance(record, Record)
    assert record.body == "line \u241b[31mred\nline2    x\ufffd"


def test_nbsp_entity_becomes_a_plain_space() -> None:
    """Excerpts are shown as one line, so every kind of white space, NBSP included, folds to a space."""
    record = parse_text("x.md", fm('excerpt: "10&nbsp;km away"'))
    assert isinstance(record, Record)
    assert record.excerpt == "10 km away"


def test_nbsp_entity_never_left_as_an_entity() -> None:
    record = parse_text("x.md", fm('excerpt: "10&nbsp;km&nbsp;away"'))
    assert isinstance(record, Record)
    assert "&nbsp;" not in record.excerpt
    assert record.excerpt.replace("\u00a0", " ") == "10 km away"


safe_strings = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=safe_strings,
    excerpt=safe_strings,
    topics=st.lists(safe_strings, max_size=4),
    name=safe_strings,
)
def test_any_text_through_yaml_is_display_safe(title: str, excerpt: str, topics: list[str], name: str) -> None:
    text = "---\n" + yaml.safe_dump(
        {"title": title, "excerpt": excerpt, "topics": topics, "provider": {"name": name, "domain": name}},
        allow_unicode=False,
    ) + "---\n"
    result = parse_text("x.md", text)
    if isinstance(result, Problem):
        assert_one_line_reason(result)
        return
    for value in shown_fields(result):
        assert not unsafe_chars(value)
        assert "\n" not in value


# ---------------------------------------------------------------------------------------------------------
# Limits


def test_long_title_truncated_with_ellipsis() -> None:
    record = parse_text("x.md", fm("title: " + "a" * (MAX_TITLE * 3)))
    assert isinstance(record, Record)
    assert len(record.title) == MAX_TITLE
    assert record.title.endswith("\u2026")


def test_many_topics_and_related_bounded() -> None:
    topics = "\n".join(f"  - t{i}" for i in range(MAX_TOPICS * 2))
    related = "\n".join(f"  - title: r{i}" for i in range(MAX_RELATED + 50))
    record = parse_text("x.md", f"---\ntitle: t\ntopics:\n{topics}\nrelated:\n{related}\n---\n")
    assert isinstance(record, Record)
    assert record.topics == tuple(f"t{i}" for i in range(MAX_TOPICS))
    assert len(record.related) == MAX_RELATED


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    head = fm("title: big", "")
    path = write(tmp_path, "big.md", head + "a" * (MAX_FILE_BYTES - len(head)))
    assert path.stat().st_size == MAX_FILE_BYTES
    record = read_record(str(path))
    assert isinstance(record, Record), record
    assert record.title == "big"
    assert len(record.body) == fields.MAX_BODY and record.body.endswith("\u2026")


# ---------------------------------------------------------------------------------------------------------
# Problems: odd files, each a one-line reason, never an exception


def _alias_bomb(levels: int = 9) -> tuple[list[str], str]:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return lines, f"a{levels}"


def _alias_bomb_record() -> str:
    lines, top = _alias_bomb()
    fields = ["title", "excerpt", "topics", "related", "images", "provider", "quality", "heat",
              "publishedDateTime", "originalUrl", "featuredContent", "published", "secured"]
    return "---\n" + "\n".join(lines + [f"{name}: *{top}" for name in fields]) + "\n---\n"


PROBLEM_CASES: list[tuple[str, str, str | bytes, str]] = [
    ("broken YAML", "x.md", fm("key: value\n  bad: x"), "invalid YAML"),
    ("tab indentation", "x.md", "---\ntitle: x\n\ttopics: y\n---\n", "invalid YAML"),
    ("tab at start", "x.md", "---\n\ttitle: x\n---\n", "invalid YAML"),
    ("unclosed quote", "x.md", '---\ntitle: "abc\n---\n', "invalid YAML"),
    ("unclosed bracket", "x.md", "---\ntitle: [abc\n---\n", "invalid YAML"),
    ("python tag refused", "x.md", fm("title: !!python/object/apply:os.getcwd []"), "invalid YAML"),
    ("list front matter", "x.md", fm("- a\n- b"), "list, not a mapping"),
    ("scalar front matter", "x.md", fm("just a sentence"), "string, not a mapping"),
    ("number front matter", "x.md", fm("42"), "number, not a mapping"),
    ("empty front matter", "x.md", "---\n---\nbody\n", "empty"),
    ("blank front matter", "x.md", "---\n\n\n---\n", "empty"),
    ("empty file", "x.md", "", "empty"),
    ("whitespace file", "x.md", " \n\n\t\n", "empty"),
    ("no front matter", "x.md", "# Just markdown\n", "no front matter"),
    ("unclosed front matter", "x.md", "---\ntitle: x\nexcerpt: y\n", "not closed"),
    ("NUL bytes", "x.md", fm("title: a\x00b"), "binary"),
    ("random bytes", "x.md", random.Random(1234).randbytes(4096), ""),
    ("Latin-1 file", "x.md", fm("title: Caf\u00e9 cr\u00e8me").encode("latin-1"), "not UTF-8"),
    ("UTF-16 file", "x.md", fm("title: wide").encode("utf-16"), "not UTF-8"),
    ("brackets nested 5,000 deep", "x.md", "---\n" + "[" * 5000 + "]" * 5000 + "\n---\n", ""),
    ("alias bomb as front matter", "x.md", "---\n" + "\n".join(_alias_bomb()[0]) + "\n- x\n---\n", "invalid YAML"),
    ("empty .yaml", "x.yaml", "", "empty"),
    ("list .yaml", "x.yml", "- a\n- b\n", "list, not a mapping"),
]


@pytest.mark.parametrize(
    ("name", "content", "reason_part"), [c[1:] for c in PROBLEM_CASES], ids=[c[0] for c in PROBLEM_CASES]
)
def test_problem_files(tmp_path: Path, name: str, content: str | bytes, reason_part: str) -> None:
    path = write(tmp_path, name, content)
    result = read_record(str(path))
    problem = assert_one_line_reason(result)
    assert problem.path == str(path)
    assert reason_part in problem.reason


def test_latin1_reason_names_the_bad_offset(tmp_path: Path) -> None:
    data = fm("title: Caf\u00e9").encode("latin-1")
    problem = assert_one_line_reason(read_record(str(write(tmp_path, "x.md", data))))
    offset = data.index("\u00e9".encode("latin-1"))
    assert f"offset {offset}" in problem.reason


def test_yaml_error_reason_gives_the_file_line(tmp_path: Path) -> None:
    text = "---\ntitle: ok\nexcerpt: ok\nbroken: [x\n---\n"
    problem = assert_one_line_reason(read_record(str(write(tmp_path, "x.md", text))))
    assert "(line 5)" in problem.reason  # the --- line counts


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.md", b"\xef\xbb\xbf" + fm("title: bom").encode())
    record = read_record(str(path))
    assert isinstance(record, Record) and record.title == "bom"


def test_yaml_file_without_dashes_is_a_record(tmp_path: Path) -> None:
    record = read_record(str(write(tmp_path, "plain.yaml", "title: plain\ntopics: [a]\n")))
    assert isinstance(record, Record)
    assert (record.title, record.topics) == ("plain", ("a",))


def test_deep_nesting_inside_a_field_keeps_the_record(tmp_path: Path) -> None:
    text = "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\ntopics: [kept]\n---\n"
    result = read_record(str(write(tmp_path, "deep.md", text)))
    if isinstance(result, Problem):
        assert_one_line_reason(result)
    else:
        assert result.title == "deep"
        assert result.topics == ("kept",)


def test_mappings_nested_5000_deep_give_a_record_or_a_one_line_problem(tmp_path: Path) -> None:
    """libyaml builds from 0.2.5 on stop at 1,000 levels ("exceeded maximum nesting depth"), older
    ones do not: either answer is fine, a crash or a hang is not."""
    text = "---\n{title: deep map, a: " + "{a: " * 5000 + "}" * 5001 + "\n---\n"
    result = read_record(str(write(tmp_path, "x.md", text)))
    if isinstance(result, Problem):
        assert_one_line_reason(result)
        assert "nesting" in result.reason
    else:
        assert result.title == "deep map"


def test_alias_bomb_is_not_expanded(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.md", _alias_bomb_record())
    assert path.stat().st_size < 2000
    result = read_record(str(path))
    if isinstance(result, Problem):
        assert_one_line_reason(result)
    else:
        assert result.title == "bomb"  # the list title is ignored
        assert result.topics == () and result.related == () and result.images == ()
        assert result.quality is None and result.published_at is None
        summary = Summary.of(result)
        assert len(summary.text_cf) < 1000


MERGE_BOMB_SCRIPT = """
import sys
from reader.core.frontmatter import parse_text
lines = ["m0: &m0 {a: 1, b: 2}"]
for i in range(1, 10):
    lines.append(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + "]}")
lines.append("title: merged")
result = parse_text("x.md", "---\\n" + "\\n".join(lines) + "\\n---\\n")
print(type(result).__name__)
"""


def test_merge_key_bomb_returns_quickly() -> None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", MERGE_BOMB_SCRIPT], capture_output=True, text=True, timeout=3
        )
    except subprocess.TimeoutExpired:
        pytest.fail("parsing a merge-key bomb did not finish within 3 s")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("Record", "Problem")


def test_too_large_sparse_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with open(path, "wb") as handle:
        handle.write(fm("title: huge").encode())
        handle.truncate(MAX_FILE_BYTES + 1)
    problem = assert_one_line_reason(read_record(str(path)))
    assert "too large" in problem.reason


def test_symlink_loop(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.md", tmp_path / "a.md")
    os.symlink(tmp_path / "a.md", tmp_path / "b.md")
    problem = assert_one_line_reason(read_record(str(tmp_path / "a.md")))
    assert "loop" in problem.reason


def test_dangling_symlink(tmp_path: Path) -> None:
    os.symlink(tmp_path / "missing.md", tmp_path / "a.md")
    assert_one_line_reason(read_record(str(tmp_path / "a.md")))


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_reason(read_record(str(tmp_path / "nope.md")))


def test_directory_named_like_a_record(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    problem = assert_one_line_reason(read_record(str(tmp_path / "x.md")))
    assert "not a regular file" in problem.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    results: list[Record | Problem] = []
    worker = threading.Thread(target=lambda: results.append(read_record(str(fifo))), daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():
        # Unblock the reader stuck in open() before failing, so the thread can end.
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("read_record blocked on a FIFO")
    problem = assert_one_line_reason(results[0])
    assert "not a regular file" in problem.reason


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.md", fm("title: secret"))
    path.chmod(0)
    try:
        assert_one_line_reason(read_record(str(path)))
    finally:
        path.chmod(0o600)


def test_symlink_to_a_record_is_followed(tmp_path: Path) -> None:
    target = write(tmp_path, "real.md", fm("title: real"))
    os.symlink(target, tmp_path / "link.md")
    record = read_record(str(tmp_path / "link.md"))
    assert isinstance(record, Record) and record.title == "real"


def test_yaml_file_with_document_start_marker_is_a_record(tmp_path: Path) -> None:
    record = read_record(str(write(tmp_path, "doc.yaml", "---\ntitle: Doc start\ntopics: [a]\n")))
    assert isinstance(record, Record), record
    assert (record.title, record.topics) == ("Doc start", ("a",))


def test_yaml_error_line_in_a_plain_yaml_file(tmp_path: Path) -> None:
    lines = ["title: ok", "\tbad: x"]  # the tab is on line 2
    problem = assert_one_line_reason(read_record(str(write(tmp_path, "x.yaml", "\n".join(lines) + "\n"))))
    assert "(line 2)" in problem.reason


def test_yaml_error_line_counts_the_dashes_in_front_matter(tmp_path: Path) -> None:
    text = "---\ntitle: ok\n\tbad: x\n---\n"  # the tab is on line 3 of the file
    problem = assert_one_line_reason(read_record(str(write(tmp_path, "x.md", text))))
    assert "(line 3)" in problem.reason


def test_front_matter_with_too_many_items_is_a_problem_not_a_long_parse() -> None:
    from reader.core.frontmatter import MAX_YAML_ITEMS

    text = "---\na: [" + "1," * MAX_YAML_ITEMS + "1]\n---\n"
    assert len(text) < 1024 * 1024  # under the file size limit: the item count is what stops it
    result = parse_text("x.md", text)
    assert isinstance(result, Problem) and "too large to parse" in result.reason


def _regex_split(text: str) -> tuple[str, str] | None:
    match = frontmatter._FRONT_MATTER.match(text)
    return (match.group(1), text[match.end() :]) if match else None


@pytest.mark.parametrize(
    "text",
    ["---\n---\n", "---\n...", "---\na: 1\n---", "---\na: 1\n--- \t\r\nbody", "---\na\n----\n---\n", " \t--- \r\na\n...\n",
     "---\n---x\n", "---\r\n---\r", "---\na\r---\n", "x\n---\na\n---\n", "---a\n---\n", "---\n\n---\n\n---\n",
     "---\na\n...x\n---\n", "---\na\n---x\n...\n", "---\na\n---x\n....\n... \nb", "---\n...x\n---y\n...\n---\n"],
)
def test_front_matter_split_is_the_regular_expression_s(text: str) -> None:
    assert frontmatter._split_front_matter(text) == _regex_split(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-. \t\r\na")), max_size=40))
def test_front_matter_split_agrees_on_any_text(text: str) -> None:
    assert frontmatter._split_front_matter(text) == _regex_split(text)


def test_crlf_record_with_a_line_of_spaces_reads_like_its_lf_twin() -> None:
    lf = "---\ntitle: Hello\n  \ntopics:\n  - AI\n---\nBody\n"
    crlf = lf.replace("\n", "\r\n")
    record = parse_text("x.md", crlf)
    assert isinstance(record, Record) and record.title == "Hello" and record.topics == ("AI",)
    assert record == parse_text("x.md", lf)


def _text_in_full(value: str, limit: int, unescape: bool) -> str:
    """_text for a string, without its shortcut for printable text: the reference for it."""
    import html

    from reader.core.text import one_line

    value = value[: limit * 4]
    if unescape and "&" in value:
        value = html.unescape(value)
    return one_line(value, limit)


@settings(max_examples=1000)
@given(
    st.text() | st.text(alphabet="ab &;é\u00a0\u3000\u2028\u200b\u202e\t\n\r\x1b\x85\ud800 ", max_size=30),
    st.sampled_from([5, 20, 300]),
    st.booleans(),
)
def test_text_shortcut_for_printable_strings_agrees_with_one_line(value: str, limit: int, unescape: bool) -> None:
    from reader.core.fields import text_field as _text

    assert _text(value, limit, unescape=unescape) == _text_in_full(value, limit, unescape)


# ---------------------------------------------------------------------------------------------------------
# Numbers out of range (issue 12): the field is left out with a note, the rest of the record stays


@pytest.mark.parametrize("field", ["heat", "quality"])
@pytest.mark.parametrize(
    "value", ["9" * 100_000, "-" + "9" * 5_000, "9" * 25, "1.0e+400", "-.inf", '"' + "9" * 30 + '"', "1000000000000"]
)
def test_a_number_out_of_range_is_left_out_with_a_note(field: str, value: str) -> None:
    other = "quality" if field == "heat" else "heat"
    text = f"---\ntitle: Big numbers\n{field}: {value}\n{other}: 7\ntopics: [kept]\n---\nbody\n"
    for record in (parse_text("x.md", text), parse_text("x.md", text, related_in_full=False)):
        assert isinstance(record, Record), record
        assert getattr(record, field) is None and getattr(record, other) == 7
        assert (record.title, record.topics, record.body) == ("Big numbers", ("kept",), "body")
        assert record.notes == (f"{field}: a number out of range, left out",)


@pytest.mark.parametrize("value", ["999999999999", "-999999999999", "0000000000007", "~", "''"])
def test_numbers_in_range_and_no_value_give_no_note(value: str) -> None:
    record = parse_text("x.md", f"---\ntitle: t\nheat: {value}\n---\n")
    assert isinstance(record, Record) and record.notes == ()


@pytest.mark.parametrize(("value", "shown"), [("hot", "hot"), ("[1, 2]", "(a list)"), ("true", "true")])
def test_other_values_are_left_out_with_a_note(value: str, shown: str) -> None:
    record = parse_text("x.md", f"---\ntitle: t\nheat: {value}\n---\n")
    assert isinstance(record, Record) and record.heat is None
    assert record.notes == (f"heat: {shown} is not a whole number, left out",)


def test_a_huge_number_in_a_related_story_keeps_the_record(tmp_path: Path) -> None:
    path = write(tmp_path, "x.md", "---\ntitle: t\nrelated:\n  - title: r\n    quality: " + "9" * 100_000 + "\n---\n")
    record = read_record(str(path))
    assert isinstance(record, Record) and [story.title for story in record.related] == ["r"]
    assert record.related[0].quality is None

