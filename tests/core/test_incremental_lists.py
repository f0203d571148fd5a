"""The lists, folds and story groups brought up to date by a library's changes (`listing_delta`,
`StoryGroups.updated`) equal the ones made from scratch, over seeded random sequences of new, changed,
regrouped and deleted records."""

from __future__ import annotations

import random

import pytest

from reader.core import listing as listing_module
from reader.core.counts import TopicCounter
from reader.core.identity import summary_id
from reader.core.listing import Lister
from reader.core.loader import Batch
from reader.core.query import parse_query
from reader.core.sorting import SORT_ORDERS, reverse_order
from reader.core.state import StateStore
from reader.core.story_groups import StoryGroups
from reader.core.words import WordIndex
from tests.fakes import library_of, summary

TOPICS = ("AI", "ai", "Security", "open source", "Rust", "")
QUERIES = ("", "is:published", "title", "topic:rust", "-topic:ai quality:>40", "is:unpublished")


def _record(rng: random.Random, path: str) -> object:
    words = ["robot", "title", "news", "chips", "rust", "open"]
    return summary(
        path,
        " ".join(rng.sample(words, 2)) + f" {rng.randrange(5)}",
        timestamp=rng.choice([None, 1_600_000_000.0 + rng.randrange(20) * 3600]),
        topics=tuple(t for t in rng.sample(TOPICS, rng.randrange(3)) if t),
        published=rng.random() < 0.8,
        quality=rng.choice([None, 30, 50, 70]),
        story=rng.choice(["", "", "s1", "s2", "s3", f"s{rng.randrange(40)}"]),
    )


def _step(rng: random.Random, library: object, made: list[int]) -> None:
    """One watcher's change: new records, changed ones, deleted ones, or stories given anew."""
    paths = [s.path for s in library.summaries]
    kind = rng.choice(["new", "new", "change", "stories", "delete"])
    if kind == "new" or not paths:
        made[0] += 1
        new = [_record(rng, f"n{made[0]}-{i}.md") for i in range(rng.randrange(1, 4))]
        library.apply(Batch(summaries=new, stats={s.path: (1, 1) for s in new}))
    elif kind == "change":
        changed = [_record(rng, path) for path in rng.sample(paths, min(len(paths), rng.randrange(1, 3)))]
        library.apply(Batch(summaries=changed, stats={s.path: (2, 2) for s in changed}))
    elif kind == "stories":
        picked = rng.sample(paths, min(len(paths), rng.randrange(1, 4)))
        library.apply(Batch(stories={path: rng.choice(["", "s1", "s2", "s9"]) for path in picked}))
    else:
        library.apply(Batch(removed=rng.sample(paths, 1)))


def _paths(rows: object) -> list[str]:
    return [s.path for s in rows]


@pytest.mark.stories
@pytest.mark.parametrize("seed", range(40))
def test_lists_brought_up_to_date_equal_lists_made_again(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    carried: list[str] = []  # what was brought up to date rather than made again

    def counted(name: str, function: object) -> object:
        def call(*args: object, **kwargs: object) -> object:
            carried.append(name)
            return function(*args, **kwargs)  # type: ignore[operator]
        return call

    for name in ("carried_fold", "carried_topics", "placed_in"):
        monkeypatch.setattr(listing_module, name, counted(name, getattr(listing_module, name)))
    rng = random.Random(seed)
    library = library_of(_record(rng, f"r{i}.md") for i in range(rng.randrange(60, 200)))
    lister = Lister(WordIndex(), changes=library.changes)
    order = rng.choice([*SORT_ORDERS, "-heat", "-title", "-quality"])
    topic = rng.choice([None, None, "rust", "ai", "security"])
    query = parse_query(rng.choice(QUERIES))
    groups_version, groups = -1, StoryGroups()
    made = [0]
    for _ in range(25):
        _step(rng, library, made)
        if rng.random() < 0.15:  # the reader changes what is listed now and then
            order = reverse_order(order) if rng.random() < 0.5 else rng.choice(SORT_ORDERS)
            query = parse_query(rng.choice(QUERIES))
        summaries, version = library.summaries, library.version
        listing = lister.compute(summaries, version, order, topic, query)
        lister.prepare(summaries, version, order)
        fresh = Lister(WordIndex()).compute(summaries, version, order, topic, query)
        assert _paths(listing.summaries) == _paths(fresh.summaries)
        assert _paths(listing.folded()) == _paths(fresh.folded())
        delta = library.changes(groups_version, version) if groups_version >= 0 else None
        groups = groups.updated(summaries, delta.stories) if delta is not None else StoryGroups(summaries)
        groups_version = version
        whole = StoryGroups(summaries)
        assert len(groups) == len(whole) and groups.several == whole.several
        for record in summaries:
            assert _paths(groups.members(record)) == _paths(whole.members(record))
        for topic_cf in ("rust", "ai", "security", "open source"):
            mine = lister._topics_for(summaries, version, order).get(topic_cf, ())
            made_again = Lister()._topics_for(summaries, version, order).get(topic_cf, ())
            assert list(mine) == list(made_again)
    assert {"carried_topics", "placed_in"} <= set(carried), "nothing was brought up to date: nothing tested"


@pytest.mark.stories
@pytest.mark.parametrize("stories", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_counts_following_changes_equal_counts_made_again(seed: int, stories: bool) -> None:
    rng = random.Random(seed)
    library = library_of(_record(rng, f"r{i}.md") for i in range(rng.randrange(40, 150)))
    state = StateStore()
    saved = [("rusty", "rust"), ("starred", "is:starred topic:ai")]
    counter, followed = TopicCounter(), 0
    published = lambda s: s.published  # noqa: E731
    made = [0]
    for _ in range(25):
        _step(rng, library, made)
        summaries = library.summaries
        if rng.random() < 0.3:  # the reader reads and stars now and then
            picked = rng.sample(summaries, min(12, len(summaries)))
            state.set_read([summary_id(s) for s in picked[:4]])
            for starred in picked[3:]:
                state.set_starred(summary_id(starred), True)
        old = counter._version
        changes = lambda known: library.changes(known, library.version)  # noqa: E731
        counts = counter.count(summaries, library.version, state, saved, listed=published, stories=stories,
                               changes=changes)
        known = isinstance(old, int) and old != library.version
        followed += known and library.changes(old, library.version) is not None
        fresh = TopicCounter().count(summaries, object(), state, saved, listed=published, stories=stories)
        assert counts == fresh
    assert followed, "no count followed a change: the test tests nothing"
