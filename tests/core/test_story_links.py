"""The keys under which stories are found and linked (reader.core.story_links)."""

from __future__ import annotations

from reader.core.story_links import link_keys, mention_keys
from reader.core.urls import Urls

AMP_CACHE = "https://x-com.cdn.ampproject.org/c/s/x.com/c"


def test_a_story_is_found_by_its_url_keys_then_its_title_key_without_repeats() -> None:
    assert link_keys(["e.com/a", "", "e.com/b", "e.com/a"], "Hello,  World") == ["e.com/a", "e.com/b", "t:hello world"]
    assert link_keys(["e.com/a"], "  ") == ["e.com/a"]
    assert link_keys([], "") == []


def test_a_related_story_is_indexed_by_its_original_and_web_urls_when_it_has_either() -> None:
    # Its AMP forms are left out then (they normalise to the same keys in real records).
    assert mention_keys(Urls(original="https://e.com/a", amp="https://amp.other.com/b")) == ["e.com/a"]
    assert mention_keys(Urls(web="https://www.e.com/w", cdn_amp=AMP_CACHE)) == ["e.com/w"]
    assert mention_keys(Urls(original="https://e.com/a", web="https://e.com/w", amp="https://amp.o.com/b")) == [
        "e.com/a", "e.com/w"]


def test_a_related_story_with_only_amp_urls_is_indexed_by_them() -> None:
    assert mention_keys(Urls(amp="https://amp.other.com/b", cdn_amp=AMP_CACHE)) == ["other.com/b", "x.com/c"]
    assert mention_keys(Urls()) == []
