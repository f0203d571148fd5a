"""Changes the system names (inotify) are loaded by reading only what it named (issue 13: a new file joins
its story within the watcher's delay): the files named are examined without reading their folder, a new
folder alone is read, and the library ends as a walk of every folder leaves it, with the walk's rules
(suffixes, hidden names, links, size limits, problems). What only a whole walk can tell, and events lost,
walk every folder. The reads are counted with a spy on the walk, never timed."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.control import folders
from reader.core import record_files
from reader.core.frontmatter import MAX_FILE_BYTES
from reader.core.index import Index
from reader.core.library import Library, load_library
from reader.core.record_files import OUTSIDE

from tests.fakes import FakeLoads, GrouperSpy
from tests.story_corpus import RECORDS, ROCKET_URLS, write_stories

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def record(title: str) -> str:
    return f'---\ntitle: "{title}"\npublishedDateTime: 2024-03-01T08:00:00Z\n---\nBody.\n'


class FolderReads:
    """The folders the loader's walk reads, in order (a spy on the walk: the watch's own reads of
    subfolders, which leave the files out, are not counted)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folders: list[str] = []
        real = record_files._read_folder

        def counting(folder: str, prefix: str, with_files: bool):  # type: ignore[no-untyped-def]
            if with_files:
                self.folders.append(folder.rstrip(os.sep))
            return real(folder, prefix, with_files)

        monkeypatch.setattr(record_files, "_read_folder", counting)

    def take(self) -> list[str]:
        folders, self.folders = self.folders, []
        return folders


class Synced(FakeLoads):
    """`FolderSync` on a fake clock with the system's own notices: the first load, then a load each
    time the app looks at the notices, run to its end by the test (what the app's worker does)."""

    def __init__(self, paths: list[Path], library: Library | None = None) -> None:
        self.paths = [str(path) for path in paths]
        super().__init__(self.paths, library if library is not None else Library())
        self.sync.start()
        self.run_load()
        assert self.sync.watch is not None

    def notice(self, seconds: float = folders.NOTICE_INTERVAL) -> int:
        """The app looks at the notices (`seconds` on): the loads that starts, run to their end; how many."""
        runs = len(self.runs)
        self.clock.advance(seconds)
        while not self.runs[-1].is_finished:
            self.run_load()
        return len(self.runs) - runs

    def close(self) -> None:
        self.sync.close()


def walked_afresh(synced: Synced) -> Library:
    """The library a walk of every folder gives, in an index of its own."""
    return load_library(synced.paths)


def assert_as_a_walk_leaves_it(synced: Synced) -> None:
    fresh = walked_afresh(synced)
    assert synced.library.stats == fresh.stats
    assert {s.path: s.title for s in synced.library.summaries} == {s.path: s.title for s in fresh.summaries}
    assert sorted((p.path, p.reason) for p in synced.library.problems) == sorted(
        (p.path, p.reason) for p in fresh.problems
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    for folder in ("a/b", "c"):
        (root / folder).mkdir(parents=True)
    for name in ("a/old.md", "a/b/deep.md", "c/other.md", "c/gone.md", "top.md"):
        (root / name).write_text(record(name), encoding="utf-8")
    return root


@pytest.fixture
def watching(tree: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Synced, FolderReads]]:
    """The tree synced, its first load done, and the folders read from then on counted; closed after."""
    reads = FolderReads(monkeypatch)
    synced = Synced([tree])
    reads.take()
    yield synced, reads
    synced.close()


CHANGES = {
    "created": lambda t: (t / "a" / "b" / "new.md").write_text(record("new"), encoding="utf-8"),
    "written": lambda t: (t / "a" / "old.md").write_text(record("rewritten"), encoding="utf-8"),
    "renamed": lambda t: (t / "a" / "old.md").rename(t / "c" / "moved.md"),
    "renamed over another": lambda t: (t / "a" / "old.md").rename(t / "c" / "other.md"),
    "removed": lambda t: (t / "c" / "gone.md").unlink(),
    "touched": lambda t: os.utime(t / "a" / "old.md", (1, 1)),
    "made by a rename from a hidden name": lambda t: (
        (t / "c" / ".draft.md").write_text(record("drafted"), encoding="utf-8"),
        (t / "c" / ".draft.md").rename(t / "c" / "drafted.md"),
    ),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_file_changed_is_loaded_without_reading_any_folder(
    tree: Path, change: str, watching: tuple[Synced, FolderReads]
) -> None:
    synced, reads = watching
    before = dict(synced.library.stats)
    CHANGES[change](tree)
    assert synced.notice() == 1
    assert reads.take() == []  # no folder read: the files named were examined alone
    assert synced.library.stats != before
    assert_as_a_walk_leaves_it(synced)
    assert len(reads.take()) == 4  # a walk of every folder reads all four


def test_the_first_load_reads_every_folder_once(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = FolderReads(monkeypatch)
    synced = Synced([tree])
    try:
        assert sorted(reads.take()) == sorted(str(tree / f).rstrip(os.sep) for f in ("", "a", "a/b", "c"))
    finally:
        synced.close()


def test_a_new_folder_is_read_alone_and_a_folder_removed_reads_none(
    tree: Path, watching: tuple[Synced, FolderReads]
) -> None:
    synced, reads = watching
    (tree / "a" / "new" / "sub").mkdir(parents=True)
    (tree / "a" / "new" / "sub" / "x.md").write_text(record("x"), encoding="utf-8")
    assert synced.notice() == 1
    assert sorted(reads.take()) == [str(tree / "a" / "new"), str(tree / "a" / "new" / "sub")]
    assert str(tree / "a" / "new" / "sub" / "x.md") in synced.library.stats
    assert_as_a_walk_leaves_it(synced)
    reads.take()
    shutil.rmtree(tree / "a")
    assert synced.notice() == 1
    assert reads.take() == []
    assert not any(path.startswith(str(tree / "a")) for path in synced.library.stats)
    assert_as_a_walk_leaves_it(synced)


def test_a_folder_renamed_is_read_under_its_new_name_and_watched_there(
    tree: Path, watching: tuple[Synced, FolderReads]
) -> None:
    synced, reads = watching
    (tree / "a").rename(tree / "z")
    assert synced.notice() == 1
    assert sorted(reads.take()) == [str(tree / "z"), str(tree / "z" / "b")]
    assert_as_a_walk_leaves_it(synced)
    reads.take()
    (tree / "z" / "b" / "later.md").write_text(record("later"), encoding="utf-8")
    assert synced.notice() == 1
    assert reads.take() == []
    assert str(tree / "z" / "b" / "later.md") in synced.library.stats
    assert_as_a_walk_leaves_it(synced)


def test_hidden_names_and_files_that_are_not_records_change_nothing(
    tree: Path, watching: tuple[Synced, FolderReads]
) -> None:
    synced, reads = watching
    (tree / "a" / ".hidden.md").write_text(record("hidden"), encoding="utf-8")
    assert synced.notice() == 0  # nothing the walk would read: no load at all
    (tree / "a" / "notes.pdf").write_text("not a record", encoding="utf-8")
    (tree / "a" / "old.md~").write_text("an editor's backup", encoding="utf-8")
    version = synced.library.version
    assert synced.notice() == 1
    assert reads.take() == [] and synced.library.version == version
    assert_as_a_walk_leaves_it(synced)


def test_a_folder_named_like_a_record_is_read_as_a_folder(
    tree: Path, watching: tuple[Synced, FolderReads]
) -> None:
    synced, reads = watching
    (tree / "c" / "folder.md").mkdir()
    (tree / "c" / "folder.md" / "inner.md").write_text(record("inner"), encoding="utf-8")
    assert synced.notice() == 1
    assert reads.take() == [str(tree / "c" / "folder.md")]
    assert str(tree / "c" / "folder.md" / "inner.md") in synced.library.stats
    assert_as_a_walk_leaves_it(synced)


def test_files_too_large_or_broken_links_are_problems_as_a_walk_gives_them(
    tree: Path, watching: tuple[Synced, FolderReads]
) -> None:
    synced, reads = watching
    with open(tree / "c" / "huge.md", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 10)
    os.symlink(tree / "nowhere.md", tree / "c" / "broken.md")
    assert synced.notice() == 1
    assert reads.take() == []
    reasons = {p.path: p.reason for p in synced.library.problems}
    assert "too large" in reasons[str(tree / "c" / "huge.md")]
    assert str(tree / "c" / "broken.md") in reasons
    assert_as_a_walk_leaves_it(synced)


def test_a_link_to_a_folder_is_left_to_a_walk_of_every_folder(tmp_path: Path, tree: Path,
                                                              watching: tuple[Synced, FolderReads]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.md").write_text(record("far"), encoding="utf-8")
    synced, reads = watching
    os.symlink(elsewhere, tree / "c" / "outside")
    assert synced.notice() == 1
    assert len(reads.take()) == 4  # every folder: the walk reports the link
    assert (str(tree / "c" / "outside"), OUTSIDE) in {(p.path, p.reason) for p in synced.library.problems}
    assert_as_a_walk_leaves_it(synced)
    reads.take()
    (tree / "c" / "outside").unlink()  # the problem is about it: only a walk of every folder drops it
    assert synced.notice() == 1
    assert len(reads.take()) == 4
    assert not synced.library.problems
    os.symlink(tree / "a" / "b", tree / "c" / "inside")  # inside: read once, where first found
    assert synced.notice() == 1
    assert len(reads.take()) == 4
    assert_as_a_walk_leaves_it(synced)


def test_a_file_given_by_name_is_named_alone_and_its_removal_is_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    given = folder / "given.txt"  # any name, given by name
    given.write_text(record("given"), encoding="utf-8")
    reads = FolderReads(monkeypatch)
    synced = Synced([given])
    reads.take()
    try:
        (folder / "neighbour.md").write_text(record("not given"), encoding="utf-8")
        assert synced.notice() == 0  # not read by a walk either
        given.write_text(record("given again"), encoding="utf-8")
        assert synced.notice() == 1
        assert [s.title for s in synced.library.summaries] == ["given again"]
        given.unlink()
        assert synced.notice() == 1
        problems = [(p.path, p.reason) for p in synced.library.problems]
        assert problems == [(str(given), "no such file or folder")]
        given.write_text(record("back"), encoding="utf-8")
        assert synced.notice() == 1
        assert not synced.library.problems and [s.title for s in synced.library.summaries] == ["back"]
        assert_as_a_walk_leaves_it(synced)
    finally:
        synced.close()


def test_events_lost_make_the_next_load_walk_every_folder(
    tree: Path, watching: tuple[Synced, FolderReads]
) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text(encoding="ascii"))
    if limit > 1_000_000:
        pytest.skip("the system keeps too many events to overflow quickly")
    synced, reads = watching
    a, b = tree / "a" / "old.md", tree / "c" / "other.md"
    for i in range(limit // 2 + 10):  # two files in turn: the system merges repeats of the last event
        os.utime(a, ns=(i, i))
        os.utime(b, ns=(i, i))
    (tree / "c" / "new.md").write_text(record("new"), encoding="utf-8")
    assert synced.notice() == 1
    assert len(reads.take()) == 4
    assert_as_a_walk_leaves_it(synced)


@pytest.mark.stories
def test_a_new_file_joins_its_story_with_the_grouper_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_stories(tmp_path / "news")
    reads = FolderReads(monkeypatch)
    spy = GrouperSpy(monkeypatch)
    synced = Synced([folder])
    reads.take()
    try:
        assert spy.made == 1 and spy.added == [len(RECORDS)]  # the first load grouped every record
        rocket = synced.library.summary(str(folder / "rocket1.md")).story  # type: ignore[union-attr]
        flaw = synced.library.summary(str(folder / "flaw1.md")).story  # type: ignore[union-attr]
        assert rocket and flaw and rocket != flaw
        text = RECORDS["rocket1.md"].replace(ROCKET_URLS[0], "https://ap.example/acme-rocket")
        (folder / "rocket4.md").write_text(text.replace("Reuters", "AP"), encoding="utf-8")
        assert synced.notice() == 1
        assert reads.take() == []
        assert synced.library.summary(str(folder / "rocket4.md")).story == rocket  # type: ignore[union-attr]
        # The one record, to the grouper kept: none made or read back, nothing else grouped again.
        assert spy.made == 1 and spy.read == [] and spy.added == [len(RECORDS), 1]
    finally:
        synced.close()


@pytest.mark.stories
def test_a_new_session_reads_the_grouper_back_after_its_first_load_and_the_first_new_file_joins_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_stories(tmp_path / "news")
    location = str(tmp_path / "index.sqlite3")
    Synced([folder], Library(Index(location))).close()  # an earlier session grouped the stories
    spy = GrouperSpy(monkeypatch)
    synced = Synced([folder], Library(Index(location)))
    try:
        assert spy.made == 0 and spy.read == []  # nothing changed: nothing grouped at start
        assert synced.notice(folders.WARM_DELAY) == 1  # a moment later, off the UI thread
        assert spy.read == [len(RECORDS)] and synced.sync.grouping.grouper is not None
        rocket = synced.library.summary(str(folder / "rocket1.md")).story  # type: ignore[union-attr]
        text = RECORDS["rocket1.md"].replace(ROCKET_URLS[0], "https://ap.example/acme-rocket")
        (folder / "rocket4.md").write_text(text.replace("Reuters", "AP"), encoding="utf-8")
        assert synced.notice() == 1
        assert synced.library.summary(str(folder / "rocket4.md")).story == rocket  # type: ignore[union-attr]
        assert spy.read == [len(RECORDS)] and spy.added == [1]  # not read back again: the one record added
    finally:
        synced.close()


async def test_where_an_event_loop_runs_a_notice_is_read_a_moment_after_it_comes(tree: Path) -> None:
    synced = Synced([tree])  # its first load ends on this loop, as in the app
    try:
        (tree / "c" / "new.md").write_text(record("new"), encoding="utf-8")
        for _ in range(50):  # the loop's turns (no clock): it finds the notices' descriptor readable
            await asyncio.sleep(0)
            if any(timer.name == "settle" for timer in synced.clock.timers):
                break
        runs = len(synced.runs)
        synced.clock.advance(folders.NOTICE_SETTLE)  # well before the notices' timer
        assert folders.NOTICE_SETTLE < folders.NOTICE_INTERVAL / 5 and len(synced.runs) == runs + 1
        synced.run_load()
        assert str(tree / "c" / "new.md") in synced.library.stats
    finally:
        synced.close()
    await asyncio.sleep(0)  # the descriptor is closed and no longer watched by the loop: nothing breaks
