"""The system's notices of changes in the folders (inotify), which spare the app walking them."""

from __future__ import annotations

import os
import sys
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
