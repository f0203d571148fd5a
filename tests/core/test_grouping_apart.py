"""The grouping in a process of its own (reader.core.grouping_apart): what the process sends back, fed or
not, how its answer is waited for (an answer, a failure, a process that stopped, a cancelled load), and
when the grouping runs here rather than apart. The process's function runs in this process here, so
that what it does is seen; tests/core/test_grouping.py and test_index.py run it in a process."""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import sqlite3
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest

from reader.core import grouping, grouping_apart, loader, parsing
from reader.core.grouping_apart import _answer, _grouping_process, feed_for, group_index, groups_here
from reader.core.index import Index
from reader.core.library import load_library
from reader.synth import write_corpus

from tests.fakes import GrouperSpy

pytestmark = pytest.mark.stories

RECORDS = 60
_FRESH = "SELECT path, title, excerpt, timestamp, provider_name, provider_domain, urls FROM files WHERE problem IS NULL"


def ungrouped_index(tmp_path: Path) -> str:
    """An index of `RECORDS` records stored and never grouped (as a load leaves it before its grouping)."""
    write_corpus(tmp_path / "news", RECORDS, seed=3, workers=1)
    location = str(tmp_path / "index.sqlite3")
    load_library([str(tmp_path / "news")], Index(location)).index.close()
    db = sqlite3.connect(location)
    db.execute("DELETE FROM meta WHERE key = 'stories'")
    db.execute("UPDATE meta SET value = '0' WHERE key = 'grouped'")
    db.commit()
    db.close()
    return location


def grouped_here(location: str, tmp_path: Path) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    """What grouping a copy of the index here answers, and the stories it stores."""
    copy = str(tmp_path / "here.sqlite3")
    shutil.copy(location, copy)
    db = sqlite3.connect(copy, isolation_level=None)
    answer = grouping.regroup(db)
    db.close()
    return answer, stored_stories(copy)


def stored_stories(location: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(location)
    try:
        return db.execute("SELECT path, story FROM files ORDER BY path").fetchall()
    finally:
        db.close()


def closed(receiving: Any) -> bool:
    """Whether the other end was closed (nothing more will come)."""
    if not receiving.poll(0):
        return False
    try:
        receiving.recv()
    except EOFError:
        return True
    return False


def test_the_grouping_process_sends_what_grouping_here_gives_and_stores_it(tmp_path: Path) -> None:
    location = ungrouped_index(tmp_path)
    expected, stories_here = grouped_here(location, tmp_path)
    assert len(expected) == RECORDS
    receiving, sending = multiprocessing.Pipe(duplex=False)
    _grouping_process(location, sending)
    assert receiving.recv() == ("ok", expected)
    assert closed(receiving)
    assert stored_stories(location) == stories_here


def test_a_fed_grouping_process_groups_each_batch_as_it_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = ungrouped_index(tmp_path)
    expected, stories_here = grouped_here(location, tmp_path)
    db = sqlite3.connect(location)
    # as Feed.add sends them: in the loader's order, the fields and no signals (the process makes them)
    rows = [(*row, None) for row in sorted(db.execute(_FRESH).fetchall(), key=lambda row: row[3])]
    db.close()
    fed: queue.Queue[Any] = queue.Queue()
    for start in range(0, RECORDS, 20):
        fed.put(rows[start : start + 20])
    fed.put(None)
    spy = GrouperSpy(monkeypatch)
    receiving, sending = multiprocessing.Pipe(duplex=False)
    _grouping_process(location, sending, fed)
    assert receiving.recv() == ("ok", expected) and closed(receiving)
    assert fed.empty()  # every batch taken, up to the end
    assert spy.made == 1 and len(spy.added) > 1 and sum(spy.added) == RECORDS  # grouped as they came
    assert stored_stories(location) == stories_here


def test_a_grouping_process_that_fails_sends_why(tmp_path: Path) -> None:
    receiving, sending = multiprocessing.Pipe(duplex=False)
    _grouping_process(str(tmp_path), sending)  # a folder: not a database
    assert receiving.recv() == ("error", "OperationalError: unable to open database file")
    assert closed(receiving)


class Process:
    """Stands in for the grouping process where only whether it still runs matters."""

    def __init__(self, alive: bool, before_stopping: Any = None) -> None:
        self.alive = alive
        self.before_stopping = before_stopping

    def is_alive(self) -> bool:
        if self.before_stopping is not None:  # it sends its answer as it stops
            self.before_stopping()
            self.before_stopping = None
        return self.alive


def test_the_answer_of_the_grouping_process() -> None:
    receiving, sending = multiprocessing.Pipe(duplex=False)
    sending.send(("ok", {"a.md": "story"}))
    assert _answer(Process(alive=True), receiving, lambda: False) == ({"a.md": "story"}, "")
    sending.send(("error", "ValueError: bad"))
    assert _answer(Process(alive=False), receiving, lambda: False) == (
        {}, "Stories could not be grouped (ValueError: bad)."
    )


def test_a_grouping_process_that_stops_without_an_answer_is_said_to_have_stopped() -> None:
    receiving, sending = multiprocessing.Pipe(duplex=False)  # (`sending` kept open: nothing comes)
    assert _answer(Process(alive=False), receiving, lambda: False) == (
        {}, "Stories could not be grouped (the grouping process stopped)."
    )
    sending.close()


def test_a_grouping_process_that_dies_is_said_to_have_stopped() -> None:
    """Killed (out of memory, say): its end of the pipe closes with it, and nothing came."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=os._exit, args=(9,))
    process.start()
    sending.close()
    process.join()
    assert _answer(process, receiving, lambda: False) == (
        {}, "Stories could not be grouped (the grouping process stopped)."
    )


def test_an_answer_sent_as_the_process_stops_is_taken() -> None:
    receiving, sending = multiprocessing.Pipe(duplex=False)
    stopping = Process(alive=False, before_stopping=lambda: sending.send(("ok", {"a.md": "s"})))
    assert _answer(stopping, receiving, lambda: False) == ({"a.md": "s"}, "")


def test_a_cancelled_load_waits_no_more_for_the_answer() -> None:
    receiving, sending = multiprocessing.Pipe(duplex=False)
    asked: list[bool] = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) >= 2

    assert _answer(Process(alive=True), receiving, cancelled) == ({}, "")
    assert len(asked) == 2  # asked at each wait, until it said so
    sending.close()


def test_where_the_grouping_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    location = ungrouped_index(tmp_path)
    index = Index(location)
    files = index.run(lambda db: db.execute("SELECT count(*) FROM files").fetchone()[0])
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", files)
    assert groups_here(index)  # as many files as the limit: here
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", files - 1)
    assert not groups_here(index)
    in_memory = load_library([str(tmp_path / "news")], Index()).index
    assert groups_here(in_memory)  # an index in memory cannot be opened by another process
    index.run(lambda db: db.execute("ALTER TABLE files RENAME TO gone"))
    assert groups_here(index)  # the count fails: here, where the grouping says what failed
    index.close()


def test_a_load_is_fed_ahead_only_past_the_limit_and_never_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 10)
    index = Index(str(tmp_path / "index.sqlite3"))
    assert feed_for(index, 10) is None
    assert feed_for(Index(), 11) is None
    feed = feed_for(index, 11)
    assert isinstance(feed, grouping_apart.Feed)
    feed.close()
    index.close()


def test_nothing_to_group_starts_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "news", 12, seed=3, workers=1)
    index = Index(str(tmp_path / "index.sqlite3"))
    load_library([str(tmp_path / "news")], index)
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 1)
    started: list[str] = []
    real = grouping_apart.get_context

    def get_context(method: str) -> Any:
        started.append(method)
        return real(method)

    monkeypatch.setattr(grouping_apart, "get_context", get_context)
    assert group_index(index) == ({}, "")
    assert started == []
    index.close()


def test_up_to_5000_indexed_files_are_grouped_here(tmp_path: Path) -> None:
    index = Index(str(tmp_path / "index.sqlite3"))
    insert = "INSERT INTO files (path, size, mtime_ns, inode, ctime_ns, problem) VALUES (?, 1, 1, 1, 1, 'bad')"
    index.run(lambda db: db.executemany(insert, [(f"/news/{n}.md",) for n in range(5000)]))
    assert groups_here(index)  # (every indexed file counts, records or not)
    index.run(lambda db: db.execute(insert, ("/news/one-more.md",)))
    assert not groups_here(index)
    index.close()


class InThreads:
    """A multiprocessing context whose processes are threads of this one, so that the grouping fed by a
    load runs here, where a test sees it (and where the mutation tool's mutants reach it)."""

    class Queue(queue.Queue):  # type: ignore[type-arg]
        def cancel_join_thread(self) -> None:
            pass

        def close(self) -> None:
            pass

    Pipe = staticmethod(multiprocessing.Pipe)

    class Process:
        def __init__(self, target: Any, args: tuple[Any, ...], daemon: bool, name: str) -> None:
            # A process gets its own copy of each end of a pipe: the caller closes its own.
            args = tuple(Connection(os.dup(a.fileno())) if isinstance(a, Connection) else a for a in args)
            self._thread = threading.Thread(target=target, args=args, daemon=daemon, name=name)

        def start(self) -> None:
            self._thread.start()

        def is_alive(self) -> bool:
            return self._thread.is_alive()

        def terminate(self) -> None:
            pass

        def join(self, timeout: float | None = None) -> None:
            self._thread.join(timeout)


def test_a_large_load_feeds_its_rows_to_the_grouping_as_they_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "news", RECORDS, seed=3, workers=1)
    (tmp_path / "news" / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")  # a problem
    here = load_library([str(tmp_path / "news")], Index(str(tmp_path / "here.sqlite3")))
    for module in (loader, parsing):  # several batches
        monkeypatch.setattr(module, "FIRST_BATCH", 8)
        monkeypatch.setattr(module, "BATCH_SIZE", 8)
    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 10)
    monkeypatch.setattr(grouping_apart, "get_context", lambda method: InThreads())
    spy = GrouperSpy(monkeypatch)
    fed = load_library([str(tmp_path / "news")], Index(str(tmp_path / "fed.sqlite3")))
    assert {s.path: s.story for s in fed.summaries} == {s.path: s.story for s in here.summaries}
    assert spy.made == 1 and sum(spy.added) == RECORDS  # the records alone, each once
    assert len(spy.added) > 2  # grouped as they came, not all at the end
    assert [t.name for t in threading.enumerate() if t.name == "reader-grouping"] == []
