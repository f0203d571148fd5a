"""The warm start shows the list the index holds at once (a `complete` batch), before the walk checks it
against the files: what changed while the reader was closed then arrives as a watcher's walk's findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import reader.core.loader as loader
from reader.core.index import Index
from reader.core.library import Library, load_library
from reader.core.loader import stream

from tests.corpus import write_story


def _index_of(folder: Path, location: Path) -> None:
    """Index `folder` at `location` (a first start)."""
    index = Index(str(location))
    load_library([str(folder)], index)
    index.close()


def _three_indexed(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of three stories and its index, as a first start left them: (folder, index location)."""
    folder = tmp_path / "news"
    for i in range(3):
        write_story(folder, f"{i}.md", f"Story {i}", "Alpha", f"2024-03-0{i + 1}T08:00:00Z")
    location = tmp_path / "index.sqlite3"
    _index_of(folder, location)
    return folder, location


def _later(path: Path) -> None:
    """Move a file's modification time on, so its change is seen whatever the file system's resolution."""
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))


def test_the_index_list_is_complete_before_the_walk_then_the_walk_brings_what_changed(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    kept = write_story(folder, "kept.md", "Kept as it was", "Alpha", "2024-03-01T08:00:00Z")
    changed = write_story(folder, "changed.md", "The title before", "Beta", "2024-03-02T08:00:00Z")
    gone = write_story(folder, "gone.md", "Deleted while closed", "Gamma", "2024-03-03T08:00:00Z")
    location = tmp_path / "index.sqlite3"
    _index_of(folder, location)
    # While the reader is closed: one file is deleted, one rewritten, one added.
    gone.unlink()
    write_story(folder, "changed.md", "The title after", "Beta", "2024-03-02T08:00:00Z")
    _later(changed)
    write_story(folder, "new.md", "Written while closed", "Delta", "2024-03-04T08:00:00Z")

    index = Index(str(location))
    library = Library(index)
    seen_at_complete: list[str] | None = None
    batches = []
    for batch in stream([str(folder)], index):
        batches.append(batch)
        library.apply(batch)
        if batch.complete:
            seen_at_complete = sorted(s.title for s in library.summaries)
    index.close()

    # The index's whole list, as it was when the reader closed, is complete before the walk's batches,
    # and it is not the end of the stream.
    assert seen_at_complete == ["Deleted while closed", "Kept as it was", "The title before"]
    complete_at = next(i for i, b in enumerate(batches) if b.complete)
    assert not batches[complete_at].final and batches[-1].final
    assert all(not b.removed and b.scan_problems is None for b in batches[: complete_at + 1])  # no walk yet
    assert sum(b.complete for b in batches) == 1
    # The walk that follows finds the deletion, the change and the new file.
    assert [b.removed for b in batches if b.removed] == [[str(gone)]]
    titles = sorted(s.title for s in library.summaries)
    assert titles == ["Kept as it was", "The title after", "Written while closed"]
    assert library.summary(str(kept)) is not None and library.summary(str(gone)) is None
    assert set(library.stats) == {str(kept), str(changed), str(folder / "new.md")}


def test_an_index_that_holds_nothing_gives_no_complete_batch(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    write_story(folder, "a.md", "Only one", "Alpha", "2024-03-01T08:00:00Z")
    index = Index(str(tmp_path / "index.sqlite3"))
    batches = list(stream([str(folder)], index))
    index.close()
    assert not any(b.complete for b in batches) and batches[-1].final  # a cold start: the walk's list only


def test_an_index_that_holds_every_file_gives_one_complete_batch_and_the_walk_nothing(tmp_path: Path) -> None:
    folder, location = _three_indexed(tmp_path)
    index = Index(str(location))
    batches = list(stream([str(folder)], index))
    index.close()
    first, *rest = batches
    assert first.complete and len(first.summaries) == 3 and not first.final
    assert [b.complete for b in rest] == [False] * len(rest) and rest[-1].final and not rest[-1].removed
    assert not any(b.summaries for b in rest)  # nothing changed: the walk brings nothing


def test_every_batch_of_what_the_index_holds_says_so_and_none_of_the_walk_s(tmp_path: Path) -> None:
    folder, location = _three_indexed(tmp_path)
    write_story(folder, "new.md", "Written while closed", "Delta", "2024-03-04T08:00:00Z")
    index = Index(str(location))
    batches = list(stream([str(folder)], index))
    index.close()
    complete_at = next(i for i, b in enumerate(batches) if b.complete)
    assert all(b.indexed for b in batches[: complete_at + 1])
    assert not any(b.indexed for b in batches[complete_at + 1 :])
    assert [s.title for b in batches[complete_at + 1 :] for s in b.summaries] == ["Written while closed"]


def test_a_record_with_notes_at_the_end_of_a_batch_keeps_its_summary_and_its_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index gives such a record twice, its summary then its notes: a batch that ended between the
    # two made the next batch replace the summary with the notes alone.
    folder = tmp_path / "news"
    for i in range(4):
        write_story(folder, f"{i}.md", f"Story {i}", "Alpha", f"2024-03-0{i + 1}T08:00:00Z")
    noted = folder / "noted.md"
    noted.write_text('---\ntitle: "With a note"\nquality: 999999999999999999999999999999\n'
                     "publishedDateTime: 2024-03-09T08:00:00Z\n---\n", encoding="utf-8")
    location = tmp_path / "index.sqlite3"
    _index_of(folder, location)
    for size in (1, 2, 3):
        monkeypatch.setattr(loader, "BATCH_SIZE", size)
        index = Index(str(location))
        library = Library(index)
        for batch in stream([str(folder)], index):
            library.apply(batch)
            if batch.complete:
                break
        index.close()
        assert library.summary(str(noted)) is not None and library.summary(str(noted)).title == "With a note"
        assert [p.path for p in library.problems] == [str(noted)]
        assert "out of range" in library.problems[0].reason
