"""Stories: every outlet's record of one event folded into one group, with the reason each record joined.

Records are taken in one canonical order, by publication time and then id, so the groups depend only
on the set of records, never on the order they were given in. Each record in turn joins the story of
an earlier record that has one of its URLs, else one that has its headline (within `title_days`),
else the story its words are most like: the average TF-IDF cosine with *every* member of the story
(average linkage, so one look-alike member cannot chain two events together) must reach `threshold`
and the best single member `best_threshold`, among stories begun at most `span_days` before it and
with a member within `window_days`. Word rarity (IDF) is counted over the records before it, so a
topic's everyday words weigh little. Adding records later in time costs only their own turn; a record
earlier than some already grouped replays the turns after it, so `add` in any order equals one batch.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from reader.core.record import Record
from reader.core.story_text import features, title_key, url_keys

DAY = 86_400.0
NO_TIME = math.inf  # records without a time sort last and join only by URL or headline


@dataclass(frozen=True, slots=True)
class Item:
    """The few fields of a record that grouping reads; `timestamp` in seconds since the epoch (UTC)."""

    id: str
    title: str
    excerpt: str = ""
    timestamp: float | None = None
    provider: str = ""
    domain: str = ""
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a record is in its story: 'first' (it began it), 'url', 'title' or 'similar' to `peer`.

    For 'similar', `score` is the average cosine with the story's members and `best` the one with
    `peer`; `detail` holds the shared URL key or headline key."""

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
        return f"similar words: {self.score:.2f} on average with the story, {self.best:.2f} with {self.peer}"


@dataclass(frozen=True, slots=True)
class Settings:
    """The grouping's knobs; the defaults are the ones measured in benchmarks/stories_eval.py."""

    threshold: float = 0.30
    best_threshold: float = 0.40
    window_days: float = 3.0
    span_days: float = 7.0
    title_days: float = 7.0
    common_postings: int = 300  # a word in more of the window's records than this finds no candidates


class _Rec:
    """One record with what grouping derived from it."""

    __slots__ = ("item", "key", "time", "feats", "ukeys", "tkey")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.time = NO_TIME if item.timestamp is None or not math.isfinite(item.timestamp) else item.timestamp
        self.key = (self.time, item.id)
        self.feats = features(item.title, item.excerpt, item.provider, item.domain)
        self.ukeys = url_keys(item.urls)
        self.tkey = title_key(item.title, item.provider, item.domain)


def story_id(lead: str) -> str:
    """A story's id: a short digest of its earliest record's id, stable while that record stays."""
    return hashlib.blake2s(lead.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


class Grouper:
    """Groups records into stories, record by record, and keeps why each record joined."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._recs: dict[str, _Rec] = {}
        self._order: list[tuple[float, str]] = []  # canonical order of every record
        self._done = 0  # how many of _order have been grouped
        self._lead: dict[str, str] = {}  # record id -> id of its story's earliest record
        self._members: dict[str, list[str]] = {}  # lead -> member ids in canonical order
        self._reason: dict[str, Reason] = {}
        self._df: dict[str, int] = {}  # grouped records holding each word
        self._by_url: dict[str, list[str]] = {}
        self._by_title: dict[str, list[str]] = {}
        self._postings: dict[str, deque[str]] = {}  # word -> grouped records within the window
        self._recent: deque[str] = deque()  # grouped records within the window, in order

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

    # -- changing -------------------------------------------------------------------------------

    def add(self, items: Iterable[Item]) -> dict[str, str | None]:
        """Group new (or changed) records; returns record id -> story id for every record whose story
        id changed, the new ones included."""
        new = {item.id: _Rec(item) for item in items}
        return self._change(new, ())

    def remove(self, record_ids: Iterable[str]) -> dict[str, str | None]:
        """Drop records; returns the changes as `add` does, with None for the records dropped."""
        return self._change({}, [i for i in dict.fromkeys(record_ids) if i in self._recs])

    def _change(self, new: dict[str, _Rec], gone: Iterable[str]) -> dict[str, str | None]:
        dropped = [i for i in gone] + [i for i in new if i in self._recs]
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
            insort(self._order, rec.key)
        self._run()
        changes: dict[str, str | None] = {i: None for i in dropped if i not in self._recs}
        for _, record_id in self._order[start:]:
            lead = self._lead[record_id]
            if before.get(record_id) != lead:
                changes[record_id] = story_id(lead)
        return changes

    def _rewind(self, start: int) -> None:
        """Undo the grouping of every record from position `start` on, latest first."""
        if start >= self._done:
            return
        for _, record_id in reversed(self._order[start : self._done]):
            rec = self._recs[record_id]
            lead = self._lead.pop(record_id)
            members = self._members[lead]
            members.pop()
            if not members:
                del self._members[lead]
            del self._reason[record_id]
            for word in rec.feats:
                count = self._df[word] - 1
                if count:
                    self._df[word] = count
                else:
                    del self._df[word]
            for index, keys in ((self._by_url, rec.ukeys), (self._by_title, (rec.tkey,) if rec.tkey else ())):
                for key in keys:
                    ids = index[key]
                    ids.pop()
                    if not ids:
                        del index[key]
        self._done = start
        self._postings.clear()
        self._recent.clear()
        if start:
            horizon = self._order[start][0] - self.settings.window_days * DAY
            first = start
            while first > 0 and self._order[first - 1][0] >= horizon:
                first -= 1
            for _, record_id in self._order[first:start]:
                self._post(record_id)

    def _post(self, record_id: str) -> None:
        """Put a grouped record into the window's word postings."""
        self._recent.append(record_id)
        for word in self._recs[record_id].feats:
            postings = self._postings.get(word)
            if postings is None:
                postings = self._postings[word] = deque()
            postings.append(record_id)

    def _expire(self, now: float) -> None:
        """Take records older than the window before `now` out of the postings."""
        horizon = now - self.settings.window_days * DAY
        recent, recs = self._recent, self._recs
        while recent and recs[recent[0]].time < horizon:
            old = recent.popleft()
            for word in recs[old].feats:
                postings = self._postings[word]
                postings.popleft()
                if not postings:
                    del self._postings[word]

    def _run(self) -> None:
        """Group every record not yet grouped, in canonical order."""
        order = self._order
        while self._done < len(order):
            record_id = order[self._done][1]
            rec = self._recs[record_id]
            if rec.time != NO_TIME:
                self._expire(rec.time)
            lead, reason = self._place(rec)
            self._lead[record_id] = lead
            self._members.setdefault(lead, []).append(record_id)
            self._reason[record_id] = reason
            for word in rec.feats:
                self._df[word] = self._df.get(word, 0) + 1
            for key in rec.ukeys:
                self._by_url.setdefault(key, []).append(record_id)
            if rec.tkey:
                self._by_title.setdefault(rec.tkey, []).append(record_id)
            if rec.time != NO_TIME:
                self._post(record_id)
            self._done += 1

    # -- deciding -------------------------------------------------------------------------------

    def _near(self, rec: _Rec, other: _Rec, days: float) -> bool:
        return NO_TIME in (rec.time, other.time) or rec.time - other.time <= days * DAY

    def _open(self, rec: _Rec, lead: str) -> bool:
        """Whether the story begun by `lead` may still take `rec` (its span cap)."""
        return self._near(rec, self._recs[lead], self.settings.span_days)

    def _place(self, rec: _Rec) -> tuple[str, Reason]:
        """The lead of the story `rec` joins, and why; its own id when it begins a story."""
        for key in rec.ukeys:  # the most recent record sharing a URL wins
            ids = self._by_url.get(key)
            if ids:
                return self._lead[ids[-1]], Reason("url", ids[-1], detail=key)
        if rec.tkey:
            for peer in reversed(self._by_title.get(rec.tkey, ())):
                near = self._near(rec, self._recs[peer], self.settings.title_days)
                if near and self._open(rec, self._lead[peer]):
                    return self._lead[peer], Reason("title", peer, detail=rec.tkey)
        if rec.time != NO_TIME:
            found = self._similar(rec)
            if found is not None:
                return found
        return rec.item.id, Reason("first")

    def _similar(self, rec: _Rec) -> tuple[str, Reason] | None:
        """The story whose members' words are most like the record's, if close enough."""
        settings = self.settings
        n = self._done
        idf = {word: math.log((n + 1) / (self._df.get(word, 0) + 0.5)) for word in rec.feats}
        vector = {word: weight * idf[word] for word, weight in rec.feats.items() if idf[word] > 0}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        if not norm:
            return None
        leads: set[str] = set()
        for word in vector:
            postings = self._postings.get(word)
            if postings and len(postings) <= settings.common_postings:
                leads.update(self._lead[i] for i in postings)
        best: tuple[float, float, str, str] | None = None
        for lead in sorted(leads):
            if not self._open(rec, lead):
                continue
            total, top, peer = 0.0, -1.0, ""
            members = self._members[lead]
            for member in members:
                score = self._cosine(vector, norm, self._recs[member].feats, idf)
                total += score
                if score > top:
                    top, peer = score, member
            average = total / len(members)
            if average >= settings.threshold and top >= settings.best_threshold:
                if best is None or (average, top) > best[:2]:
                    best = (average, top, lead, peer)
        if best is None:
            return None
        average, top, lead, peer = best
        return lead, Reason("similar", peer, round(average, 4), round(top, 4))

    def _cosine(
        self, vector: dict[str, float], norm: float, feats: dict[str, int], idf: dict[str, float]
    ) -> float:
        """Cosine of the record's vector with another record's words, weighed by the same IDF."""
        n = self._done
        dot = 0.0
        other = 0.0
        for word, weight in feats.items():
            w = idf.get(word)
            if w is None:
                w = math.log((n + 1) / (self._df.get(word, 0) + 0.5))
            if w <= 0:
                continue
            value = weight * w
            other += value * value
            mine = vector.get(word)
            if mine:
                dot += mine * value
        return dot / (norm * math.sqrt(other)) if dot else 0.0


def item_of(record: Record, record_id: str | None = None) -> Item:
    """The grouping's view of a parsed record (its id defaults to the record's path)."""
    when = record.published_at
    urls = record.urls
    return Item(
        record_id if record_id is not None else record.path,
        record.title,
        record.excerpt,
        when.timestamp() if when is not None else None,
        record.provider.name,
        record.provider.domain,
        (urls.original, urls.web, urls.amp, urls.cdn_amp),
    )
