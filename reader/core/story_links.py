"""The keys under which stories are found and linked: a story's URL keys and title key, and the keys
of the stories a record lists as related."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .fields import MAX_RELATED, MAX_TITLE, listed_items, story_urls, text_field, video_url
from .urls import Urls, normalise_title, normalise_titles, normalise_url, story_keys


def link_keys(urls_keys: Iterable[str], title: str) -> list[str]:
    """The keys under which a story is found: its URL keys, then its title key (`t:` prefixed)."""
    keys = [key for key in urls_keys if key]
    if title_key := normalise_title(title):
        keys.append("t:" + title_key)
    return list(dict.fromkeys(keys))


def mention_keys(urls: Urls) -> list[str]:
    """The URL keys a related story is indexed under: its original and web URLs, which the AMP forms
    normalise to anyway; the AMP forms only when it has neither (this halves the work of indexing)."""
    if urls.original or urls.web:
        return story_keys(Urls(original=urls.original, web=urls.web))
    return story_keys(urls)


def related_keys(value: Any) -> tuple[bool, Iterable[str]]:
    """(whether a record has related stories, their mention keys) from its front matter's `related`
    value: whether `fields.related_links(value)` has any, and `link_keys(mention_keys(...))` of each
    link, in order, without repeats; made in one pass, without the tuples. The titles that `text_field`
    keeps as they are (printable ASCII without "&", most) are normalised a list at a time, each key
    keeping its place."""
    has_related = False
    keys: list[str] = []
    titles: list[str] = []
    places: list[int] = []  # where the keys of `titles` go in `keys`
    for item in listed_items(value, MAX_RELATED):
        if not isinstance(item, dict):
            continue
        original, web, amp, cdn_amp = story_urls(item)
        for url in (original, web if web != original else "") if original or web else (amp, cdn_amp):
            if url and (key := normalise_url(url)):
                keys.append(key)
        title = item.get("title")
        if (
            title.__class__ is str and title.isascii() and len(title) <= MAX_TITLE
            and title.isprintable() and "&" not in title
        ):
            places.append(len(keys))
            keys.append("")
            titles.append(title)
            # Empty when what text_field leaves of it is (printable: " " is its only space).
            title = title.strip()
        else:
            title = text_field(title, MAX_TITLE, unescape=True)
            if title_key := normalise_title(title):
                keys.append("t:" + title_key)
        if not has_related:
            video = video_url(item.get("featuredContent"))
            has_related = bool(title or original or web or amp or cdn_amp or video)
    for place, title_key in zip(places, normalise_titles(titles)):
        if title_key:
            keys[place] = "t:" + title_key
    mentions = dict.fromkeys(keys)
    mentions.pop("", None)
    return has_related, mentions
