"""The one folder walk: which files it takes (and in what order), files given by name and found again in a
given folder, stamps (64-bit inodes kept signed), folders it refuses (system, pseudo-filesystems, links
out), folders it cannot read, and what it leaves open."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core import record_files
from reader.core.record import Problem
from reader.core.record_files import (
    OUTSIDE,
    SYSTEM,
    UNEXAMINED,
    FolderFiles,
    FolderWalk,
    examine,
    file_stamp,
    is_system_folder,
    record_file_batches,
    scan_record_files,
    walk_record_files,
)


def touch(path: Path, size: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def batches(paths: list[Path | str]) -> tuple[list[tuple[str, list[str]]], list[Problem]]:
    """(folder prefix, names in name order) of each batch, and the problems."""
    problems: list[Problem] = []
    found = [(batch.prefix, sorted(batch.names)) for batch in record_file_batches(map(str, paths), problems)]
    return found, problems


def walked(paths: list[Path | str]) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    return [path for path, _ in walk_record_files(map(str, paths), problems)], problems


@pytest.fixture
def fresh_pseudo_devices() -> Iterator[None]:
    """The pseudo-filesystems read again from the mounts, before and after the test (they are cached)."""
    record_files._pseudo_devices.cache_clear()
    yield
    record_files._pseudo_devices.cache_clear()


# --- stamps ------------------------------------------------------------------------------------------


def a_stat(mode: int, inode: int, size: int = 10) -> os.stat_result:
    times = {"st_mtime_ns": 2_000, "st_ctime_ns": 3_000}
    return os.stat_result((mode, inode, 1, 1, 0, 0, size, 1, 2, 3), times)


@pytest.mark.parametrize(
    ("inode", "stored"),
    [(5, 5), (2**62, 2**62), (2**63 - 1, 2**63 - 1), (2**63, -(2**63)), (2**64 - 1, -1)],
)
def test_a_stamp_keeps_64_bit_inodes_as_signed_integers(inode: int, stored: int) -> None:
    assert file_stamp(a_stat(stat.S_IFREG | 0o644, inode)) == (10, 2_000, stored, 3_000)


def test_a_stamp_of_anything_but_a_regular_file_has_no_size() -> None:
    assert file_stamp(a_stat(stat.S_IFIFO | 0o644, 7)) == (-1, 2_000, 7, 3_000)
    assert file_stamp(a_stat(stat.S_IFDIR | 0o755, 7, size=4096)) == (-1, 2_000, 7, 3_000)


def test_examining_a_file_gives_its_stamp_and_a_broken_link_none(tmp_path: Path) -> None:
    path = touch(tmp_path / "a.md", size=12)
    info = os.stat(path)
    assert examine(str(path)) == (12, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    os.mkfifo(tmp_path / "pipe.md")
    assert examine(str(tmp_path / "pipe.md"))[0] == -1
    (tmp_path / "broken.md").symlink_to(tmp_path / "gone.md")
    assert examine(str(tmp_path / "broken.md")) == UNEXAMINED


class Entry:
    """A folder entry as os.scandir gives it, for a file system whose inodes use all 64 bits (XFS,
    btrfs and NFS can hand out inodes past 2**63)."""

    def __init__(self, name: str, info: os.stat_result) -> None:
        self.name = name
        self._info = info

    def stat(self) -> os.stat_result:
        return self._info

    def is_dir(self) -> bool:
        return stat.S_ISDIR(self._info.st_mode)

    def is_symlink(self) -> bool:
        return False


def test_the_walk_stamps_files_as_file_stamp_does() -> None:
    inodes = (5, 2**63 - 1, 2**63, 2**64 - 1)
    infos = {f"{n}.md": a_stat(stat.S_IFREG | 0o644, inode) for n, inode in enumerate(inodes)}
    entries = iter([Entry(name, info) for name, info in infos.items()])
    names, stamps, folders = record_files._entries(entries, "/x/", None, True)
    assert names == list(infos)
    assert stamps == [file_stamp(info) for info in infos.values()]
    assert [stamp[2] for stamp in stamps] == [5, 2**63 - 1, -(2**63), -1]
    assert folders == []


# --- which files, in which order --------------------------------------------------------------------------


def test_record_suffixes_in_any_case_are_taken_and_other_names_left(tmp_path: Path) -> None:
    for name in ("a.md", "B.MD", "c.Txt", "d.yaml", "e.YML", "f.pdf", "g.md.bak", ".hidden.md", "md"):
        touch(tmp_path / name)
    found, problems = walked([tmp_path])
    assert found == [str(tmp_path / name) for name in ("B.MD", "a.md", "c.Txt", "d.yaml", "e.YML")]
    assert problems == []


def test_files_come_in_name_order_whatever_their_stamps(tmp_path: Path) -> None:
    for name, size in (("c.md", 50), ("a.md", 100), ("b.md", 10)):
        touch(tmp_path / name, size)
    found, _ = walked([tmp_path])
    assert found == [str(tmp_path / name) for name in ("a.md", "b.md", "c.md")]


def test_two_files_of_a_folder_come_in_name_order(tmp_path: Path) -> None:
    folders = []
    for number, names in enumerate([("a.md", "b.md"), ("b.md", "a.md")] * 4):
        folder = tmp_path / f"f{number}"
        for name in names:  # created in both orders: the folder's own order differs from the names' in some
            touch(folder / name)
        folders.append(folder)
    if all(os.listdir(folder) == sorted(os.listdir(folder)) for folder in folders):
        pytest.skip("this file system lists every folder in name order")
    found, _ = walked(folders)
    assert found == [str(folder / name) for folder in folders for name in ("a.md", "b.md")]


def test_a_folder_named_like_a_record_is_walked_into(tmp_path: Path) -> None:
    touch(tmp_path / "2024.md" / "inside.md")
    touch(tmp_path / "2024.md" / "deeper" / "deep.md")
    found, problems = walked([tmp_path])
    folder = tmp_path / "2024.md"
    assert found == [str(folder / "inside.md"), str(folder / "deeper" / "deep.md")]
    assert problems == []


def test_scan_gives_every_file_with_its_stamp_and_the_problems(tmp_path: Path) -> None:
    touch(tmp_path / "a.md", 3)
    found, problems = scan_record_files([str(tmp_path), str(tmp_path / "missing")])
    assert found == {str(tmp_path / "a.md"): examine(str(tmp_path / "a.md"))}
    assert problems == [Problem(str(tmp_path / "missing"), "no such file or folder")]


# --- files given by name ----------------------------------------------------------------------------------


def test_a_file_given_then_found_in_a_given_folder_counts_once_where_given_first(tmp_path: Path) -> None:
    a, b = touch(tmp_path / "news" / "a.md"), touch(tmp_path / "news" / "b.md")
    found, problems = batches([a, tmp_path / "news"])
    assert found == [(f"{tmp_path / 'news'}/", ["a.md"]), (f"{tmp_path / 'news'}/", ["b.md"])]
    assert problems == []
    assert walked([a, tmp_path / "news"])[0] == [str(a), str(b)]


def test_a_file_given_then_found_alone_in_a_given_folder_counts_once(tmp_path: Path) -> None:
    a = touch(tmp_path / "news" / "a.md")
    prefix = f"{tmp_path / 'news'}/"
    assert batches([a, tmp_path / "news"]) == ([(prefix, ["a.md"]), (prefix, [])], [])


def test_a_file_in_a_folder_already_walked_is_not_given_again(tmp_path: Path) -> None:
    a = touch(tmp_path / "news" / "a.md")
    touch(tmp_path / "news" / "b.md")
    assert batches([tmp_path / "news", a, a]) == ([(f"{tmp_path / 'news'}/", ["a.md", "b.md"])], [])


def test_a_file_given_twice_counts_once(tmp_path: Path) -> None:
    a = touch(tmp_path / "a.md")
    assert batches([a, a, tmp_path / "a.md"]) == ([(f"{tmp_path}/", ["a.md"])], [])


def test_files_given_by_name_are_taken_whatever_the_walk_leaves(tmp_path: Path) -> None:
    # Hidden files and other suffixes are not among a folder's files, so given by name they are read.
    hidden, pdf = touch(tmp_path / "news" / ".draft.md"), touch(tmp_path / "news" / "notes.pdf")
    touch(tmp_path / "news" / "a.md")
    found, _ = walked([tmp_path / "news", hidden, pdf])
    assert found == [str(tmp_path / "news" / "a.md"), str(hidden), str(pdf)]


def test_relative_paths_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "news" / "a.md")
    touch(tmp_path / "b.md")
    monkeypatch.chdir(tmp_path)
    assert walked(["news", "b.md"])[0] == [str(tmp_path / "news" / "a.md"), str(tmp_path / "b.md")]


def test_a_broken_link_given_by_name_is_a_file_that_could_not_be_examined(tmp_path: Path) -> None:
    (tmp_path / "broken.md").symlink_to(tmp_path / "gone.md")
    problems: list[Problem] = []
    broken = str(tmp_path / "broken.md")
    assert list(walk_record_files([broken], problems)) == [(broken, UNEXAMINED)]
    assert problems == []


def test_a_path_that_does_not_exist_is_a_problem(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    assert batches([nowhere]) == ([], [Problem(str(nowhere), "no such file or folder")])


# --- folders not read ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "system"),
    [("/proc", True), ("/proc/1/root", True), ("/sys", True), ("/dev", True), ("/dev/shm", True),
     ("/process", False), ("/devices/x", False), ("/system", False), ("/", False), ("/home/proc", False)],
)
def test_system_folders_are_proc_sys_and_dev_and_what_is_under_them(path: str, system: bool) -> None:
    assert is_system_folder(path) is system


def test_a_folder_under_dev_is_not_read_even_when_it_is_no_pseudo_filesystem() -> None:
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm here")
    assert batches(["/dev/shm"]) == ([], [Problem("/dev/shm", SYSTEM)])


def test_a_link_into_a_system_folder_is_refused_even_where_every_folder_is_a_root(tmp_path: Path) -> None:
    touch(tmp_path / "news" / "a.md")
    (tmp_path / "news" / "devices").symlink_to("/dev")
    problems: list[Problem] = []
    found = list(FolderWalk(problems, ["/"]).folders(str(tmp_path / "news")))
    assert [(batch.prefix, batch.names) for batch in found] == [(f"{tmp_path / 'news'}/", ["a.md"])]
    assert problems == [Problem(str(tmp_path / "news" / "devices"), SYSTEM)]


def test_a_link_to_a_folder_whose_name_only_starts_like_the_root_s_is_outside(tmp_path: Path) -> None:
    touch(tmp_path / "news" / "a.md")
    touch(tmp_path / "newsroom" / "b.md")
    (tmp_path / "news" / "more").symlink_to(tmp_path / "newsroom")
    found, problems = walked([tmp_path / "news"])
    assert found == [str(tmp_path / "news" / "a.md")]
    assert problems == [Problem(str(tmp_path / "news" / "more"), OUTSIDE)]


def test_a_link_named_like_a_record_to_a_folder_outside_is_reported_once(tmp_path: Path) -> None:
    touch(tmp_path / "news" / "a.md")
    touch(tmp_path / "elsewhere" / "b.md")
    (tmp_path / "news" / "linked.md").symlink_to(tmp_path / "elsewhere")
    found, problems = walked([tmp_path / "news"])
    assert found == [str(tmp_path / "news" / "a.md")]
    assert problems == [Problem(str(tmp_path / "news" / "linked.md"), OUTSIDE)]


def test_a_walk_with_no_roots_still_reads_the_top_it_is_given(tmp_path: Path) -> None:
    touch(tmp_path / "a.md")
    problems: list[Problem] = []
    found = list(FolderWalk(problems).folders(str(tmp_path)))
    assert [(batch.prefix, batch.names) for batch in found] == [(f"{tmp_path}/", ["a.md"])]
    assert problems == []


def test_a_folder_on_a_pseudo_filesystem_is_reported_and_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path / "mounted" / "a.md")
    # As if a proc or sysfs were mounted there (a chroot's /proc): its device is a pseudo-filesystem's.
    monkeypatch.setattr(record_files, "_pseudo_devices", lambda: frozenset({os.stat(tmp_path).st_dev}))
    assert batches([tmp_path / "mounted"]) == ([], [Problem(str(tmp_path / "mounted"), SYSTEM)])


def test_the_pseudo_filesystems_are_those_mounted_here_but_never_the_root(fresh_pseudo_devices: None) -> None:
    devices = record_files._pseudo_devices()
    assert os.stat("/proc").st_dev in devices and os.stat("/sys").st_dev in devices
    assert os.stat("/").st_dev not in devices
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        kinds = {line.split()[1]: line.split()[2] for line in mounts}
    others = set()  # the devices of the other file systems mounted here (tmpfs, ext4, overlay ...)
    for mount, kind in kinds.items():
        if kind not in record_files._PSEUDO_KINDS and os.path.isdir(mount):
            others.add(os.stat(mount).st_dev)
    others -= {os.stat(mount).st_dev for mount, kind in kinds.items() if kind in record_files._PSEUDO_KINDS}
    assert others and not others & devices


def test_a_root_file_system_of_a_pseudo_kind_is_still_read(
    monkeypatch: pytest.MonkeyPatch, fresh_pseudo_devices: None
) -> None:
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        kinds = [line.split()[2] for line in mounts if line.split()[1] == "/"]
    if not kinds:
        pytest.skip("no mount of / listed")
    monkeypatch.setattr(record_files, "_PSEUDO_KINDS", record_files._PSEUDO_KINDS | set(kinds))
    devices = record_files._pseudo_devices()
    assert os.stat("/proc").st_dev in devices
    assert os.stat("/").st_dev not in devices


def test_a_folder_whose_path_is_too_long_is_one_problem_and_the_walk_goes_on(tmp_path: Path) -> None:
    touch(tmp_path / "news" / "a.md")
    touch(tmp_path / "news" / "z.md")
    # Folders nested until the whole path passes what the system takes (PATH_MAX, 4096 on Linux).
    descriptor = os.open(tmp_path / "news", os.O_RDONLY)
    depth = 0
    try:
        while len(str(tmp_path / "news")) + depth * 201 < 4200:
            os.mkdir("d" * 200, dir_fd=descriptor)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor, depth = inner, depth + 1
    finally:
        os.close(descriptor)
    problems: list[Problem] = []
    walk = FolderWalk(problems, [str(tmp_path / "news")])
    assert walk.unreadable == 0
    found = [name for batch in walk.folders(str(tmp_path / "news")) for name in batch.names]
    assert sorted(found) == ["a.md", "z.md"]
    assert [problem.reason for problem in problems] == ["File name too long"]
    assert walk.unreadable == 1


# --- the walk's options ---------------------------------------------------------------------------------


def test_a_walk_without_files_gives_every_folder_and_no_file(tmp_path: Path) -> None:
    touch(tmp_path / "a.md")
    touch(tmp_path / "sub" / "b.md")
    touch(tmp_path / "sub.md" / "c.md")
    walk = FolderWalk([], [str(tmp_path)])
    found = list(walk.folders(str(tmp_path), with_files=False))
    assert sorted((batch.prefix, batch.names, batch.stamps) for batch in found) == [
        (f"{tmp_path}/", [], []), (f"{tmp_path}/sub.md/", [], []), (f"{tmp_path}/sub/", [], []),
    ]
    assert not walk.found(str(tmp_path / "a.md"))  # its files were not read


def test_a_walk_not_below_gives_the_top_alone_unread(tmp_path: Path) -> None:
    touch(tmp_path / "a.md")
    touch(tmp_path / "sub" / "b.md")
    assert list(FolderWalk([]).folders(str(tmp_path), below=False)) == [FolderFiles(f"{tmp_path}/", [], [])]


def test_a_top_given_with_a_trailing_separator_makes_no_double_separator(tmp_path: Path) -> None:
    touch(tmp_path / "a.md")
    (batch,) = FolderWalk([]).folders(f"{tmp_path}/")
    assert batch.prefix == f"{tmp_path}/"
    assert batch.names == ["a.md"]


def test_a_folder_that_turned_into_a_pipe_is_not_opened_waiting(tmp_path: Path) -> None:
    # Between the walk's look at a folder and its reading, something else may stand at the path.
    os.mkfifo(tmp_path / "was-a-folder")
    with pytest.raises(NotADirectoryError):
        record_files._read_folder(str(tmp_path / "was-a-folder"), f"{tmp_path}/was-a-folder/", True)


def test_a_walk_leaves_no_descriptor_open(tmp_path: Path) -> None:
    for number in range(5):
        touch(tmp_path / f"f{number}" / "a.md")
    before = len(os.listdir("/proc/self/fd"))
    assert len(walked([tmp_path])[0]) == 5
    assert len(os.listdir("/proc/self/fd")) == before
