"""The loaded files' stamps kept packed (`stamps.Stamps`): the same answers as the walk's tuples, in
less memory, and a change to a file still seen by the walk that compares them."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from reader.core.index import Index
from reader.core.library import load_library
from reader.core.loader import stream
from reader.core.record_files import examine, scan_record_files
from reader.core.stamps import Stamps, pack, unpack

from tests.corpus import write_library


def test_the_library_keeps_every_stamp_the_walk_gives(tmp_path: Path) -> None:
    folder = write_library(tmp_path / "news")
    library = load_library([str(folder)])
    walked, _ = scan_record_files([str(folder)])
    assert isinstance(library.stats, Stamps) and len(walked) >= 5
    assert dict(library.stats) == walked
    assert all(library.stats[path] == stamp and library.stats.matches(path, stamp) for path, stamp in walked.items())


def test_a_changed_file_is_found_from_the_packed_stamps_and_its_new_stamp_kept(tmp_path: Path) -> None:
    folder = write_library(tmp_path / "news")
    index = Index(":memory:")
    library = load_library([str(folder)], index)
    changed, gone = folder / "fox.md", folder / "roundup.md"
    before = library.stats[str(changed)]
    changed.write_text(changed.read_text(encoding="utf-8").replace("Fox 9", "Fox Nine"), encoding="utf-8")
    info = os.stat(changed)
    os.utime(changed, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    gone.unlink()
    batches = list(stream([str(folder)], index, known=library.stats.copy()))
    assert {path for batch in batches for path in batch.stats} == {str(changed)}
    assert [path for batch in batches for path in batch.removed] == [str(gone)]
    for batch in batches:
        library.apply(batch)
    assert library.stats[str(changed)] == examine(str(changed)) != before
    assert str(gone) not in library.stats
    assert dict(library.stats) == scan_record_files([str(folder)])[0]
    # Nothing changed since: the next walk finds nothing to read again.
    again = list(stream([str(folder)], index, known=library.stats.copy()))
    assert not any(batch.stats or batch.removed for batch in again)


def test_packing_keeps_every_stamp_apart_and_gives_it_back() -> None:
    stamps = [
        (0, 0, 0, 0), (-1, -1, -1, -1), (1, 0, 0, 0), (0, 0, 0, 1), (2**63 - 1, -(2**63), 5, 6),
        (4096, 1_700_000_000_123_456_789, 123456, 1_700_000_000_123_456_790),
    ]
    packed = [pack(stamp) for stamp in stamps]
    assert len(set(packed)) == len(stamps)
    assert [unpack(p) for p in packed] == stamps
    # A number too large for 64 bits (no system gives one) is kept as it is rather than lost.
    huge = (2**64, 0, 0, 0)
    assert unpack(pack(huge)) == huge and pack(huge) != pack((0, 0, 0, 0))


def test_a_copy_is_independent_and_removal_forgets() -> None:
    stamps = Stamps({"a.md": (1, 2, 3, 4), "b.md": (5, 6, 7, 8)})
    copied = stamps.copy()
    stamps["a.md"] = (9, 9, 9, 9)
    assert stamps.pop("b.md") == (5, 6, 7, 8) and stamps.pop("b.md") is None
    assert copied == {"a.md": (1, 2, 3, 4), "b.md": (5, 6, 7, 8)}
    assert stamps == {"a.md": (9, 9, 9, 9)} and "b.md" not in stamps


def test_packed_stamps_take_under_half_the_memory_of_tuples() -> None:
    def stamp(i: int) -> tuple[int, int, int, int]:
        return (4000 + i, 1_700_000_000_000_000_000 + i, 10_000_000 + i, 1_700_000_000_000_000_001 + i)

    paths = [f"/news/{i}.md" for i in range(2000)]
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        as_tuples = {path: stamp(i) for i, path in enumerate(paths)}
        tuples = tracemalloc.get_traced_memory()[0] - base
        del as_tuples
        base = tracemalloc.get_traced_memory()[0]
        packed = Stamps({path: stamp(i) for i, path in enumerate(paths)})
        compact = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert len(packed) == len(paths)
    assert compact < tuples / 2


def test_stamps_given_packed_are_kept_as_they_are_and_read_back() -> None:
    """`update` takes stamps already packed (the loader's batches carry them so) as well as tuples."""
    stamp = (4096, 1_700_000_000_123_456_789, 123456, 1_700_000_000_123_456_790)
    assert pack(pack(stamp)) == pack(stamp)
    stamps = Stamps()
    stamps.update({"a.md": pack(stamp), "b.md": (1, 2, 3, 4)})
    assert stamps["a.md"] == stamp and stamps.matches("a.md", stamp) and stamps.packed["a.md"] == pack(stamp)
    assert "a.md" in stamps and "b.md" in stamps and "c.md" not in stamps and 3 not in stamps
    stamps.update({"c.md": pack((5, 6, 7, 8)), "a.md": pack((1, 1, 1, 1))})  # all packed (the index's)
    assert stamps == {"a.md": (1, 1, 1, 1), "b.md": (1, 2, 3, 4), "c.md": (5, 6, 7, 8)}
