"""When the warm listing gives no answer (reader.core.warm_listing.Stale), and why: the caller then lists
the plain way, so each of these must say Stale rather than list what the index holds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from reader.core import grouping, record_files, warm_listing
from reader.core.index import Index
from reader.core.index_rows import Entry
from reader.core.query import parse_query
from reader.core.record import EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, Summary
from reader.core.warm_listing import Listing, Stale


def summary(path: str, title: str) -> Summary:
    return Summary.build(
        path=path, title=title, timestamp=1.7e9, provider_name="P", provider_domain="p.example", topics=("AI",),
        type="", category="", quality=None, heat=None, published=True, has_image=False, has_related=False,
        has_body=False, has_url=True, url=f"https://example.com/{title}", text_cf=b"",
    )


def indexed(tmp_path: Path, *, grouped: bool = True) -> tuple[str, str]:
    """(a folder of two records, an index that holds them)."""
    folder = tmp_path / "news"
    folder.mkdir()
    entries = []
    for name in ("a", "b"):
        path = folder / f"{name}.md"
        path.write_text(name, encoding="utf-8")
        entries.append(Entry(str(path), record_files.examine(str(path)), summary(str(path), name)))
    location = str(tmp_path / "index.sqlite3")
    index = Index(location)
    index.store(entries)
    if grouped:
        index.run(grouping.regroup)
    index.close()
    return str(folder), location


def test_an_up_to_date_index_answers(tmp_path: Path) -> None:
    folder, location = indexed(tmp_path)
    answer = warm_listing.warm_listing([folder], parse_query("b"), location)
    assert isinstance(answer, Listing) and [line[3] for line in answer.lines] == ["b"]


def test_nothing_to_list_without_paths_or_a_query(tmp_path: Path) -> None:
    folder, location = indexed(tmp_path)
    assert warm_listing.warm_listing([], parse_query(""), location) == Stale("nothing to list")
    assert warm_listing.warm_listing([folder], object(), location) == Stale("nothing to list")

    class TermsOnly:
        terms = ()

    assert warm_listing.warm_listing([folder], TermsOnly(), location) == Stale("nothing to list")


def test_stories_not_grouped_yet_are_not_listed_from_the_index(tmp_path: Path) -> None:
    folder, location = indexed(tmp_path, grouped=False)
    assert warm_listing.warm_listing([folder], parse_query(""), location) == Stale("the stories are not grouped yet")


def test_an_index_that_is_a_symbolic_link_is_not_read(tmp_path: Path) -> None:
    folder, location = indexed(tmp_path)
    link = str(tmp_path / "link.sqlite3")
    os.symlink(location, link)
    assert warm_listing.warm_listing([folder], parse_query(""), link) == Stale("the index is a symbolic link")


def test_the_user_s_index_is_read_by_default(tmp_path: Path) -> None:
    from reader.core.index_schema import index_location

    folder, location = indexed(tmp_path)
    assert warm_listing.warm_listing([folder], parse_query("")) == Stale("no index yet")
    os.makedirs(os.path.dirname(index_location()), exist_ok=True)
    os.replace(location, index_location())
    assert isinstance(warm_listing.warm_listing([folder], parse_query("")), Listing)


@pytest.mark.parametrize("timestamp, listable", [
    (EARLIEST_TIMESTAMP, True), (EARLIEST_TIMESTAMP - 0.5, False), (LATEST_TIMESTAMP, True),
    (LATEST_TIMESTAMP + 0.5, True), (LATEST_TIMESTAMP + 1, False), (LATEST_TIMESTAMP + 1.5, False),
])
def test_a_row_s_time_is_listed_only_within_the_years_a_datetime_holds(
    tmp_path: Path, timestamp: float, listable: bool
) -> None:
    """Years 1 to 9999 in UTC, to the end of 9999's last second; a row outside them was not written by
    the index (which stores no date for such a time) and is read again the plain way."""
    folder, location = indexed(tmp_path)
    path = os.path.join(folder, "a.md")
    with sqlite3.connect(location) as db:
        db.execute("UPDATE files SET timestamp = ? WHERE path = ?", (timestamp, path))
    db.close()
    answer = warm_listing.warm_listing([folder], parse_query(""), location)
    if listable:
        assert isinstance(answer, Listing) and timestamp in [line[1] for line in answer.lines]
    else:
        assert answer == Stale("damaged index entries", [path])


def test_an_index_sqlite_cannot_open_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index file SQLite refuses to open (its permissions, a full table of open files): no answer,
    which says why."""
    folder, location = indexed(tmp_path)

    def refuse(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(warm_listing.sqlite3, "connect", refuse)
    answer = warm_listing.warm_listing([folder], parse_query(""), location)
    assert answer == Stale("the index cannot be opened (unable to open database file)")


def test_an_unexpected_error_while_reading_the_index_is_raised_as_it_is(tmp_path: Path) -> None:
    """An error of the query's own (a bug, not the index's state) is not taken for a stale index: it
    comes out of the thread that read the index, and the index is let go."""
    folder, location = indexed(tmp_path)

    class Failing:
        terms = (object(),)  # a term SQL cannot decide: each row is tested with `matches`

        def matches(self, summary: Summary) -> bool:
            raise RuntimeError("a bug in the query")

    assert not os.path.exists(location + "-wal")
    with pytest.raises(RuntimeError, match="a bug in the query") as raised:
        warm_listing.warm_listing([folder], Failing(), location)
    assert raised.traceback and not os.path.exists(location + "-wal")  # closed, though its frame lives on


def test_a_listing_reads_one_snapshot_of_the_index_whatever_is_written_meanwhile(tmp_path: Path) -> None:
    """The rows listed are those of the index as it was when the listing began: what another copy of
    the reader writes meanwhile is not seen halfway."""
    folder, location = indexed(tmp_path)
    answer = warm_listing.warm_listing([folder], parse_query(""), location)
    assert isinstance(answer, Listing)
    other = sqlite3.connect(location, isolation_level=None)
    other.execute("UPDATE files SET title = 'written meanwhile'")
    other.close()
    assert sorted(line[3] for line in answer.lines) == ["a", "b"]


def test_an_index_of_another_version_is_not_read_further(tmp_path: Path) -> None:
    """Another version's index (here one without the version, or another number and other tables) is
    left at its version: nothing else of it is read."""
    folder, location = indexed(tmp_path)
    with sqlite3.connect(location) as db:
        db.execute("DELETE FROM meta WHERE key = 'schema'")
    db.close()
    assert warm_listing.warm_listing([folder], parse_query(""), location) == Stale("the index is of another version")
    with sqlite3.connect(location) as db:
        db.execute("INSERT INTO meta VALUES ('schema', '0')")
        db.execute("DROP TABLE files")
    db.close()
    assert warm_listing.warm_listing([folder], parse_query(""), location) == Stale("the index is of another version")


def test_a_row_the_index_does_not_write_is_the_first_reason_given(tmp_path: Path) -> None:
    """A row whose path holds NULs cannot be compared with the walk: the index holds rows it does not
    write, said before (and without reading) what else is wrong with that row."""
    folder, location = indexed(tmp_path)
    with sqlite3.connect(location) as db:
        db.execute("UPDATE files SET path = path || char(0, 0) || 'x', text_cf = 'text' WHERE path = ?",
                   (os.path.join(folder, "a.md"),))
    db.close()
    answer = warm_listing.warm_listing([folder], parse_query(""), location)
    assert answer == Stale("the index holds rows it does not write")


def test_damaged_rows_are_named_as_soon_as_they_are_found(tmp_path: Path) -> None:
    """A row with columns of the wrong types is named (the caller drops it, to read its file again)
    without reading further: the damage found later (a problem that is not text) is for the next time."""
    folder, location = indexed(tmp_path)
    a, b = os.path.join(folder, "a.md"), os.path.join(folder, "b.md")
    with sqlite3.connect(location) as db:
        db.execute("UPDATE files SET text_cf = 'text' WHERE path = ?", (a,))
        db.execute("UPDATE files SET problem = x'37' WHERE path = ?", (b,))  # a blob, not text
    db.close()
    assert warm_listing.warm_listing([folder], parse_query(""), location) == Stale("damaged index entries", [a])


def test_a_row_the_query_cannot_test_is_damaged_and_named_at_once(tmp_path: Path) -> None:
    """A row left to the query itself whose test raises ValueError (or TypeError...) is taken for a
    damaged row, named without reading further (the problem that is not text is for the next time)."""
    folder, location = indexed(tmp_path)
    a, b = os.path.join(folder, "a.md"), os.path.join(folder, "b.md")
    with sqlite3.connect(location) as db:
        db.execute("UPDATE files SET problem = x'37' WHERE path = ?", (b,))  # a blob, not text
    db.close()

    class Picky:
        terms = (object(),)  # a term SQL cannot decide: each row is tested with `matches`

        def matches(self, summary: Summary) -> bool:
            if summary.title == "a":
                raise ValueError("not a value this query can test")
            return True

    assert warm_listing.warm_listing([folder], Picky(), location) == Stale("damaged index entries", [a])


def test_a_problem_that_is_not_text_is_a_damaged_row(tmp_path: Path) -> None:
    """The index writes a problem as text: a row whose problem is not (a blob; a number is stored as
    text by the column's affinity) is damaged, and named."""
    folder, location = indexed(tmp_path)
    b = os.path.join(folder, "b.md")
    with sqlite3.connect(location) as db:
        db.execute("UPDATE files SET problem = x'37' WHERE path = ?", (b,))
    db.close()
    assert warm_listing.warm_listing([folder], parse_query(""), location) == Stale("damaged index entries", [b])
