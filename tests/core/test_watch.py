"""The system's notices of changes in the folders (inotify), which spare the app walking them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core import watch as watch_module
from reader.core.watch import FolderWatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a" / "old.md").write_text("---\ntitle: old\n---\n", encoding="utf-8")
    return tmp_path


def started(paths: list[Path]) -> FolderWatch:
    watch = FolderWatch.start([str(p) for p in paths])
    assert watch is not None
    return watch


def test_every_folder_but_hidden_ones_is_watched_and_nothing_changed_at_first(tree: Path) -> None:
    watch = started([tree])
    try:
        assert watch.folders == [str(tree), str(tree / "a"), str(tree / "a" / "b")]
        assert not watch.changed()
    finally:
        watch.close()


@pytest.mark.parametrize(
    "change",
    [
        lambda t: (t / "a" / "b" / "new.md").write_text("x", encoding="utf-8"),
        lambda t: (t / "a" / "old.md").write_text("changed", encoding="utf-8"),
        lambda t: (t / "a" / "old.md").unlink(),
        lambda t: (t / "a" / "old.md").rename(t / "a" / "b" / "moved.md"),
        lambda t: os.utime(t / "a" / "old.md", (1, 1)),
    ],
    ids=["created", "written", "removed", "moved", "touched"],
)
def test_a_change_is_told_once(tree: Path, change) -> None:  # type: ignore[no-untyped-def]
    watch = started([tree])
    try:
        change(tree)
        assert watch.changed()
        assert not watch.changed()  # told once: the walk that follows sees the rest
    finally:
        watch.close()


def test_hidden_folders_are_not_watched_and_new_folders_are(tree: Path) -> None:
    watch = started([tree])
    try:
        (tree / ".hidden" / "x.md").write_text("x", encoding="utf-8")
        assert not watch.changed()
        (tree / "new" / "deeper").mkdir(parents=True)
        assert watch.changed()
        assert str(tree / "new" / "deeper") in watch.folders
        (tree / "new" / "deeper" / "x.md").write_text("x", encoding="utf-8")
        assert watch.changed()
    finally:
        watch.close()


def test_a_file_given_is_watched_through_its_folder(tree: Path) -> None:
    watch = started([tree / "a" / "old.md"])
    try:
        assert watch.folders == [str(tree / "a")]
        (tree / "a" / "old.md").write_text("changed", encoding="utf-8")
        assert watch.changed()
    finally:
        watch.close()


def test_no_watch_where_the_system_has_no_inotify_or_refuses_a_folder(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_module, "_inotify", lambda: None)
    assert FolderWatch.start([str(tree)]) is None

    class Refusing:  # a watch limit reached after the first folder
        def __init__(self) -> None:
            self.calls = 0

        def inotify_init1(self, flags: int) -> int:
            return os.open(os.devnull, os.O_RDONLY)

        def inotify_add_watch(self, fd: int, path: bytes, mask: int) -> int:
            self.calls += 1
            return 1 if self.calls == 1 else -1

    monkeypatch.setattr(watch_module, "_inotify", Refusing)
    assert FolderWatch.start([str(tree)]) is None


def test_a_closed_watch_tells_of_nothing(tree: Path) -> None:
    watch = started([tree])
    (tree / "a" / "new.md").write_text("x", encoding="utf-8")
    watch.close()
    assert not watch.changed()
    watch.close()  # twice is harmless


def test_a_folder_removed_is_no_longer_watched(tree: Path) -> None:
    watch = started([tree])
    try:
        (tree / "a" / "b").rmdir()
        assert watch.changed()
        assert watch.folders == [str(tree), str(tree / "a")]
    finally:
        watch.close()


def test_several_new_folders_at_once_are_all_watched(tree: Path) -> None:
    watch = started([tree])
    try:
        for name in ("one", "two", "three"):
            (tree / "a" / name).mkdir()
        assert watch.changed()
        assert watch.folders == sorted(str(p) for p in [tree, tree / "a", tree / "a" / "b", tree / "a" / "one",
                                                        tree / "a" / "two", tree / "a" / "three"])
        (tree / "a" / "three" / "x.md").write_text("x", encoding="utf-8")
        assert watch.changed()
    finally:
        watch.close()


def test_a_folder_reached_only_through_a_link_inside_the_folders_is_watched(tmp_path: Path) -> None:
    inner = tmp_path / "news" / ".drafts" / "inner"
    inner.mkdir(parents=True)
    (inner / "x.md").write_text("x", encoding="utf-8")
    os.symlink(inner, tmp_path / "news" / "shown")  # the loader reads news/shown/x.md
    watch = started([tmp_path / "news"])
    try:
        assert watch.folders == [str(tmp_path / "news"), str(tmp_path / "news" / "shown")]
        (inner / "x.md").write_text("changed", encoding="utf-8")
        assert watch.changed()
    finally:
        watch.close()


class Limited:
    """The system's inotify, with a watch limit that the test reaches when it says."""

    def __init__(self) -> None:
        self.libc = watch_module._inotify()
        self.full = False

    def inotify_init1(self, flags: int) -> int:
        return self.libc.inotify_init1(flags)  # type: ignore[union-attr]

    def inotify_add_watch(self, fd: int, path: bytes, mask: int) -> int:
        return -1 if self.full else self.libc.inotify_add_watch(fd, path, mask)  # type: ignore[union-attr]


def test_a_new_folder_the_system_will_not_watch_makes_every_check_say_changed(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited = Limited()
    monkeypatch.setattr(watch_module, "_inotify", lambda: limited)
    watch = started([tree])
    try:
        assert watch.complete
        limited.full = True
        (tree / "new").mkdir()
        assert watch.changed()
        (tree / "new" / "x.md").write_text("x", encoding="utf-8")  # unseen by the system: no watch there
        assert watch.changed() and watch.changed()  # it may have changed: the caller walks
        assert not watch.complete and str(tree / "new") not in watch.folders
    finally:
        watch.close()


def test_a_folder_made_and_removed_at_once_leaves_the_watch_complete(tree: Path) -> None:
    watch = started([tree])
    try:
        (tree / "a" / "tmp" / "deeper").mkdir(parents=True)
        (tree / "a" / "tmp" / "deeper").rmdir()
        (tree / "a" / "tmp").rmdir()
        assert watch.changed()
        assert not watch.changed() and watch.complete
    finally:
        watch.close()


def test_events_lost_to_an_overflow_make_every_check_say_changed(tree: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text(encoding="ascii"))
    if limit > 1_000_000:
        pytest.skip("the system keeps too many events to overflow quickly")
    a, b = tree / "a" / "old.md", tree / "a" / "b" / "other.md"
    b.write_text("x", encoding="utf-8")
    watch = started([tree])
    try:
        for i in range(limit // 2 + 10):  # two files in turn: the system merges only repeats of the last event
            os.utime(a, ns=(i, i))
            os.utime(b, ns=(i, i))
        (tree / "new").mkdir()  # its creation is lost among the dropped events: the folder goes unwatched
        assert watch.changed()
        assert str(tree / "new") not in watch.folders
        (tree / "new" / "x.md").write_text("x", encoding="utf-8")
        assert watch.changed() and not watch.complete
    finally:
        watch.close()


def test_no_watch_where_a_given_file_s_folder_is_missing(tree: Path) -> None:
    assert FolderWatch.start([str(tree), str(tree / "missing" / "x.md")]) is None
    watch = started([tree, tree / "missing.md"])  # its folder is watched: the file may appear
    try:
        assert watch.folders == [str(tree), str(tree / "a"), str(tree / "a" / "b")]
        (tree / "missing.md").write_text("x", encoding="utf-8")
        assert watch.changed()
    finally:
        watch.close()


def test_a_watch_given_up_at_start_closes_its_descriptor(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []

    class Refusing:
        def inotify_init1(self, flags: int) -> int:
            opened.append(os.open(os.devnull, os.O_RDONLY))
            return opened[-1]

        def inotify_add_watch(self, fd: int, path: bytes, mask: int) -> int:
            return -1

    monkeypatch.setattr(watch_module, "_inotify", Refusing)
    assert FolderWatch.start([str(tree)]) is None
    with pytest.raises(OSError):
        os.fstat(opened[0])


def test_no_watch_when_the_system_gives_no_inotify_instance(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Exhausted:  # too many inotify instances already (max_user_instances)
        def inotify_init1(self, flags: int) -> int:
            return -1

        def inotify_add_watch(self, fd: int, path: bytes, mask: int) -> int:
            raise AssertionError("no descriptor to watch with")

    monkeypatch.setattr(watch_module, "_inotify", Exhausted)
    assert FolderWatch.start([str(tree)]) is None


class NoInotify:  # macOS's C library
    pass


def windows_cdll(name: str | None, **kwargs: object) -> object:
    """ctypes.CDLL as Python 3.11 has it on Windows, where find_library("c") is None."""
    if name is None:
        raise TypeError("argument of type 'NoneType' is not iterable")
    raise OSError(f"could not find module {name!r}")


@pytest.mark.parametrize(
    "cdll", [lambda *a, **k: NoInotify(), windows_cdll, lambda *a, **k: windows_cdll("libc.so.6")],
    ids=["no inotify", "no C library named", "no C library found"],
)
def test_no_watch_where_the_c_library_has_no_inotify(tree: Path, monkeypatch: pytest.MonkeyPatch, cdll) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(watch_module.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(watch_module.ctypes, "CDLL", cdll)
    assert FolderWatch.start([str(tree)]) is None


@pytest.fixture
def stdin_closed() -> Iterator[None]:
    """Descriptor 0 free, as in a program started with its standard input closed."""
    saved = os.dup(0)
    os.close(0)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)


def open_descriptors() -> list[str]:
    return sorted(os.listdir("/proc/self/fd"))


def test_a_watch_on_descriptor_0_works_and_closes_it_once(tree: Path, stdin_closed: None) -> None:
    watch = started([tree])
    assert os.readlink("/proc/self/fd/0") == "anon_inode:inotify"  # the lowest free descriptor
    (tree / "a" / "new.md").write_text("x", encoding="utf-8")
    assert watch.changed() and not watch.changed()
    watch.close()
    with pytest.raises(OSError):
        os.fstat(0)
    assert not watch.changed()
    before = open_descriptors()
    watch.close()  # twice closes nothing else
    assert open_descriptors() == before and not watch.changed()


def test_a_link_to_a_folder_elsewhere_made_later_is_not_followed(tmp_path: Path) -> None:
    elsewhere, root = tmp_path / "elsewhere", tmp_path / "news"
    elsewhere.mkdir()
    root.mkdir()
    watch = started([root])
    try:
        os.symlink(elsewhere, root / "linked")  # the loader does not follow it either
        (root / "new.md").write_text("x", encoding="utf-8")
        assert watch.changed()
        assert watch.folders == [str(root)]
        (elsewhere / "far.md").write_text("x", encoding="utf-8")
        assert not watch.changed()
    finally:
        watch.close()
