"""The cold index build: files parsed on a process pool that also derives the grouping's signals, fed to
the grouping process while they are stored, gives the index rows and stories the sequential build gives;
a cold `reader --list` builds the index keeping nothing loaded, then lists from it."""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from reader import cli
from reader.core import grouping_apart, loader, warm_listing
from reader.core.index import Index
from reader.core.index_rows import SIGNALS_AT
from reader.core.index_schema import PROBLEM_AT
from reader.core.loader import build, stream
from reader.core.parsing import parse_row
from reader.core.query import parse_query
from reader.core.record_files import walk_record_files
from reader.core.state import StateStore, state_location
from reader.core.stories import item_of
from reader.core.frontmatter import read_record
from reader.core.warm_listing import Stale
from reader.synth import write_corpus

from tests.corpus import write_library
from tests.hostile import write_hostile_folder

pytestmark = pytest.mark.stories


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Synthetic stories of several records, the test library (with its broken file) and the hostile
    records (problems among them)."""
    root = tmp_path / "news"
    write_corpus(root / "synthetic", 150, seed=5, workers=1)
    write_library(root / "library")
    write_hostile_folder(root / "hostile")
    (root / "library" / "bad.md").write_bytes(b"---\ntitle: [unclosed\n---\n")
    return root


def indexed(location: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every file's row (without its row id) and every story row, in path order."""
    db = sqlite3.connect(location)
    try:
        columns = [row[1] for row in db.execute("PRAGMA table_info(files)") if row[1] != "id"]
        files = db.execute(f"SELECT {', '.join(columns)} FROM files ORDER BY path").fetchall()
        stored = db.execute("SELECT * FROM stories ORDER BY path").fetchall()
        keys = db.execute(
            "SELECT f.path, l.key, l.role FROM links l JOIN files f ON f.id = l.file_id ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        db.close()
    return files + keys, stored


_FLOATS = (9, 12, 13)  # a story row's norm, score and best


def exact(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A story row without its sums of floats: the words of an excerpt are summed in an order that
    differs from one process to another (`story_text.text_signals` walks a set), so these may differ
    in their last bits between any two builds."""
    return tuple(value for at, value in enumerate(row) if at not in _FLOATS)


def close(row: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    return all(math.isclose(row[at], other[at], rel_tol=1e-12) for at in _FLOATS)


def test_the_pipelined_build_gives_the_sequential_builds_rows_and_stories(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sequential = tmp_path / "sequential.sqlite3"
    index = Index(str(sequential))
    list(stream([str(corpus)], index, workers=1))  # parsed here, grouped here at the end
    index.close()

    monkeypatch.setattr(grouping_apart, "IN_PROCESS_LIMIT", 0)  # the grouping in a process of its own,
    monkeypatch.setattr(loader, "POOL_THRESHOLD", 1)  # fed the rows a pool of two parses
    fed: list[tuple[Any, ...]] = []
    real_add = grouping_apart.Feed.add
    monkeypatch.setattr(grouping_apart.Feed, "add", lambda self, rows: (fed.extend(rows), real_add(self, rows))[1])
    pipelined = tmp_path / "pipelined.sqlite3"
    index = Index(str(pipelined))
    build([str(corpus)], index, workers=2)
    index.close()

    records = [row for row in fed if row[PROBLEM_AT] is None]
    with_signals = [row for row in records if len(row) > SIGNALS_AT and row[SIGNALS_AT] is not None]
    assert len(records) > 150 and len(with_signals) >= len(records) - 100 > 0  # all but the first files
    assert any(row[PROBLEM_AT] is not None and row[0].endswith("bad.md") for row in fed)
    files, stored = indexed(pipelined)
    sequential_files, sequential_stored = indexed(sequential)
    assert files == sequential_files
    assert [exact(row) for row in stored] == [exact(row) for row in sequential_stored]
    assert all(map(close, stored, sequential_stored))
    problems = {row[0]: row[PROBLEM_AT] for row in files if len(row) > PROBLEM_AT and row[PROBLEM_AT]}
    assert problems[str(corpus / "library" / "bad.md")].startswith("invalid YAML")
    assert len({row[0] for row in stored}) > 150 and len({row[1] for row in stored}) < len(stored)  # stories of several


def test_a_rows_signals_are_those_the_grouper_makes_of_the_record(corpus: Path) -> None:
    for path, stamp in walk_record_files([str(corpus)], []):
        row = parse_row((path, stamp), signals=True)
        record = read_record(path)
        if row[PROBLEM_AT] is not None:
            assert row[SIGNALS_AT] is None
            continue
        made = item_of(record).signals
        assert made is not None
        assert row[SIGNALS_AT] == (made.words, made.weights, made.ukeys, made.tkey, made.ekey)
        assert row[:SIGNALS_AT] == parse_row((path, stamp))  # the stored part as without


def listed(paths: list[Path], query: str, fmt: str, *, plain: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    store = StateStore(state_location())
    try:
        with monkeypatch.context() as patch:
            if plain:  # never from the index: everything loaded, then filtered
                patch.setattr(warm_listing, "warm_listing", lambda *args, **kwargs: Stale("the plain way"))
            assert cli.list_records([str(p) for p in paths], parse_query(query, state=store), fmt, out, err) == 0
    finally:
        store.close()
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("query", ["", "robot", "-topic:ai quality:>10", "type:video"])
def test_a_cold_listing_builds_the_index_and_prints_what_the_plain_way_prints(
    corpus: Path, tmp_path: Path, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "plain-cache"))
    plain_out, plain_err = listed([corpus], query, "tsv", plain=True, monkeypatch=monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cold-cache"))
    loads: list[object] = []
    monkeypatch.setattr("reader.core.library.load_library", lambda *args: loads.append(args))
    out, err = listed([corpus], query, "tsv", plain=False, monkeypatch=monkeypatch)
    assert loads == []  # nothing loaded: built, then listed from the index
    assert out == plain_out and out.count("\n") >= (150 if not query else 1)
    # The same problems, in the index's order (a warm listing's), not the order the files were parsed in.
    assert sorted(err.splitlines()) == sorted(plain_err.splitlines()) and "bad.md" in err
