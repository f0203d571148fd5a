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
    """A crude fold of plural, verb and a few noun endings, so 'exposes', 'exposed', 'expose' and
    'exposure' meet, as do 'configured' and 'configuration', 'announced' and 'announcement'."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in _NOUN_ENDINGS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    else:
        for suffix in ("ing", "ed", "es", "s"):
            if (word.endswith(suffix) and len(word) - len(suffix) >= 3
                    and not word.endswith(("ss", "us", "is"))):
                word = word[: -len(suffix)]
                break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word[:-2] if word.endswith("at") and len(word) >= 7 else word  # automat(e|ed|ion) -> autom


# Noun endings folded onto the verb's stem ("configuration" -> "configur", "announcement" -> "announce").
_NOUN_ENDINGS = ("ations", "ation", "ments", "ment", "ures", "ure")


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


# A hyphenated compound whose parts say little alone (a number, a stopword or a part of one or two
# letters: "GPT-3", "pay-as-you-go", "CVE-2021-38647", "T-Mobile") names one thing more exactly than
# they do: it is also kept whole ("gpt3", "payasyougo"), so that it meets the compound written solid and
# weighs as the rare word it is. One of content words ("self-driving") is left to its parts.
_COMPOUND = re.compile(r"\w+(?:[-\u2010\u2011]\w+)+")
_HYPHENS = re.compile(r"[-\u2010\u2011]")


def _with_whole(match: re.Match[str]) -> str:
    compound = match.group()
    parts = _HYPHENS.split(compound)
    if all(len(part) > 2 and part not in STOPWORDS and not _DIGIT.search(part) for part in parts):
        return compound
    return f"{compound} {''.join(parts)}"


def words(text: str) -> list[str]:
    """The content words of a text, folded and stemmed, in order (duplicates kept); a hyphenated
    compound gives its parts, then itself whole."""
    if "&" in text:
        text = html.unescape(text)
    ascii = text.isascii()
    text = text.casefold()
    if "-" in text or not ascii and ("\u2010" in text or "\u2011" in text):
        text = _COMPOUND.sub(_with_whole, text)
    if not ascii:
        text = normalise_title(text)
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
# Two excerpts are one text (a copy of one article) when one is the other's opening over at least
# COPY_WORDS content words; they are found by those first COPY_WORDS.
COPY_WORDS = 15


def features(title: str, excerpt: str, provider: str = "", domain: str = "") -> dict[str, int]:
    """Each distinct content word with its weight: TITLE_WEIGHT if in the headline, +1 if in the excerpt."""
    return text_signals(title, excerpt, provider, domain)[0]


def text_signals(
    title: str, excerpt: str, provider: str = "", domain: str = ""
) -> tuple[dict[str, int], str]:
    """`features` and the `excerpt_key`, from one reading of the excerpt."""
    weights: dict[str, int] = {}
    for word in words(strip_provider(title, provider, domain)):
        weights[word] = TITLE_WEIGHT
    opening = words(excerpt[:EXCERPT_CHARS])
    for word in dict.fromkeys(opening):  # in order: the sums over the words are the same in every process
        weights[word] = weights.get(word, 0) + 1
    provider_words = set(words(provider)) | set(words(domain.partition(".")[0]))
    for word in provider_words:  # an outlet naming itself says nothing about the event
        weights.pop(word, None)
    return weights, _key(opening)


def _key(opening: list[str]) -> str:
    # More than COPY_WORDS words: the last may be cut short, the first COPY_WORDS are whole.
    return " ".join(opening[:COPY_WORDS]) if len(opening) > COPY_WORDS else ""


def excerpt_key(excerpt: str) -> str:
    """The first COPY_WORDS content words of an excerpt that has more than COPY_WORDS ("" if shorter):
    equal for copies of one text, however they are cut."""
    return _key(words(excerpt[:EXCERPT_CHARS]))


def shared_opening(a: str, b: str) -> int:
    """How many content words excerpts `a` and `b` share when one is the opening of the other (the
    last word of the shorter left out, as a cut may end it mid-word); 0 when they part before."""
    first, second = words(a[:EXCERPT_CHARS]), words(b[:EXCERPT_CHARS])
    length = min(len(first), len(second)) - 1
    return length if length > 0 and first[:length] == second[:length] else 0


# Words that tell one instance of a series from another: numbers ("wave 2", "2023", "Q3") and months
# ("August"; "may" only beside a year, as it is more often a verb).
_MONTHS = frozenset(
    "january february march april june july august september october november december".split()
)
_YEAR = re.compile(r"\d{4}")


def _specifics(words_: set[str]) -> set[str]:
    found = {w for w in words_ if w in _MONTHS or _DIGIT.search(w)}
    if "may" in words_ and any(_YEAR.fullmatch(w) for w in found):
        found.add("may")
    return found


def title_words(title: str, provider: str = "", domain: str = "") -> set[str]:
    """The content words of a headline, without its provider signature."""
    return set(words(strip_provider(title, provider, domain)))


def titles_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two headlines' words name different instances: each has a number or month the other lacks
    ("August 2022 update" and "September 2022 update"; not "38M records" and "38 million records")."""
    mine, theirs = _specifics(a), _specifics(b)
    return bool(mine - theirs) and bool(theirs - mine)


def titles_alike(a: set[str], b: set[str]) -> bool:
    """Whether two headlines are one, up to a signature: every word of one is in the other."""
    return bool(a) and bool(b) and (a <= b or b <= a)


# A market-research release ("AI in Healthcare Market Size, Share, Growth 2021-2027 | Top Players"):
# such releases come by the dozen from a few publishers, alike in their words and each its own report.
_MARKET = re.compile(r"\bmarkets?\b", re.IGNORECASE)
_REPORT_WORDS = re.compile(
    r"\b(size|share|growth|forecasts?|outlook|analysis|reports?|trends|cagr|demand|players|manufacturers|"
    r"revenue|scope|insights|opportunit(y|ies)|research|industry|investment|20\d\d)\b",
    re.IGNORECASE,
)


def market_report(title: str) -> bool:
    """Whether a headline is a market-research release's: "market" with two of the words such releases
    use ("Size", "Share", "Forecast", a year...)."""
    return bool(_MARKET.search(title)) and len(_REPORT_WORDS.findall(title)) >= 2
