"""`reader --list` from a warm index (reader.core.warm_listing) gives what listing the plain way gives: the
same walk, the same matches in the same order, and the plain way whenever the index is not up to date."""

from __future__ import annotations

import dataclasses
import gc

import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import cli
from reader.core import grouping, index_schema, library, record_files, warm_listing
from reader.core.frontmatter import read_record
from reader.core.identity import story_id
from reader.core.index import Index
from reader.core.index_rows import Entry
from reader.core.query import parse_query
from reader.core.record import Problem, Summary
from reader.core.sorting import sort_summaries
from reader.core.state import StateStore, state_location
from reader.core.warm_listing import Listing, Stale


def write_record(folder: Path, name: str, **fields: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n", encoding="utf-8")
    return path


def bump_mtime(path: Path, seconds: int = 5) -> None:
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + seconds * 1_000_000_000))


def listed(paths: list[Path], query: str = "", fmt: str = "tsv", *, plain: bool = False,
           monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[str, str]:
    """(stdout, stderr) of `reader --list`, from the warm index when it can, or the plain way."""
    out, err = io.StringIO(), io.StringIO()
    store = StateStore(state_location())
    try:
        if plain:
            assert monkeypatch is not None
            with monkeypatch.context() as patch:
                patch.setattr(warm_listing, "warm_listing", lambda *args, **kwargs: Stale("the plain way"))
                assert cli.list_records([str(p) for p in paths], parse_query(query, state=store), fmt, out, err) == 0
        else:
            assert cli.list_records([str(p) for p in paths], parse_query(query, state=store), fmt, out, err) == 0
    finally:
        store.close()
    return out.getvalue(), err.getvalue()


@pytest.fixture
def news(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    topics = [["AI"], ["Robots", "AI"], ["Straße"], [], ["Computer Vision"]]
    for i in range(40):
        write_record(
            root / f"sub{i % 3}", f"{i:02d}.md",
            title=["Robot arms", "Über robots", "\u212aelvin scale", "Plain title", "Caf\u00e9 ﬁnance"][i % 5] + f" {i}",
            excerpt=f"An excerpt about {'robots' if i % 4 == 0 else 'cities'}.",
            publishedDateTime=f"2021-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z" if i % 9 else None,
            originalUrl=f"https://example.com/{i}" if i % 6 else "javascript:alert(1)",
            type=["article", "video", "VIDEO"][i % 3], quality=i * 3 if i % 7 else None, heat=i - 20,
            published=i % 5 != 0, provider={"name": ["Wired", "Straße Zeitung", ""][i % 3], "domain": "x.example"},
            topics=topics[i % 5], category="news",
        )
    (root / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (root / "notes.txt").write_text("no front matter at all", encoding="utf-8")
    return root


QUERIES = [
    "", "robot", "-robot", "quality:>30 robot", "topic:ai", "-topic:ai", "topic:straße", "topic:STRASSE",
    "title:kelvin", "type:video", "-type:video", "provider:straße", "provider:zeitung -has:image",
    "is:unread", "is:read", "-is:starred quality:<=60", "is:unpublished", "on:2021-01-05",
    "after:2021-01-10 before:2021-01-20", "-after:2021-01-10", "since:100000d heat:<0", "ﬁ", "café", "\u212a",
]


def mark_some_read() -> None:
    store = StateStore(state_location())
    store.set_read([f"https://example.com/{i}" for i in range(0, 40, 3)])
    store.set_starred("https://example.com/5", True)
    store.close()


def test_a_warm_listing_prints_what_the_plain_way_prints(news: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mark_some_read()
    listed([news])  # builds the index
    for query in QUERIES:
        for fmt in ("tsv", "json"):
            plain = listed([news], query, fmt, plain=True, monkeypatch=monkeypatch)
            assert isinstance(warm_listing.warm_listing([str(news)], parse_query(query)), Listing)
            assert listed([news], query, fmt) == plain, (query, fmt)
    out, err = listed([news], "robot")
    assert out.count("\n") > 3 and "broken.md" in err and "notes.txt" in err


def test_several_roots_and_a_file_among_them(news: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    write_record(other, "o.md", title="Other robot")
    roots = [news / "sub1", other, news / "sub1" / "04.md", tmp_path / "missing"]
    listed(roots)
    plain = listed(roots, "robot", plain=True, monkeypatch=monkeypatch)
    assert isinstance(warm_listing.warm_listing([str(p) for p in roots], parse_query("robot")), Listing)
    assert listed(roots, "robot") == plain
    assert "missing: no such file or folder" in plain[1] and "Other robot" in plain[0]


@pytest.mark.parametrize("change", ["touch", "add", "remove", "rename", "replace with a folder", "unreadable"])
def test_a_change_on_disk_is_noticed(news: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    listed([news])
    query = parse_query("")
    assert isinstance(warm_listing.warm_listing([str(news)], query), Listing)
    target = news / "sub0" / "03.md"
    if change == "touch":
        target.write_text(target.read_text(encoding="utf-8").replace("Plain title", "Changed title"), encoding="utf-8")
        bump_mtime(target)
    elif change == "add":
        write_record(news / "sub2" / "deeper", "new.md", title="A new robot")
    elif change == "remove":
        target.unlink()
    elif change == "rename":
        target.rename(news / "sub0" / "3.md")  # same size and mtime, another path
    elif change == "replace with a folder":
        target.unlink()
        target.mkdir()
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads any folder")
        (news / "sub1").chmod(0)
    try:
        assert isinstance(warm_listing.warm_listing([str(news)], query), Stale)
        plain = listed([news], "", plain=True, monkeypatch=monkeypatch)  # stores the change
        assert isinstance(warm_listing.warm_listing([str(news)], query), Listing)
        assert listed([news]) == plain
    finally:
        (news / "sub1").chmod(0o755)
    if change in ("touch", "add"):
        assert ("Changed title" if change == "touch" else "A new robot") in plain[0]


def test_no_index_another_version_or_a_broken_one_lists_the_plain_way(news: Path) -> None:
    query = parse_query("robot")
    assert warm_listing.warm_listing([str(news)], query).why == "no index yet"  # type: ignore[union-attr]
    first = listed([news], "robot")
    location = library.index_location()
    with sqlite3.connect(location) as db:
        db.execute("UPDATE meta SET value = 'other' WHERE key = 'schema'")
    db.close()
    assert isinstance(warm_listing.warm_listing([str(news)], query), Stale)
    out, err = listed([news], "robot")
    assert out == first[0] and "rebuilt" in err
    for suffix in ("-wal", "-shm"):
        if os.path.exists(location + suffix):
            os.remove(location + suffix)
    Path(location).write_bytes(b"not a database" * 100)
    assert isinstance(warm_listing.warm_listing([str(news)], query), Stale)
    out, err = listed([news], "robot")
    assert out == first[0] and "rebuilt" in err


@pytest.mark.parametrize(
    "damage",
    [
        "title = x'00ff'", "timestamp = 'yesterday'", "timestamp = 1e300", "url = x'3432'", "topics = x'01'",
        "quality = 'high'", "flags = NULL", "text_cf = 'text'", "provider_name = NULL", "problem = x'37'",
    ],
)
def test_a_damaged_row_is_read_again_not_a_crash(news: Path, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, _ = listed([news], "")
    location = library.index_location()
    target = str(news / "sub1" / "01.md") if "problem" not in damage else str(news / "broken.md")
    with sqlite3.connect(location) as db:
        db.execute(f"UPDATE files SET {damage} WHERE path = ?", (target,))
    db.close()
    for query in ("", "robot", "quality:>0", "topic:ai", "-has:image"):
        listed([news], query)  # never raises
    warm = listed([news], "")
    assert warm[0] == expected and warm == listed([news], "", plain=True, monkeypatch=monkeypatch)


def test_a_file_that_vanishes_after_the_walk_is_reported(news: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed([news])
    real_walk = warm_listing.files_as_stored
    gone = news / "sub2" / "02.md"

    def walk_then_remove(paths: list[str]) -> Any:
        found = real_walk(paths)
        gone.unlink()
        return found

    monkeypatch.setattr(warm_listing, "files_as_stored", walk_then_remove)
    out, err = listed([news], "", "json")
    assert f"{gone}: " in err and str(gone) not in out and len(out.splitlines()) == 40 - 1


def test_problems_are_reported_in_the_plain_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "news"
    for i in range(12):
        (root / f"{i:02d}.md").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{i:02d}.md").write_text("---\ntitle: [\n---\n" if i % 2 else f"---\ntitle: T{i}\n---\n")
    listed([root])
    for subset in ([root], [root / "03.md", root / "01.md", root]):
        plain = listed(subset, plain=True, monkeypatch=monkeypatch)
        assert listed(subset) == plain and plain[1].count("\n") == 6


# ---------------------------------------------------------------------------------------------------------
# the walk


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    for name in ["b.md", "a.MD", "c.txt", "d.json", "e.yaml", "f.YML", ".hidden.md", "sub/e.md", "sub/deeper/f.md",
                 ".dot/g.md", "z/y/x.md"]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    os.symlink(root / "missing.md", root / "dangling.md")
    os.symlink(root / "sub", root / "a-link")  # the same folder as sub: its files are found under one of them
    os.symlink(root / "z", root / "loop")
    os.symlink(root, root / "sub" / "up")
    os.symlink(root / "b.md", root / "sub" / "b-link.md")
    os.mkdir(root / "folder.md")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.md")
    locked = root / "locked"
    locked.mkdir()
    (locked / "h.md").write_text("x", encoding="utf-8")
    locked.chmod(0)
    yield root
    locked.chmod(0o755)


def stored_walk(paths: list[Path]) -> tuple[dict[str, tuple[int, ...]], list[Problem]]:
    """What the warm listing compares with the index, back as {path: stamp}."""
    files, problems = warm_listing.files_as_stored(map(str, paths))
    found = {}
    for file in files:
        path, *stamp = file.split("\0")
        found[path] = tuple(map(int, stamp))
    return found, problems


@pytest.mark.parametrize("by_descriptor", [True, False])
def test_the_warm_listing_sees_the_files_the_loader_sees(
    tree: Path, monkeypatch: pytest.MonkeyPatch, by_descriptor: bool
) -> None:
    cases = (
        [tree], [tree / "sub", tree], [tree / "b.md", tree, tree / "b.md"], [tree / "a-link" / "e.md", tree / "sub"],
        [tree / "nothing", tree / "locked", tree / "dangling.md"], [tree / "sub" / "up" / "z"],
    )
    monkeypatch.setattr(record_files, "_BY_DESCRIPTOR", False)
    by_path = [record_files.scan_record_files(list(map(str, paths))) for paths in cases]
    monkeypatch.setattr(record_files, "_BY_DESCRIPTOR", by_descriptor and record_files.os.stat in os.supports_dir_fd)
    for paths, expected in zip(cases, by_path):
        assert stored_walk(paths) == expected == record_files.scan_record_files(list(map(str, paths))), paths
    found, _ = stored_walk([tree])
    assert (str(tree / "a-link" / "e.md") in found) != (str(tree / "sub" / "e.md") in found)  # one folder, read once
    assert found[str(tree / "dangling.md")] == (-1, -1, -1, -1) and str(tree / ".hidden.md") not in found


def test_the_index_lives_in_the_user_cache_folder(isolated_home: Path) -> None:
    assert library.index_location() == str(isolated_home / "xdg_cache_home" / "reader" / "index.sqlite3")


# ---------------------------------------------------------------------------------------------------------
# the query in SQL: never narrower than the query itself


ALPHABET = "abkKsSiIeEoy 01-'\u00e9\u00c9\u00df\u017f\u212a\u0130\u0131\ufb01\u2019\u201c\u03a3\u03c3\u03c2"
words = st.text(ALPHABET, min_size=1, max_size=5)
texts = st.text(ALPHABET, max_size=12)
TOPICS = ["AI", "ai", "Robots", "Straße", "STRASSE", "ﬁnance", "\u212aelvin", "kelvin", "Σοφία", "computer vision"]
KINDS = ["", "video", "VIDEO", "Vidéo", "\u017ftory", "story", "article"]


@st.composite
def summaries(draw: st.DrawFn, path: str) -> Summary:
    return Summary.build(
        path=path, title=draw(texts), timestamp=draw(st.none() | st.floats(1.5e9, 1.7e9)),
        provider_name=draw(texts), provider_domain=draw(st.sampled_from(["", "x.example", "Ünï.example"])),
        topics=tuple(draw(st.lists(st.sampled_from(TOPICS) | words, max_size=3, unique=True))),
        type=draw(st.sampled_from(KINDS)), category=draw(st.sampled_from(KINDS)),
        quality=draw(st.none() | st.integers(-5, 120)), heat=draw(st.none() | st.integers(-5, 120)),
        published=draw(st.booleans()), has_image=draw(st.booleans()), has_related=draw(st.booleans()),
        has_body=draw(st.booleans()), has_url=draw(st.booleans()),
        url=draw(st.sampled_from(["", "https://a.example/x", f"https://a.example/{path[-6:]}", "javascript:x"])),
        text_cf=draw(texts).casefold().encode("utf-8"),
    )


@st.composite
def terms(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["word", "title", "topic", "provider", "type", "category", "number", "is", "has",
                                 "date", "state"]))
    if kind == "word":
        term = f'"{draw(words)}"'
    elif kind in ("title", "provider"):
        term = f'{kind}:"{draw(words)}"'
    elif kind == "topic":
        term = f'topic:"{draw(st.sampled_from(TOPICS) | words)}"'
    elif kind in ("type", "category"):
        term = f'{kind}:"{draw(st.sampled_from(KINDS[1:]) | words)}"'
    elif kind == "number":
        term = (f"{draw(st.sampled_from(['quality', 'heat']))}:{draw(st.sampled_from(['', '>', '>=', '<', '<=', '=']))}"
                f"{draw(st.integers(-6, 121))}")
    elif kind == "is":
        term = f"is:{draw(st.sampled_from(['published', 'unpublished']))}"
    elif kind == "has":
        term = f"has:{draw(st.sampled_from(['image', 'related', 'body', 'url']))}"
    elif kind == "date":
        term = draw(st.sampled_from(["after:2018-01-01", "before:2020-06-01", "on:2020-03-15", "since:3000d",
                                     "after:2023-12-31T10:00:00Z"]))
    else:
        term = f"is:{draw(st.sampled_from(['read', 'unread', 'starred']))}"
    return ("-" if draw(st.booleans()) else "") + term


class FakeState:
    def __init__(self, read: set[str], starred: set[str]) -> None:
        self.read = dict.fromkeys(read, 1.0)
        self.starred = starred


@pytest.fixture(scope="module")
def files() -> Iterator[list[str]]:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i in range(10):
            path = os.path.join(folder, "records", f"{i}.md")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as file:
                file.write("x" * i)
            paths.append(path)
        yield paths


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), query_terms=st.lists(terms(), max_size=3))
def test_the_sql_narrowing_never_loses_a_match(files: list[str], data: st.DataObject, query_terms: list[str]) -> None:
    made = [data.draw(summaries(path)) for path in files]
    ids = [story_id(s.url, s.path) for s in made]
    state = FakeState(set(data.draw(st.lists(st.sampled_from(ids), max_size=5))), set(ids[::4]))
    query = parse_query(" ".join(query_terms), state=state)
    with tempfile.TemporaryDirectory() as folder:
        location = os.path.join(folder, "index.sqlite3")
        index = Index(location)
        index.store([Entry(s.path, record_files.examine(s.path), s) for s in made])
        index.run(grouping.regroup)
        loaded = [result for _, _, result in index.entries([os.path.dirname(files[0])])]
        index.close()
        assert all(s.story for s in loaded)  # type: ignore[union-attr]
        assert sorted((dataclasses.replace(s, story="") for s in loaded), key=lambda s: s.path) == made  # type: ignore[type-var]
        answer = warm_listing.warm_listing([os.path.dirname(files[0])], query, location)
        assert isinstance(answer, Listing)
        lines = [line[:6] for line in answer.lines]
    expected = [
        (s.path, s.timestamp, s.provider_name, s.title, s.url, s.story)
        for s in sort_summaries([s for s in loaded if query.matches(s)], "newest")  # type: ignore[misc]
    ]
    assert lines == expected and answer.problems == []


def test_a_summary_from_a_row_is_the_record_s_own(news: Path) -> None:
    listed([news])
    with sqlite3.connect(library.index_location()) as db:
        rows = db.execute(f"SELECT {index_schema.STORED_COLUMNS} FROM files WHERE problem IS NULL").fetchall()
    db.close()
    by_row = {row[0]: index_schema.summary_from_row(row) for row in rows}
    assert all(summary.story for summary in by_row.values())  # grouped, each in some story
    assert by_row == {
        path: dataclasses.replace(Summary.of(read_record(path)), story=by_row[path].story)  # type: ignore[arg-type]
        for path in by_row
    } and len(by_row) == 40


# ---------------------------------------------------------------------------------------------------------
# what a listing imports


def test_a_warm_listing_imports_neither_the_parser_nor_textual(news: Path) -> None:
    code = (
        "import json, sys\n"
        "from reader import cli\n"
        f"cli.main(['--list', '--filter', 'robot', {str(news)!r}])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'textual', 'rich', 'dateutil')"
        " or m in ('reader.core.loader', 'reader.core.frontmatter', 'reader.core.library', 'multiprocessing'))),"
        " file=sys.stderr)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert "reader.core.loader" in first.stderr  # the first listing builds the index
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    modules = json.loads(warm.stderr.splitlines()[-1])
    assert warm.stdout == first.stdout and warm.stdout.count("\n") > 3
    assert not [m for m in modules if not m.startswith("dateutil")], modules  # dateutil: the query's dates


def test_a_listing_opens_the_reading_state_only_when_its_filter_asks(news: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--list", "--filter", "robot", str(news)]) == 0
    assert cli.main(["--list", str(news)]) == 0
    assert not os.path.exists(state_location())
    everything = capsys.readouterr().out.split("\n")[-41:]
    assert cli.main(["--list", "--filter", "is:unread", str(news)]) == 0  # nothing read yet
    assert os.path.exists(state_location()) and capsys.readouterr().out.split("\n") == everything


def test_a_row_the_index_would_not_write_lists_the_plain_way(news: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, _ = listed([news], "")
    with sqlite3.connect(library.index_location()) as db:  # a path with NULs: its files string splits apart
        db.execute("INSERT INTO files (path, size, mtime_ns, inode, ctime_ns, problem) VALUES (?, 1, 1, 1, 1, 'x')", (f"{news}/a\0\0b.md",))
    db.close()
    answer = warm_listing.warm_listing([str(news)], parse_query(""))
    assert answer == Stale("the index holds rows it does not write")
    assert listed([news], "")[0] == expected


def test_a_listing_lets_the_index_go_once_its_lines_are_taken_or_it_is_closed(news: Path) -> None:
    """Its connection ends when the last line is taken, when it is closed, or when its `with` ends (no
    line comes after). SQLite removes the log beside the index when the last connection to it ends."""
    listed([news])
    gc.collect()  # the index the plain way built: its connection sits in a cycle
    log = library.index_location() + "-wal"
    assert not os.path.exists(log)

    def listing() -> Listing:
        answer = warm_listing.warm_listing([str(news)], parse_query(""))
        assert isinstance(answer, Listing) and os.path.exists(log)  # its connection reads the index
        return answer

    assert len(list(listing().lines)) == 40 and not os.path.exists(log)
    answer = listing()
    next(answer.lines)
    answer.close()
    assert not os.path.exists(log)
    with listing() as taken:
        assert isinstance(taken, Listing)
        next(taken.lines)
    assert list(taken.lines) == [] and not os.path.exists(log)
    with listing():  # no line taken
        pass
    assert not os.path.exists(log)
