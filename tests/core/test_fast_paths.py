"""The fast paths of `reader --list` and of loading from the index give what the plain ones give."""

from __future__ import annotations

import gc
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.cli import list_records
from reader.cli_output import _openable, tsv_line
from reader.core import index_schema as index_module
from reader.core import loader, record_files
from reader.core.index import Index
from reader.core.index_rows import Entry
from reader.core.index_rows import summary_columns as _row
from reader.core.index_schema import STORED_COLUMN_COUNT, SUMMARY_COLUMN_COUNT, summary_from_row
from reader.core.query import parse_query
from reader.core.record import Problem, Summary
from reader.core.text import safe_text
from reader.core.urls import open_refusal


def _summary(path: str, columns: tuple[object, ...]) -> Summary:
    """The summary of a stored row holding these summary columns (and no story id)."""
    return summary_from_row((path, *(None,) * (STORED_COLUMN_COUNT - SUMMARY_COLUMN_COUNT - 2), *columns, None))


def summary(path: str, **fields: Any) -> Summary:
    values: dict[str, Any] = dict(
        path=path, title="A title", timestamp=1_600_000_000.0, provider_name="Provider", provider_domain="p.example",
        topics=("AI", "Robots"), type="news", category="Tech", quality=50, heat=3, published=True,
        has_image=False, has_related=True, has_body=False, has_url=True, url="https://p.example/a",
        text_cf=b"excerpt",
    )
    values.update(fields)
    return Summary.build(**values)


# ---------------------------------------------------------------------------------------------------------
# summaries from index rows


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"topics": (), "type": "", "category": "", "provider_name": "", "provider_domain": ""},
        {"topics": ("Straße", "ÉCOLE", "ﬁ"), "provider_name": "İstanbul Times", "title": "ΣΊΣΥΦΟΣ ǅ"},
        {"timestamp": None, "quality": None, "heat": None, "published": False, "url": "", "text_cf": b""},
        {"has_image": True, "has_related": False, "has_body": True, "has_url": False},
    ],
)
def test_a_summary_from_a_row_equals_the_built_one(fields: dict[str, Any]) -> None:
    built = summary("/news/a.md", **fields)
    for _ in range(2):  # made, then taken from the shared values
        made = _summary("/news/a.md", _row(built))
        assert made == built
        assert [type(getattr(made, name)) for name in made.__slots__] == [
            type(getattr(built, name)) for name in built.__slots__
        ]


def test_summaries_from_rows_share_what_recurs() -> None:
    first = _summary("/a.md", _row(summary("/a.md")))
    second = _summary("/b.md", _row(summary("/b.md")))
    assert first.topics is second.topics and first.topics_cf is second.topics_cf
    assert first.provider_cf is second.provider_cf and first.provider_name is second.provider_name


def test_the_shared_values_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "_SHARED_LIMIT", 3)
    for i in range(10):
        built = summary("/a.md", topics=(f"t{i}",), provider_name=f"P{i}", type=f"k{i}")
        assert _summary("/a.md", _row(built)) == built
    assert len(index_module._TOPICS) <= 4 and len(index_module._PROVIDERS) <= 4 and len(index_module._WORDS) <= 4


# ---------------------------------------------------------------------------------------------------------
# reading the index newest first, by the time index or by path


def stored(index: Index, folder: str, count: int, start: int = 0) -> list[str]:
    paths = [f"{folder}/{i:03d}.md" for i in range(start, start + count)]
    entries = [
        Entry(path, (1, 2, 3, 4), summary(path, timestamp=None if i % 7 == 0 else float(1000 + (i * 37) % 50)))
        for i, path in enumerate(paths)
    ]
    entries.append(Entry(f"{folder}/bad.md", (1, 2, 3, 4), Problem(f"{folder}/bad.md", "broken")))
    index.store(entries)
    return paths + [f"{folder}/bad.md"]


@pytest.mark.parametrize("root,plan", [("/big", "INDEXED BY files_by_time"), ("/small", "")])
def test_entries_come_newest_first_whichever_way_they_are_read(root: str, plan: str) -> None:
    index = Index(":memory:")
    expected = {"/big": stored(index, "/big", 60), "/small": stored(index, "/small", 9)}[root]
    statements: list[str] = []
    index._db.set_trace_callback(statements.append)
    got = list(index.entries([root]))
    index._db.set_trace_callback(None)
    assert sorted(path for path, _, _ in got) == sorted(expected)
    stamps = [result.timestamp for _, _, result in got if isinstance(result, Summary)]
    dated = [t for t in stamps if t is not None]
    assert dated == sorted(dated, reverse=True) and stamps[len(dated):] == [None] * (len(stamps) - len(dated))
    read = [s for s in statements if s.startswith("SELECT path")]
    assert len(read) == 1 and (plan in read[0] if plan else "INDEXED BY" not in read[0])
    assert all(isinstance(result, Problem) for path, _, result in got if path.endswith("bad.md"))
    index.close()


# ---------------------------------------------------------------------------------------------------------
# the --list output


URLS = [
    "https://example.com/a/b?c=d#e", "http://example.com", "HTTPS://EXAMPLE.COM/x", "https://ex-ample.co.uk/",
    "https://example.com:8080/a", "https://example.com:99999/a", "https://user@example.com/", "https://[::1]/",
    "https://[::1/", "https://exa]mple.com/", "https://example.com/a b", " https://example.com/", "https://",
    "https:///path", "https://./", "ftp://example.com/", "javascript:alert(1)", "https://exam\x1bple.com/",
    "https://example.com/\x7f", "https://example.com/\u202e", "https://exämple.com/", "https://example.com/ä",
    "https://example.com/\n", "https://example.com/\t", "", " ", "example.com", "https:example.com",
    "https://example.com?x", "https://example.com#frag", "https://example.com/%0a", "https://-/",
    "https://example.com\\@evil.com/", "https://example.com/\u00a0", "https://example.com/\u0085",
]


@pytest.mark.parametrize("url", URLS)
def test_the_plain_url_shortcut_agrees_with_refusal(url: str) -> None:
    assert _openable(url) == (url if url and open_refusal(url) is None else None)  # what `o` opens


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"title": "Tab\there", "provider_name": "Line\nbreak"},
        {"title": "Curly \u201cquotes\u201d", "provider_name": "Caf\u00e9"},
        {"title": "Escape \x1b[31m red", "url": "https://example.com/\x1b"},
        {"title": "Bidi \u202e evil", "timestamp": None, "url": "javascript:alert(1)"},
        {"title": "cr\r\nlf", "path": "/news/a\tb.md"},
    ],
)
def test_a_tsv_line_is_the_safe_text_of_its_fields(fields: dict[str, Any]) -> None:
    made = summary(fields.pop("path", "/news/a.md"), **fields)
    reference = [
        made.published_at.isoformat() if made.published_at else "",
        made.provider_name,
        made.title,
        made.url if made.url and open_refusal(made.url) is None else "",
        made.path,
    ]
    assert tsv_line(made) == "\t".join(safe_text(field) for field in reference)


def test_listing_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert list_records([str(tmp_path)], parse_query(""), "tsv", out, err, use_cache=False) == 0
            assert gc.isenabled() == enabled
        finally:
            gc.enable()
    assert out.getvalue().count("\tA\t") == 2


def test_many_lines_are_all_written_in_order(tmp_path: Path) -> None:
    for i in range(2500):
        (tmp_path / f"{i:04d}.md").write_text(
            f"---\ntitle: T{i}\npublishedDateTime: 2021-01-01T00:00:00Z\n---\n", encoding="utf-8"
        )
    out = io.StringIO()
    list_records([str(tmp_path)], parse_query(""), "tsv", out, io.StringIO(), use_cache=False)
    lines = out.getvalue().split("\n")
    assert lines[-1] == "" and [line.split("\t")[2] for line in lines[:-1]] == [f"T{i}" for i in range(2500)]


# ---------------------------------------------------------------------------------------------------------
# the walk: through folder descriptors


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    for name in ["b.md", "a.MD", "c.txt", "d.json", ".hidden.md", "sub/e.md", "sub/deeper/f.md", ".dot/g.md"]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    os.symlink(root / "missing.md", root / "dangling.md")
    os.symlink(root / "sub", root / "loop")
    os.symlink(root, root / "sub" / "up")
    os.mkdir(root / "folder.md")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.md")
    locked = root / "locked"
    locked.mkdir()
    (locked / "h.md").write_text("x", encoding="utf-8")
    locked.chmod(0)
    yield root
    locked.chmod(0o755)


def walked(paths: list[str], walker: Any = record_files.walk_record_files) -> tuple[list[tuple[str, tuple[int, ...]]], list[Problem]]:
    problems: list[Problem] = []
    return list(walker(paths, problems)), problems


def test_walking_by_descriptor_finds_what_walking_by_path_finds(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_descriptor = walked([str(tree), str(tree / "sub" / "e.md")])
    monkeypatch.setattr(record_files, "_BY_DESCRIPTOR", False)
    assert walked([str(tree), str(tree / "sub" / "e.md")]) == by_descriptor
    found = dict(by_descriptor[0])
    assert found[str(tree / "dangling.md")] == (-1, -1, -1, -1)
    if hasattr(os, "mkfifo"):
        assert found[str(tree / "pipe.md")][0] == -1
    assert str(tree / "sub" / "deeper" / "f.md") in found and str(tree / ".hidden.md") not in found
    if os.geteuid() != 0:  # root reads any folder
        assert [p.path for p in by_descriptor[1]] == [str(tree / "locked")]


def test_walking_from_the_root_folder_makes_no_double_separators(monkeypatch: pytest.MonkeyPatch) -> None:
    batches = record_files.FolderWalk([]).folders(os.sep, with_files=False)
    assert next(batches).prefix == os.sep
    monkeypatch.setattr(record_files, "_entries", lambda scanner, prefix, fd, with_files: ([], [], [prefix + "x"]))
    assert record_files._read_folder(os.sep, os.sep, False) == ([], [], [os.sep + "x"])


def test_a_load_leaves_nothing_frozen_and_the_collector_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            batches = list(loader.stream([str(tmp_path)], Index(":memory:")))
            assert gc.isenabled() == enabled and gc.get_freeze_count() == 0
        finally:
            gc.enable()
        assert sum(len(batch.summaries) for batch in batches) == 1
