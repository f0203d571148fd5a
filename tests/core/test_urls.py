"""Tests for choosing, vetting and comparing story URLs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.urls import (
    OPENABLE_SCHEMES,
    Urls,
    choose_url,
    command_url,
    normalise_title,
    normalise_titles,
    normalise_url,
    refusal,
    story_keys,
)

O, W, A, C, V = (f"https://example.com/{name}" for name in ("original", "web", "amp", "cdn", "video"))


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        (Urls(original=O, web=W, amp=A, cdn_amp=C, video=V), O),
        (Urls(web=W, amp=A, cdn_amp=C, video=V), W),
        (Urls(amp=A, cdn_amp=C, video=V), A),
        (Urls(cdn_amp=C, video=V), V),
        (Urls(video=V), V),
        (Urls(cdn_amp=C), ""),
        (Urls(), ""),
    ],
)
def test_choose_url_order(urls: Urls, expected: str) -> None:
    assert choose_url(urls) == expected


def test_openable_schemes() -> None:
    assert OPENABLE_SCHEMES == ("http", "https")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", "only http and https links are opened"),
        ("JAVASCRIPT:alert(1)", "only http and https links are opened"),
        ("JavaScript://example.com/%0Aalert(1)", "only http and https links are opened"),
        ("file:///etc/passwd", "only http and https links are opened"),
        ("data:text/html,<script>alert(1)</script>", "only http and https links are opened"),
        ("ftp://example.com/file", "only http and https links are opened"),
        ("mailto:someone@example.com", "only http and https links are opened"),
        ("example.com/path", "only http and https links are opened"),
        ("//example.com/path", "only http and https links are opened"),
        ("-https://example.com", "only http and https links are opened"),
        (" https://example.com", "it starts with a space"),
        ("https:example.com", "it has no host"),
        ("https:///path", "it has no host"),
        ("http://", "it has no host"),
        ("http://:80/", "it has no host"),
        ("http:// /x", "it has no host"),
        ("https://example.com/a\nb", "it contains control characters"),
        ("https://example.com/\x1b[31mred", "it contains control characters"),
        ("https://exa\tmple.com/", "it contains control characters"),
        ("https://example.com/\x00", "it contains control characters"),
        ("https://example.com/\x7f", "it contains control characters"),
        ("https://example.com/\x9b31m", "it contains control characters"),
        ("https://example.com/a\x1fb", "it contains control characters"),  # the last C0 control
        ("https://example.com/a\x80b", "it contains control characters"),  # the first C1 control
        ("https://example.com/a\x9fb", "it contains control characters"),  # the last C1 control
        ("https://example.com/\r", "it contains control characters"),
        ("https://[::1/", "it is not a valid link"),
        ("https://example.com:99999/", "it is not a valid link"),
        ("https://example.com:port/", "it is not a valid link"),
    ],
)
def test_refused(url: str, why: str) -> None:
    reason = refusal(url)
    assert reason is not None
    assert reason.startswith('refusing to open "')
    assert reason.endswith(f": {why}")


@pytest.mark.parametrize("url", ["", "   "])
def test_refused_without_link(url: str) -> None:
    assert refusal(url) == "this story has no link"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "https://example.com/",
        "HTTPS://EXAMPLE.COM/Path",
        "https://example.com/a b c",
        "https://example.com/\"quoted\" and 'single'",
        "https://example.com/`whoami`",
        "https://example.com/$(rm -rf /)",
        "https://example.com/a;b|c&d>e<f",
        "https://example.com/caf\u00e9/\u65b0\u805e",
        "https://b\u00fccher.example/",
        "https://example.com:8443/x?q=1#frag",
        "https://[::1]:8080/",
        "https://example.com/~user a",  # ~ (0x7E, below DEL) and a space (0x20, above 0x1F) are no controls
        "https://example.com/trailing ",
        "https://www.weau.com/2021/01/24/ban-on-facial-recognition-technology-advances-in-minneapolis/",
    ],
)
def test_accepted(url: str) -> None:
    assert refusal(url) is None


def test_refusal_shows_the_url_safely() -> None:
    reason = refusal("javascript:\x1b]0;title\x07" + "x" * 200)
    assert reason is not None
    assert "\n" not in reason
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in reason)
    shown = reason.split('"')[1]
    assert shown.startswith("javascript:?]0;title?xxx")
    assert shown.endswith("\u2026")
    assert len(shown) <= 80


def test_refusal_shows_a_short_url_whole() -> None:
    assert refusal("javascript:alert(1)") == (
        'refusing to open "javascript:alert(1)": only http and https links are opened'
    )


def test_refusal_replaces_each_control_with_a_question_mark() -> None:
    reason = refusal("https://example.com/a\nb\x9bc\u202ed")
    assert reason is not None
    assert '"https://example.com/a?b?c?d"' in reason


BRING = "bringmethenews.com/minnesota-news/minneapolis-a-step-closer-to-banning-facial-recognition-technology"
FOX = "fox9.com/news/proposed-ban-on-facial-recognition-technology-moves-forward-in-minneapolis"
CBS = "newyork.cbslocal.com/video/5234510-global-campaign-urges-ban-on-facial-recognition-technology"
STAMFORD = "stamfordadvocate.com/news/article/NY-civil-rights-advocates-back-facial-recognition-15900061.php"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # Real data: web, AMP and AMP cache forms of the same story.
        (f"https://{BRING}", BRING),
        ("https://bringmethenews.com/.amp/minnesota-news/minneapolis-a-step-closer-to-banning-facial-"
         "recognition-technology", BRING),
        ("https://bringmethenews-com.cdn.ampproject.org/c/s/bringmethenews.com/.amp/minnesota-news/"
         "minneapolis-a-step-closer-to-banning-facial-recognition-technology", BRING),
        (f"https://www.{FOX}", FOX),
        (f"https://www.{FOX}.amp", FOX),
        (f"https://www-fox9-com.cdn.ampproject.org/c/s/www.{FOX}.amp", FOX),
        (f"https://{CBS}/", CBS),
        (f"https://{CBS}/amp/", CBS),
        (f"https://newyork-cbslocal-com.cdn.ampproject.org/c/s/{CBS}/amp/", CBS),
        (f"https://www.{STAMFORD}", STAMFORD),
        # Scheme, case, www./amp./m., default port, fragment and trailing slash.
        ("HTTP://WWW.Example.COM/Path/", "example.com/Path"),
        ("https://example.com:443/a", "example.com/a"),
        ("http://example.com:80/a", "example.com/a"),
        ("http://example.com:8080/a", "example.com:8080/a"),
        ("https://example.com:80/a", "example.com:80/a"),
        ("http://example.com:443/a", "example.com:443/a"),
        ("HTTPS://example.com:443/a", "example.com/a"),
        # Without a scheme, either default port is the default.
        ("//example.com:80/a", "example.com/a"),
        ("//example.com:443/a", "example.com/a"),
        ("//example.com:8443/a", "example.com:8443/a"),
        ("//example.com:81/a", "example.com:81/a"),
        ("//example.com:442/a", "example.com:442/a"),
        ("https://amp.example.com/a", "example.com/a"),
        ("https://m.example.com/a", "example.com/a"),
        ("https://www.m.example.com/a", "example.com/a"),
        ("https://m.www.example.com/a", "example.com/a"),  # a prefix uncovered by stripping another
        ("https://www.www.example.com/", "example.com"),
        ("https://amp.m.example.com", "example.com"),
        ("https://m.example.com:8080/a", "example.com:8080/a"),
        ("https://www.com/a", "www.com/a"),
        ("https://m.com/a", "m.com/a"),
        ("https://example.com./a", "example.com/a"),
        ("https://user:pw@example.com/a", "example.com/a"),
        ("https://example.com/a#section", "example.com/a"),
        ("https://example.com/", "example.com"),
        ("https://example.com", "example.com"),
        ("//example.com/a", "example.com/a"),
        ("  https://example.com/a  ", "example.com/a"),
        ("https://[::1]:443/a", "[::1]/a"),
        ("https://B\u00fccher.example/a", "xn--bcher-kva.example/a"),
        ("https://" + "\u00e4" * 64 + ".example/a", "\u00e4" * 64 + ".example/a"),  # too long for IDNA: as it is
        # AMP forms.
        ("https://example.com/news/amp/x", "example.com/news/x"),
        ("https://example.com/.amp/x", "example.com/x"),
        ("https://example.com/x/amp", "example.com/x"),
        ("https://example.com/x.amp", "example.com/x"),
        ("https://example.com/x.amp/", "example.com/x"),
        ("https://example.com/x.amp.html", "example.com/x.html"),
        ("https://example.com/x.AMP.HTML", "example.com/x.HTML"),
        ("https://example.com/story.amp.html", "example.com/story.html"),
        ("https://example.com/.amp.html", "example.com/.amp.html"),  # nothing before the suffix: kept
        ("https://example.com/a/.amp.html", "example.com/a/.amp.html"),
        ("//example.com/x.amp", "example.com/x"),
        ("https://example.com/amp", "example.com"),
        ("https://example-com.cdn.ampproject.org/c/example.com/x", "example.com/x"),
        ("https://example-com.cdn.ampproject.org/v/s/example.com/x?amp_js_v=0.1", "example.com/x"),
        ("https://example-com.cdn.ampproject.org/c/s/example.com/x?b=2&a=1", "example.com/x?a=1&b=2"),
        ("https://www.google.com/amp/s/www.example.com/x/amp", "example.com/x"),
        ("https://www.google.co.uk/amp/s/www.bbc.co.uk/news/amp/x", "bbc.co.uk/news/x"),
        ("https://example-com.cdn.ampproject.org/c/s/s.com/x", "s.com/x"),
        ("https://example-com.cdn.ampproject.org/c/example.com:8080/x", "example.com:8080/x"),
        # An AMP cache URL whose wrapped URL is unusable is its own key.
        ("https://example-com.cdn.ampproject.org/c/s/", "example-com.cdn.ampproject.org/c/s"),
        ("https://example-com.cdn.ampproject.org/c/s/[", "example-com.cdn.ampproject.org/c/s/["),
        ("https://example-com.cdn.ampproject.org/c/s/:80/x", "example-com.cdn.ampproject.org/c/s/:80/x"),
        ("https://example-com.cdn.ampproject.org/c/s/a.b@/x", "example-com.cdn.ampproject.org/c/s/a.b@/x"),
        ("https://example-com.cdn.ampproject.org/c/s/example.com:99999/x",  # a port out of range
         "example-com.cdn.ampproject.org/c/s/example.com:99999/x"),
        ("https://x-com.cdn.ampproject.org/c/s/[a.b/x", "x-com.cdn.ampproject.org/c/s/[a.b/x"),  # unparsable
        # AMP hosts in capitals are AMP hosts
        ("HTTPS://X-COM.CDN.AMPPROJECT.ORG/c/s/example.com/x", "example.com/x"),
        ("https://WWW.Google.COM/amp/s/www.example.com/x/amp", "example.com/x"),
        ("https://example.com/c/s/other.com/x", "example.com/c/s/other.com/x"),
        # Queries: AMP parameters dropped, the rest sorted.
        ("https://example.com/x?amp", "example.com/x"),
        ("https://example.com/x?amp=1", "example.com/x"),
        ("https://example.com/x?outputType=amp", "example.com/x"),
        ("https://example.com/x?id=7&amp=1&outputType=amp", "example.com/x?id=7"),
        ("https://example.com/x?b=2&a=1", "example.com/x?a=1&b=2"),
        ("https://example.com/x?outputType=full", "example.com/x?outputType=full"),
        ("https://example.com/x?b=2&&a=1&", "example.com/x?a=1&b=2"),  # empty parameters dropped
        ("https://example.com/x?q=amp", "example.com/x?q=amp"),  # only outputType=amp is AMP's
        ("https://example.com/x?%61mp=1&AMP_JS_V=2&usqp=mq331&amp_gsa=1&c=3", "example.com/x?c=3"),
        ("https://example.com/x?outputType=%41mp", "example.com/x"),
        ("https://cdn.ampproject.org/c/s/example.com/x", "example.com/x"),  # the cache's own host
        ("https://example-com.cdn.ampproject.org/c/s/example.com/x?amp=1", "example.com/x"),
        # Not web URLs: no key.
        ("", ""),
        ("   ", ""),
        ("javascript:alert(1)", ""),
        ("mailto:a@example.com", ""),
        ("ftp://example.com/a", ""),
        ("example.com/a", ""),
        ("https:///a", ""),
        ("https://[::1/a", ""),
        ("https://example.com:99999/a", ""),
    ],
)
def test_normalise_url(url: str, key: str) -> None:
    assert normalise_url(url) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://bringmethenews.com/.amp/minnesota-news/foo",
            "https://bringmethenews.com/minnesota-news/foo",
        ),
        (
            "https://bringmethenews-com.cdn.ampproject.org/c/s/bringmethenews.com/.amp/minnesota-news/foo",
            "https://bringmethenews.com/minnesota-news/foo",
        ),
        ("https://www.fox9.com/news/x.amp", "http://fox9.com/news/x/"),
        (
            "https://newyork.cbslocal.com/video/5234510-slug/amp/",
            "https://newyork.cbslocal.com/video/5234510-slug/",
        ),
        ("http://example.com/a", "https://example.com/a"),
        ("https://Example.COM/a", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2&amp=1"),
    ],
)
def test_same_story(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a", "https://example.com/b"),
        ("https://example.com/a", "https://example.org/a"),
        ("https://example.com/a", "https://news.example.com/a"),
        ("https://example.com/a", "https://example.com/a/b"),
        ("https://example.com/News", "https://example.com/news"),
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),
        ("https://example.com/a", "https://example.com:8080/a"),
        ("https://example.com/amplifies", "https://example.com/ifies"),
        ("https://example.com/xamp", "https://example.com/x"),
        ("https://example.com/x.ampx", "https://example.com/x"),
        ("https://example.com/x", "https://m.example.com/y"),
        (
            "https://www.stamfordadvocate.com/news/amp/NY-civil-rights-15900061.php",
            "https://www.stamfordadvocate.com/news/article/NY-civil-rights-15900061.php",
        ),
        (
            "https://a-com.cdn.ampproject.org/c/s/a.com/x",
            "https://b-com.cdn.ampproject.org/c/s/b.com/x",
        ),
    ],
)
def test_different_stories(a: str, b: str) -> None:
    assert normalise_url(a) != normalise_url(b)


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("", ""),
        ("   ", ""),
        ("Ban on Facial Recognition", "ban on facial recognition"),
        ("  Ban   on\tfacial\nrecognition  ", "ban on facial recognition"),
        ("Biden\u2019s plan", "bidens plan"),
        ("Biden's plan", "bidens plan"),
        ("\u201cQuoted\u201d title", "quoted title"),
        ('"Quoted" title', "quoted title"),
        ("Left \u2014 right", "left right"),
        ("Left - right", "left right"),
        ("facial-recognition", "facial recognition"),
        ("Wait... what?!", "wait what"),
        ("\uff26\uff55\uff4c\uff4c width", "full width"),
        ("STRASSE Stra\u00dfe", "strasse strasse"),
        ("zero\u200bwidth", "zerowidth"),
        ("Costs $5 & rising", "costs $5 rising"),
        ("a\x7fb\x00c", "a b c"),  # DEL and NUL are controls: spaces
    ],
)
def test_normalise_title(title: str, key: str) -> None:
    assert normalise_title(title) == key


def test_normalise_title_matches_related_story_variants() -> None:
    assert normalise_title("Minneapolis a step closer to banning facial-recognition technology") == (
        normalise_title("MINNEAPOLIS A STEP CLOSER TO BANNING FACIAL RECOGNITION TECHNOLOGY.")
    )
    assert normalise_title("Ban on facial recognition") != normalise_title("Ban on facial recognition tech")


def test_story_keys_are_distinct_and_skip_video() -> None:
    urls = Urls(
        original="https://www.example.com/x",
        web="https://example.com/x/",
        amp="https://example.com/x/amp",
        cdn_amp="https://example-com.cdn.ampproject.org/c/s/example.com/x/amp",
        video="https://video.example.com/v",
    )
    assert story_keys(urls) == ["example.com/x"]


def test_story_keys_keep_order_and_skip_empty_and_unusable() -> None:
    urls = Urls(original="", web="https://b.com/y", amp="javascript:alert(1)", cdn_amp="https://a.com/z")
    assert story_keys(urls) == ["b.com/y", "a.com/z"]
    assert story_keys(Urls()) == []


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    reason = refusal(text)
    assert reason is None or ("\n" not in reason and isinstance(reason, str))
    assert isinstance(normalise_url(text), str)
    assert isinstance(normalise_title(text), str)
    assert isinstance(story_keys(Urls(text, text, text, text, text)), list)


url_like = st.builds(
    lambda scheme, host, path: f"{scheme}{host}{path}",
    st.sampled_from(["http://", "https://", "HTTPS://", "//", "javascript:", ""]),
    st.text(alphabet="abc.-:[]@%1", max_size=12),
    st.text(alphabet="/amp.?=&#%x \n\x1b\u00e9", max_size=20),
)


@given(url_like)
def test_never_raises_on_url_like_text(text: str) -> None:
    reason = refusal(text)
    assert reason is None or not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in reason)
    key = normalise_url(text)
    assert normalise_url(text) == key
    if reason is None:
        assert key != ""


@settings(max_examples=2000)
@given(
    st.from_regex(
        r"\A(https?:|HTTP:|)//(www\.|amp\.|m\.|)[a-zA-Z0-9.-]{1,20}(/[a-zA-Z0-9._~%!$&'()*+,;=:@/-]{0,30})?(#[a-z]*)?\Z"
    )
)
def test_simple_url_fast_path_agrees_with_urlsplit(url: str) -> None:
    from reader.core.urls import _normalise_parsed

    assert normalise_url.__wrapped__(url) == _normalise_parsed(url)


@pytest.mark.parametrize("url", ["https://ok.example/\u202egpj.exe", "https://ok.example/a\u200bb", "https://ex\u2066ample.com/"])
def test_invisible_or_direction_changing_characters_are_refused(url: str) -> None:
    reason = refusal(url)
    assert reason is not None and "invisible or direction-changing" in reason
    assert "\u202e" not in reason and "\u200b" not in reason and "\u2066" not in reason


def _title_key_by_character(title: str) -> str:
    """normalise_title as first written, a character at a time: the reference for its table."""
    import unicodedata

    from reader.core.urls import _ASCII_TITLE_FOLDS, _TITLE_FOLDS

    text = title.casefold()
    if text.isascii():
        return " ".join(text.translate(_ASCII_TITLE_FOLDS).split())
    text = unicodedata.normalize("NFKC", text).translate(_TITLE_FOLDS)
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char == "'" or category == "Cf":
            continue
        out.append(" " if category[0] == "P" or category in ("Cc", "Zl", "Zp") else char)
    return " ".join("".join(out).split())


@settings(max_examples=1000)
@given(st.text() | st.text(alphabet="Aa é’“”—-'.,!?\u200b\u2028\u2029\u00b7\u00ad\ufb01\uff26ß\x85\u0130 ", max_size=40))
def test_normalise_title_agrees_with_the_character_by_character_definition(title: str) -> None:
    assert normalise_title(title) == _title_key_by_character(title)


@settings(max_examples=2000)
@given(
    st.from_regex(
        r"\A(https?:|)//(www\.|)[a-z0-9.-]{1,12}(/((amp|AMP|\.amp|Amp|camp|x\.amp|x\.AMP\.html|\.amp\.html|ampx|[a-z0-9._%-]{0,6})/?){0,4})?(#[a-z]*)?\Z"
    )
)
def test_simple_url_fast_path_agrees_with_urlsplit_on_amp_paths(url: str) -> None:
    from reader.core.urls import _normalise_parsed

    assert normalise_url.__wrapped__(url) == _normalise_parsed(url)


def _wrapped(times: int) -> str:
    """An AMP cache URL wrapping another, `times` deep, around example.com/x."""
    url = "example.com/x"
    for level in range(times):
        url = f"w{level}-example-com.cdn.ampproject.org/c/s/{url}"
    return f"https://{url}"


def test_amp_cache_urls_are_unwrapped_four_deep_at_most() -> None:
    assert [normalise_url(_wrapped(n)) for n in (1, 2, 3, 4)] == ["example.com/x"] * 4
    assert normalise_url(_wrapped(5)) == "w0-example-com.cdn.ampproject.org/c/s/example.com/x"


@pytest.mark.parametrize("length", [79, 80, 81, 200])
def test_a_refused_url_is_shown_whole_up_to_80_characters(length: int) -> None:
    url = "javascript:" + "x" * (length - len("javascript:"))
    shown = refusal(url).split('"')[1]  # type: ignore[union-attr]
    assert shown == (url if length <= 80 else url[:79] + "\u2026")


def test_a_refused_url_shows_characters_past_the_controls_as_they_are() -> None:
    """~ (0x7E), a no-break space (0xA0) and a space are shown; DEL, C1 controls and line separators are not."""
    assert refusal("javascript:~\u00a0 \u00a1\x7f\x80\x9f\u2028\u2029") == (
        'refusing to open "javascript:~\u00a0 \u00a1?????": it contains control characters'
    )


TITLES = [
    "Ban on Facial Recognition",
    "  Biden's   plan\t",
    "Wait... what?!",
    "",
    "a\x0bb\x0cc",  # vertical tab and form feed, beside the line break in the table
    "\u201cQuoted\u201d \u2014 Stra\u00dfe",
    "two\nlines",
    "three\nmore\nlines",
]


@pytest.mark.parametrize(
    "titles",
    [TITLES[:3], TITLES[:5], TITLES[5:6] + TITLES[:2], TITLES[6:7] + TITLES[:1], TITLES[7:8] + TITLES[:1],
     TITLES[:1], TITLES[1:3], []],
)
def test_normalise_titles_is_normalise_title_for_each(titles: list[str]) -> None:
    assert normalise_titles(titles) == [normalise_title(title) for title in titles]


@given(st.lists(st.text(alphabet="Ab '.-\n\x0b\x0c\t\u00e9\u2019", max_size=8), max_size=5))
def test_normalise_titles_agrees_with_normalise_title(titles: list[str]) -> None:
    assert normalise_titles(titles) == [normalise_title(title) for title in titles]


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("", ""),
        ("'$`", "%27%24%60"),  # nothing in it may stay as it is
        ("\u00fc", "%C3%BC"),
        ("%", "%25"),
        ("%4", "%254"),
        ("%41", "%41"),
        ("a%41%zz", "a%41%25zz"),
    ],
)
def test_command_url_of_short_and_odd_text(text: str, encoded: str) -> None:
    assert command_url(text) == encoded


def test_urls_all_lists_the_present_ones_in_order_of_preference() -> None:
    assert Urls(original=O, web=W, amp=A, cdn_amp=C, video=V).all() == [
        ("original", O), ("web", W), ("amp", A), ("amp cache", C), ("video", V),
    ]
    assert Urls(web=W, video=V).all() == [("web", W), ("video", V)]
    assert Urls().all() == []
