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

from .record_files import FolderWalk

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
    """A watch on every folder under some paths: the folders the loader's walk reads."""

    def __init__(self, libc: ctypes.CDLL, descriptor: int, roots: Iterable[str] = ()) -> None:
        self._libc = libc
        self._fd = descriptor
        self._folders: dict[int, str] = {}  # watch descriptor -> folder
        self._walk = FolderWalk([], roots)  # what it cannot read is the loader's to report
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
        watch = cls(libc, descriptor, [path for path in given if os.path.isdir(path)])
        for path in given:
            if os.path.isdir(path):
                watch._add_tree(path)
            else:
                watch._add_tree(os.path.dirname(path), below=False)
        if not watch.complete:
            watch.close()
            return None
        return watch

    def _add_tree(self, top: str, *, below: bool = True, new: bool = False) -> None:
        """Watch `top` and, if `below`, every folder under it. A folder that cannot be read or
        watched (the watch limit, most likely) makes the watch incomplete: walking on a timer is safer.
        `new`: a folder just made, which may be gone again (then nothing under it is left unwatched)."""
        unread = self._walk.unreadable
        refused = False
        for prefix, _, _ in self._walk.folders(top, with_files=False, below=below):
            folder = prefix.rstrip(os.sep) or os.sep
            wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), WATCHED)
            if wd < 0:
                refused = True
                break
            self._folders[wd] = folder
        if (refused or self._walk.unreadable > unread) and (not new or os.path.isdir(top)):
            self.complete = False

    def changed(self) -> bool:
        """Whether anything under the folders changed since the last call (or may have: the events
        were too many to keep, or the watch is incomplete). New folders are watched from now on."""
        if self._fd < 0:
            return False  # closed
        changed = False
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return changed or not self.complete
            except OSError:
                return True
            if not data:
                return changed
            changed = True
            offset = 0
            while offset + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                if mask & IN_IGNORED:
                    self._folders.pop(wd, None)
                elif mask & IN_Q_OVERFLOW:  # events were dropped: new folders among them go unwatched
                    self.complete = False
                elif mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO) and wd in self._folders:
                    if not name.startswith(b"."):
                        self._add_tree(os.path.join(self._folders[wd], os.fsdecode(name)), new=True)

    @property
    def folders(self) -> list[str]:
        """The folders watched."""
        return sorted(self._folders.values())

    def close(self) -> None:
        """Stop watching."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
