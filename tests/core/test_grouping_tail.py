"""The end of a large cold load: the grouping process is told every row is stored (`Feed.end`) before
the loader puts the links into their tree, groups the last records meanwhile, and writes the stories
only once the loader says it writes no more (`Feed.finish`), so that the two long writes never wait
on each other."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from reader.core import grouping, grouping_apart, loader, parsing
from reader.core.grouping_apart import STORED, Feed, _grouping_process
from reader.core.index import Index
from reader.core.library import load_library
from reader.core.record_files import walk_record_files
from reader.synth import write_corpus

from tests.fakes import GrouperSpy

pytestmark = pytest.mark.stories

RECORDS = 40
_FRESH = "SELECT path, title, excerpt, timestamp, provider_name, provider_domain, urls FROM files WHERE problem IS NULL"


def stories_of(location: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(location)
    try:
        return db.execute("SELECT path, story FROM files ORDER BY path").fetchall()
    finally:
        db.close()


class Scripted:
    """A queue that hands out the given messages in turn and, when it hands out the last, notes what the
    index then holds and how many records the grouping was given."""

    def __init__(self, messages: list[Any], location: str, spy: GrouperSpy) -> None:
        self.messages, self.location, self.spy = messages, location, spy
        self.at_last: tuple[list[tuple[Any, ...]], int] | None = None

    def get(self) -> Any:
        message = self.messages.pop(0)
        if not self.messages:
            self.at_last = (stories_of(self.location), sum(self.spy.added))
        return message


def test_told_the_rows_are_stored_the_process_groups_them_all_and_writes_after_the_next_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "news", RECORDS, seed=5, workers=1)
    location = str(tmp_path / "index.sqlite3")
    load_library([str(tmp_path / "news")], Index(location)).index.close()
    db = sqlite3.connect(location)
    db.execute("DELETE FROM meta WHERE key = 'stories'")
    db.execute("UPDATE meta SET value = '0' WHERE key = 'grouped'")
    db.execute("DELETE FROM stories")
    db.execute("UPDATE files SET story = NULL")
    db.commit()
    rows = [(*row, None) for row in sorted(db.execute(_FRESH).fetchall(), key=lambda row: row[3])]
    db.close()
    copy = str(tmp_path / "here.sqlite3")
    shutil.copy(location, copy)
    here = sqlite3.connect(copy, isolation_level=None)
    expected = grouping.regroup(here)
    here.close()
    spy = GrouperSpy(monkeypatch)
    fed = Scripted([rows[:20], rows[20:], STORED, None], location, spy)
    receiving, sending = multiprocessing.Pipe(duplex=False)
    _grouping_process(location, sending, fed)
    assert receiving.recv() == ("ok", expected)
    assert fed.at_last is not None
    stored_before, grouped_before = fed.at_last
    assert grouped_before == RECORDS  # every record grouped before the last message...
    assert {story for _, story in stored_before} == {None}  # ...and nothing written
    assert stories_of(location) == stories_of(copy)


def test_a_bulk_load_ends_the_feed_before_its_links_and_finishes_it_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "news", RECORDS, seed=5, workers=1)
    here = load_library([str(tmp_path / "news")], Index(str(tmp_path / "here.sqlite3")))
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 10)
    monkeypatch.setattr(loader, "BULK", 10)
    for module in (loader, parsing):  # several batches
        monkeypatch.setattr(module, "FIRST_BATCH", 8)
        monkeypatch.setattr(module, "BATCH_SIZE", 8)
    steps: list[str] = []
    for cls, name in ((Feed, "end"), (Index, "link_pending"), (Feed, "finish")):
        real = getattr(cls, name)
        monkeypatch.setattr(cls, name, lambda self, *a, _real=real, _name=name: (steps.append(_name), _real(self, *a))[1])
    fed = load_library([str(tmp_path / "news")], Index(str(tmp_path / "fed.sqlite3")))
    assert steps == ["end", "link_pending", "finish"]
    assert {s.path: s.story for s in fed.summaries} == {s.path: s.story for s in here.summaries}
    assert len({s.story for s in fed.summaries}) < RECORDS  # (some stories of several records)


def test_a_large_load_feeds_its_first_files_with_the_batch_of_their_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first files shown are the first the walk finds (of one folder); fed first, the earlier records
    # of every other folder came after them, and the grouping replayed its windows for each batch.
    write_corpus(tmp_path / "news", RECORDS, seed=5, workers=1)
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 10)
    for module in (loader, parsing):
        monkeypatch.setattr(module, "FIRST_BATCH", 8)
        monkeypatch.setattr(module, "BATCH_SIZE", 8)
    calls: list[list[str]] = []
    real_add = Feed.add
    monkeypatch.setattr(Feed, "add", lambda self, rows: (calls.append(sorted(
        loader._name_date(row) for row in rows)), real_add(self, rows))[1])
    first = [path for path, _ in islice(walk_record_files([str(tmp_path / "news")], []), 8)]
    assert max(map(loader._name_date, [(path,) for path in first])) > min(  # (the case at hand)
        loader._name_date((str(path),)) for path in (tmp_path / "news").rglob("*.md") if str(path) not in first)
    fed = load_library([str(tmp_path / "news")], Index(str(tmp_path / "fed.sqlite3")))
    assert sum(map(len, calls)) == RECORDS  # each record once
    assert all(earlier[-1] <= later[0] for earlier, later in zip(calls, calls[1:]))  # in date order
    assert len(calls) > 2 and len({s.story for s in fed.summaries}) < RECORDS
