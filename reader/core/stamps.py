"""The stamps of the loaded files, kept compactly: one packed bytes object per file.

A stamp as the walk makes it is a tuple of four ints (`record_files.FileStamp`): ~230 bytes at
100,000 files each (the tuple and its large ints: 22.7 MiB in all). Packed as four signed 64-bit
integers it is one bytes object of 32 bytes (~80 bytes allocated), and comparing two packed stamps is
comparing two byte strings, so the walk's comparison stays in C.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping

from .record_files import FileStamp

_PACKING = struct.Struct("<4q")
Packed = bytes | FileStamp
"""A packed stamp, or the stamp itself when one of its numbers does not fit in 64 bits (never from
the system, which gives 64-bit numbers, but kept rather than lost)."""


def pack(stamp: FileStamp | Packed) -> Packed:
    """The compact form of a stamp (a packed one is kept as it is): equal stamps give equal forms,
    different stamps different ones."""
    if isinstance(stamp, bytes):
        return stamp
    try:
        return _PACKING.pack(*stamp)
    except (struct.error, TypeError):
        return tuple(stamp)  # type: ignore[return-value]


def unpack(packed: Packed) -> FileStamp:
    """The stamp a compact form was made from."""
    return _PACKING.unpack(packed) if isinstance(packed, bytes) else packed  # type: ignore[return-value]


class Stamps(Mapping[str, FileStamp]):
    """path -> stamp of every file loaded, each stamp packed (see the module). Reads give the stamps
    as tuples; `packed` gives the packed ones, for comparisons of many (the walk's)."""

    __slots__ = ("packed",)

    def __init__(self, stamps: Mapping[str, FileStamp] | None = None) -> None:
        self.packed: dict[str, Packed] = {}
        """path -> packed stamp: read it, never change it from outside (copy it first)."""
        if stamps:
            self.update(stamps)

    def __getitem__(self, path: str) -> FileStamp:
        return unpack(self.packed[path])

    def __contains__(self, path: object) -> bool:
        return path in self.packed

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)

    def __setitem__(self, path: str, stamp: FileStamp) -> None:
        self.packed[path] = pack(stamp)

    def update(self, stamps: Mapping[str, FileStamp | Packed]) -> None:
        """Add or replace the stamps of these paths (given as they are or packed)."""
        packed = self.packed
        if set(map(type, stamps.values())) <= {bytes}:  # packed already (what the index holds): in C
            packed.update(stamps)  # type: ignore[arg-type]
            return
        for path, stamp in stamps.items():
            packed[path] = pack(stamp)

    def pop(self, path: str) -> FileStamp | None:
        """Forget a path; its stamp, None when it had none."""
        packed = self.packed.pop(path, None)
        return None if packed is None else unpack(packed)

    def matches(self, path: str, stamp: FileStamp) -> bool:
        """Whether `path` is known with this stamp."""
        return self.packed.get(path) == pack(stamp)

    def copy(self) -> Stamps:
        """An independent copy (the packed stamps are shared: they never change)."""
        copied = Stamps()
        copied.packed = dict(self.packed)
        return copied
