"""The sliding state story grouping keeps while it walks records in time order: word counts, word
postings by day, and the URL and headline keys of recent records."""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection
from sys import intern
from dataclasses import dataclass, field

from reader.core.story_text import excerpt_key, market_report, text_signals, title_key, url_keys

DAY = 86_400.0
NO_TIME = math.inf  # records without a time sort last and join only by URL or headline


@dataclass(frozen=True, slots=True)
class Signals:
    """What grouping derives from a record's text, made ahead (in a parsing worker, say) so the grouper
    only links: its content words (space-separated) with their weights (one byte each), its URL keys,
    its headline key and its excerpt key. Small to pickle: four strings and a few bytes."""

    words: str
    weights: bytes
    ukeys: tuple[str, ...]
    tkey: str
    ekey: str = ""

    def feats(self) -> dict[str, int]:
        """The word features, as `features` gives them."""
        return dict(zip(self.words.split(), self.weights))


def signals_of(title: str, excerpt: str = "", provider: str = "", domain: str = "",
               urls: tuple[str, ...] = ()) -> Signals:
    """A record's `Signals`: the work of grouping that needs no other record."""
    feats, ekey = text_signals(title, excerpt, provider, domain)
    return Signals(" ".join(feats), bytes(feats.values()), url_keys(urls), title_key(title, provider, domain),
                   ekey)


@dataclass(frozen=True, slots=True)
class Item:
    """The few fields of a record that grouping reads; `timestamp` in seconds since the epoch (UTC).

    `signals`, when given, must be `signals_of` the same fields: the grouper then takes the words and
    keys from it instead of deriving them (and keeps the item without it)."""

    id: str
    title: str
    excerpt: str = ""
    timestamp: float | None = None
    provider: str = ""
    domain: str = ""
    urls: tuple[str, ...] = ()
    signals: Signals | None = field(default=None, compare=False, repr=False)

    def bare(self) -> Item:
        """The item without its signals (what the grouper keeps)."""
        if self.signals is None:
            return self
        return Item(self.id, self.title, self.excerpt, self.timestamp, self.provider, self.domain, self.urls)


@dataclass(frozen=True, slots=True)
class Settings:
    """The grouping's knobs; the defaults are the ones measured in benchmarks/stories_eval.py."""

    threshold: float = 0.28  # a story's `support` closest members average at least this cosine
    best_threshold: float = 0.28  # and its closest member at least this
    window_days: float = 5.0  # a record is compared with records at most this much older
    span_days: float = 7.0  # and joins no story begun longer ago than this (but by URL)
    title_days: float = 7.0  # a shared headline counts within this
    url_days: float = 30.0  # a shared URL counts within this, and so does a copied excerpt
    copy_days: float = 180.0  # a copied excerpt under a nearly equal headline counts within this
    # A word held by more of the window's records than `common_share` of them (and more than
    # `common_postings`) is too common to find candidates by; others look at their latest `scan`.
    common_share: float = 0.1
    common_postings: int = 30
    scan: int = 20
    rare_words: int = 8  # a record seeks candidates by this many of its rarest words the window holds
    candidates: int = 3  # stories compared in full with a record, those sharing most rare words
    support: int = 3  # average over this many of the story's closest members (0: all of them)
    # Similarity with a record of the same outlet counts half: an outlet seldom reports one event twice
    # under two URLs, but often writes about one product twice in a day.
    same_outlet: float = 0.5


class Rec:
    """One record with what grouping derived from it; the derived parts are dropped once the record
    is out of every window, and made again from the item if ever needed."""

    __slots__ = (
        "item", "key", "time", "day", "norm", "outlet", "lead", "_signals", "_feats", "_ukeys", "_tkey",
        "_ekey", "_report",
    )

    def __init__(self, item: Item) -> None:
        signals = item.signals
        if signals is not None:
            item = item.bare()
        self.item = item
        self.time = NO_TIME if item.timestamp is None or not math.isfinite(item.timestamp) else item.timestamp
        self.day = -1 if self.time == NO_TIME else int(self.time // DAY)
        self.key = (self.time, item.id)
        self.norm = 0.0  # the length of its word vector, by the rarity counted when it was grouped
        self.lead = ""  # the id of its story's earliest record, once grouped
        self.outlet = intern((item.domain or item.provider).casefold().removeprefix("www."))
        self._report: bool | None = None
        self.drop()
        if signals is not None:  # its words are made when first needed: a batch is not all held at once
            self._signals = signals
            self._ukeys = signals.ukeys
            self._tkey = signals.tkey
            self._ekey = signals.ekey

    def drop(self) -> None:
        self.drop_words()
        self.drop_keys()
        self.drop_excerpt()

    def drop_words(self) -> None:
        self._signals: Signals | None = None
        self._feats: dict[str, int] | None = None

    def drop_keys(self) -> None:
        """Drop its URL and headline keys (its excerpt key is kept longer: see `drop_excerpt`)."""
        self._ukeys: tuple[str, ...] | None = None
        self._tkey: str | None = None

    def drop_excerpt(self) -> None:
        self._ekey: str | None = None

    @property
    def feats(self) -> dict[str, int]:
        """Its content words and their weights."""
        if self._feats is None:
            if self._signals is not None:
                self._feats = self._signals.feats()
                self._signals = None
            else:
                item = self.item
                self._feats, ekey = text_signals(item.title, item.excerpt, item.provider, item.domain)
                if self._ekey is None:
                    self._ekey = ekey
        return self._feats

    @property
    def report(self) -> bool:
        """Whether it is a market-research release (`story_text.market_report`): it joins nothing by
        its words, and nothing joins it so."""
        if self._report is None:
            self._report = market_report(self.item.title)
        return self._report

    @property
    def ukeys(self) -> tuple[str, ...]:
        """Its URL keys."""
        if self._ukeys is None:
            self._ukeys = url_keys(self.item.urls)
        return self._ukeys

    @property
    def tkey(self) -> str:
        """Its headline key ("" when too short to tell)."""
        if self._tkey is None:
            item = self.item
            self._tkey = title_key(item.title, item.provider, item.domain)
        return self._tkey

    @property
    def ekey(self) -> str:
        """Its excerpt key ("" when too short to tell)."""
        if self._ekey is None:
            self._ekey = excerpt_key(self.item.excerpt)
        return self._ekey


class _Days:
    """Keys -> the records that hold them over the last `days` days (by day number), the records of
    each key in the order added; older days are let go as later days come."""

    def __init__(self, days: float) -> None:
        self.keep = int(math.ceil(days)) + 1
        self.index: defaultdict[str, list[Rec]] = defaultdict(list)
        self.days: dict[int, Counter[str]] = {}  # day -> key -> records added that day
        self.counts: dict[int, int] = {}  # day -> records added that day

    def _let_go(self, day: int) -> None:
        """Forget the days too old for `day` (the oldest records are first in each list)."""
        for old in [d for d in self.days if d <= day - self.keep]:
            index = self.index
            for key, count in self.days.pop(old).items():
                held = index[key]
                del held[:count]
                if not held:
                    del index[key]
            del self.counts[old]

    def add(self, day: int, keys: Collection[str], rec: Rec) -> None:
        added = self.days.get(day)
        if added is None:
            self._let_go(day)
            added = self.days[day] = Counter()
            self.counts[day] = 0
        self.counts[day] += 1
        added.update(keys)  # counted in C: keys are distinct
        index = self.index
        for key in keys:
            index[key].append(rec)

    def count(self, day: int) -> int:
        """How many records were added over the kept days up to `day`."""
        self._let_go(day)
        return sum(self.counts.values())

    def clear(self) -> None:
        self.index.clear()
        self.days.clear()
        self.counts.clear()


class _Keys:
    """Keys -> ids of the records holding them, for records no older than `days`, latest last."""

    def __init__(self, days: float, keys: Callable[[Rec], tuple[str, ...]]) -> None:
        self.span, self.keys_of = days * DAY, keys
        self.index: dict[str, list[str]] = {}
        self.order: deque[tuple[float, tuple[str, ...]]] = deque()  # (time, keys) of each record held

    def add(self, rec: Rec) -> None:
        keys = self.keys_of(rec)
        if keys:
            record_id = rec.item.id
            for key in keys:
                self.index.setdefault(key, []).append(record_id)
            self.order.append((rec.time, keys))

    def expire(self, now: float) -> None:
        order, index = self.order, self.index
        while order and order[0][0] < now - self.span:
            for key in order.popleft()[1]:
                ids = index[key]
                del ids[0]
                if not ids:
                    del index[key]

    def get(self, key: str) -> list[str]:
        return self.index.get(key, [])

    def clear(self) -> None:
        self.index.clear()
        self.order.clear()


class Window:
    """What the records grouped so far hold: word counts over all of them; word postings, URL,
    headline and excerpt keys over the last `window_days`, `url_days`, `title_days` and `copy_days`."""

    def __init__(self, settings: Settings, recs: dict[str, Rec]) -> None:
        self.settings, self.recs = settings, recs
        self.df: Counter[str] = Counter()
        self.n = 0
        self.postings = _Days(settings.window_days)
        self.by_url = _Keys(settings.url_days + 1, lambda rec: rec.ukeys)
        self.by_title = _Keys(settings.title_days + 1, lambda rec: (rec.tkey,) if rec.tkey else ())
        self.by_excerpt = _Keys(max(settings.copy_days, settings.url_days) + 1,
                                lambda rec: (rec.ekey,) if rec.ekey else ())
        self.held: deque[str] = deque()  # records whose words are kept, oldest first
        self.keyed: deque[str] = deque()  # records whose URL and headline keys are kept
        # Records whose excerpt keys are kept: as long as `by_excerpt` holds them, so that a rebuild
        # (see `rebuild`) finds them made (the same strings as its own: they cost no memory).
        self.excerpted: deque[str] = deque()

    def count(self, rec: Rec, sign: int) -> None:
        """Count (sign 1) or uncount (-1) a record's words."""
        df = self.df
        if sign > 0:
            df.update(rec.feats.keys())  # counted in C
        else:
            for word in rec.feats:
                count = df[word] - 1
                if count:
                    df[word] = count
                else:
                    del df[word]
        self.n += sign

    def post(self, rec: Rec) -> None:
        """Put a record into the day buckets."""
        if rec.time == NO_TIME:
            return
        record_id = rec.item.id
        self.postings.add(rec.day, rec.feats.keys(), rec)
        self.by_url.add(rec)
        self.by_title.add(rec)
        self.by_excerpt.add(rec)
        self.held.append(record_id)
        self.keyed.append(record_id)
        self.excerpted.append(record_id)

    def advance(self, now: float) -> None:
        """Let go of the words and keys of records too old to be compared with one at `now`."""
        if now == NO_TIME:
            return
        settings, recs = self.settings, self.recs
        self.by_url.expire(now)
        self.by_title.expire(now)
        self.by_excerpt.expire(now)
        horizon = now - max(settings.window_days, settings.span_days) * DAY - DAY
        held = self.held
        while held and recs[held[0]].time < horizon:
            recs[held.popleft()].drop_words()
        horizon = now - max(settings.url_days, settings.title_days) * DAY - DAY
        keyed = self.keyed
        while keyed and recs[keyed[0]].time < horizon:
            recs[keyed.popleft()].drop_keys()
        horizon = now - self.by_excerpt.span
        excerpted = self.excerpted
        while excerpted and recs[excerpted[0]].time < horizon:
            recs[excerpted.popleft()].drop_excerpt()

    def rebuild(self, copies: list[Rec], earlier: list[Rec]) -> None:
        """Fill the day buckets from the records just before the next one (`earlier`, in order), and
        the excerpt keys also from the older ones within `copy_days` (`copies`, in order, before them).

        The word postings of days the postings let go at once (older than their `keep` days before the
        latest record's day) are not made: the words of those records are not made again for them."""
        postings = self.postings
        postings.clear()
        self.by_url.clear()
        self.by_title.clear()
        self.by_excerpt.clear()
        self.held.clear()
        self.keyed.clear()
        self.excerpted.clear()
        for rec in copies:
            self.by_excerpt.add(rec)
            self.excerpted.append(rec.item.id)
            rec.drop_keys()
        timed = [rec for rec in earlier if rec.time != NO_TIME]
        oldest = timed[-1].day - postings.keep if timed else 0  # days up to this one are let go
        for rec in timed:
            if rec.day > oldest:
                self.post(rec)
            else:  # `post` but for the postings
                self.by_url.add(rec)
                self.by_title.add(rec)
                self.by_excerpt.add(rec)
                record_id = rec.item.id
                self.held.append(record_id)
                self.keyed.append(record_id)
                self.excerpted.append(record_id)
