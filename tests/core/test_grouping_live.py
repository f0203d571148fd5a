"""A change grouped without the whole grouper read back (issue 13: a new file joins its story within the
watcher's delay): the watcher keeps the grouper of its last grouping, and a grouper read back from the
index reads only the records near the change. Every change must give the stories a cold build gives."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from reader.core import grouping, grouping_apart, stories
from reader.core.grouping import Live
from reader.core.index import Index
from reader.core.library import Library, load_library
from reader.core.loader import stream
from reader.core.parsing import parse_row
from reader.core.record_files import walk_record_files
from reader.synth import write_corpus

from tests.corpus import HEADLINE, three_records, write_story
from tests.fakes import GrouperSpy, WatchedFolder

pytestmark = pytest.mark.stories

_ROWS = "SELECT path, story, lead, how, peer, score, best, detail, round(norm, 9) FROM stories ORDER BY path"


def table(location: str) -> list[tuple[object, ...]]:
    """Every record's story, lead and reason as the index keeps them."""
    db = sqlite3.connect(location)
    try:
        return db.execute(_ROWS).fetchall()
    finally:
        db.close()


def cold_table(folder: Path, location: str) -> list[tuple[object, ...]]:
    """The stories of `folder` grouped from scratch, in an index of their own."""
    load_library([str(folder)], Index(location))
    return table(location)


def grouping_rows(path: Path) -> tuple[object, ...]:
    """The index row of a record file, as a load stores it."""
    [(found, stamp)] = [entry for entry in walk_record_files([str(path.parent)], []) if entry[0] == str(path)]
    return parse_row((found, stamp))


def walk(library: Library, folder: Path, live: Live | None = None) -> None:
    """What a walk of the watcher does: what changed on disk, loaded and grouped."""
    for batch in stream([str(folder)], library.index, known=dict(library.stats), live=live):
        library.apply(batch)


def test_the_watcher_keeps_its_grouper_and_new_files_join_as_a_cold_build_groups_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    first, second, _ = three_records(news)
    watched = WatchedFolder(news, str(tmp_path / "index.sqlite3"), monkeypatch)
    spy = GrouperSpy(monkeypatch)
    watched.start()
    assert spy.made == 1  # the first load grouped everything
    library = watched.library
    story = library.summary(str(first)).story  # type: ignore[union-attr]
    third = write_story(news, "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    watched.notice()
    fourth = write_story(news, "fourth.md", f"{HEADLINE} | Echo", "Echo", "2024-03-02T11:00:00Z")
    watched.notice()
    assert spy.made == 1 and spy.read == []  # no grouper made or read back: the one kept took both
    assert spy.added == [3, 1, 1]
    assert [library.summary(str(path)).story for path in (second, third, fourth)] == [story] * 3  # type: ignore[union-attr]
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_a_grouper_read_back_for_a_late_change_reads_only_the_records_near_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    write_corpus(news, 200, seed=4, workers=1)  # three years of records
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    newest = max(library.summaries, key=lambda s: s.timestamp or 0.0)
    earliest = min(library.summaries, key=lambda s: s.timestamp or 0.0)
    spy = GrouperSpy(monkeypatch)
    late = Path(newest.path).with_name("zz-late.md")
    late.write_text(Path(newest.path).read_text(encoding="utf-8"), encoding="utf-8")
    walk(library, news)
    assert library.summary(str(late)).story == newest.story  # type: ignore[union-attr]
    early = Path(earliest.path).with_name("zz-early.md")
    early.write_text(Path(earliest.path).read_text(encoding="utf-8"), encoding="utf-8")
    walk(library, news)
    assert library.summary(str(early)).story == earliest.story  # type: ignore[union-attr]
    assert len(spy.read) == 2 and spy.read[0] < 20 < 190 < spy.read[1]  # the last weeks; nearly everything
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_a_kept_grouper_is_not_taken_once_another_copy_grouped_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    three_records(news)
    location = str(tmp_path / "index.sqlite3")
    load_library([str(news)], Index(location))
    mine, theirs = load_library([str(news)], Index(location)), load_library([str(news)], Index(location))
    my_live, their_live = Live(), Live()
    spy = GrouperSpy(monkeypatch)
    write_story(news, "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    walk(mine, news, my_live)
    write_story(news, "fourth.md", f"{HEADLINE} | Echo", "Echo", "2024-03-02T10:00:00Z")
    walk(theirs, news, their_live)  # another copy of the app groups the file
    assert spy.made == 2
    write_story(news, "fifth.md", f"{HEADLINE} | Foxtrot", "Foxtrot", "2024-03-02T11:00:00Z")
    walk(mine, news, my_live)
    assert spy.made == 3  # mine does not know the fourth: read back, not taken
    rows = table(location)
    assert rows == cold_table(news, str(tmp_path / "cold.sqlite3"))
    assert [row[4] for row in rows if row[0].endswith("fifth.md")] == [str(news / "fourth.md")]  # its latest peer


def test_records_gone_while_the_grouper_is_kept_leave_as_a_cold_build_leaves_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    first, second, other = three_records(news)
    third = write_story(news, "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    watched = WatchedFolder(news, str(tmp_path / "index.sqlite3"), monkeypatch)
    watched.start()
    spy = GrouperSpy(monkeypatch)
    first.unlink()  # the lead: the next record leads
    watched.notice()
    other.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")  # a record no more: a problem
    watched.notice()
    assert spy.made == 0
    assert watched.library.summary(str(other)) is None
    members = grouping.story_members(watched.library.index, watched.library.summary(str(second)).story)  # type: ignore[union-attr]
    assert [member.path for member in members] == [str(second), str(third)]
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_at_scale_a_late_change_is_grouped_here_and_an_early_one_in_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    write_corpus(news, 200, seed=6, workers=1)
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 40)  # the index is over it
    newest = max(library.summaries, key=lambda s: s.timestamp or 0.0)
    earliest = min(library.summaries, key=lambda s: s.timestamp or 0.0)
    spy = GrouperSpy(monkeypatch)
    live = Live()
    late = Path(newest.path).with_name("zz-late.md")
    late.write_text(Path(newest.path).read_text(encoding="utf-8"), encoding="utf-8")
    walk(library, news, live)
    assert spy.made == 1 and live.grouper is not None  # here: the few records it needs
    again = Path(newest.path).with_name("zz-late-again.md")  # at the very time it was read back for
    again.write_text(Path(newest.path).read_text(encoding="utf-8"), encoding="utf-8")
    walk(library, news, live)
    assert spy.made == 1 and spy.added == [1, 1]  # the grouper kept took it
    early = Path(earliest.path).with_name("zz-early.md")
    early.write_text(Path(earliest.path).read_text(encoding="utf-8"), encoding="utf-8")
    walk(library, news, live)
    assert spy.made == 1 and live.grouper is None  # too many records to read here: in the other process
    assert library.summary(str(late)).story == newest.story  # type: ignore[union-attr]
    assert library.summary(str(early)).story == earliest.story  # type: ignore[union-attr]
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_a_late_record_joins_by_a_url_seen_weeks_before_though_only_the_last_weeks_are_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    url = "https://alpha.example/acme-quantum-chip"
    write_story(news, "a.md", HEADLINE, "Alpha", "2023-12-30T20:00:00Z", url=url)  # 29.5 days before
    for month, day in [(11, day) for day in range(1, 29, 3)] + [(1, day) for day in range(2, 29, 3)]:
        write_story(news, f"n{month}-{day}.md", f"Harbour works number {month}-{day} close the east quay", "Gamma",
                    f"{2023 + (month == 1)}-{month:02d}-{day:02d}T08:00:00Z")  # other news before and meanwhile
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    spy = GrouperSpy(monkeypatch)
    late = write_story(news, "late.md", "Rivals answer the chip with price cuts", "Beta", "2024-01-29T08:00:00Z",
                       url=url + "?utm_source=feed")
    walk(library, news)
    assert library.summary(str(late)).story == library.summary(str(news / "a.md")).story  # type: ignore[union-attr]
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))
    assert spy.read == [10]  # the first record and the nine after it: none of November's


def test_a_record_without_a_time_joins_by_url_a_record_read_back_from_the_last_weeks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    url = "https://alpha.example/acme-quantum-chip"
    for day in range(1, 29, 3):
        write_story(news, f"n{day}.md", f"Harbour works number {day} close the east quay", "Gamma",
                    f"2023-11-{day:02d}T08:00:00Z")
    first = write_story(news, "a.md", HEADLINE, "Alpha", "2024-01-10T08:00:00Z", url=url)
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    spy = GrouperSpy(monkeypatch)
    undated = news / "undated.md"
    undated.write_text(f'---\ntitle: "Rivals answer the chip"\nwebUrl: "{url}"\n---\n', encoding="utf-8")
    walk(library, news)
    assert library.summary(str(undated)).timestamp is None  # type: ignore[union-attr]
    assert library.summary(str(undated)).story == library.summary(str(first)).story  # type: ignore[union-attr]
    assert spy.read == [1]  # the latest record with a time, and no earlier one: none in its weeks
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_a_new_record_at_the_time_of_grouped_ones_leaves_their_reasons_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    when = "2024-03-01T08:00:00Z"  # one time for all: the order is by path
    write_story(news, "a.md", HEADLINE, "Alpha", "2024-02-29T08:00:00Z")
    write_story(news, "b.md", "Rainfall in the valley doubles the rice harvest", "Beta", when)  # its own story
    write_story(news, "c.md", f"{HEADLINE} - Gamma", "Gamma", when)  # joins a.md: its lead sorts before b.md
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    before = table(str(tmp_path / "index.sqlite3"))
    assert [(row[2], row[4]) for row in before] == [
        (str(news / "a.md"), ""), (str(news / "b.md"), ""), (str(news / "a.md"), str(news / "a.md"))
    ]
    spy = GrouperSpy(monkeypatch)
    write_story(news, "d.md", f"{HEADLINE} | Delta", "Delta", when)
    walk(library, news)
    assert spy.read == [3] and spy.added == [1]  # read back (in order) and given the new record alone
    after = table(str(tmp_path / "index.sqlite3"))
    assert after[:3] == before and after[3][4] == str(news / "c.md")
    assert after == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_a_story_begun_before_the_weeks_read_back_is_read_with_its_lead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    first = write_story(news, "a.md", HEADLINE, "Alpha", "2024-01-01T08:00:00Z", url="https://alpha.example/chip")
    middle = write_story(news, "b.md", "Rivals answer the quantum chip", "Beta", "2024-01-26T08:00:00Z",
                         url="https://alpha.example/chip")  # 25 days on: joins a.md by its URL
    middle.write_text(middle.read_text(encoding="utf-8").replace(  # and brings one of its own
        "webUrl:", 'originalUrl: "https://beta.example/answer"\nwebUrl:'), encoding="utf-8")
    other = write_story(news, "a2.md", "A ferry strike halts every crossing", "Alpha", "2024-01-01T09:00:00Z",
                        url="https://alpha.example/ferry")
    write_story(news, "b2.md", "The ferry strike goes on", "Beta", "2024-01-26T09:00:00Z",
                url="https://alpha.example/ferry")  # another story begun before the weeks read back
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    story = library.summary(str(first)).story  # type: ignore[union-attr]
    assert library.summary(str(middle)).story == story  # type: ignore[union-attr]
    assert library.summary(str(news / "b2.md")).story == library.summary(str(other)).story != story  # type: ignore[union-attr]
    spy = GrouperSpy(monkeypatch)
    late = write_story(news, "c.md", "Prices fall after the chip war", "Gamma", "2024-02-20T08:00:00Z",
                       url="https://beta.example/answer")  # 50 days after a.md: joins b.md by URL
    walk(library, news)
    assert library.summary(str(late)).story == story  # type: ignore[union-attr]
    assert spy.read == [4] and spy.added == [1]  # b.md and b2.md, and their stories' leads: no regrouping
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))
    # 18 days on: c.md is read back but not b.md, its peer; c.md is earlier than the change: kept as it is.
    write_story(news, "d.md", "Harbour works close the east quay", "Delta", "2024-03-10T08:00:00Z")
    walk(library, news)
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold2.sqlite3"))


def test_records_fed_ahead_to_a_grouped_index_group_as_a_cold_build_though_earlier_than_the_last_weeks(
    tmp_path: Path,
) -> None:
    news = tmp_path / "news"
    write_corpus(news, 150, seed=8, workers=1)
    location = str(tmp_path / "index.sqlite3")
    library = load_library([str(news)], Index(location))
    oldest = sorted(library.summaries, key=lambda s: s.timestamp or 0.0)[:10]
    copies = []
    for n, summary in enumerate(oldest):  # copies of the oldest records: they join their stories by URL
        copy = Path(summary.path).with_name(f"zz-copy-{n}.md")
        copy.write_text(Path(summary.path).read_text(encoding="utf-8"), encoding="utf-8")
        copies.append(copy)
    library.index.store_rows([grouping_rows(copy) for copy in copies])
    db = sqlite3.connect(location, isolation_level=None)
    ahead = grouping.Ahead(db)
    assert not ahead.full
    ahead.feed(grouping.items_from_rows(db.execute(
        "SELECT path, title, excerpt, timestamp, provider_name, provider_domain, urls FROM files WHERE path LIKE ?",
        ("%zz-copy-%",)).fetchall()))
    answer = grouping.regroup(db, ahead)
    db.close()
    joined = [answer[str(copy)] for copy in copies if answer[str(copy)] != stories.story_id(str(copy))]
    assert len(joined) >= 5  # most joined an earlier story
    assert table(location) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_the_records_a_change_needs_are_those_of_its_weeks_and_after(tmp_path: Path) -> None:
    news = tmp_path / "news"
    for day in (1, 11, 21):
        write_story(news, f"jan{day}.md", f"Harbour works number {day} close the quay", "Gamma",
                    f"2024-01-{day:02d}T08:00:00Z")
    for day in (10, 11):
        write_story(news, f"feb{day}.md", f"Ferry number {day} sails late", "Delta", f"2024-02-{day:02d}T08:00:00Z")
    undated = news / "undated.md"
    undated.write_text('---\ntitle: "A record without a time"\n---\n', encoding="utf-8")
    location = str(tmp_path / "index.sqlite3")
    load_library([str(news)], Index(location))
    db = sqlite3.connect(location)
    feb11 = db.execute("SELECT timestamp FROM files WHERE path LIKE '%feb11.md'").fetchone()[0]
    sizes = [grouping._tail_size(db, since) for since in (feb11, math.inf, -math.inf, feb11 + 2 * 86_400.0)]
    db.close()
    assert sizes == [5, 5, 6, 4]  # from 32 days before (Jan 10, Jan 12), with the record without a time


def test_a_grouper_of_more_records_than_the_limit_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    news = tmp_path / "news"
    three_records(news)
    monkeypatch.setattr(grouping, "LIVE_LIMIT", 4)
    watched = WatchedFolder(news, str(tmp_path / "index.sqlite3"), monkeypatch)
    watched.start()
    spy = GrouperSpy(monkeypatch)
    for name, hour in (("third.md", 9), ("fourth.md", 10), ("fifth.md", 11)):
        write_story(news, name, f"{HEADLINE} | {name}", name, f"2024-03-02T{hour:02d}:00:00Z")
        watched.notice()
        if name == "fourth.md":
            assert watched.sync.grouping.grouper is None  # five records: let go
    assert spy.read == [5]  # kept for the third (four records), read back for the fifth only
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def _files_stories(location: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(location)
    try:
        return db.execute("SELECT path, story FROM files WHERE problem IS NULL ORDER BY path").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("how", ["fails", "races"])
def test_a_grouping_that_fails_or_races_another_writer_does_not_keep_its_grouper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    news = tmp_path / "news"
    first, second, _ = three_records(news)
    write_story(news, "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    location = str(tmp_path / "index.sqlite3")
    watched = WatchedFolder(news, location, monkeypatch)
    watched.start()
    real_items = grouping.items_from_rows
    calls: list[int] = []

    def meddle(rows: list[tuple[object, ...]]) -> list[stories.Item]:
        calls.append(len(rows))
        if len(calls) == 1:
            if how == "fails":
                raise RuntimeError("disk gone")
            db = sqlite3.connect(location)  # another copy stores a file meanwhile
            db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
            db.commit()
            db.close()
        return real_items(rows)  # type: ignore[arg-type]

    monkeypatch.setattr(grouping, "items_from_rows", meddle)
    first.unlink()  # the lead: the others move to a story led by the second
    watched.notice()
    if how == "fails":
        assert watched.sync.grouping.grouper is None
        watched.notice()  # the next walk groups again
    assert len(calls) == 2
    assert watched.library.summary(str(second)).story == stories.story_id(str(second))  # type: ignore[union-attr]
    assert table(location) == cold_table(news, str(tmp_path / "cold.sqlite3"))
    assert _files_stories(location) == _files_stories(str(tmp_path / "cold.sqlite3"))


def test_a_lead_whose_time_moves_weeks_later_leaves_its_story_to_the_next(tmp_path: Path) -> None:
    news = tmp_path / "news"
    first, second, _ = three_records(news)
    third = write_story(news, "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    library = load_library([str(news)], Index(str(tmp_path / "index.sqlite3")))
    first.write_text(first.read_text(encoding="utf-8").replace("2024-03-01T08:00:00Z", "2024-04-20T08:00:00Z"),
                     encoding="utf-8")
    walk(library, news)
    assert library.summary(str(third)).story == library.summary(str(second)).story == stories.story_id(str(second))  # type: ignore[union-attr]
    assert table(str(tmp_path / "index.sqlite3")) == cold_table(news, str(tmp_path / "cold.sqlite3"))


def test_a_stories_table_that_cannot_be_read_back_is_grouped_again_whole(tmp_path: Path) -> None:
    news = tmp_path / "news"
    first, second, other = three_records(news)
    location = str(tmp_path / "index.sqlite3")
    library = load_library([str(news)], Index(location))
    db = sqlite3.connect(location)
    db.execute("UPDATE stories SET urls = '[broken' WHERE path = ?", (str(second),))
    db.commit()
    db.close()
    other.unlink()  # gone meanwhile: its row must go too
    third = write_story(news, "third.md", f"{HEADLINE} | Delta", "Delta", "2024-03-02T09:00:00Z")
    walk(library, news)
    assert library.summary(str(third)).story == library.summary(str(first)).story  # type: ignore[union-attr]
    assert table(location) == cold_table(news, str(tmp_path / "cold.sqlite3"))
    assert _files_stories(location) == _files_stories(str(tmp_path / "cold.sqlite3"))


def test_at_scale_everything_grouped_again_goes_to_a_process_of_its_own_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    write_corpus(news, 100, seed=9, workers=1)
    (news / "zz-broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")  # a problem, not a record
    location = str(tmp_path / "index.sqlite3")
    library = load_library([str(news)], Index(location))
    newest = max(library.summaries, key=lambda s: s.timestamp or 0.0)
    spy = GrouperSpy(monkeypatch)
    for limit, name in ((101, "zz-here.md"), (100, "zz-apart.md")):  # records to group: 101, then 102
        db = sqlite3.connect(location)
        db.execute("DELETE FROM meta WHERE key = 'stories'")  # as if grouped with other settings
        db.commit()
        db.close()
        monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", limit)  # the index's files are over it
        copy = Path(newest.path).with_name(name)
        copy.write_text(Path(newest.path).read_text(encoding="utf-8"), encoding="utf-8")
        walk(library, news, Live())
        assert library.summary(str(copy)).story == newest.story  # type: ignore[union-attr]
        assert spy.made == 1  # the first here (as many records as the limit), the second apart
    assert table(location) == cold_table(news, str(tmp_path / "cold.sqlite3"))
