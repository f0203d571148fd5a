"""Stories: every outlet's record of one event folded into one group, with the reason each record joined.

Records are taken in one canonical order, by publication time and then id, so the groups depend only
on the set of records, never on the order they were given in. Each record in turn joins the story of
an earlier record that has one of its URLs, else one that has its headline (within `title_days`),
else one whose excerpt it copies (over `COPY_WORDS` opening words: within `url_days` under a headline
naming no other instance of a series, within `copy_days` under the same headline; not a stock
description: an excerpt its latest holders hold under unlike headlines), else the story its
words are most like: the average TF-IDF cosine with its `support` closest members
(a small average linkage: one look-alike member cannot chain two events together) must reach `threshold`
and the best single member `best_threshold`, among stories begun at most `span_days` before it and
with a member within `window_days`. Word rarity (IDF) is counted over the records before it, so a
topic's everyday words weigh little. Adding records later in time costs only their own turn; a record
earlier than some already grouped replays the turns after it, so `add` in any order equals one batch.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from operator import mul
from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from reader.core.record import Record
from reader.core.story_text import shared_opening, title_words, titles_alike, titles_conflict
from reader.core.story_window import DAY, NO_TIME, Item, Rec, Settings, Signals, Window, signals_of

__all__ = ["Grouper", "Item", "Reason", "Settings", "Signals", "item_of", "signals_of", "story_id"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a record is in its story: 'first' (it began it), 'url', 'title', 'copy' or 'similar' to `peer`.

    For 'similar', `score` is the average cosine with the story's closest members and `best` the one
    with `peer`; `detail` holds the shared URL key or headline key, or for 'copy' how many opening words
    of the excerpt the two share."""

    how: str
    peer: str = ""
    score: float = 1.0
    best: float = 1.0
    detail: str = ""

    def describe(self) -> str:
        """One line for a person: why this record joined."""
        if self.how == "first":
            return "began the story"
        if self.how == "url":
            return f"same URL as {self.peer} ({self.detail})"
        if self.how == "title":
            return f"same headline as {self.peer}"
        if self.how == "copy":
            return f"same text as {self.peer} ({self.detail} words of its excerpt)"
        return f"similar words: {self.score:.2f} on average with the story, {self.best:.2f} with {self.peer}"


def story_id(lead: str) -> str:
    """A story's id: a short digest of its earliest record's id, stable while that record stays."""
    return hashlib.blake2s(lead.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


SERIES_APART = 12 * 3600.0  # one outlet under one headline this far apart: two instances of a series
MIN_SHARED = 2  # a record joins by similar words only when it shares this many with its closest member
COPY_PEERS = 4  # a record is compared as a copy with at most this many records holding its excerpt key
STATE_VERSION = 2  # 2: compounds and noun endings in the words, excerpt keys
FIRST = Reason("first")  # shared: most records begin their own story


class Grouper:
    """Groups records into stories, record by record, and keeps why each record joined."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._recs: dict[str, Rec] = {}
        self._order: list[tuple[float, str]] = []  # canonical order of every record
        self._done = 0  # how many of _order have been grouped
        self._lead: dict[str, str] = {}  # record id -> id of its story's earliest record
        self._members: dict[str, list[str]] = {}  # lead -> member ids in canonical order
        self._reason: dict[str, Reason] = {}
        self._window = Window(self.settings, self._recs)

    # -- reading --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._recs)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._recs

    def story_of(self, record_id: str) -> str:
        """The id of the story holding the record."""
        return story_id(self._lead[record_id])

    def lead_of(self, record_id: str) -> str:
        """The id of the earliest record of the record's story."""
        return self._lead[record_id]

    def members(self, record_id: str) -> list[str]:
        """Every record of the record's story, earliest first."""
        return list(self._members[self._lead[record_id]])

    def reason(self, record_id: str) -> Reason:
        """Why the record is in its story."""
        return self._reason[record_id]

    def stories(self) -> dict[str, list[str]]:
        """Story id -> member ids (earliest first), for every story."""
        return {story_id(lead): list(ids) for lead, ids in self._members.items()}

    def assignments(self) -> dict[str, str]:
        """Record id -> story id, for every record."""
        return {record_id: story_id(lead) for record_id, lead in self._lead.items()}

    # -- storing --------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything needed to go on grouping later, as plain JSON-able data: the records (the fields
        grouping reads), each one's story and reason, and the word counts."""
        order = [record_id for _, record_id in self._order]
        at = {record_id: index for index, record_id in enumerate(order)}
        records = []
        for record_id in order:
            rec = self._recs[record_id]
            item, reason = rec.item, self._reason[record_id]
            records.append([item.id, item.title, item.excerpt, item.timestamp, item.provider, item.domain,
                            list(item.urls), at[self._lead[record_id]], rec.norm,
                            [reason.how, at.get(reason.peer, -1), reason.score, reason.best, reason.detail]])
        return {"version": STATE_VERSION, "settings": asdict(self.settings), "records": records,
                "df": dict(self._window.df)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Grouper:
        """A grouper as `state()` left it, its records' stories and reasons taken as stored. A state may
        hold only the latest records (and their stories' leads) with `count`, how many the word counts
        cover: such a grouper takes records from a little after its earliest (see `grouping`)."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown story state version {state.get('version')!r}")
        grouper = cls(Settings(**state["settings"]))
        ids = [row[0] for row in state["records"]]
        for row in state["records"]:
            record_id, title, excerpt, timestamp, provider, domain, urls, lead, norm, why = row
            rec = Rec(Item(record_id, title, excerpt, timestamp, provider, domain, tuple(urls)))
            rec.norm = norm
            grouper._recs[record_id] = rec
            grouper._order.append(rec.key)
            rec.lead = grouper._lead[record_id] = ids[lead]
            grouper._members.setdefault(ids[lead], []).append(record_id)
            how, peer, score, best, detail = why
            reason = Reason(how, ids[peer] if peer >= 0 else "", score, best, detail)
            grouper._reason[record_id] = FIRST if reason == FIRST else reason
        if grouper._order != sorted(grouper._order):
            raise ValueError("story state records are out of order")
        grouper._done = len(ids)
        window = grouper._window
        window.df.update(state["df"])
        window.n = state.get("count", len(ids))
        grouper._rewind_window(len(ids))
        return grouper

    # -- changing -------------------------------------------------------------------------------

    def add(self, items: Iterable[Item]) -> dict[str, str | None]:
        """Group new (or changed) records; returns record id -> story id for every record whose story
        id changed, the new ones included."""
        new = {item.id: Rec(item) for item in items}
        return self._change(new, ())

    def remove(self, record_ids: Iterable[str]) -> dict[str, str | None]:
        """Drop records; returns the changes as `add` does, with None for the records dropped."""
        return self._change({}, [i for i in dict.fromkeys(record_ids) if i in self._recs])

    def _change(self, new: dict[str, Rec], gone: Iterable[str]) -> dict[str, str | None]:
        dropped = [*gone, *(i for i in new if i in self._recs)]
        starts = [bisect_left(self._order, self._recs[i].key) for i in dropped]
        starts += [bisect_left(self._order, rec.key) for rec in new.values()]
        if not starts:
            return {}
        start = min(starts)
        before = {i: self._lead[i] for _, i in self._order[start : self._done]}
        self._rewind(start)
        for record_id in dropped:
            del self._order[bisect_left(self._order, self._recs.pop(record_id).key)]
        for record_id, rec in new.items():
            self._recs[record_id] = rec
        if len(new) > 64:  # one sort, not a list shift a record
            keys = sorted(rec.key for rec in new.values())
            later = not self._order or keys[0] > self._order[-1]
            self._order.extend(keys)
            if not later:  # (a batch later than every record, nearly always, needs no pass over them)
                self._order.sort()
        else:
            for rec in new.values():
                insort(self._order, rec.key)
        self._run()
        changes: dict[str, str | None] = {i: None for i in dropped if i not in self._recs}
        for _, record_id in self._order[start:]:
            lead = self._lead[record_id]
            if before.get(record_id) != lead:
                changes[record_id] = story_id(lead)
        return changes

    def _rewind(self, start: int) -> None:
        """Undo the grouping of every record from position `start` on, and set the windows as they
        were just before it."""
        if start >= self._done:
            return
        window = self._window
        for _, record_id in reversed(self._order[start : self._done]):
            lead = self._lead.pop(record_id)
            members = self._members[lead]
            members.pop()
            if not members:
                del self._members[lead]
            del self._reason[record_id]
            window.count(self._recs[record_id], -1)
        self._done = start
        self._rewind_window(start)

    def _rewind_window(self, start: int) -> None:
        """Fill the windows with the records just before position `start`."""
        order, settings, recs = self._order, self.settings, self._recs
        first = start
        while first > 0 and order[first - 1][0] == NO_TIME:
            first -= 1
        latest = order[first - 1][0] if first else NO_TIME
        copies = first
        if first:  # the records within the longest window of the latest one with a time
            horizon = latest - max(settings.window_days, settings.span_days, settings.url_days,
                                   settings.title_days) * DAY - DAY
            while first > 0 and order[first - 1][0] >= horizon:
                first -= 1
            horizon = latest - max(settings.copy_days, settings.url_days) * DAY - DAY
            copies = first
            while copies > 0 and order[copies - 1][0] >= horizon:
                copies -= 1
        self._window.rebuild([recs[record_id] for _, record_id in order[copies:first]],
                             [recs[record_id] for _, record_id in order[first:start]])
        self._window.advance(latest)  # nothing to let go when no record has a time

    def _run(self) -> None:
        """Group every record not yet grouped, in canonical order."""
        order, window = self._order, self._window
        while self._done < len(order):
            record_id = order[self._done][1]
            rec = self._recs[record_id]
            window.advance(rec.time)
            lead, reason = self._place(rec)
            rec.lead = self._lead[record_id] = lead
            self._members.setdefault(lead, []).append(record_id)
            self._reason[record_id] = reason
            window.count(rec, 1)
            window.post(rec)
            self._done += 1

    # -- deciding -------------------------------------------------------------------------------

    def _near(self, rec: Rec, other: Rec, days: float) -> bool:
        return NO_TIME in (rec.time, other.time) or rec.time - other.time <= days * DAY

    def _open(self, rec: Rec, lead: str) -> bool:
        """Whether the story begun by `lead` may still take `rec` (its span cap)."""
        return self._near(rec, self._recs[lead], self.settings.span_days)

    def _place(self, rec: Rec) -> tuple[str, Reason]:
        """The lead of the story `rec` joins, and why; its own id when it begins a story."""
        window, settings, recs = self._window, self.settings, self._recs
        weights = self._weigh(rec) if rec.time != NO_TIME else None
        for key in rec.ukeys:  # the most recent record sharing a URL wins
            ids = [i for i in window.by_url.get(key) if self._near(rec, recs[i], settings.url_days)]
            if ids:
                return self._lead[ids[-1]], Reason("url", ids[-1], detail=key)
        if rec.tkey:
            for peer in reversed(window.by_title.get(rec.tkey)):
                if (self._near(rec, recs[peer], settings.title_days) and self._open(rec, self._lead[peer])
                        and not self._series(rec, recs[peer])):
                    return self._lead[peer], Reason("title", peer, detail=rec.tkey)
        if rec.ekey:  # the latest few: a key many records hold is boilerplate more often than one text
            for peer in self._copy_peers(rec, window.by_excerpt.get(rec.ekey)[: -COPY_PEERS - 1 : -1]):
                shared = self._copy(rec, recs[peer])
                if shared:
                    return self._lead[peer], Reason("copy", peer, detail=str(shared))
        if rec.norm and weights is not None and not rec.report:
            found = self._similar(rec, *weights)
            if found is not None:
                return found
        return rec.item.id, FIRST

    @staticmethod
    def _series(rec: Rec, other: Rec) -> bool:
        """Whether two records under one headline are instances of an outlet's series ("Five Things
        You Need to Know to Start Your Day"): one outlet, half a day or more apart."""
        return bool(rec.outlet) and rec.outlet == other.outlet and abs(rec.time - other.time) >= SERIES_APART

    def _copy_peers(self, rec: Rec, peers: list[str]) -> list[str]:
        """The holders of the record's excerpt key (latest first) in the order to try them as the text
        it copies: those under a headline like its own first. None when the excerpt is a stock
        description (an outlet's blurb about itself, a series' standing text) rather than one article:
        they have headlines of two kinds or more, unlike each other, and none like the record's."""
        if len(peers) < 2:
            return peers
        item = rec.item
        mine = title_words(item.title, item.provider, item.domain)
        alike: list[str] = []
        others: list[str] = []
        kinds: list[set[str]] = []
        for peer in peers:
            other = self._recs[peer].item
            theirs = title_words(other.title, other.provider, other.domain)
            if titles_alike(mine, theirs):
                alike.append(peer)
            else:
                others.append(peer)
                if not any(titles_alike(theirs, kind) for kind in kinds):
                    kinds.append(theirs)
        return alike + others if alike or len(kinds) < 2 else []

    def _copy(self, rec: Rec, other: Rec) -> int:
        """How many opening words of its excerpt `rec` shares with `other` when it is a copy of the same
        text: within `url_days`, under any headline that names no other instance (another month or
        number); within `copy_days`, under a nearly equal headline. 0 when it is not."""
        settings, mine, theirs = self.settings, rec.item, other.item
        if not self._near(rec, other, max(settings.url_days, settings.copy_days)):
            return 0
        a = title_words(mine.title, mine.provider, mine.domain)
        b = title_words(theirs.title, theirs.provider, theirs.domain)
        if titles_conflict(a, b) or not (self._near(rec, other, settings.url_days) or titles_alike(a, b)):
            return 0
        return shared_opening(mine.excerpt, theirs.excerpt)  # both have keys: over COPY_WORDS words, or 0

    def _weigh(self, rec: Rec) -> tuple[dict[str, float], dict[str, float]]:
        """How rare each of the record's words is among the records grouped before it (smoothed: a word
        in every one still weighs 1, so the first records of a corpus can meet), and its weight times
        that rarity squared; sets the record's `norm`, the length of its weighted word vector."""
        get, n = self._window.df.get, self._window.n + 1
        log = math.log
        idf: dict[str, float] = {}
        squared: dict[str, float] = {}
        total = 0.0
        for word, weight in rec.feats.items():
            rarity = idf[word] = 1.0 + log(n / (get(word, 0) + 1))
            weighted = weight * rarity
            total += weighted**2
            squared[word] = weighted * rarity
        rec.norm = math.sqrt(total)
        return idf, squared

    def _similar(
        self, rec: Rec, idf: dict[str, float], squared: dict[str, float]
    ) -> tuple[str, Reason] | None:
        """The story whose members' words are most like the record's, if close enough."""
        settings, postings, df, recs = self.settings, self._window.postings, self._window.df, self._recs
        horizon = rec.time - settings.window_days * DAY
        # Candidates, as a more-like-this search finds them: stories sharing the rarest of the
        # record's words that the window's records hold (a word none holds finds nothing, a word
        # too many hold finds too much), those sharing most rarity first (rarity falls as the word
        # count rises, so the rarest first is the fewest counted first).
        shared: dict[str, float] = {}
        looked = 0
        common = max(settings.common_postings, settings.common_share * postings.count(rec.day))
        index, scan = postings.index, settings.scan
        for _, word in sorted([(df[w], w) for w in idf.keys() & index.keys()]):
            held = index[word]
            if len(held) > common:
                continue
            weight = idf[word]
            for lead in {other.lead for other in held[-scan:] if other.time >= horizon}:
                shared[lead] = shared.get(lead, 0.0) + weight
            looked += 1
            if looked == settings.rare_words:
                break
        if not shared:
            return None
        best: tuple[float, float, str, str] | None = None
        ranked = sorted(shared, key=lambda lead: (-shared[lead], lead)) if len(shared) > 1 else shared
        norm, outlet, factor = rec.norm, rec.outlet, settings.same_outlet
        mine, weigh = squared.keys(), squared.__getitem__
        for lead in itertools.islice(ranked, settings.candidates):
            if not self._open(rec, lead):
                continue
            scored = []
            for member in self._members[lead]:
                other = recs[member]
                if other.report:  # each its own report, whatever its words
                    continue
                if outlet == other.outlet and rec.tkey and rec.tkey == other.tkey and self._series(rec, other):
                    continue
                cosine = 0.0
                # The cosine of the two word vectors: the shared words weighed by `squared` (the
                # record's weight times its rarity squared); times `factor` when one outlet wrote both.
                if other.norm:
                    theirs = other.feats
                    both = mine & theirs.keys()  # iterated twice in one order: summed in C
                    dot = sum(map(mul, map(weigh, both), map(theirs.__getitem__, both)))
                    cosine = dot / (norm * other.norm)
                    if outlet and outlet == other.outlet:
                        cosine *= factor
                scored.append((cosine, member))
            if not scored:
                continue
            scored.sort(reverse=True)
            top, peer = scored[0]
            support = scored[: settings.support] if settings.support else scored
            average = sum(score for score, _ in support) / len(support)
            if average >= settings.threshold and top >= settings.best_threshold:
                if len(mine & recs[peer].feats.keys()) < MIN_SHARED:
                    continue
                if best is None or (average, top) > best[:2]:
                    best = (average, top, lead, peer)
        if best is None:
            return None
        average, top, lead, peer = best
        return lead, Reason("similar", peer, round(average, 4), round(top, 4))


def item_of(record: Record, record_id: str | None = None, *, signals: bool = True) -> Item:
    """The grouping's view of a parsed record (its id defaults to the record's path), with its
    `Signals` made here unless `signals` is false: call it where the record is parsed (a worker
    process), so the grouper only links (about a quarter of the grouping's work moves there)."""
    when = record.published_at
    urls = record.urls
    title, excerpt = record.title, record.excerpt
    provider, domain = record.provider.name, record.provider.domain
    links = (urls.original, urls.web, urls.amp, urls.cdn_amp)
    return Item(
        record_id if record_id is not None else record.path,
        title,
        excerpt,
        when.timestamp() if when is not None else None,
        provider,
        domain,
        links,
        signals_of(title, excerpt, provider, domain, links) if signals else None,
    )
