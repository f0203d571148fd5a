"""The loader's batches of what the index holds (made a chunk of stored rows at a time, the summaries
of a chunk in one go when no row is a problem or has notes) give what `Index.entries` gives row by
row, on the seed library and the hostile records (problems and records with notes among them), in
small chunks and large, and the library they fill holds the same as one loaded from the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core import loader
from reader.core.index import Index
from reader.core.library import Library, load_library
from reader.core.loader import stream
from reader.core.record import Problem
from reader.core.stamps import pack
from tests.corpus import write_library
from tests.hostile import write_hostile_folder


@pytest.fixture(params=["seed", "hostile"])
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    news = tmp_path / "news"
    news.mkdir()
    if request.param == "seed":
        write_library(news)
    else:
        write_hostile_folder(news, undecodable_name=True)
    for name in ("noted-1.md", "noted-2.md"):  # records with notes: a summary and a problem each
        (news / name).write_text(
            f'---\ntitle: "Out of range {name}"\npublishedDateTime: "2024-01-02T00:00:00Z"\n'
            f"quality: {'9' * 400}\n---\n", encoding="utf-8"
        )
    return news


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_indexed_batches_give_what_entries_give(folder: Path, tmp_path: Path, size: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cold = load_library([str(folder)], Index(str(tmp_path / "index.sqlite3")))
    index = Index(str(tmp_path / "index.sqlite3"))
    entries = list(index.entries([str(folder)]))
    assert any(isinstance(result, Problem) for _, _, result in entries)
    paths = [path for path, _, _ in entries]
    assert len(paths) - len(set(paths)) == 2  # the records with notes come twice
    monkeypatch.setattr(loader, "BATCH_SIZE", size)
    batches = []
    for batch in stream([str(folder)], index):
        batches.append(batch)
        if batch.complete:
            break
    assert all(batch.indexed for batch in batches) and batches[-1].complete
    assert all(len(batch.stats) <= size for batch in batches)
    given = [(s.path, s) for batch in batches for s in batch.summaries]
    assert given == [(path, r) for path, _, r in entries if not isinstance(r, Problem)]
    problems = [p for batch in batches for p in batch.problems]
    assert problems == [r for _, _, r in entries if isinstance(r, Problem)]
    stats = {path: stamp for batch in batches for path, stamp in batch.stats.items()}
    assert stats == {path: pack(stamp) for path, stamp, _ in entries}
    warm = Library(index)
    for batch in batches:
        warm.apply(batch)
    assert [s.path for s in warm.summaries] == [p for p, _, r in entries if not isinstance(r, Problem)]
    assert {s.path: s for s in warm.summaries} == {s.path: s for s in cold.summaries if s.path in stats}
    assert sorted(warm.problems, key=lambda p: (p.path, p.reason)) == sorted(
        [p for p in cold.problems if p.path in stats], key=lambda p: (p.path, p.reason)
    )
    assert dict(warm.stats) == {path: stamp for path, stamp in cold.stats.items() if path in stats}
    assert len(stats) >= len(cold.stats) - 1  # all but the file name SQLite cannot hold (hostile)
