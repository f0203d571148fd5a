"""The record files under the given files and folders: the one folder walk, which the loader, the warm
listing and the folder watch all take, so that they agree on which folders and files there are.

A folder is read through a descriptor where the system allows it, so each record file is examined
relative to it (fstatat) instead of by its whole path; a record file's name is examined at once (that
tells a folder named like one, as `is_dir` would), other names by `is_dir` alone (no system call where
the folder listing gives the type). Hidden names (a leading dot) are skipped; a folder reached twice
(through a symbolic link) is read once, under the path it is first reached by. The walk gives each
folder's files as names and stamps (`FolderFiles`); the loader takes them as (path, stamp) pairs in
name order (`walk_record_files`), the warm listing as text it compares with the index.
"""

from __future__ import annotations

import operator
import os
import stat
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .record import Problem

RECORD_SUFFIXES = (".md", ".txt", ".yaml", ".yml")
"""The file names a walk takes from a folder (any file given by name is taken whatever its name)."""

FileStamp = tuple[int, int]
"""What says a file changed: its size (-1 when it is not a regular file) and its mtime_ns."""
UNEXAMINED: FileStamp = (-1, -1)
"""The stamp of a file that could not be examined (a broken link, a loop): parsing it gives the reason."""
Stats = dict[str, FileStamp]
"""path -> stamp, for every record file found."""

_BY_DESCRIPTOR = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_FIRST = operator.itemgetter(0)


def file_stamp(info: os.stat_result) -> FileStamp:
    """The stamp of a file as the system examined it."""
    return (info.st_size if stat.S_ISREG(info.st_mode) else -1, info.st_mtime_ns)


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
    walk = FolderWalk(problems)
    files_given: set[str] = set()  # the given files found so far
    for path in given:
        if os.path.isdir(path):
            for batch in walk.folders(path):
                if files_given and any(batch.prefix + name in files_given for name in batch.names):
                    kept = [i for i, name in enumerate(batch.names) if batch.prefix + name not in files_given]
                    batch = FolderFiles(batch.prefix, [batch.names[i] for i in kept], [batch.stamps[i] for i in kept])
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


def examine(path: str) -> FileStamp:
    """The stamp of the file at `path`, following links."""
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return UNEXAMINED


class FolderWalk:
    """Folders walked from one or more tops, each folder read once however often it is reached."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        """Where folders that cannot be read are reported."""
        self._seen: set[tuple[int, int]] = set()  # (device, inode) of the folders read
        self._read: set[str] = set()  # the folders read, by the path they were read under

    def found(self, path: str) -> bool:
        """Whether a file at `path` was among the files of a folder this walk read."""
        folder, name = os.path.split(path)
        return folder in self._read and name.lower().endswith(RECORD_SUFFIXES) and not name.startswith(".")

    def folders(self, top: str, *, with_files: bool = True, below: bool = True) -> Iterator[FolderFiles]:
        """The record files of `top` and of every folder under it, a folder at a time, depth first;
        a folder is given whole or not at all. `with_files=False` reads only the subfolders (each
        folder's files are then left out); `below=False` gives `top` alone, unread."""
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                info = os.stat(folder)
                if (info.st_dev, info.st_ino) in self._seen:
                    continue  # a symbolic link back into a folder already read
                self._seen.add((info.st_dev, info.st_ino))
                prefix = folder if folder.endswith(os.sep) else folder + os.sep
                if below:
                    names, stamps, subfolders = _read_folder(folder, prefix, with_files)
                else:
                    names, stamps, subfolders = [], [], []
            except OSError as error:
                self.problems.append(Problem(folder, error.strerror or "cannot read folder"))
                continue
            if with_files:
                self._read.add(folder.rstrip(os.sep) or os.sep)
            stack += subfolders
            yield FolderFiles(prefix, names, stamps)


def _read_folder(
    folder: str, prefix: str, with_files: bool
) -> tuple[list[str], list[FileStamp], list[str]]:
    """The record files of one folder (names and stamps), and its subfolders in name order (to be
    pushed on the walk's stack, so that the first is read last)."""
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
) -> tuple[list[str], list[FileStamp], list[str]]:
    names: list[str] = []
    stamps: list[FileStamp] = []
    folders: list[str] = []
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
                folders.append(name)
            else:
                names.append(name)
                stamps.append((info.st_size if is_regular(mode) else -1, info.st_mtime_ns))  # file_stamp, inlined
            continue
        try:
            if entry.is_dir():
                folders.append(name)
        except OSError:
            pass
    folders.sort()
    return names, stamps, [prefix + name for name in folders]
