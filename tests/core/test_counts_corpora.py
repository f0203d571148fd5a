"""The topic counts, counted by distinct topic list (`counts.topic_totals`) and from the reading state's
lookups in C, agree with a plain count made record by record from the summaries, on the shared test
corpora (the seed library, the hostile records, the stories), by record and by story, with some records
read and starred, and again after files change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.core.counts import TopicCounter, topic_totals
from reader.core.identity import summary_id
from reader.core.index import Index
from reader.core.library import Library, load_library
from reader.core.loader import stream
from reader.core.record import Summary
from reader.core.state import StateStore
from tests.corpus import three_records, write_library, write_story
from tests.fakes import library_of, summary
from tests.hostile import write_hostile_folder
from tests.story_corpus import write_stories

T0 = 1_700_000_000.0

CORPORA: dict[str, Callable[[Path], object]] = {
    "seed": write_library,
    "hostile": lambda folder: write_hostile_folder(folder, undecodable_name=True),
    "stories": write_stories,
    "three": three_records,
}


def plain_counts(summaries: list[Summary], state: StateStore, *, stories: bool) -> tuple[object, ...]:
    """(total, unread, starred, read, {topic: (total, unread)}) counted the plain way, one record at a time:
    by story, a story is a topic's when one of its records is, unread while one of them is unread."""
    shown = [s for s in summaries if s.published]
    groups: dict[str, list[Summary]] = {}
    for number, s in enumerate(shown):
        groups.setdefault(s.story if stories and s.story else f"\0{number}", []).append(s)
    if not stories:  # by record, a topic listed twice on a record counts twice, as it always has
        totals = Counter(topic for s in shown for topic in s.topics)
        unread = Counter(topic for s in shown if summary_id(s) not in state.read for topic in s.topics)
    else:
        totals, unread = Counter(), Counter()
        for members in groups.values():
            topics = {topic for s in members for topic in s.topics}
            totals.update(topics)
            if any(summary_id(s) not in state.read for s in members):
                unread.update(topics)
    is_read = [any(summary_id(s) in state.read for s in members) for members in groups.values()]
    is_unread = [any(summary_id(s) not in state.read for s in members) for members in groups.values()]
    starred = [any(summary_id(s) in state.starred for s in members) for members in groups.values()]
    topics = {t: (totals[t], unread[t]) for t in totals}
    return len(groups), sum(is_unread), sum(starred), sum(is_read), topics


def counted(library: Library, state: StateStore, *, stories: bool) -> tuple[object, ...]:
    counts = TopicCounter().count(
        library.summaries, object(), state, listed=lambda s: s.published, stories=stories
    )
    topics = {t.name: (t.total, t.unread) for t in counts.topics}
    return counts.total, counts.unread, counts.starred, counts.read, topics


def mark_some(library: Library) -> StateStore:
    """A state with every third record read and every fourth starred (in path order)."""
    state = StateStore(clock=lambda: T0)
    ordered = sorted(library.summaries, key=lambda s: s.path)
    state.set_read([summary_id(s) for s in ordered[::3]])
    for s in ordered[1::4]:
        state.set_starred(summary_id(s), True)
    return state


def change_files(folder: Path) -> None:
    """Remove a record, add two (one of them a second outlet's record of a story there)."""
    names = sorted(p for p in folder.iterdir() if p.name.endswith(".md"))
    names[-1].unlink()
    write_story(folder, "added-1.md", "Acme unveils a quantum chip that beats every rival on speed", "Delta",
                "2024-03-02T09:00:00Z")
    write_story(folder, "added-2.md", "A ferry strike halts every crossing", "Epsilon",
                "2024-03-03T09:00:00Z")


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_counts_agree_with_a_plain_count(corpus: str, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    CORPORA[corpus](folder)
    library = load_library([str(folder)], Index(str(tmp_path / "index.sqlite3")))
    assert len(library) > 1
    if corpus in ("stories", "three"):  # stories of more than one record, so both ways differ
        assert max(Counter(s.story for s in library.summaries if s.story).values()) > 1
    for when in ("loaded", "changed"):
        for state in (StateStore(clock=lambda: T0), mark_some(library)):
            for stories in (False, True):
                assert counted(library, state, stories=stories) == plain_counts(
                    library.summaries, state, stories=stories
                ), (when, stories)
        if when == "loaded":
            change_files(folder)
            for batch in stream([str(folder)], library.index, known=dict(library.stats)):
                library.apply(batch)


def test_topic_totals_are_a_flat_count_in_first_seen_order() -> None:
    lists = [("b", "a"), (), ("a",), ("c", "c", "b"), ("b", "a"), ("d",), ("a",), ("c", "c", "b")]
    totals = topic_totals(lists)
    flat = Counter(topic for topics in lists for topic in topics)
    assert totals == flat == Counter({"b": 4, "a": 4, "c": 4, "d": 1})
    assert list(totals) == list(flat) == ["b", "a", "c", "d"]
    assert topic_totals([]) == Counter()


def test_a_topic_listed_twice_counts_once_by_story_and_twice_by_record() -> None:
    records = [
        summary("a", topics=("ai", "ai", "space")),
        summary("b", topics=("ai", "ai", "space"), story="s"),
        summary("c", topics=("space",), story="s"),
        summary("d", topics=("ai", "ai", "space")),
    ]
    state = StateStore(clock=lambda: T0)
    state.set_read(["https://example.org/a"])
    library = library_of(records)
    for stories in (False, True):
        assert counted(library, state, stories=stories) == plain_counts(records, state, stories=stories)
    assert counted(library, state, stories=True)[4] == {"ai": (3, 2), "space": (3, 2)}
