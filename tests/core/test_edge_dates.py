"""A publication date at the edge of the calendar (issue 12, point 1): valid YAML, a valid date where it was
written, but year 10000 or year 0 once in UTC. It is "no date" with a note under `!`, and no record, nor an
index that already holds such a time, can stop a listing or the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader import cli
from reader.core.fields import parse_date
from reader.core.frontmatter import parse_text
from reader.core.index import Index
from reader.core.index_schema import index_location
from reader.core.library import load_library
from reader.core.query import parse_query
from reader.core.record import Record, Summary
from reader.core.warm_listing import Listing, warm_listing

EDGES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    '"9999-12-31 23:59:59 -1400"',
    "'0001-01-01T00:00+05:00'",
]


def record_with(date: str) -> Record:
    record = parse_text("/news/edge.md", f"---\ntitle: edge\npublishedDateTime: {date}\n---\n")
    assert isinstance(record, Record)
    return record


@pytest.mark.parametrize("date", EDGES)
def test_a_date_past_the_calendar_in_utc_is_no_date_with_a_note(date: str) -> None:
    record = record_with(date)
    assert record.published_at is None and parse_date(date.strip("'\"")) is None
    assert len(record.notes) == 1 and record.notes[0].startswith("publishedDateTime ")
    assert "outside the years 1 to 9999" in record.notes[0] and "\n" not in record.notes[0]
    summary = Summary.of(record)
    assert summary.timestamp is None and summary.published_at is None


@pytest.mark.parametrize(
    "date",
    [
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T09:59:59-14:00",
        "0001-01-01T14:00:00+14:00",
    ],
)
def test_the_first_and_last_moments_in_utc_are_kept(date: str) -> None:
    record = record_with(date)
    assert record.published_at is not None and record.notes == ()
    assert Summary.of(record).published_at == record.published_at


def test_a_summary_of_a_time_no_datetime_can_hold_has_no_date() -> None:
    summary = Summary.of(record_with("2021-01-01T00:00:00Z"))
    for timestamp in (253402351199.0, -62135647200.0, float("inf"), 1e300):
        summary.timestamp = timestamp
        assert summary.published_at is None


def write_folder(root: Path) -> Path:
    root.mkdir()
    (root / "edge.md").write_text(
        f"---\ntitle: Edge story\npublishedDateTime: {EDGES[0]}\n---\n", encoding="utf-8"
    )
    (root / "early.md").write_text(
        f"---\ntitle: Early story\npublishedDateTime: {EDGES[1]}\n---\n", encoding="utf-8"
    )
    (root / "ok.md").write_text(
        "---\ntitle: Plain story\npublishedDateTime: 2021-05-01T10:00:00Z\n---\n", encoding="utf-8"
    )
    return root


def test_a_folder_with_such_dates_loads_every_record(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "news")
    for _ in range(2):  # parsed, then from the index
        library = load_library([str(root)], Index(str(tmp_path / "index.sqlite3")))
        assert sorted(s.title for s in library.summaries) == ["Early story", "Edge story", "Plain story"]
        assert [s.published_at is None for s in sorted(library.summaries, key=lambda s: s.title)] == [
            True,
            True,
            False,
        ]
        notes = {problem.path: problem.reason for problem in library.problems}
        assert sorted(notes) == [str(root / "early.md"), str(root / "edge.md")]
        assert all("publishedDateTime" in reason for reason in notes.values())
        library.index.close()


def test_list_prints_every_record_and_notes_the_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_folder(tmp_path / "news")
    outputs = []
    for _ in range(3):  # cold, then warm twice
        assert cli.main(["--list", str(root)]) == 0
        outputs.append(capsys.readouterr())
    assert isinstance(
        warm_listing([str(root)], parse_query("")), Listing
    )  # the later runs were answered warm
    out, err = outputs[0]
    assert [line.split("\t")[2] for line in out.splitlines()] == ["Plain story", "Early story", "Edge story"]
    assert (
        f"{root / 'edge.md'}: publishedDateTime" in err and f"{root / 'early.md'}: publishedDateTime" in err
    )
    assert (
        outputs[1] == outputs[2] and outputs[1].out == out
    )  # the warm listing's order of problems is the index's
    assert sorted(outputs[1].err.splitlines()) == sorted(err.splitlines())


def test_an_index_already_holding_such_a_time_cannot_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_folder(tmp_path / "news")
    assert cli.main(["--list", str(root)]) == 0
    expected = capsys.readouterr().out
    with sqlite3.connect(index_location()) as db:  # as an index written before the date check would hold it
        db.execute("UPDATE files SET timestamp = 253402351199.0 WHERE path = ?", (str(root / "ok.md"),))
    db.close()
    library = load_library([str(root)], Index(index_location()))
    assert all(
        summary.published_at is None or summary.published_at.year < 10000 for summary in library.summaries
    )
    library.index.close()
    assert cli.main(["--list", str(root)]) == 0
    assert capsys.readouterr().out == expected  # the damaged row was read again from its file


def test_a_plain_listing_from_such_an_index_cannot_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the warm listing gives up before it looks at the rows (here: a row it would not write), the
    plain way loads them from the index: a time no datetime can hold is no date there too."""
    root = write_folder(tmp_path / "news")
    assert cli.main(["--list", str(root)]) == 0
    capsys.readouterr()
    with sqlite3.connect(index_location()) as db:
        db.execute("UPDATE files SET timestamp = 253402351199.0 WHERE path = ?", (str(root / "ok.md"),))
        db.execute(
            "INSERT INTO files (path, size, mtime_ns, inode, ctime_ns, problem) VALUES (?, 1, 1, 1, 1, 'x')",
            (f"{root}/a\0\0b.md",),
        )
    db.close()
    assert cli.main(["--list", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split("\t")[2] for line in lines) == ["Early story", "Edge story", "Plain story"]
    assert all(line.startswith("\t") for line in lines)  # the row the index holds is without a date too
