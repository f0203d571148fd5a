"""The index's layout (reader.core.index_schema), on a database made from its own tables: the rows
under some folders, when the time index is walked, whether the stories are grouped, and a summary made
from a stored row at the edges of the dates a datetime can hold."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from reader.core import index_schema
from reader.core.index import Index
from reader.core.index_schema import (
    STORED_COLUMN_COUNT,
    SUMMARY_COLUMN_COUNT,
    TABLES,
    holds_most,
    newest_first,
    pending,
    summary_from_row,
    under_roots,
)
from reader.core.record import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP

SEP = os.sep


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.executescript(TABLES)
    yield connection
    connection.close()


def add(db: sqlite3.Connection, path: str, timestamp: float | None = None, problem: str | None = None) -> None:
    db.execute(
        "INSERT INTO files (path, size, mtime_ns, inode, ctime_ns, problem, timestamp) VALUES (?, 0, 0, 0, 0, ?, ?)",
        (path, problem, timestamp),
    )


def kept(db: sqlite3.Connection, roots: list[str]) -> list[str]:
    where, params = under_roots(roots)
    return [path for (path,) in db.execute(f"SELECT path FROM files WHERE {where} ORDER BY path", params)]


def test_rows_under_a_folder_are_the_folder_s_own_paths(db: sqlite3.Connection) -> None:
    base = f"{SEP}news"
    paths = [base, f"{base}{SEP}a.md", f"{base}{SEP}sub{SEP}b.md", f"{base}0{SEP}c.md", f"{base}-x{SEP}d.md",
             f"{base}.old{SEP}e.md", f"{base}s{SEP}f.md", f"{SEP}new{SEP}g.md", f"{SEP}other{SEP}h.md"]
    for path in paths:
        add(db, path)
    inside = sorted([base, f"{base}{SEP}a.md", f"{base}{SEP}sub{SEP}b.md"])
    assert kept(db, [base]) == inside
    assert kept(db, [base + SEP]) == sorted([f"{base}{SEP}a.md", f"{base}{SEP}sub{SEP}b.md"])
    assert kept(db, [base, base]) == inside
    assert kept(db, [base, f"{SEP}other"]) == sorted([*inside, f"{SEP}other{SEP}h.md"])
    assert kept(db, [f"{base}{SEP}a.md"]) == [f"{base}{SEP}a.md"]  # a file given as a root
    assert kept(db, []) == []


def test_a_root_given_twice_is_one_clause() -> None:
    where, params = under_roots(["/a", "/b", "/a"])
    assert where.count("path = ?") == 2 and len(params) == 6


def test_the_time_index_is_walked_when_the_rows_are_at_least_half() -> None:
    assert holds_most(10, 5) and holds_most(10, 10) and holds_most(0, 0) and holds_most(11, 6)
    assert not holds_most(10, 4) and not holds_most(11, 5) and not holds_most(1, 0)


@pytest.mark.parametrize("inside, by_time", [(3, False), (4, True), (7, True)])
def test_newest_first_walks_the_time_index_only_for_most_rows(
    db: sqlite3.Connection, inside: int, by_time: bool
) -> None:
    times = [5.0, None, 9.0, 1.0, 7.0, None, 3.0, 8.0]
    for i, timestamp in enumerate(times):
        folder = "in" if i < inside else "out"
        add(db, f"{SEP}{folder}{SEP}{i}.md", timestamp)
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    where, params = under_roots([f"{SEP}in"])
    rows = newest_first(db, "path, timestamp", where, params).fetchall()
    db.set_trace_callback(None)
    dated = sorted(((f"{SEP}in{SEP}{i}.md", t) for i, t in enumerate(times[:inside]) if t is not None),
                   key=lambda row: -row[1])
    assert rows[: len(dated)] == dated  # newest first, then the rows without a date in any order
    assert sorted(rows[len(dated) :]) == [(f"{SEP}in{SEP}{i}.md", None) for i, t in enumerate(times[:inside]) if t is None]
    assert any("INDEXED BY files_by_time" in statement for statement in statements) is by_time


def test_newest_first_keeps_only_the_rows_also_asked_for(db: sqlite3.Connection) -> None:
    add(db, f"{SEP}in{SEP}a.md", 1.0)
    add(db, f"{SEP}in{SEP}b.md", 2.0, problem="broken")
    add(db, f"{SEP}out{SEP}c.md", 3.0, problem="broken")
    where, params = under_roots([f"{SEP}in"])
    assert [row[0] for row in newest_first(db, "path", where, params)] == [f"{SEP}in{SEP}b.md", f"{SEP}in{SEP}a.md"]
    also = newest_first(db, "path", where, params, "problem IS NOT NULL").fetchall()
    assert also == [(f"{SEP}in{SEP}b.md",)]


def test_an_index_uses_the_schema_s_page_size(tmp_path: os.PathLike[str]) -> None:
    location = os.path.join(tmp_path, "index.sqlite3")
    Index(location).close()
    with sqlite3.connect(location) as connection:
        assert connection.execute("PRAGMA page_size").fetchone()[0] == index_schema.PAGE_SIZE == 16_384


def set_meta(db: sqlite3.Connection, **values: str) -> None:
    db.executemany("INSERT INTO meta VALUES (?, ?)", list(values.items()))


@pytest.mark.parametrize("meta, grouping_due", [
    ({}, False), ({"grouped": "0"}, False), ({"generation": "0"}, False), ({"generation": "3", "grouped": "3"}, False),
    ({"generation": "3", "grouped": "2"}, True), ({"generation": "1"}, True), ({"grouped": "1"}, True),
])
def test_pending_compares_the_generation_stored_with_the_one_grouped(
    db: sqlite3.Connection, meta: dict[str, str], grouping_due: bool
) -> None:
    """A value not stored counts as "0"."""
    set_meta(db, **meta)
    assert pending(db) is grouping_due
    assert index_schema.meta_value(db, "generation") == meta.get("generation")


def row(timestamp: float | None, flags: int = 0, published: int | None = 1, story: str | None = "s1") -> tuple:  # type: ignore[type-arg]
    summary_columns = ("Title", timestamp, "P", "p.test", "A\x1fB", "article", "news", 3, 4, published, flags,
                       "https://x.test/", b"text")
    assert len(summary_columns) == SUMMARY_COLUMN_COUNT
    stored = ("/r/a.md", 1, 2, 3, 4, None, None, *summary_columns, story)
    assert len(stored) == STORED_COLUMN_COUNT
    return stored


@pytest.mark.parametrize("timestamp, kept", [
    (EARLIEST_TIMESTAMP, True), (EARLIEST_TIMESTAMP - 0.5, False), (LATEST_TIMESTAMP, True),
    (LATEST_TIMESTAMP + 0.999, True), (LATEST_TIMESTAMP + 1, False), (LATEST_TIMESTAMP + 1.5, False), (0.0, True),
    (None, False),
])
def test_a_time_no_datetime_can_hold_is_no_date(timestamp: float | None, kept: bool) -> None:
    made = summary_from_row(row(timestamp))
    assert made.timestamp == (timestamp if kept else None)
    if kept:  # a datetime can hold it
        assert datetime.fromtimestamp(timestamp, timezone.utc).year in (1, 1970, 9999)  # type: ignore[arg-type]


@pytest.mark.parametrize("flags", range(16))
def test_the_flags_column_as_four_booleans(flags: int) -> None:
    made = summary_from_row(row(0.0, flags=flags | 16))  # bits past the four are ignored
    assert (made.has_image, made.has_related, made.has_body, made.has_url) == (
        bool(flags & 1), bool(flags & 2), bool(flags & 4), bool(flags & 8)
    )


@pytest.mark.parametrize("published, is_published", [(1, True), (0, False), (None, False), (2, False)])
def test_published_is_one(published: int | None, is_published: bool) -> None:
    assert summary_from_row(row(0.0, published=published)).published is is_published


@pytest.mark.parametrize("story, made", [("s1", "s1"), ("", ""), (None, "")])
def test_a_row_not_grouped_yet_has_no_story(story: str | None, made: str) -> None:
    assert summary_from_row(row(0.0, story=story)).story == made


def test_the_positions_of_a_stored_row_name_its_columns() -> None:
    columns = index_schema.STORED_COLUMNS.split(", ")
    assert len(columns) == STORED_COLUMN_COUNT
    assert columns[index_schema.STAMP_AT] == index_schema.STAMP_COLUMNS.split(", ")
    assert columns[index_schema.PROBLEM_AT] == "problem" and columns[index_schema.NOTE_AT] == "note"
    assert columns[index_schema.STORY_AT] == "story"
    assert columns[index_schema.NOTE_AT + 1 :][:SUMMARY_COLUMN_COUNT] == index_schema.SUMMARY_COLUMNS.split(", ")


def test_values_that_recur_are_shared_across_other_rows() -> None:
    """Topic lists, providers, types and categories: a value read again after others is the same object,
    and a name shared by providers of different domains is one string (memory at 100,000 rows)."""

    def made(topics: str, name: str, domain: str, kind: str) -> object:
        stored = list(row(0.0))
        stored[7 + 4], stored[7 + 2], stored[7 + 3], stored[7 + 5] = topics, name, domain, kind
        # strings as a database gives them: new objects each time
        return summary_from_row(tuple("".join(list(value)) if isinstance(value, str) else value for value in stored))

    first = made("A\x1fB", "Name", "one.test", "article")
    made("C", "Other", "two.test", "video")
    again = made("A\x1fB", "Name", "one.test", "article")
    elsewhere = made("D", "Name", "three.test", "article")
    assert again.topics is first.topics and again.topics_cf is first.topics_cf  # type: ignore[attr-defined]
    assert again.provider_cf is first.provider_cf and again.type is first.type  # type: ignore[attr-defined]
    assert elsewhere.provider_name is first.provider_name  # type: ignore[attr-defined]
    assert elsewhere.provider_domain == "three.test" and again.topics == ("A", "B")  # type: ignore[attr-defined]
