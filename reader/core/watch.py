"""Knowing that nothing changed in the folders without walking them: Linux inotify, through ctypes.

Walking 100,000 files to look for changes takes ~1 s of the interpreter (the stat calls themselves
are a third of it), and while it runs it competes with the keys for the interpreter lock. With a
watch on every folder, the app walks them only when the system says something in them changed,
and now and then to be safe (inotify does not see changes made on another machine to a network
folder). Where inotify is missing (macOS, Windows) or refuses (too many folders for the watch
limit), `FolderWatch.start` returns None and the app walks the folders on a timer as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from collections.abc import Iterable

from .record_files import RECORD_SUFFIXES, FolderWalk

# inotify event masks (linux/inotify.h)
IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000
WATCHED = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK
)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


def _inotify() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.inotify_init1, libc.inotify_add_watch  # noqa: B018 - both must exist
    except (OSError, AttributeError, TypeError):  # TypeError: Windows' CDLL(None), with no C library named
        return None
    return libc


class FolderWatch:
    """A watch on every folder under some paths: the folders the loader's walk reads. It keeps the
    paths the system names as changed (`take`), so that only those are read again."""

    def __init__(
        self, libc: ctypes.CDLL, descriptor: int, roots: Iterable[str] = (), given: Iterable[str] = ()
    ) -> None:
        self._libc = libc
        self._fd = descriptor
        self._roots = list(roots)
        self._folders: dict[int, str] = {}  # watch descriptor -> folder
        self._trees: set[int] = set()
        """The folders whose record files the walk reads (the others hold files given by name only)."""
        self._given = set(given)
        """The files given by name."""
        self._walk = FolderWalk([], self._roots)  # what it cannot read is the loader's to report
        self._files: set[str] = set()
        self._changed_folders: set[str] = set()
        self.complete = True
        """False once a folder could not be watched, or events were lost: from then on `changed` says
        that anything may have changed, every time, and the caller walks as often as it allows."""

    @classmethod
    def start(cls, paths: Iterable[str]) -> FolderWatch | None:
        """Watch the folders under `paths` (for a file, the folder it is in); None where inotify is
        not available or a folder cannot be watched."""
        libc = _inotify()
        if libc is None:
            return None
        descriptor = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if descriptor < 0:
            return None
        given = [os.path.abspath(path) for path in paths]
        folders = [path for path in given if os.path.isdir(path)]
        watch = cls(libc, descriptor, folders, [path for path in given if path not in folders])
        for path in folders:  # first, as the loader walks them: a folder is watched under its walk's path
            watch._add_tree(path)
        for path in given:
            if path not in folders:
                watch._add_tree(os.path.dirname(path), below=False)
        if not watch.complete:
            watch.close()
            return None
        return watch

    def _add_tree(self, top: str, *, below: bool = True, new: bool = False, linked: bool = False) -> None:
        """Watch `top` and, if `below`, every folder under it. A folder that cannot be read or
        watched (the watch limit, most likely) makes the watch incomplete: walking on a timer is safer.
        `new`: a folder just made, which may be gone again (then nothing under it is left unwatched);
        it is walked afresh (it may be a folder watched before, moved), and a folder watched already
        keeps its path. `linked`: `top` is a link (followed only into the given folders)."""
        walk = FolderWalk([], self._roots) if new else self._walk
        unread = walk.unreadable
        refused = False
        for prefix, _, _ in walk.folders(top, with_files=False, below=below, linked=linked):
            folder = prefix.rstrip(os.sep) or os.sep
            wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), WATCHED)
            if wd < 0:
                refused = True
                break
            if wd not in self._folders:
                self._folders[wd] = folder
            if below:
                self._trees.add(wd)
        if (refused or walk.unreadable > unread) and (not new or os.path.isdir(top)):
            self.complete = False

    def changed(self) -> bool:
        """Whether anything under the folders changed since the last call (or may have: the events
        were too many to keep, or the watch is incomplete). New folders are watched from now on, and
        the paths changed are kept for `take`."""
        if self._fd < 0:
            return False  # closed
        before = len(self._files) + len(self._changed_folders)
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                self.complete = False
                break
            if not data:
                break
            self._read_events(data)
        return len(self._files) + len(self._changed_folders) > before or not self.complete

    def take(self) -> tuple[set[str], set[str]] | None:
        """What changed since the last `take`: the record files (and files given by name) the system
        named, and the folders in which anything may have changed (made, removed, renamed, or a name
        that may be a link to one); None when anything may have changed (see `complete`)."""
        self.changed()
        files, folders = self._files, self._changed_folders
        self._files, self._changed_folders = set(), set()
        return (files, folders) if self.complete else None

    def _read_events(self, data: bytes) -> None:
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            name = os.fsdecode(data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0"))
            offset += _EVENT.size + length
            if mask & IN_Q_OVERFLOW:  # events were dropped: new folders among them go unwatched
                self.complete = False
                continue
            folder = self._folders.get(wd)
            if folder is None:
                continue  # a folder no longer watched (removed, or moved away)
            if mask & IN_IGNORED:
                del self._folders[wd]
                self._trees.discard(wd)
                continue
            if not name:  # the folder itself: removed, moved or its permissions changed
                self._changed_folders.add(folder)
                continue
            path = os.path.join(folder, name)
            if path in self._given:
                self._files.add(path)
            elif wd not in self._trees or name.startswith("."):
                continue  # a folder of given files, or a hidden name: the walk reads neither
            elif mask & IN_ISDIR:
                self._changed_folders.add(path)
                if mask & IN_MOVED_FROM:
                    self._forget(path)  # watched again under its new path if it moved to a folder watched
                elif mask & (IN_CREATE | IN_MOVED_TO):
                    self._add_tree(path, new=True)
            elif name.endswith(RECORD_SUFFIXES) or name.lower().endswith(RECORD_SUFFIXES):
                self._files.add(path)
                if mask & (IN_CREATE | IN_MOVED_TO) and os.path.isdir(path):  # a link to a folder
                    self._add_tree(path, new=True, linked=True)
            else:  # any other name may be (or have been) a link to a folder
                self._changed_folders.add(path)
                if mask & (IN_CREATE | IN_MOVED_TO) and os.path.isdir(path):
                    self._add_tree(path, new=True, linked=True)

    def _forget(self, top: str) -> None:
        """Stop taking the system's notices of `top` and the folders under it (moved away)."""
        below = top + os.sep
        for wd, folder in list(self._folders.items()):
            if folder == top or folder.startswith(below):
                del self._folders[wd]
                self._trees.discard(wd)

    def fileno(self) -> int:
        """The descriptor the system's notices are read from (readable when there are some)."""
        return self._fd

    @property
    def folders(self) -> list[str]:
        """The folders watched."""
        return sorted(self._folders.values())

    def close(self) -> None:
        """Stop watching."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
