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
    """A crude fold of plural and verb endings, so 'exposes', 'exposed' and 'expose' meet."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


# "38M", "2.5bn", "$10k": a number with a magnitude, written as the words outlets also use.
_MAGNITUDE = re.compile(r"\b(\d+(?:[.,]\d+)?)\s?(k|m|mn|b|bn)\b")
_MAGNITUDES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}


_stems: dict[str, str] = {}  # word -> stem, "" for a word not worth keeping
_DIGIT = re.compile(r"\d")


def _stem_of(word: str) -> str:
    stem = "" if len(word) < 2 or word in STOPWORDS else intern(_stem(word))
    if len(_stems) > 200_000:
        _stems.clear()
    _stems[word] = stem
    return stem


def words(text: str) -> list[str]:
    """The content words of a text, folded and stemmed, in order (duplicates kept)."""
    if "&" in text:
        text = html.unescape(text)
    text = text.casefold() if text.isascii() else normalise_title(text)
    if _DIGIT.search(text):
        text = _MAGNITUDE.sub(lambda m: f"{m.group(1)} {_MAGNITUDES[m.group(2)]}", text)
    get = _stems.get
    out = []
    for word in _WORD.findall(text):
        stem = get(word)
        if stem is None:
            stem = _stem_of(word)
        if stem:
            out.append(stem)
    return out


TITLE_WEIGHT = 2  # a word of the headline counts twice a word of the excerpt
EXCERPT_CHARS = 400  # the opening of an excerpt says what it is about; the rest costs time


def features(title: str, excerpt: str, provider: str = "", domain: str = "") -> dict[str, int]:
    """Each distinct content word with its weight: TITLE_WEIGHT if in the headline, +1 if in the excerpt."""
    weights: dict[str, int] = {}
    for word in words(strip_provider(title, provider, domain)):
        weights[word] = TITLE_WEIGHT
    for word in set(words(excerpt[:EXCERPT_CHARS])):
        weights[word] = weights.get(word, 0) + 1
    provider_words = set(words(provider)) | set(words(domain.partition(".")[0]))
    for word in provider_words:  # an outlet naming itself says nothing about the event
        weights.pop(word, None)
    return weights
