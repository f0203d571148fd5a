"""A file rewritten with the same size and modification time (issue 12, point 10): `touch -d` put the old
time back, and the list and the TSV kept the old title and URL while the story pane read the new file, so
`o` could open a URL the row did not show. The index keys a file on its inode and change time too."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from reader import cli
from reader.core.index import Index
from reader.core.index_schema import SCHEMA_VERSION, index_location
from reader.core.library import load_library
from reader.core.query import parse_query
from reader.core.warm_listing import Listing, Stale, warm_listing

OLD = "---\ntitle: Old title\nwebUrl: https://old.example/a\n---\n"
NEW = "---\ntitle: New title\nwebUrl: https://new.example/a\n---\n"
assert len(OLD) == len(NEW)


def same_size_and_time(path: Path, how: str) -> None:
    """Give the file the other content, with the size and mtime it had."""
    before = os.stat(path)
    if how == "rewritten in place":
        path.write_text(NEW, encoding="utf-8")
    else:  # written beside it and renamed over it, as editors and sync tools do
        (path.parent / ".new").write_text(NEW, encoding="utf-8")
        os.replace(path.parent / ".new", path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # what `touch -d` does
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.mark.parametrize("how", ["rewritten in place", "replaced"])
def test_the_list_and_tsv_show_the_new_title_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    root = tmp_path / "news"
    root.mkdir()
    path = root / "a.md"
    path.write_text(OLD, encoding="utf-8")
    assert cli.main(["--list", str(root)]) == 0
    assert "Old title\thttps://old.example/a" in capsys.readouterr().out
    same_size_and_time(path, how)
    assert isinstance(warm_listing([str(root)], parse_query("")), Stale)  # not answered from the stale row
    assert cli.main(["--list", str(root)]) == 0
    assert "New title\thttps://new.example/a" in capsys.readouterr().out
    assert isinstance(warm_listing([str(root)], parse_query("")), Listing)  # and the index has it now
    assert cli.main(["--list", str(root)]) == 0
    assert "New title\thttps://new.example/a" in capsys.readouterr().out


@pytest.mark.parametrize("how", ["rewritten in place", "replaced"])
def test_the_app_s_library_reads_it_again(tmp_path: Path, how: str) -> None:
    root = tmp_path / "news"
    root.mkdir()
    path = root / "a.md"
    path.write_text(OLD, encoding="utf-8")
    location = str(tmp_path / "index.sqlite3")
    first = load_library([str(root)], Index(location))
    assert [(s.title, s.url) for s in first.summaries] == [("Old title", "https://old.example/a")]
    first.index.close()
    same_size_and_time(path, how)
    again = load_library([str(root)], Index(location))  # from the index, then what changed on disk
    assert [(s.title, s.url) for s in again.summaries] == [("New title", "https://new.example/a")]
    again.index.close()


def test_an_index_of_the_version_before_is_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "news"
    root.mkdir()
    (root / "a.md").write_text(OLD, encoding="utf-8")
    assert cli.main(["--list", str(root)]) == 0
    capsys.readouterr()
    with sqlite3.connect(index_location()) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(int(SCHEMA_VERSION) - 1),))
    db.close()
    assert cli.main(["--list", str(root)]) == 0
    out, err = capsys.readouterr()
    assert "Old title" in out and "rebuilt" in err
