"""Symbolic links in news folders (issue 12, point 4): a link to `/` walked the whole disk (and through
/proc/<pid>/root, back into it). Links to folders outside the given folders are not followed, said once as
a problem; /proc, /sys and /dev are never read; a link to a single file is still read; no loops."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import cli
from reader.core.library import load_library
from reader.core.record import Problem
from reader.core.record_files import OUTSIDE, SYSTEM, scan_record_files
from reader.core.watch import FolderWatch


def touch(path: Path, title: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\n---\n", encoding="utf-8")
    return path


def scanned_elsewhere(paths: list[str], timeout: float = 60) -> tuple[list[str], list[list[str]]]:
    """What a scan finds, run in another process so that a walk of the whole disk (the bug) fails the
    test by its timeout instead of taking the machine's afternoon."""
    code = (
        "import json, sys\n"
        "from reader.core.record_files import scan_record_files\n"
        "found, problems = scan_record_files(sys.argv[1:])\n"
        "print(json.dumps([sorted(found), [[p.path, p.reason] for p in problems]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *paths], capture_output=True, text=True, check=True, timeout=timeout
    )
    found, problems = json.loads(done.stdout)
    return found, problems


def test_a_link_to_a_folder_outside_is_not_followed(tmp_path: Path) -> None:
    touch(tmp_path / "elsewhere" / "far.md")
    root = tmp_path / "news"
    near = touch(root / "near.md")
    os.symlink(tmp_path / "elsewhere", root / "linked")
    found, problems = scan_record_files([str(root)])
    assert list(found) == [str(near)]
    assert problems == [Problem(str(root / "linked"), OUTSIDE)]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_links_to_the_root_of_the_disk_and_into_proc_are_not_walked(tmp_path: Path) -> None:
    root = tmp_path / "news"
    near = touch(root / "near.md")
    os.symlink("/", root / "slash")
    os.symlink("/proc/self/root", root / "loop")  # back into / through /proc
    os.symlink("/proc/self", root / "proc")
    os.symlink("/sys", root / "sys")
    found, problems = scanned_elsewhere([str(root)])
    assert found == [str(near)]
    assert sorted(problems) == sorted(
        [
            [str(root / "slash"), OUTSIDE],
            [str(root / "loop"), OUTSIDE],
            [str(root / "proc"), SYSTEM],
            [str(root / "sys"), SYSTEM],
        ]
    )


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
@pytest.mark.parametrize("system", ["/proc", "/sys", "/dev", "/proc/self/root/proc"])
def test_system_folders_are_never_read_even_when_given(system: str) -> None:
    found, problems = scanned_elsewhere([system])
    assert found == [] and problems == [[system, SYSTEM]]


def test_links_inside_the_given_folders_are_followed_once(tmp_path: Path) -> None:
    one = touch(tmp_path / "news" / "a" / "one.md")
    other = touch(tmp_path / "more" / "sub" / "two.md")
    os.symlink(tmp_path / "news" / "a", tmp_path / "news" / "b")  # the same folder twice
    os.symlink(tmp_path / "news", tmp_path / "news" / "a" / "up")  # a loop
    os.symlink(tmp_path / "more" / "sub", tmp_path / "news" / "c")  # into another given folder
    found, problems = scan_record_files([str(tmp_path / "news"), str(tmp_path / "more")])
    assert problems == []
    assert sorted(os.path.realpath(path) for path in found) == sorted([str(one), str(other)])
    assert len(found) == 2


def test_a_link_to_a_single_file_is_still_read(tmp_path: Path) -> None:
    touch(tmp_path / "elsewhere" / "far.md", "Far story")
    root = tmp_path / "news"
    root.mkdir()
    os.symlink(tmp_path / "elsewhere" / "far.md", root / "far.md")
    library = load_library([str(root)])
    assert [(s.path, s.title) for s in library.summaries] == [(str(root / "far.md"), "Far story")]
    assert library.problems == []


def test_list_and_the_library_say_so_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touch(tmp_path / "elsewhere" / "far.md", "Far story")
    root = tmp_path / "news"
    touch(root / "near.md", "Near story")
    os.symlink(tmp_path / "elsewhere", root / "linked")
    for _ in range(2):  # parsed, then answered from the warm index
        assert cli.main(["--list", str(root)]) == 0
        out, err = capsys.readouterr()
        assert [line.split("\t")[2] for line in out.splitlines()] == ["Near story"]
        assert err.splitlines() == [f"{root / 'linked'}: {OUTSIDE}"]
    library = load_library([str(root)])  # what the app shows under `!`
    assert library.problems == [Problem(str(root / "linked"), OUTSIDE)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_the_watch_does_not_follow_it_and_stays_complete(tmp_path: Path) -> None:
    touch(tmp_path / "elsewhere" / "deeper" / "far.md")
    root = tmp_path / "news"
    touch(root / "sub" / "near.md")
    os.symlink(tmp_path / "elsewhere", root / "linked")
    watch = FolderWatch.start([str(root)])
    assert watch is not None  # a link not followed is no reason to walk on a timer
    try:
        assert watch.folders == [str(root), str(root / "sub")]
    finally:
        watch.close()
