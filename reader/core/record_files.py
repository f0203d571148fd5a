"""The record files under the given files and folders: the one folder walk, which the loader, the warm
listing and the folder watch all take, so that they agree on which folders and files there are.

A folder is read through a descriptor where the system allows it, so each record file is examined
relative to it (fstatat) instead of by its whole path; a record file's name is examined at once (that
tells a folder named like one, as `is_dir` would), other names by `is_dir` alone (no system call where
the folder listing gives the type). Hidden names (a leading dot) are skipped; a folder reached twice
(through a symbolic link) is read once, under the path it is first reached by.

Links to folders are followed only into the given folders: a link to `/` in a news folder walked the
whole disk, and through /proc/<pid>/root back into it. A link to a folder elsewhere is reported once
as a problem and not followed, and the system's pseudo-filesystems (/proc, /sys, /dev) are never read;
a link to a single file is still read. The walk gives each
folder's files as names and stamps (`FolderFiles`); the loader takes them as (path, stamp) pairs in
name order (`walk_record_files`), the warm listing as text it compares with the index.
"""

from __future__ import annotations

import functools
import operator
import os
import stat
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .record import Problem

RECORD_SUFFIXES = (".md", ".txt", ".yaml", ".yml")
"""The file names a walk takes from a folder (any file given by name is taken whatever its name)."""

FileStamp = tuple[int, int, int, int]
"""What says a file changed: its size (-1 when it is not a regular file), mtime_ns, inode and ctime_ns.
Size and mtime alone missed a file rewritten with both put back (`touch -d`): writing it, or renaming
another file over it, changes its ctime or its inode."""
UNEXAMINED: FileStamp = (-1, -1, -1, -1)
"""The stamp of a file that could not be examined (a broken link, a loop): parsing it gives the reason."""
Stats = dict[str, FileStamp]
"""path -> stamp, for every record file found."""

_BY_DESCRIPTOR = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_FIRST = operator.itemgetter(0)
# Inodes as signed 64-bit integers, which SQLite can store (some file systems use all 64 bits).
_SIGNED_LIMIT = 1 << 63
_WRAP = 1 << 64

SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")
"""Pseudo-filesystems: endless or looping trees of files that are not records."""
# The kinds of mounts that are pseudo-filesystems, wherever they are mounted (a chroot's /proc too).
_PSEUDO_KINDS = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs",
    "configfs", "bpf", "pstore", "fusectl", "mqueue", "binfmt_misc", "efivarfs", "nsfs", "rpc_pipefs",
    "autofs",
})
OUTSIDE = "a link to a folder outside the given folders: not followed"
SYSTEM = "a system folder (/proc, /sys or /dev): not read"


def file_stamp(info: os.stat_result) -> FileStamp:
    """The stamp of a file as the system examined it."""
    inode = info.st_ino
    return (
        info.st_size if stat.S_ISREG(info.st_mode) else -1, info.st_mtime_ns,
        inode if inode < _SIGNED_LIMIT else inode - _WRAP, info.st_ctime_ns,
    )


class FolderFiles(NamedTuple):
    """The record files of one folder, as found (in no particular order)."""

    prefix: str
    """The folder's path and a separator: a file's path is the prefix and its name."""
    names: list[str]
    stamps: list[FileStamp]
    """Each file's stamp (following links)."""


def record_file_batches(paths: Iterable[str], problems: list[Problem]) -> Iterator[FolderFiles]:
    """The record files under the given files and folders, a folder at a time in the order they are
    walked (depth first, subfolders in name order); a file given by name is a batch of its own. A
    file found twice (given, and in a given folder) counts where it is first found. Paths that cannot
    be read are added to `problems`."""
    given = [os.path.abspath(path) for path in paths]
    walk = FolderWalk(problems, [path for path in given if os.path.isdir(path)])
    files_given: set[str] = set()  # the given files found so far
    for path in given:
        if os.path.isdir(path):
            for batch in walk.folders(path):
                if files_given and any(batch.prefix + name in files_given for name in batch.names):
                    kept = [i for i, name in enumerate(batch.names) if batch.prefix + name not in files_given]
                    names, stamps = [batch.names[i] for i in kept], [batch.stamps[i] for i in kept]
                    batch = FolderFiles(batch.prefix, names, stamps)
                yield batch
        elif os.path.lexists(path):
            if path in files_given or walk.found(path):
                continue
            files_given.add(path)
            folder, name = os.path.split(path)
            yield FolderFiles(folder.rstrip(os.sep) + os.sep, [name], [examine(path)])
        else:
            problems.append(Problem(path, "no such file or folder"))


def walk_record_files(paths: Iterable[str], problems: list[Problem]) -> Iterator[tuple[str, FileStamp]]:
    """(path, stamp) for every record file under the given files and folders (see
    `record_file_batches`), each folder's files in name order."""
    for prefix, names, stamps in record_file_batches(paths, problems):
        for name, stamp in sorted(zip(names, stamps), key=_FIRST) if len(names) > 1 else zip(names, stamps):
            yield prefix + name, stamp


def scan_record_files(paths: Iterable[str]) -> tuple[Stats, list[Problem]]:
    """Every record file under the given files and folders with its stamp, and the paths that failed."""
    problems: list[Problem] = []
    found = dict(walk_record_files(paths, problems))
    return found, problems


def examine_named(
    paths: Iterable[str], files: Iterable[str], folders: Iterable[str], known: Stats,
    problems_known: Iterable[Problem] = (),
) -> tuple[Stats, list[str]] | None:
    """What a walk of `paths` would find of the files and folders the system named as changed (see
    `watch.FolderWatch.take`): the record files among `files` and under `folders` with their stamps,
    and the `known` files there that are gone. Only those are examined, by the walk's rules (suffixes,
    hidden names and links: the watch names only what the walk reads). None when only the whole walk
    can tell: a folder that cannot be read, a link to a folder, a given path gone or turned into a
    folder, or a path that a problem of the last walk (`problems_known`) is about."""
    given = {os.path.abspath(path) for path in paths}
    files, folders = set(files), set(folders)
    named = files | folders
    for problem in problems_known:
        where = problem.path
        if any(where == path or where.startswith(path + os.sep) or path.startswith(where + os.sep)
               for path in named):
            return None  # what the walk reported there may have changed
    found: Stats = {}
    tops: list[str] = []  # the folders to walk
    for path in files:
        if path in given:  # a file given by name: taken whatever its name, while it is a file
            if os.path.isdir(path) or not os.path.lexists(path):
                return None
            found[path] = examine(path)
            continue
        try:
            info = os.stat(path)
        except OSError:
            if os.path.lexists(path):  # a broken link or a loop: parsing it gives the reason
                found[path] = UNEXAMINED
            continue
        if stat.S_ISDIR(info.st_mode):
            tops.append(path)  # a folder named like a record file
        else:
            found[path] = file_stamp(info)
    for path in folders:
        if path in given:  # a given folder: renamed or removed makes a problem only the walk reports
            if not os.path.isdir(path):
                return None
            tops.append(path)
        elif os.path.isdir(path):
            tops.append(path)
        elif os.path.lexists(path) and _is_record_name(os.path.basename(path)):
            found[path] = examine(path)  # a folder replaced by a record file
    problems: list[Problem] = []
    walk = FolderWalk(problems, [path for path in given if os.path.isdir(path)])
    if any(top not in given and os.path.islink(top) for top in tops):
        return None  # a link to a folder: followed or refused, and where first found, by the whole walk
    for top in tops:
        for prefix, names, stamps in walk.folders(top):
            found.update(zip([prefix + name for name in names], stamps))
    if problems or walk.links:
        return None
    removed = [path for path in named if path in known and path not in found]
    under = tuple(path.rstrip(os.sep) + os.sep for path in folders | set(tops))
    if under:
        removed += [
            path for path in known
            if path.startswith(under) and path not in found and path not in given and path not in named
        ]
    return found, removed


def _is_record_name(name: str) -> bool:
    suffixes = RECORD_SUFFIXES
    return not name.startswith(".") and (name.endswith(suffixes) or name.lower().endswith(suffixes))


def examine(path: str) -> FileStamp:
    """The stamp of the file at `path`, following links."""
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return UNEXAMINED


def is_system_folder(real_path: str) -> bool:
    """Whether a resolved path is in one of the `SYSTEM_FOLDERS`."""
    return any(real_path == folder or real_path.startswith(folder + "/") for folder in SYSTEM_FOLDERS)


@functools.cache
def _pseudo_devices() -> frozenset[int]:
    """The devices of the pseudo-filesystems mounted here (Linux: from /proc/self/mounts)."""
    devices = set()
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) > 2 and fields[2] in _PSEUDO_KINDS:
                    mount = fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
                    try:
                        devices.add(os.stat(mount).st_dev)
                    except OSError:
                        pass
    except OSError:
        pass
    try:
        devices.discard(os.stat("/").st_dev)  # never the root filesystem itself
    except OSError:
        pass
    return frozenset(devices)


class FolderWalk:
    """Folders walked from one or more tops, each folder read once however often it is reached; links
    are followed only into `roots` (the given folders), and never into a system folder."""

    def __init__(self, problems: list[Problem], roots: Iterable[str] = ()) -> None:
        self.problems = problems
        """Where folders that cannot be read, and links that are not followed, are reported."""
        self.unreadable = 0
        """How many folders could not be read (links not followed are not counted)."""
        self._roots = [os.path.realpath(root) for root in roots]
        self._seen: set[tuple[int, int]] = set()  # (device, inode) of the folders read
        self.links = 0
        """How many links to folders were met (followed or not)."""
        self._read: set[str] = set()  # the folders read, by the path they were read under

    def _refusal(self, folder: str, linked: bool) -> str | None:
        """Why a folder is not read: a link that leads out of the roots or into a system folder, or a
        top that is a system folder; None when it may be read."""
        real = os.path.realpath(folder)
        if is_system_folder(real):
            return SYSTEM
        inside = any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self._roots)
        if linked and not inside:
            return OUTSIDE
        return None

    def found(self, path: str) -> bool:
        """Whether a file at `path` was among the files of a folder this walk read."""
        folder, name = os.path.split(path)
        return folder in self._read and name.lower().endswith(RECORD_SUFFIXES) and not name.startswith(".")

    def folders(
        self, top: str, *, with_files: bool = True, below: bool = True, linked: bool = False
    ) -> Iterator[FolderFiles]:
        """The record files of `top` and of every folder under it, a folder at a time, depth first;
        a folder is given whole or not at all. `with_files=False` reads only the subfolders (each
        folder's files are then left out); `below=False` gives `top` alone, unread; `linked`: `top`
        is a link found in a folder (followed only into the roots)."""
        if why := self._refusal(top, linked=False):
            self.problems.append(Problem(top, why))
            return
        stack = [(top, linked)]  # (folder, reached through a link)
        pseudo = _pseudo_devices()
        while stack:
            folder, linked = stack.pop()
            self.links += linked
            if linked and (why := self._refusal(folder, linked=True)):
                self.problems.append(Problem(folder, why))
                continue
            try:
                info = os.stat(folder)
                if (info.st_dev, info.st_ino) in self._seen:
                    continue  # a symbolic link back into a folder already read
                self._seen.add((info.st_dev, info.st_ino))
                if info.st_dev in pseudo:  # a pseudo-filesystem mounted inside a given folder
                    self.problems.append(Problem(folder, SYSTEM))
                    continue
                prefix = folder if folder.endswith(os.sep) else folder + os.sep
                if below:
                    names, stamps, subfolders = _read_folder(folder, prefix, with_files)
                else:
                    names, stamps, subfolders = [], [], []
            except OSError as error:
                self.problems.append(Problem(folder, error.strerror or "cannot read folder"))
                self.unreadable += 1
                continue
            if with_files:
                self._read.add(folder.rstrip(os.sep) or os.sep)
            stack += subfolders
            yield FolderFiles(prefix, names, stamps)


def _read_folder(
    folder: str, prefix: str, with_files: bool
) -> tuple[list[str], list[FileStamp], list[tuple[str, bool]]]:
    """The record files of one folder (names and stamps), and its subfolders in name order, each with
    whether it is a link (to be pushed on the walk's stack, so that the first is read last)."""
    if not _BY_DESCRIPTOR:
        with os.scandir(folder) as scanner:
            return _entries(scanner, prefix, None, with_files)
    descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
    try:
        with os.scandir(descriptor) as scanner:
            return _entries(scanner, prefix, descriptor, with_files)
    finally:
        os.close(descriptor)


def _entries(
    scanner: Iterator[os.DirEntry[str]], prefix: str, descriptor: int | None, with_files: bool
) -> tuple[list[str], list[FileStamp], list[tuple[str, bool]]]:
    names: list[str] = []
    stamps: list[FileStamp] = []
    folders: list[tuple[str, bool]] = []
    is_folder, is_regular = stat.S_ISDIR, stat.S_ISREG
    suffixes = RECORD_SUFFIXES
    examine_at = os.stat
    for entry in scanner:
        name = entry.name
        if name.startswith("."):
            continue
        if with_files and (name.endswith(suffixes) or name.lower().endswith(suffixes)):
            try:
                info = examine_at(name, dir_fd=descriptor) if descriptor is not None else entry.stat()
            except OSError:
                names.append(name)
                stamps.append(UNEXAMINED)
                continue
            mode = info.st_mode
            if is_folder(mode):
                folders.append((name, entry.is_symlink()))
            else:
                names.append(name)
                inode = info.st_ino  # file_stamp, inlined (a call a file costs ~5% of a walk)
                stamps.append((
                    info.st_size if is_regular(mode) else -1, info.st_mtime_ns,
                    inode if inode < _SIGNED_LIMIT else inode - _WRAP, info.st_ctime_ns,
                ))
            continue
        try:
            if entry.is_dir():
                folders.append((name, entry.is_symlink()))
        except OSError:
            pass
    folders.sort()
    return names, stamps, [(prefix + name, linked) for name, linked in folders]
