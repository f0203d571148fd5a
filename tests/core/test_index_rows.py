"""A parsed file's row (reader.core.index_rows): the layout the index stores and the grouping reads."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from reader.core import index_rows
from reader.core.index import Index
from reader.core.index_rows import (
    ITEM_AT,
    KEYS_BLOB_AT,
    MENTION_KEYS_AT,
    OWN_KEYS_AT,
    Entry,
    key_hash,
    keyed_row,
    packed_keys,
    problem_row,
    record_row,
    unpacked_keys,
)
from reader.core.index_schema import STORED_COLUMN_COUNT, Flag, LinkRole
from reader.core.record import Image, Problem, Provider, Record, Summary
from reader.core.urls import Urls

STAMP = (10, 20, 30, 40)
EDGES = [1, -1, 0, 2**63 - 1, -(2**63), 256]


def summary(**changes: object) -> Summary:
    fields: dict[str, object] = dict(
        path="/n/a.md", title="A", timestamp=1.7e9, provider_name="P", provider_domain="p.example", topics=("AI",),
        type="article", category="news", quality=5, heat=1, published=True, has_image=False, has_related=False,
        has_body=False, has_url=False, url="", text_cf=b"",
    )
    fields.update(changes)
    return Summary.build(**fields)  # type: ignore[arg-type]


def test_the_keys_blob_is_signed_64_bit_little_endian_and_reads_back() -> None:
    blob = packed_keys(EDGES)
    assert blob == b"".join(key.to_bytes(8, "little", signed=True) for key in EDGES)
    assert unpacked_keys(blob) == EDGES
    assert unpacked_keys(None) == [] and unpacked_keys(b"") == []


def test_keys_are_kept_as_a_json_array_or_nothing() -> None:
    assert index_rows.keys_json([3, -4, 2**63 - 1]) == "[3,-4,9223372036854775807]"
    assert index_rows.keys_json([]) == ""
    assert json.loads(index_rows.keys_json(EDGES)) == EDGES


@pytest.mark.parametrize("own, mentions", [([], []), (["a.example/x"], []), ([], ["b.example/y", "b.example/y"]),
                                           (["t:same", "a.example/x"], ["t:same", "c.example/z"])])
def test_a_row_keeps_its_own_and_mention_keys_apart_and_every_key_once_in_its_blob(
    own: list[str], mentions: list[str]
) -> None:
    columns = index_rows.summary_columns(summary())
    row = keyed_row("/n/a.md", STAMP, columns, own, mentions, "a note", ("excerpt", "[]"))
    own_keys = [key_hash(k) for k in own]
    mention_keys = list(dict.fromkeys(key_hash(k) for k in mentions))
    assert row[:STORED_COLUMN_COUNT] == ("/n/a.md", *STAMP, None, "a note", *columns, None)
    assert row[OWN_KEYS_AT] == index_rows.keys_json(own_keys)
    assert row[MENTION_KEYS_AT] == index_rows.keys_json(mention_keys)
    both = list(dict.fromkeys(own_keys + mention_keys))
    assert row[KEYS_BLOB_AT] == (packed_keys(both) if both else None)
    assert row[ITEM_AT] == ("excerpt", "[]") and len(row) == KEYS_BLOB_AT + 3
    assert record_row("/n/a.md", STAMP, columns, own_keys, mention_keys, "a note", ("excerpt", "[]")) == row
    entry = index_rows.row_entry(row)
    assert entry == Entry("/n/a.md", STAMP, summary(), tuple(own_keys), tuple(mention_keys), "a note")


def test_a_problem_row_holds_the_reason_and_nothing_else() -> None:
    row = problem_row("/n/bad.md", STAMP, "not YAML")
    assert len(row) == KEYS_BLOB_AT + 3
    assert row[:7] == ("/n/bad.md", *STAMP, "not YAML", None)
    assert set(row[7:]) <= {None, ""} and row[ITEM_AT] == (None, None)
    assert index_rows.row_result(row) == Problem("/n/bad.md", "not YAML")
    assert index_rows.row_entry(row) == Entry("/n/bad.md", STAMP, Problem("/n/bad.md", "not YAML"))
    assert index_rows.entry_row(Entry("/n/bad.md", STAMP, Problem("/n/bad.md", "not YAML"))) == row


def test_the_grouping_gets_the_excerpt_and_the_urls_as_written() -> None:
    record = Record(
        path="/n/a.md", title="A", excerpt="What happened.",
        urls=Urls(original="https://o.example/1", web="https://w.example/1", amp="", cdn_amp="https://c.example/1",
                  video="https://v.example/1"),
    )
    excerpt, urls = index_rows.item_columns(record)
    assert excerpt == "What happened."
    assert json.loads(urls) == ["https://o.example/1", "https://w.example/1", "", "https://c.example/1"]
    index = Index(":memory:")
    row = keyed_row(record.path, STAMP, index_rows.record_columns(record, False), [], [], None, (excerpt, urls))
    index.store_rows([row])
    assert index.run(lambda db: db.execute("SELECT excerpt, urls FROM files").fetchall()) == [(excerpt, urls)]
    index.close()


@pytest.mark.parametrize("flag, field", [(Flag.IMAGE, "has_image"), (Flag.RELATED, "has_related"),
                                         (Flag.BODY, "has_body"), (Flag.URL, "has_url")])
def test_each_thing_a_summary_has_is_its_own_flag(flag: Flag, field: str) -> None:
    assert index_rows.summary_columns(summary(**{field: True}))[10] == int(flag)
    assert index_rows.summary_columns(summary())[10] == 0


@pytest.mark.parametrize(
    "record, has_related, flags",
    [
        (Record(path="/a", title="a"), False, 0),
        (Record(path="/a", title="a", images=(Image("https://i.example/1.png"),)), False, Flag.IMAGE),
        (Record(path="/a", title="a"), True, Flag.RELATED),
        (Record(path="/a", title="a", body="Text."), False, Flag.BODY),
        (Record(path="/a", title="a", body=" \n\t"), False, 0),
        (Record(path="/a", title="a", urls=Urls(video="https://v.example/1")), False, Flag.URL),
        (Record(path="/a", title="a", urls=Urls(cdn_amp="https://c.example/1")), False, Flag.URL),
        (Record(path="/a", title="a", urls=Urls(amp="https://a.example/1")), False, Flag.URL),
    ],
)
def test_each_thing_a_record_has_is_its_own_flag(record: Record, has_related: bool, flags: int) -> None:
    columns = index_rows.record_columns(record, has_related)
    assert columns[10] == int(flags)
    if not has_related:  # a summary's has_related comes from the record's own list
        assert columns == index_rows.summary_columns(Summary.of(record))


def test_a_record_s_columns_say_when_it_was_published_and_who_published_it() -> None:
    when = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    record = Record(path="/a", title="T", published_at=when, provider=Provider("Wired", "wired.com"), topics=("AI", "Law"),
                    excerpt="E", body="B")
    columns = index_rows.record_columns(record, False)
    assert columns[1] == when.timestamp() and columns[2:5] == ("Wired", "wired.com", "AI\x1fLaw")
    assert columns[12] == "e\nwired\nwired.com\nai\nlaw\nb".encode()
    assert index_rows.record_columns(Record(path="/a", title="T"), False)[1] is None


def test_the_links_of_a_row_are_stored_by_role() -> None:
    index = Index(":memory:")
    columns = index_rows.summary_columns(summary())
    index.store_rows([keyed_row("/n/a.md", STAMP, columns, ["a.example/x"], ["b.example/y"])])
    assert index.paths_with_keys([key_hash("a.example/x")], LinkRole.OWN) == [(key_hash("a.example/x"), "/n/a.md")]
    assert index.paths_with_keys([key_hash("b.example/y")], LinkRole.MENTION) == [(key_hash("b.example/y"), "/n/a.md")]
    assert index.paths_with_keys([key_hash("b.example/y")], LinkRole.OWN) == []
    index.close()


def test_the_links_table_keeps_the_roles_an_index_on_disk_was_written_with() -> None:
    """Role 0 for a file's own keys, 1 for its related stories': the values indexes on disk hold."""
    index = Index(":memory:")
    columns = index_rows.summary_columns(summary())
    index.store_rows([keyed_row("/n/a.md", STAMP, columns, ["a.example/x"], ["b.example/y"])])
    assert index.run(lambda db: db.execute("SELECT key, role FROM links ORDER BY role").fetchall()) == [
        (key_hash("a.example/x"), 0), (key_hash("b.example/y"), 1)
    ]
    index.close()
