"""The shortcuts taken when building the index must give exactly what the plain paths give."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core import (
    fastyaml,
    fields,
    frontmatter,
    index_rows,
    index_schema,
    loader,
    parsing,
    record_files,
    story_links,
    urls,
)
from reader.core import index as index_module
from reader.core.fields import INDEX_FIELDS, record_from_mapping
from reader.core.frontmatter import read_record
from reader.core.index import Index
from reader.core.index_rows import Entry
from reader.core.index_schema import LinkRole
from reader.core.record import Problem, Summary
from reader.synth import write_corpus

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Pieces of files that matter to splitting, decoding and checking front matter: delimiters, line
# ends, byte order marks, NUL, bytes that are not UTF-8, C1 controls and other refused characters.
PIECES = [
    b"---", b"...", b"\n", b"\r\n", b"\r", b" ", b"\t", b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3", b"\xc2\x85",
    b"\xc2\x9b", b"\xc2\xa0", b"\xef\xbf\xbe", b"\xef\xbf\xbd", b"\x1b", b"\x7f", "é…".encode(),
    b"title: x\n", b"title: \"a\\u0085b\"\n", b"topics:\n  - A\n", b"related:\n  - title: r\n    webUrl: w\n",
    b"\n---\n", b"\n...\n", b"---\n", b"a",
]


def plain_load(path: str) -> object:
    """What the file gives through the decoded text, as before the shortcut."""
    text = frontmatter._read_text(path)
    if isinstance(text, frontmatter.Problem):
        return text
    return frontmatter._load_front_matter(path, text, INDEX_FIELDS)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from([".md", ".yaml"]))
def test_a_file_split_as_bytes_loads_as_its_text_does(tmp_path: Path, pieces: list[bytes], suffix: str) -> None:
    path = tmp_path / f"record{suffix}"
    path.write_bytes(b"".join(pieces))
    assert frontmatter._load_file_front_matter(str(path), INDEX_FIELDS) == plain_load(str(path))


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbf---\ntitle: bom\n---\nbody\n", b"---\ntitle: a\n---\nbody \xff\n", b"---\ntitle: \xff\n---\n",
        b"---\ntitle: a\n---\nb\x00dy\n", b"---\r\ntitle: crlf\r\n---\r\nbody\r\n", b"---\ntitle: a\n...\nbody\n",
        b"---\ntitle: a \xc2\x85 b\n---\n", b"---\ntitle: a \xc2\x9b b\n---\n", b"---\ntitle: \xef\xbf\xbf\n---\n",
        b"---\ntitle: a\n---x\n---\n", b"---\ntitle: a\n....\n...\nrest\n", b"  ---  \ntitle: s\n---  \nb\n---\nc\n",
        b"---\ntitle: cr\rlone\n---\n", b"---\n\ttitle: tab\n---\n", b"---\ntitle: a\n---", b"---\n---\n",
        b"\xef\xbb\xbf\xef\xbb\xbf---\ntitle: two marks\n---\n", b"---\ntitle: \"\\ud800\"\n---\n",
    ],
)
def test_odd_files_split_as_bytes_load_as_their_text_does(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "odd.md"
    path.write_bytes(content)
    assert frontmatter._load_file_front_matter(str(path), INDEX_FIELDS) == plain_load(str(path))


def test_the_split_as_bytes_is_the_split_of_the_text() -> None:
    for pieces in itertools.product([b"---", b"...", b"\n", b"\r\n", b" ", b"x", "…".encode()], repeat=5):
        data = b"---\n" + b"".join(pieces)
        split = frontmatter._split_front_matter_bytes(data, 0)
        expected = frontmatter._split_front_matter(data.decode())
        if split is None:
            assert expected is None, data
        else:
            front_start, front_end, body_start = split
            assert expected == (data[front_start:front_end].decode(), data[body_start:].decode()), data


def test_the_corpus_seeds_and_hostile_files_load_alike(tmp_path: Path) -> None:
    from tests.hostile import write_hostile_folder

    write_hostile_folder(tmp_path / "hostile")
    paths = [*write_corpus(tmp_path / "corpus", 60, seed=5), *SEEDS.iterdir(), *(tmp_path / "hostile").iterdir()]
    for path in paths:
        assert frontmatter._load_file_front_matter(str(path), INDEX_FIELDS) == plain_load(str(path)), path


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", ":", " ", "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\x9b", "\xa0",
                                         "\xbf", "é", "…", "\ufffe", "\uffff", "\ufffd", "\U0001f389"]), max_size=30))
def test_the_check_on_bytes_is_the_check_on_text(text: str) -> None:
    assert fastyaml._loadable_encoded(text, text.encode("utf-8")) == fastyaml._loadable(text)


def test_the_check_on_bytes_agrees_for_every_character() -> None:
    for code in itertools.chain(range(0x3000), range(0xE000, 0x10000), (0x10000, 0x10FFFF, 0xE0001)):
        char = chr(code)
        for text in (f"a: {char}\n", f"a: x{char}\u00a0\n", f"a: \u00a9 {char}\r\n", f"a:\n\t{char}\n"):
            assert fastyaml._loadable_encoded(text, text.encode("utf-8")) == fastyaml._loadable(text), hex(code)


def test_many_no_break_spaces_leave_the_check_to_the_text() -> None:
    text = "a: " + "\u00a0" * 150 + "\x9b\n"
    assert fastyaml._loadable_encoded(text, text.encode("utf-8")) is False
    text = "a: " + "\u00a0" * 150 + "\n"
    assert fastyaml._loadable_encoded(text, text.encode("utf-8")) is True


# ---------------------------------------------------------------------------------------------------------
# rows made in the workers, stored without an object per link


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_mapping = st.fixed_dictionaries(
    {},
    optional={
        "title": _text | st.integers(),
        "excerpt": _text,
        "publishedDateTime": st.datetimes(
            min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)
        ) | _text,
        "webUrl": _text | st.just("https://example.com/a"),
        "ampWebUrl": _text,
        "cdnAmpWebUrl": _text,
        "featuredContent": _text | st.just('<iframe src="https://v.example/1">'),
        "type": _text,
        "category": _text,
        "quality": st.integers(-(10**13), 10**13) | st.none() | _text,
        "heat": st.integers(-(10**13), 10**13) | st.floats(allow_nan=True),
        "published": st.booleans() | _text | st.none(),
        "provider": st.fixed_dictionaries({"name": _text, "domain": _text}) | _text,
        "topics": st.lists(_text, max_size=5) | _text,
        "images": st.lists(st.just({"url": "https://i.example/x.png"}), max_size=2),
    },
)


@settings(max_examples=300, deadline=None)
@given(data=_mapping, body=_text | st.just("  \n "), has_related=st.booleans())
def test_record_columns_are_the_summary_s_row(data: dict[str, Any], body: str, has_related: bool) -> None:
    record = record_from_mapping("/news/a.md", data, body)
    summary = Summary.of(record)
    summary.has_related = has_related
    columns = index_rows.record_columns(record, has_related)
    assert columns == index_rows.summary_columns(summary)
    assert [type(value) for value in columns] == [type(value) for value in index_rows.summary_columns(summary)]


def dump(index: Index) -> list[list[tuple[Any, ...]]]:
    db = index._db
    return [
        db.execute("SELECT * FROM files ORDER BY id").fetchall(),
        db.execute("SELECT * FROM file_keys ORDER BY file_id").fetchall(),
        db.execute("SELECT * FROM links ORDER BY key, role, file_id").fetchall(),
    ]


def reference_store(entries: list[Entry]) -> list[list[tuple[Any, ...]]]:
    """The tables `Index.store` filled before rows: each link a tuple, sorted and inserted from Python."""
    index = Index(":memory:")
    db = index._db
    links, file_keys, files = [], [], []
    for file_id, entry in enumerate(entries, 1):
        if isinstance(entry.result, Problem):
            values: tuple[Any, ...] = (entry.result.reason, None) + (None,) * 13
        else:
            values = (None, entry.note) + index_rows.summary_columns(entry.result)
        files.append((file_id, entry.path, *entry.stamp, *values))
        if entry.own_keys or entry.mention_keys:
            links += [(key, int(LinkRole.OWN), file_id) for key in entry.own_keys]
            links += [(key, int(LinkRole.MENTION), file_id) for key in entry.mention_keys]
            file_keys.append((file_id, index_rows.packed_keys(dict.fromkeys((*entry.own_keys, *entry.mention_keys)))))
    columns = f"id, path, {index_schema.STAMP_COLUMNS}, problem, note, {index_schema.SUMMARY_COLUMNS}"
    db.executemany(f"INSERT INTO files ({columns}) VALUES ({','.join('?' * (columns.count(',') + 1))})", files)
    db.executemany("INSERT INTO file_keys VALUES (?, ?)", file_keys)
    db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?, ?)", sorted(links))
    tables = dump(index)
    index.close()
    return tables


def some_entries(tmp_path: Path) -> list[Entry]:
    from tests.hostile import write_hostile_folder

    write_hostile_folder(tmp_path / "hostile")
    write_corpus(tmp_path / "corpus", 40, seed=9)
    files = list(record_files.walk_record_files([str(tmp_path)], []))
    entries = [parsing.parse_entry(item) for item in files]
    # keys at the edges of 64 bits, repeated keys, a key both own and mentioned
    summary = next(e.result for e in entries if isinstance(e.result, Summary))
    edge, none = dataclasses.replace(summary, path="/x/edge.md"), dataclasses.replace(summary, path="/x/none.md")
    entries.append(Entry(edge.path, (1, 2, 3, 4), edge, (-(2**63), 2**63 - 1, 0, 0), (2**63 - 1, -1, -1)))
    entries.append(Entry(none.path, (1, 2, 3, 4), none))
    return entries


@pytest.mark.parametrize("json_each", [True, False])
def test_stored_rows_fill_the_tables_as_entries_did(tmp_path: Path, json_each: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = some_entries(tmp_path)
    assert sum(len(e.mention_keys) for e in entries) > 100
    monkeypatch.setattr(index_module, "_HAS_JSON_EACH", json_each)
    index = Index(":memory:")
    index.store_rows([index_rows.entry_row(e) for e in entries[:30]], bulk=True)
    index.store_rows([index_rows.entry_row(e) for e in entries[30:]])
    assert dump(index) == reference_store(entries)
    assert index._db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL again after a bulk store
    if json_each:
        assert index._db.execute("SELECT count(*) FROM temp.staged_links").fetchone() == (0,)
    index.close()


def links_by_path(index: Index) -> list[tuple[int, int, str]]:
    return sorted(index._db.execute("SELECT l.key, l.role, f.path FROM links l JOIN files f ON f.id = l.file_id"))


def test_a_bulk_build_links_its_files_at_its_end(tmp_path: Path) -> None:
    entries = some_entries(tmp_path)
    index = Index(":memory:")
    index.store_rows([index_rows.entry_row(e) for e in entries[:30]], bulk=True)
    index.store_rows([index_rows.entry_row(e) for e in entries[30:]], bulk=True)
    assert index._db.execute("SELECT count(*) FROM links").fetchone() == (0,)  # waiting, not in the tree
    index.link_pending()
    assert dump(index) == reference_store(entries)
    assert not index._db.execute("SELECT name FROM sqlite_master WHERE name = 'pending_links'").fetchall()
    index.close()


def test_a_file_stored_again_in_a_bulk_build_keeps_only_its_new_links(tmp_path: Path) -> None:
    entries = some_entries(tmp_path)
    one = next(e for e in entries if isinstance(e.result, Summary))
    others = [e for e in entries if e is not one]
    first = Entry(one.path, one.stamp, one.result, own_keys=(1, 2), mention_keys=(3,))
    again = Entry(one.path, (9, 9, 9, 9), one.result, own_keys=(4,), mention_keys=())
    index = Index(":memory:")
    index.store_rows([index_rows.entry_row(e) for e in [first, *others]], bulk=True)
    index.store_rows([index_rows.entry_row(again)], bulk=True)
    index.link_pending()
    plain = Index(":memory:")
    plain.store_rows([index_rows.entry_row(e) for e in [*others, again]])
    assert links_by_path(index) == links_by_path(plain)
    assert (4, int(LinkRole.OWN), again.path) in links_by_path(index)
    assert index._db.execute("SELECT count(*) FROM links WHERE file_id NOT IN (SELECT id FROM files)").fetchone() == (0,)
    index.close()
    plain.close()


def test_a_bulk_build_stopped_before_its_end_is_linked_at_the_next_start(tmp_path: Path) -> None:
    entries = some_entries(tmp_path)
    location = str(tmp_path / "index.sqlite3")
    index = Index(location)
    index.store_rows([index_rows.entry_row(e) for e in entries], bulk=True)
    index.close()  # stopped: link_pending never ran
    again = Index(location)
    assert dump(again) == reference_store(entries)
    assert again.notice == ""
    again.close()


@pytest.mark.skipif(sqlite3.sqlite_version_info < (3, 38), reason="json_each is built in since SQLite 3.38")
def test_this_sqlite_s_json_each_is_found_exact_for_64_bit_keys() -> None:
    """The probe finds json_each, and exact at both ends of 64 bits, in a SQLite that has it built in:
    the links are then unpacked and sorted by SQLite itself, not in Python."""
    assert index_module._json_each_works() is True and index_module._HAS_JSON_EACH is True


def test_a_json_each_that_fails_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQLite whose json_each raises (absent, or refusing the keys as given) makes the probe say
    False (the links are then unpacked in Python), not an error at import."""
    monkeypatch.setattr(index_module, "keys_json", lambda keys: "[not json")
    assert index_module._json_each_works() is False


def test_a_row_gives_back_its_entry(tmp_path: Path) -> None:
    for entry in some_entries(tmp_path):
        assert index_rows.row_entry(index_rows.entry_row(entry)) == entry
    # parse_entry goes through the row; its summary is the one Summary.of makes of the record
    for path in (tmp_path / "corpus").rglob("*.md"):
        entry = parsing.parse_entry((str(path), record_files.examine(str(path))))
        record = read_record(str(path))
        assert entry.result == Summary.of(record)


def test_a_failed_store_leaves_nothing_staged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = some_entries(tmp_path)
    index = Index(":memory:")
    index.store_rows([index_rows.entry_row(e) for e in entries[:5]])
    before = dump(index)
    rows = [index_rows.entry_row(e) for e in entries[5:]]
    rows.append(rows[-1][: index_schema.STORED_COLUMN_COUNT] + ("[1,", "", None))  # JSON SQLite refuses: it fails
    with pytest.raises(sqlite3.Error):
        index.store_rows(rows)
    assert dump(index) == before
    index.store_rows(rows[:-1])
    assert len(dump(index)[0]) == len(entries)
    index.close()


# ---------------------------------------------------------------------------------------------------------
# a build from scratch parses on the pool while the folders are walked


def many_files(folder: Path, count: int) -> None:
    for i in range(count):
        sub = folder / f"d{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 97 == 5:
            (sub / f"{i:04}.md").write_text("no front matter\n", encoding="utf-8")
            continue
        (sub / f"{i:04}.md").write_text(
            f"---\ntitle: Story {i}\nwebUrl: https://example.com/{i}\nrelated:\n  - title: Story {i + 1}\n"
            f"    webUrl: https://example.com/{i + 1}\n---\nbody {i}\n",
            encoding="utf-8",
        )


def build(folder: Path, location: Path, **options: Any) -> tuple[list[loader.Batch], list[list[tuple[Any, ...]]]]:
    index = Index(str(location))
    batches = list(loader.stream([str(folder)], index, **options))
    tables = dump(index)
    index.close()
    return batches, tables


def test_a_bulk_load_ends_with_every_link_in_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many_files(tmp_path / "news", 300)
    _, plain = build(tmp_path / "news", tmp_path / "plain.sqlite3", workers=1)
    monkeypatch.setattr(loader, "BULK", 10)  # stored as a large build from scratch is
    monkeypatch.setattr(loader, "STORE_BATCH", 64)
    _, bulk = build(tmp_path / "news", tmp_path / "bulk.sqlite3", workers=1)
    assert bulk == plain
    assert len(bulk[2]) > 300  # links there are


def test_a_build_parsed_while_walking_equals_one_parsed_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    count = parsing.POOL_THRESHOLD + 3 * parsing.CHUNK + 17
    many_files(tmp_path / "news", count)
    sent: list[int] = []
    real_send = parsing.ParsePool._send
    monkeypatch.setattr(parsing.ParsePool, "_send", lambda self, chunk: (sent.append(len(chunk)), real_send(self, chunk))[1])
    pooled, pooled_tables = build(tmp_path / "news", tmp_path / "pooled.sqlite3", workers=2)
    assert sum(sent) == count - parsing.FIRST_BATCH and max(sent) == parsing.CHUNK  # all of them, by the pool
    here, here_tables = build(tmp_path / "news", tmp_path / "here.sqlite3", workers=1)
    assert pooled_tables == here_tables  # same rows, same ids (the same order), same links
    assert len(pooled_tables[0]) == count
    for batches in (pooled, here):
        assert sum(len(b.stats) for b in batches) == count
        assert [b.total for b in batches if b.scan_problems is not None] == [count - parsing.FIRST_BATCH]
        assert batches[-1].final
    flat = lambda batches: ([s for b in batches for s in b.summaries], [p for b in batches for p in b.problems])  # noqa: E731
    assert flat(pooled) == flat(here)


def test_a_pool_that_breaks_while_walking_leaves_nothing_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    count = parsing.POOL_THRESHOLD + 2 * parsing.CHUNK
    many_files(tmp_path / "news", count)
    sent = []
    real_send = parsing.ParsePool._send

    def breaking(self: parsing.ParsePool, chunk: list[tuple[str, int, int]]) -> None:
        sent.append(len(chunk))
        if len(sent) == 2:  # a worker killed: this submission and every later one fail
            self._pool.shutdown(wait=True)
            monkeypatch.setattr(self._pool, "submit", lambda *a: (_ for _ in ()).throw(BrokenProcessPool("killed")))
        real_send(self, chunk)

    monkeypatch.setattr(parsing.ParsePool, "_send", breaking)
    _, tables = build(tmp_path / "news", tmp_path / "index.sqlite3", workers=2)
    _, expected = build(tmp_path / "news", tmp_path / "here.sqlite3", workers=1)
    assert len(sent) > 2 and tables == expected


def test_closing_a_build_while_it_walks_stops_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many_files(tmp_path / "news", parsing.POOL_THRESHOLD + parsing.CHUNK)
    pools: list[parsing.ParsePool] = []
    real_init = parsing.ParsePool.__init__

    def recording(self: parsing.ParsePool, workers: int | None, **options: bool) -> None:
        real_init(self, workers, **options)
        pools.append(self)

    monkeypatch.setattr(parsing.ParsePool, "__init__", recording)
    index = Index(":memory:")
    batches = loader.stream([str(tmp_path / "news")], index, workers=2)
    next(batches)  # the first files, parsed here
    next(batches)  # the walk is done, the rest handed to the pool
    batches.close()
    assert len(pools) == 1 and pools[0]._pool._shutdown_thread
    index.close()


@settings(max_examples=300, deadline=None)
@given(
    own=st.lists(st.text(max_size=12) | st.sampled_from(["t:a", "x.example/1", "\ud800", "é"]), max_size=4, unique=True),
    mentions=st.lists(st.text(max_size=12) | st.sampled_from(["t:a", "x.example/1", "\udfff"]), max_size=8),
)
def test_keys_hashed_a_list_at_a_time_make_the_same_row(own: list[str], mentions: list[str]) -> None:
    columns = (None,) * 13
    expected = index_rows.record_row(
        "/p", (1, 2, 3, 4), columns, [index_rows.key_hash(k) for k in own],
        list(dict.fromkeys(map(index_rows.key_hash, mentions))),
    )
    assert index_rows.keyed_row("/p", (1, 2, 3, 4), columns, own, mentions) == expected


def test_workers_leave_what_their_imports_made_out_of_the_cycle_collector() -> None:
    import gc

    pool = parsing.ParsePool(1)
    try:
        assert pool._pool.submit(gc.get_freeze_count).result() > 1000
    finally:
        pool.close()


# ---------------------------------------------------------------------------------------------------------
# mention keys made in one pass, titles normalised a list at a time

_title_text = st.text(st.sampled_from("aZ09 '\"’-.,!&\t\n\r\x0b\x1c\x7f\u00a0\u212ae\u0301ß🚀"), max_size=12)
_ascii_title = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.lists(_title_text | _ascii_title, max_size=6))
def test_titles_normalised_a_list_at_a_time_are_those_normalised_one_by_one(titles: list[str]) -> None:
    assert urls.normalise_titles(titles) == [urls.normalise_title(title) for title in titles]


def test_printable_ascii_titles_are_normalised_together(monkeypatch: pytest.MonkeyPatch) -> None:
    titles = ["  It's  a  Title!  ", "", " ", "A--b (c)", "x" * 500, "tab\tand\x7fdel", "'"]
    expected = [urls.normalise_title(title) for title in titles]
    monkeypatch.setattr(urls, "normalise_title", lambda title: pytest.fail("normalised one by one"))
    assert urls.normalise_titles(titles) == expected
    assert expected[:4] == ["its a title", "", "", "a b c"]


_url_value = st.sampled_from(
    ["", " ", "https://www.example.com/a/", "https://example.com/a", "//m.example.com/b?amp=1", "https://x.example/amp/c",
     "https://www-x-example.cdn.ampproject.org/c/s/x.example/d", "mailto:a@b", "https://example.com/" + "p" * 4001]
) | st.none() | st.integers() | _title_text
_story = st.fixed_dictionaries(
    {},
    optional={
        "title": _title_text | _ascii_title | st.none() | st.integers() | st.just("x" * 1001) | st.just("A &amp; B"),
        "originalUrl": _url_value,
        "webUrl": _url_value,
        "ampWebUrl": _url_value,
        "cdnAmpWebUrl": _url_value,
        "featuredContent": st.just('<iframe src="https://v.example/1">') | st.just("https://v.example/2") | st.none(),
    },
)


def plain_mentions(links: list[fields.RelatedLink]) -> list[str]:
    """The keys under which a record mentions its related stories, as `parse_row` made them from the
    links `read_for_index` gives: `link_keys(mention_keys(...))` of each, in order, without repeats."""
    mentions: dict[str, None] = {}
    for title, original, web, amp, cdn_amp in links:
        for url in (original, web if web != original else "") if original or web else (amp, cdn_amp):
            if url and (key := urls.normalise_url(url)):
                mentions[key] = None
        if title_key := urls.normalise_title(title):
            mentions["t:" + title_key] = None
    return list(mentions)


def plain_related(value: Any) -> tuple[bool, list[str]]:
    links = fields.related_links(value)
    return bool(links), plain_mentions(links)


@settings(max_examples=500, deadline=None)
@given(st.lists(_story | st.just("a story") | st.integers(), max_size=8) | _story | st.none() | st.just("x"))
def test_related_keys_in_one_pass_are_those_of_the_related_links(value: Any) -> None:
    has_related, mentions = story_links.related_keys(value)
    assert (has_related, list(mentions)) == plain_related(value)


def test_related_keys_keep_every_key_in_its_place() -> None:
    stories = [
        {"title": "Same title", "webUrl": "https://a.example/1"},
        {"title": "Café", "originalUrl": "https://b.example/2", "webUrl": "https://b.example/2"},
        {"title": "Same  title!", "ampWebUrl": "https://a.example/amp/1", "cdnAmpWebUrl": "https://c.example/3"},
        {"featuredContent": "https://v.example/only-a-video"},
        {"title": "Last", "webUrl": "https://a.example/1"},
    ]
    expected = (True, ["a.example/1", "t:same title", "b.example/2", "t:café", "c.example/3", "t:last"])
    assert plain_related(stories) == expected
    assert (lambda r: (r[0], list(r[1])))(story_links.related_keys(stories)) == expected
    assert story_links.related_keys([{"featuredContent": "https://v.example/1"}])[0] is True
    assert story_links.related_keys([{"title": "  "}, "x"])[0] is False


def test_rows_parsed_in_one_pass_are_the_plain_rows(tmp_path: Path) -> None:
    from tests.hostile import write_hostile_folder

    write_hostile_folder(tmp_path / "hostile")
    write_corpus(tmp_path / "corpus", 60, seed=4)
    files = list(record_files.walk_record_files([str(tmp_path)], []))
    for path, stamp in files:
        result, links = frontmatter.read_for_index(path)
        if isinstance(result, Problem):
            expected = index_rows.problem_row(path, stamp, result.reason)
        else:
            own = story_links.link_keys(urls.story_keys(result.urls), result.title)
            columns = index_rows.record_columns(result, bool(links))
            expected = index_rows.keyed_row(
                path, stamp, columns, own, plain_mentions(links), item=index_rows.item_columns(result)
            )
        assert parsing.parse_row((path, stamp)) == expected, path
    assert sum(1 for path, *_ in files if len(frontmatter.read_for_index(path)[1]) > 3) > 20


def test_a_new_index_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    record = tmp_path / "a.md"
    record.write_text("---\ntitle: A\nwebUrl: https://a.example/1\n---\n")
    old = sqlite3.connect(str(tmp_path / "old.sqlite3"))
    old.execute("PRAGMA page_size=4096")
    old.execute("PRAGMA journal_mode=WAL")
    old.close()
    for name, size in (("new.sqlite3", index_schema.PAGE_SIZE), ("old.sqlite3", 4096)):
        index = Index(str(tmp_path / name))
        index.store_rows([parsing.parse_row((str(record), (1, 2, 3, 4)))])
        assert len(dump(index)[2]) == 2
        assert index._db.execute("PRAGMA page_size").fetchone() == (size,)
        index.close()
    assert index_schema.PAGE_SIZE == 16_384


@pytest.mark.parametrize("reported", [None, 0, 5])
def test_a_file_is_read_whole_whatever_size_it_was_said_to_have(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reported: int | None) -> None:
    """The first read asks for the size fstat gives (plus one byte); a file larger than that (one
    that grew, or a file that reports no size) is read on to its end, and the limit still holds."""
    import os

    contents = [b"", b"x", b"---\ntitle: a\n---\n" + b"b" * 70_000, b"c" * frontmatter.MAX_FILE_BYTES]
    paths = []
    for number, content in enumerate(contents):
        paths.append(tmp_path / f"{number}.md")
        paths[-1].write_bytes(content)
    real_stat, real_fstat = os.stat, os.fstat
    if reported is not None:
        said = lambda info: os.stat_result((*info[:6], reported, *info[7:]))  # noqa: E731
        monkeypatch.setattr(os, "stat", lambda path: said(real_stat(path)))
        monkeypatch.setattr(os, "fstat", lambda fd: said(real_fstat(fd)))
    for path, content in zip(paths, contents):
        assert frontmatter._read_bytes(str(path)) == content
    with open(paths[-1], "ab") as handle:
        handle.write(b"c")
    with pytest.raises(frontmatter._Unreadable, match="too large" if reported is None else "too large \\(over"):
        frontmatter._read_bytes(str(paths[-1]))
