"""`urls.refusal` vets most URLs with one regular expression: every URL that shortcut lets through passes the
full checks too, and refusal answers as the full checks do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import urls
from reader.core.urls import refusal

HOST_CHARS = "abcXYZ019.-_:@[]% \u00e4\u0130"
PATH_CHARS = "abc/?#&=%.:@!~*'()[]\\ \t\n\x00\x1b\x7f\u00a0\u0085\u200b\u202e\u00e4"

hosts = st.text(HOST_CHARS, max_size=12)
rests = st.text(PATH_CHARS, max_size=12)
schemes = st.sampled_from(["http://", "https://", "HTTP://", "Https://", "ftp://", "https:", "https:/", "//", "",
                           " https://", "javascript:"])
ports = st.sampled_from(["", ":80", ":8080", ":99999", ":x", ":"])
url_like = st.builds(lambda s, h, p, r: s + h + p + r, schemes, hosts, ports, rests)
anything = st.text(max_size=40)


def test_the_shortcut_is_inside_refusal() -> None:
    assert urls._PLAIN_URL.fullmatch("https://example.com/a?b#c")
    assert refusal("https://example.com/a?b#c") is None


@settings(max_examples=3000, deadline=None)
@given(st.one_of(url_like, anything, st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)))
def test_every_url_the_shortcut_passes_passes_every_check(url: str) -> None:
    if urls._PLAIN_URL.fullmatch(url):
        assert urls._checked_refusal(url) is None, url
    assert refusal(url) == urls._checked_refusal(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:8080/a", "https://example.com:99999/a", "https://user@example.com/", "https://[::1]/",
        "https://[::1/", "https://exa]mple.com/", "https://example.com/a b", " https://example.com/", "https://",
        "https:///path", "ftp://example.com/", "javascript:alert(1)", "https://exam\x1bple.com/",
        "https://example.com/\x7f", "https://example.com/\u202e", "https://exämple.com/", "https://example.com/\n",
        "", " ", "example.com", "https:example.com", "https://example.com\\@evil.com/", "https://example.com/\u0085",
    ],
)
def test_urls_off_the_shortcut_get_the_full_checks(url: str) -> None:
    assert not urls._PLAIN_URL.fullmatch(url)
    assert refusal(url) == urls._checked_refusal(url)


def test_refused_urls_say_why() -> None:
    assert refusal("javascript:alert(1)") == 'refusing to open "javascript:alert(1)": only http and https links are opened'
    assert refusal("https://example.com:99999/") is not None
    assert refusal("") == "this story has no link"
