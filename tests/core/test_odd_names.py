"""File and folder names that are not UTF-8 (Python holds each byte that is not as a lone surrogate,
which SQLite's text cannot hold): the index stores such paths escaped, so a folder or file so named
is listed, read back from the index and grouped into stories like any other, by every way in (the
list, the plain and the warm way, --explain-story, the app's load and the watcher's)."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader import cli
from reader.control import folders
from reader.core.index import Index
from reader.core.index_schema import PATH_ESCAPE, real_path, stored_path
from reader.core.library import Library, load_library
from reader.core.loader import stream

from tests.fakes import FakeLoads

URL = "https://example.com/same"


def odd_folder(tmp_path: Path) -> str:
    """A folder named `caf<0xE9>` (Latin-1, not UTF-8) under `tmp_path`."""
    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    try:
        os.makedirs(folder)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    return os.fsdecode(folder)


def write(folder: str, name: bytes, title: str, when: str, url: str = URL) -> str:
    path = os.path.join(os.fsencode(folder), name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f'---\ntitle: "{title}"\npublishedDateTime: {when}\nwebUrl: "{url}"\n---\nBody.\n')
    return os.fsdecode(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# Text as file names hold it: lone surrogates, the escape itself, and what sorts around them.
_NAME_CHARS = st.sampled_from(["a", "/", "0", "\udce9", "\udc80", "\ud800", "\udfff", "é", "\ue000",
                               PATH_ESCAPE, "\U00100000", "\U0010fffe", "😀"])
_NAMES = st.lists(_NAME_CHARS, max_size=12).map("".join)


@given(folder=_NAMES, rest=_NAMES)
def test_stored_paths_are_valid_text_read_back_as_they_were_and_keep_a_folder_s_prefix(
    folder: str, rest: str
) -> None:
    path = folder + "/" + rest
    stored = stored_path(path)
    stored.encode("utf-8")  # text SQLite can hold
    assert real_path(stored) == path
    assert stored.startswith(stored_path(folder) + "/")  # a folder's files sort under it in the index
    assert (stored == path) == (path.encode("utf-8", "surrogatepass") == path.encode("utf-8", "replace")
                                and PATH_ESCAPE not in path)


def test_a_folder_not_utf8_is_indexed_grouped_and_read_back_from_the_index(tmp_path: Path) -> None:
    folder = odd_folder(tmp_path)
    odd = write(folder, b"\xe9t\xe9.md", "Odd name", "2024-01-01T00:00:00Z")
    plain = write(folder, b"plain.md", "Plain name", "2024-01-02T00:00:00Z")
    location = str(tmp_path / "index.sqlite3")
    first = load_library([folder], Index(location))
    stories = {s.path: s.story for s in first.summaries}
    assert set(stories) == {odd, plain} and stories[odd] and stories[odd] == stories[plain]  # same URL
    index = Index(location)
    batches = list(stream([folder], index))
    assert batches[0].indexed and set(batches[0].stats) == {odd, plain}  # read back from the index ...
    assert not any(batch.summaries for batch in batches[1:])  # ... and nothing parsed again
    assert {s.path: s.story for s in batches[0].summaries} == stories
    assert set(index.stamps([folder])) == {odd, plain}
    index.remove([odd])  # and forgotten by the name it was stored under
    assert set(index.stamps([folder])) == {plain}


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["index", "no-cache"])
def test_list_takes_a_folder_or_file_whose_name_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: list[str]
) -> None:
    folder = odd_folder(tmp_path)
    odd = write(folder, b"a\xe9.md", "Big launch", "2024-01-01T00:00:00Z")
    plain = write(folder, b"b.md", "Big launch", "2024-01-02T00:00:00Z")
    for _ in range(2):  # cold, then warm
        for given_paths in ([folder], [odd]):
            code, out, err = run(capsys, "--list", *cache, "--format", "json", *given_paths)
            assert (code, err) == (0, "")
            lines = [json.loads(line) for line in out.splitlines()]
            paths = [os.fsdecode(base64.b64decode(line["pathBytes"])) if "pathBytes" in line else line["path"]
                     for line in lines]
            assert paths == ([plain, odd] if given_paths == [folder] else [odd])
            assert all(line["story"] for line in lines)
            if given_paths == [folder]:
                assert lines[0]["story"] == lines[1]["story"] and lines[0]["sources"] == 2


def test_list_stories_groups_a_record_whose_name_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    odd = write(str(folder), b"a\xe9.md", "Big launch", "2024-01-01T00:00:00Z")
    write(str(folder), b"b.md", "Big launch", "2024-01-02T00:00:00Z")
    for cache in ([], [], ["--no-cache"]):
        code, out, _ = run(capsys, "--list", "--stories", *cache, str(folder))
        assert code == 0
        (line,) = out.splitlines()  # one story of both
        fields = line.split("\t")
        assert fields[2] == "2" and fields[5] and fields[6] == odd.replace("\udce9", "\ufffd")
        code, out, _ = run(capsys, "--list", "--stories", *cache, "--format", "json", str(folder))
        (story,) = map(json.loads, out.splitlines())
        assert story["story"] == fields[5] and len(story["paths"]) == 2


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["index", "no-cache"])
def test_explain_story_of_a_file_whose_name_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: list[str]
) -> None:
    folder = odd_folder(tmp_path)
    odd = write(folder, b"a\xe9.md", "Big launch", "2024-01-01T00:00:00Z")
    plain = write(folder, b"b.md", "Big launch", "2024-01-02T00:00:00Z")
    for _ in range(2):
        code, out, err = run(capsys, "--explain-story", odd, *cache, "--format", "json")
        assert (code, err) == (0, "")
        lines = [json.loads(line) for line in out.splitlines()]
        assert [line["this"] for line in lines] == [True, False]
        assert [base64.b64decode(line["pathBytes"]) for line in lines] == list(map(os.fsencode, [odd, plain]))
        assert lines[1]["how"] == "url" and lines[1]["peer"] == lines[0]["path"]  # the peer read back too


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_the_watcher_loads_and_groups_a_new_file_in_a_folder_not_utf8(tmp_path: Path) -> None:
    folder = odd_folder(tmp_path)
    first = write(folder, b"first.md", "Big launch", "2024-01-01T00:00:00Z")
    loads = FakeLoads([folder], Library(Index(str(tmp_path / "index.sqlite3"))))
    try:
        loads.sync.start()
        loads.run_load()
        assert loads.sync.watch is not None
        odd = write(folder, b"n\xe9w.md", "Big launch", "2024-01-02T00:00:00Z")
        runs = len(loads.runs)
        loads.clock.advance(folders.NOTICE_INTERVAL)
        assert len(loads.runs) == runs + 1
        loads.run_load()
        stories = {s.path: s.story for s in loads.library.summaries}
        assert set(stories) == {first, odd} and stories[odd] and stories[odd] == stories[first]
    finally:
        loads.sync.close()


def test_a_name_holding_the_escape_itself_is_stored_escaped_and_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    path = write(str(folder), "x\U0010ffff\U00100000.md".encode(), "Literal escape", "2024-01-01T00:00:00Z")
    location = tmp_path / "index.sqlite3"
    load_library([str(folder)], Index(str(location)))
    with sqlite3.connect(location) as db:
        assert db.execute("SELECT path FROM files").fetchall() == [(stored_path(path),)]
    assert {s.path for s in load_library([str(folder)], Index(str(location))).summaries} == {path}
