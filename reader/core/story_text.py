"""What story grouping compares: URL keys without tracking parameters, headline keys and word features."""

from __future__ import annotations

import html
import re
from sys import intern

from reader.core.urls import normalise_title, normalise_url

# Query parameters that only say who sent the reader, never which page: dropped from URL keys.
_TRACKING = re.compile(
    r"(utm_[a-z_]*|fbclid|gclid|dclid|msclkid|ocid|cmpid|cmp|mc_cid|mc_eid|icid|ncid|src|source|ref|"
    r"ref_src|referrer|share|sh|smid|sr_share|guccounter|guce_referrer|guce_referrer_sig|taid|_ga|cid|"
    r"soc_src|soc_trk|ito|itm_[a-z_]*|mod|partner|feature|tid|__twitter_impression)"
)
_SUFFIX_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ")
_WORD = re.compile(r"[a-z0-9]+")

# Function words and the aggregator's boilerplate: they say nothing about which event a text reports.
STOPWORDS = frozenset(
    """a about after all also an and any are as at be been before being but by can could did do does
    for from had has have he her his how i if in into is it its just more most my new no not now of on
    one or our out over s says said she so some than that the their them then there these they this
    those through to up us was we were what when where which while who will with would you your
    via amp nbsp quot com www http https html today week year day get gets make makes here why
    read full article more click report reports according""".split()
)


def url_key(url: str) -> str:
    """`normalise_url` with tracking parameters dropped; "" for no web URL or a bare host (too generic)."""
    key = normalise_url(url)
    if not key:
        return ""
    head, question, query = key.partition("?")
    if question:
        items = query.split("&")
        kept = [item for item in items if not _TRACKING.fullmatch(item.partition("=")[0].casefold())]
        key = head + ("?" + "&".join(kept) if kept else "")
    if "/" not in head or not head.partition("/")[2].strip("/"):
        return ""  # a home page is shared by unrelated stories
    return key


def url_keys(urls: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The distinct non-empty `url_key`s of a record's URLs, in the order given."""
    keys: list[str] = []
    for url in urls:
        if url:
            key = url_key(url)
            if key and key not in keys:
                keys.append(key)
    return tuple(keys)


def _provider_forms(provider: str, domain: str) -> set[str]:
    """The folded ways a headline suffix may name its provider: name, domain, domain without its TLD."""
    forms = {normalise_title(provider)} if provider else set()
    if domain:
        host = domain.casefold().removeprefix("www.")
        forms.add(normalise_title(host))
        forms.add(normalise_title(host.partition(".")[0]))
    forms.discard("")
    return forms


def strip_provider(title: str, provider: str = "", domain: str = "") -> str:
    """The headline without a trailing " - Provider" or " | Provider" (also a short "| Section" tail)."""
    forms = None
    for _ in range(2):  # "Title | Section | Provider"
        cut = max((title.rfind(sep), sep) for sep in _SUFFIX_SEPARATORS)
        at, sep = cut
        if at <= 0:
            break
        tail = normalise_title(title[at + len(sep) :])
        head = title[:at]
        if forms is None:
            forms = _provider_forms(provider, domain)
        known = tail in forms or tail.replace(" ", "") in {f.replace(" ", "") for f in forms}
        short_section = sep.strip() == "|" and len(tail.split()) <= 3
        if not (known or short_section) or len(normalise_title(head).split()) < 3:
            break
        title = head
    return title


def title_key(title: str, provider: str = "", domain: str = "") -> str:
    """A key equal for one headline however outlets case, punctuate or sign it; "" if too short to tell."""
    key = normalise_title(strip_provider(title, provider, domain))
    return key if len(key.split()) >= 4 and len(key) >= 20 else ""


def _stem(word: str) -> str:
    """A crude fold of plural and verb endings, so 'launches', 'launched' and 'launch' meet."""
    if len(word) > 4:
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith(("ches", "shes", "sses", "xes")):
            return word[:-2]
        if word.endswith("ing") and len(word) > 6:
            return word[:-3]
        if word.endswith("ed") and len(word) > 5:
            return word[:-2] if not word.endswith("eed") else word
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


_stems: dict[str, str] = {}


def words(text: str) -> list[str]:
    """The content words of a text, folded and stemmed, in order (duplicates kept)."""
    if "&" in text:
        text = html.unescape(text)
    out = []
    for word in _WORD.findall(normalise_title(text)):
        if len(word) < 2 or word in STOPWORDS:
            continue
        stem = _stems.get(word)
        if stem is None:
            if len(_stems) > 200_000:
                _stems.clear()
            stem = _stems[word] = intern(_stem(word))
        out.append(stem)
    return out


TITLE_WEIGHT = 2  # a word of the headline counts twice a word of the excerpt


def features(title: str, excerpt: str, provider: str = "", domain: str = "") -> dict[str, int]:
    """Each distinct content word with its weight: TITLE_WEIGHT if in the headline, +1 if in the excerpt."""
    weights: dict[str, int] = {}
    for word in words(strip_provider(title, provider, domain)):
        weights[word] = TITLE_WEIGHT
    for word in set(words(excerpt[:600])):
        weights[word] = weights.get(word, 0) + 1
    provider_words = set(words(provider)) | set(words(domain.partition(".")[0]))
    for word in provider_words:  # an outlet naming itself says nothing about the event
        weights.pop(word, None)
    return weights
