"""Stories on load (issue 13): grouped by the load, stored in the index, read back on a warm start
without grouping again, kept up to date as the watcher sees files come, change and go."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from reader.core import grouping, grouping_apart, stories
from reader.core.index import Index
from reader.core.index_schema import SCHEMA_VERSION
from reader.core.library import load_library
from reader.core.loader import Batch, stream
from reader.synth import write_corpus

from tests.corpus import HEADLINE, three_records, write_story
from tests.fakes import GrouperSpy, WatchedFolder

pytestmark = pytest.mark.stories

def test_a_load_groups_and_a_warm_start_reads_the_stories_without_grouping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, other = three_records(tmp_path / "news")
    location = str(tmp_path / "index.sqlite3")
    cold = load_library([str(tmp_path / "news")], Index(location))
    story = cold.summary(str(first)).story  # type: ignore[union-attr]
    assert story == stories.story_id(str(first))  # the earliest record leads
    assert cold.summary(str(second)).story == story  # type: ignore[union-attr]
    assert cold.summary(str(other)).story not in ("", story)  # type: ignore[union-attr]
    assert cold.groups.size(cold.summary(str(first))) == 2  # type: ignore[arg-type]

    spy = GrouperSpy(monkeypatch)
    warm = load_library([str(tmp_path / "news")], Index(location))
    assert spy.made == 0 and spy.added == []  # nothing changed: no grouper made, nothing grouped
    assert {s.path: s.story for s in warm.summaries} == {s.path: s.story for s in cold.summaries}
    members = grouping.story_members(warm.index, story)
    assert [member.path for member in members] == [str(first), str(second)]
    assert members[1].reason.how == "title" and members[1].reason.peer == str(first)


def test_a_new_file_joins_its_story_and_only_it_is_grouped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, other = three_records(tmp_path / "news")
    library = load_library([str(tmp_path / "news")], Index(str(tmp_path / "index.sqlite3")))
    story = library.summary(str(first)).story  # type: ignore[union-attr]
    spy = GrouperSpy(monkeypatch)
    third = write_story(tmp_path / "news", "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    batches = list(stream([str(tmp_path / "news")], library.index, known=dict(library.stats)))
    for batch in batches:
        library.apply(batch)
    assert batches[-1].final and batches[-1].stories == {str(third): story}
    assert spy.made == 1 and spy.added == [1]  # the grouper as stored, given the new record alone
    assert library.summary(str(third)).story == story  # type: ignore[union-attr]
    assert [s.path for s in library.groups.members(library.summary(str(first)))] == [  # type: ignore[arg-type]
        str(first), str(second), str(third)
    ]


def test_a_removed_lead_leaves_and_the_rest_get_a_story_of_their_own(tmp_path: Path) -> None:
    first, second, other = three_records(tmp_path / "news")
    third = write_story(tmp_path / "news", "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    library = load_library([str(tmp_path / "news")], Index(str(tmp_path / "index.sqlite3")))
    assert library.groups.size(library.summary(str(third))) == 3  # type: ignore[arg-type]
    first.unlink()
    for batch in stream([str(tmp_path / "news")], library.index, known=dict(library.stats)):
        library.apply(batch)
    assert library.summary(str(first)) is None
    moved = stories.story_id(str(second))  # the earliest record left leads, and names the story
    assert library.summary(str(second)).story == library.summary(str(third)).story == moved  # type: ignore[union-attr]
    assert library.groups.size(library.summary(str(second))) == 2  # type: ignore[arg-type]
    again = load_library([str(tmp_path / "news")], Index(str(tmp_path / "index.sqlite3")))
    assert {s.path: s.story for s in again.summaries} == {s.path: s.story for s in library.summaries}


def test_a_changed_file_leaves_its_story_when_it_reports_another_event(tmp_path: Path) -> None:
    first, second, other = three_records(tmp_path / "news")
    library = load_library([str(tmp_path / "news")], Index(str(tmp_path / "index.sqlite3")))
    write_story(tmp_path / "news", "second.md", "A ferry strike halts every crossing to the islands", "Beta",
                "2024-03-01T20:00:00Z")
    for batch in stream([str(tmp_path / "news")], library.index, known=dict(library.stats)):
        library.apply(batch)
    assert library.summary(str(second)).story == stories.story_id(str(second))  # type: ignore[union-attr]
    assert library.groups.size(library.summary(str(first))) == 1  # type: ignore[arg-type]


def test_a_file_the_watcher_sees_joins_its_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _, _ = three_records(tmp_path / "news")
    watched = WatchedFolder(tmp_path / "news", str(tmp_path / "index.sqlite3"), monkeypatch)
    watched.start()
    library = watched.library
    story = library.summary(str(first)).story  # type: ignore[union-attr]
    third = write_story(tmp_path / "news", "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    watched.notice()
    assert library.summary(str(third)).story == story  # type: ignore[union-attr]
    assert watched.sync.all_listed  # the stories' batch was final: the list was made again with them


def test_an_index_of_the_old_schema_is_rebuilt_and_grouped(tmp_path: Path) -> None:
    first, second, _ = three_records(tmp_path / "news")
    location = tmp_path / "index.sqlite3"
    old = sqlite3.connect(location)
    old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    old.execute("INSERT INTO meta VALUES ('schema', '5')")
    old.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER NOT NULL)")
    old.commit()
    old.close()
    index = Index(str(location))
    assert "rebuilt" in index.notice and SCHEMA_VERSION != "5"
    library = load_library([str(tmp_path / "news")], index)
    assert library.summary(str(first)).story == library.summary(str(second)).story != ""  # type: ignore[union-attr]


def test_a_grouping_of_other_settings_is_made_again_from_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, _ = three_records(tmp_path / "news")
    location = str(tmp_path / "index.sqlite3")
    load_library([str(tmp_path / "news")], Index(location))
    db = sqlite3.connect(location)
    meta = json.loads(db.execute("SELECT value FROM meta WHERE key = 'stories'").fetchone()[0])
    meta["settings"]["threshold"] = 0.99
    db.execute("UPDATE meta SET value = ? WHERE key = 'stories'", (json.dumps(meta),))
    db.execute("UPDATE meta SET value = '0' WHERE key = 'grouped'")
    db.commit()
    db.close()
    spy = GrouperSpy(monkeypatch)
    library = load_library([str(tmp_path / "news")], Index(location))
    assert spy.added == [3]  # every record grouped again
    assert library.summary(str(first)).story == library.summary(str(second)).story  # type: ignore[union-attr]


def test_the_grouping_process_gives_what_grouping_here_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "news", 120, seed=3, workers=1)
    here = load_library([str(tmp_path / "news")], Index(str(tmp_path / "here.sqlite3")))
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 0)
    spy = GrouperSpy(monkeypatch)
    fed: list[int] = []
    real_add = grouping_apart.Feed.add
    monkeypatch.setattr(grouping_apart.Feed, "add", lambda self, rows: (fed.append(len(rows)), real_add(self, rows))[1])
    apart = load_library([str(tmp_path / "news")], Index(str(tmp_path / "apart.sqlite3")))
    assert spy.made == 0 and sum(fed) == 120  # fed to the other process as parsed, and grouped there
    assert {s.path: s.story for s in apart.summaries} == {s.path: s.story for s in here.summaries}
    assert max(here.groups.size(s) for s in here.summaries) > 1
    # A change later: grouped in a process of its own too (the index is over the limit), from the index.
    newest = max(apart.summaries, key=lambda s: s.timestamp or 0.0)
    copy = Path(newest.path).with_name("zz-copy.md")
    copy.write_text(Path(newest.path).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 50)  # one file to parse: nothing fed
    batches = list(stream([str(tmp_path / "news")], apart.index, known=dict(apart.stats)))
    assert spy.made == 0 and sum(fed) == 120
    assert batches[-1].stories[str(copy)] == newest.story


def test_a_cancelled_load_leaves_the_grouping_for_the_next(tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 130, seed=2, workers=1)  # more than the first batch
    index = Index(str(tmp_path / "index.sqlite3"))
    batches: list[Batch] = []
    for batch in stream([str(tmp_path / "news")], index, workers=1, cancelled=lambda: bool(batches)):
        batches.append(batch)  # the first files shown, then quit
    assert batches[0].summaries and not any(batch.stories or batch.final for batch in batches)
    library = load_library([str(tmp_path / "news")], index)
    assert len(library) == 130 and all(s.story for s in library.summaries)
    assert max(library.groups.size(s) for s in library.summaries) > 1


def test_the_synthetic_corpus_groups_into_stories_of_several_records(tmp_path: Path) -> None:
    write_corpus(tmp_path / "news", 300, seed=1, workers=1)
    library = load_library([str(tmp_path / "news")])
    sizes = [library.groups.size(s) for s in library.groups.fold(library.summaries)]
    assert sum(size > 1 for size in sizes) >= 10 and max(sizes) >= 3


def test_a_grouping_that_fails_leaves_the_records_loaded_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _, _ = three_records(tmp_path / "news")

    class Broken(stories.Grouper):
        def add(self, items: Any) -> dict[str, str | None]:
            raise RuntimeError("a bug")

    monkeypatch.setattr(grouping, "Grouper", Broken)
    index = Index(str(tmp_path / "index.sqlite3"))
    batches = list(stream([str(tmp_path / "news")], index))
    assert batches[-1].final and "Stories could not be grouped (RuntimeError: a bug)" in batches[-1].notice
    assert {s.path for b in batches for s in b.summaries} >= {str(first)}
    monkeypatch.undo()
    library = load_library([str(tmp_path / "news")], index)  # the next load groups them
    assert library.summary(str(first)).story == stories.story_id(str(first))  # type: ignore[union-attr]


def _fed_ahead(tmp_path: Path, seed: int) -> tuple[sqlite3.Connection, list[stories.Item], dict[str, str]]:
    """An index of a synthetic corpus, its stories grouped in one batch and then forgotten, and its
    records in time order (to be fed ahead)."""
    write_corpus(tmp_path / "news", 150, seed=seed, workers=1)
    location = str(tmp_path / "index.sqlite3")
    plain = load_library([str(tmp_path / "news")], Index(location))  # grouped in one batch at the end
    db = sqlite3.connect(location, isolation_level=None)
    db.execute("DELETE FROM meta WHERE key IN ('stories', 'grouped')")  # to be grouped again, from scratch
    items = [grouping._item(row) for row in db.execute(
        "SELECT path, title, excerpt, timestamp, provider_name, provider_domain, urls FROM files WHERE problem IS NULL"
    )]
    ordered = sorted(items, key=lambda item: (item.timestamp or 0.0, item.id))
    return db, ordered, {s.path: s.story for s in plain.summaries}


def test_records_fed_ahead_in_any_order_group_as_one_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ordered, plain = _fed_ahead(tmp_path, 5)
    monkeypatch.setattr(grouping, "REPLAY_LIMIT", 10)
    spy = GrouperSpy(monkeypatch)
    ahead = grouping.Ahead(db)
    for batch in (ordered[60:90], ordered[90:150], ordered[:60]):  # the last far earlier than the rest: it waits
        ahead.feed(batch)
    latest = ordered[149].timestamp or 0.0
    held = [item for item in ordered[60:150] if (item.timestamp or 0.0) >= latest - grouping.HOLD]
    assert sum(spy.added) == 90 - len(held) and ahead.held == held  # the last two days wait for more
    assert ahead.waiting == ordered[:60]
    answer = grouping.regroup(db, ahead)
    db.close()
    assert sum(spy.added) == 150
    assert answer == plain and len(answer) == 150


def test_records_fed_ahead_by_the_dates_in_their_names_are_each_grouped_after_those_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = 86_400.0
    words = ["chip", "rival", "quantum", "speed", "harbour", "ferry", "strike", "harvest"]
    items = [
        stories.Item(f"/news/2024-03-{1 + n // 12:02d}-{99 - n:02d}.md",  # a day's names in no order of time
                     f"Acme {words[n % 8]} {words[(n * 3) % 8]} story {n // 4}", "", 1_709_251_200.0 + n * day / 12,
                     f"Outlet{n % 5}", f"outlet{n % 5}.example", (f"https://outlet{n % 5}.example/{n // 3}",))
        for n in range(72)
    ]
    items.append(stories.Item("/news/2024-03-01-undated.md", "Acme chip story without a time"))  # held to the end
    given: list[list[float]] = []
    real_add = stories.Grouper.add
    monkeypatch.setattr(stories.Grouper, "add", lambda self, batch: (
        given.append([math.inf if item.timestamp is None else item.timestamp for item in batch]),
        real_add(self, batch))[1])
    db = sqlite3.connect(str(tmp_path / "index.sqlite3"), isolation_level=None)
    Index(str(tmp_path / "index.sqlite3")).close()  # an empty index
    ahead = grouping.Ahead(db)
    by_name = sorted(items, key=lambda item: item.id)  # as the loader parses them
    for start in range(0, 73, 10):
        ahead.feed(by_name[start : start + 10])
    answer = grouping.regroup(db, ahead)
    db.close()
    assert len(given) > 3 and all(given)
    assert all(min(later) >= max(earlier) for earlier, later in zip(given, given[1:]))  # none replays another
    assert sum(map(len, given)) == len(items)  # each once (some at exactly two days before the latest)
    at_once = stories.Grouper()
    at_once.add(items)
    assert answer == at_once.assignments()


_HOSTILE_URLS = [  # (the URL list as stored, the URLs grouping reads)
    ('["https://a.example/x"]', ("https://a.example/x",)),
    ('"https://e.example/", "https://f.example/"', ()),  # two values, not a list
    (None, ()),
    ("", ()),
    ('["https://b.example/y", 3, null, ["z"]]', ("https://b.example/y",)),
    ('{"url": "https://c.example/"}', ()),
    ('"https://d.example/"', ()),
]


@pytest.mark.parametrize("broken", [False, True])
def test_records_read_from_the_index_keep_only_urls_that_are_strings_in_a_list(broken: bool) -> None:
    rows = [(f"/news/{n}.md", f"Title {n}", f"Excerpt {n}", 1_700_000_000.0 + n, f"Outlet{n}", f"o{n}.example", urls)
            for n, (urls, _) in enumerate(_HOSTILE_URLS)]
    rows.append(("/news/empty.md", None, None, None, None, None, '["https://g.example/"]'))
    if broken:
        rows.append(("/news/broken.md", "Broken", "", 1.0, "", "", '["https://h.example/"'))  # not JSON
    items = grouping.items_from_rows(rows)
    assert [item.urls for item in items[: len(_HOSTILE_URLS)]] == [urls for _, urls in _HOSTILE_URLS]
    assert [(item.id, item.title, item.excerpt, item.timestamp, item.provider, item.domain)
            for item in items[:2]] == [(row[0], *row[1:6]) for row in rows[:2]]
    empty = items[len(_HOSTILE_URLS)]
    assert (empty.title, empty.excerpt, empty.timestamp, empty.provider, empty.domain, empty.urls) == (
        "", "", None, "", "", ("https://g.example/",))
    assert not broken or items[-1].urls == ()


def test_url_lists_decoded_as_one_document_keep_only_strings_in_a_list() -> None:
    """Every stored list is one JSON value here, so all are decoded at once (no row is decoded alone)."""
    one_value_each = [(urls, expected) for urls, expected in _HOSTILE_URLS if urls is None or '", "' not in urls]
    rows = [(f"/news/{n}.md", "Title", "", 1_700_000_000.0, "Outlet", "o.example", urls)
            for n, (urls, _) in enumerate(one_value_each)]
    rows.append(("/news/empty.md", None, None, None, None, None, '["https://g.example/"]'))
    items = grouping.items_from_rows(rows)
    assert [item.urls for item in items[:-1]] == [urls for _, urls in one_value_each]
    empty = items[-1]
    assert (empty.title, empty.excerpt, empty.timestamp, empty.provider, empty.domain, empty.urls) == (
        "", "", None, "", "", ("https://g.example/",))


@pytest.mark.parametrize(("stored", "time"), [
    (1_700_000_000.5, 1_700_000_000.5), (0.0, 0.0), (None, math.inf), (math.nan, math.inf), (math.inf, math.inf),
    (-math.inf, math.inf),
])
def test_a_record_without_a_finite_time_comes_after_every_other(stored: float | None, time: float) -> None:
    assert grouping._time(stored) == time


def test_a_batch_fed_ahead_waits_for_the_end_only_when_it_would_replay_more_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = 86_400.0
    at = lambda n: stories.Item(f"/news/{n}.md", f"Story number {n} of the harbour", "", 1_700_000_000.0 + n * day)
    db = sqlite3.connect(str(tmp_path / "index.sqlite3"), isolation_level=None)
    Index(str(tmp_path / "index.sqlite3")).close()  # an empty index
    monkeypatch.setattr(grouping, "REPLAY_LIMIT", 3)
    ahead = grouping.Ahead(db)
    ahead.feed([at(3 * n) for n in range(10, 20)])  # grouped but the last (held)
    assert len(ahead.times) == 9 and ahead.held == [at(57)]
    ahead.feed([at(52.9)])  # replays one record grouped: grouped now (and held, the last two days)
    ahead.feed([at(62)])  # releases it
    assert len(ahead.times) == 11 and not ahead.waiting
    ahead.feed([at(52.5), at(63)])  # would replay three (52.9, 54, 57): as many as the limit, grouped
    assert len(ahead.times) == 12 and not ahead.waiting
    ahead.feed([at(3 * n) for n in range(5)] + [at(64)])  # would replay every one: waits
    assert [item.id for item in ahead.waiting] == [f"/news/{3 * n}.md" for n in range(5)]
    db.close()


def test_a_grouping_fed_ahead_part_of_the_records_reads_the_rest_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, ordered, plain = _fed_ahead(tmp_path, 10)
    monkeypatch.setattr(grouping, "_CHUNK", 7)  # the rest read a few paths at a time
    ahead = grouping.Ahead(db)
    ahead.feed(ordered[50:])
    answer = grouping.regroup(db, ahead)
    db.close()
    assert answer == plain and len(answer) == 150


def test_records_of_the_same_time_are_read_back_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records of one time are ordered by path in the grouper (the lead of a story first): read back
    from the index so, whatever their reasons say, the grouper read back is used as it is."""
    news = tmp_path / "news"
    when = "2024-03-01T08:00:00Z"
    write_story(news, "a.md", HEADLINE, "Alpha", when)
    write_story(news, "b.md", f"{HEADLINE} - Beta", "Beta", when)  # joins a.md's story
    write_story(news, "c.md", "Rainfall in the valley doubles the rice harvest this year", "Gamma", when)
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    assert library.summary(str(news / "b.md")).story == library.summary(str(news / "a.md")).story  # type: ignore[union-attr]
    spy = GrouperSpy(monkeypatch)
    later = write_story(news, "d.md", f"{HEADLINE} | Delta", "Delta", "2024-03-01T09:00:00Z")
    batches = list(stream([str(news)], library.index, known=dict(library.stats)))
    assert batches[-1].stories == {str(later): library.summary(str(news / "a.md")).story}  # type: ignore[union-attr]
    assert spy.made == 1 and spy.read == [3] and spy.added == [1]  # read back, not grouped again


@pytest.mark.parametrize("stored", ['{"version": ', "[]", ""])
def test_a_grouping_whose_note_cannot_be_read_is_made_again_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: str
) -> None:
    first, second, _ = three_records(tmp_path / "news")
    location = str(tmp_path / "index.sqlite3")
    load_library([str(tmp_path / "news")], Index(location))
    db = sqlite3.connect(location)
    db.execute("UPDATE meta SET value = ? WHERE key = 'stories'", (stored,))  # damaged by hand
    db.execute("UPDATE meta SET value = '0' WHERE key = 'grouped'")
    db.commit()
    db.close()
    spy = GrouperSpy(monkeypatch)
    library = load_library([str(tmp_path / "news")], Index(location))
    assert spy.added == [3] and spy.read == []  # every record grouped again, nothing read back
    assert library.summary(str(first)).story == library.summary(str(second)).story  # type: ignore[union-attr]
