"""A query's terms in SQL (reader.core.query_sql): the warm listing must list exactly what the query
matches, on records chosen at the edges of each term (a number at its limit, a time at a day's first
and last second, text that is not ASCII, topics that hold one another)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core import grouping, query_sql, record_files, warm_listing
from reader.core.index import Index
from reader.core.index_rows import Entry
from reader.core.query import parse_query
from reader.core.record import Summary
from reader.core.sorting import sort_summaries
from reader.core.warm_listing import Listing

DAY = 1609804800.0  # 2021-01-05T00:00:00Z

# (title, timestamp, provider, domain, topics, type, category, quality, heat, published, flags, text)
ROWS = [
    ("Robot arms", DAY, "Wired", "wired.com", ("AI",), "article", "news", 30, 5, True, 0b0001, "robots at work"),
    ("Über robots", DAY - 1, "Straße Zeitung", "x.example", ("AI", "Robots"), "video", "News", 31, -1, True, 0b0010,
     "über"),
    ("\u212aelvin scale", DAY + 86399, "", "", ("Straße",), "VIDEO", "", 29, None, False, 0b0100, "kelvin"),
    ("Plain title", DAY + 86400, "kelvin", "k.example", ("ail",), "Vidéo", "news", None, 0, True, 0b1000, ""),
    ("Café ﬁnance", None, "Wired", "", ("AI\u00a0Law", "ai"), "", "sport", 0, 4, False, 0b1111, "ﬁnance café"),
    ("robot", 1.6e9, "ROBOT", "robot.example", (), "article", "NEWS", 100, 6, True, 0, "nothing"),
    ("STRASSE", 1.7e9, "Σοφία", "σ.example", ("Computer Vision", "kelvin"), "ſtory", "news", -5, 5, True, 0b0101,
     "straße"),
    # the same times as records above: listed by path among them
    ("Robot legs", DAY, "Wired", "wired.com", ("AI",), "article", "news", 30, 5, True, 0, "robots"),
    ("No date", None, "Wired", "", (), "", "", None, None, True, 0, "robots"),
]

QUERIES = [
    "quality:30", "quality:>30", "quality:>=30", "quality:<30", "quality:<=30", "-quality:>30", "heat:5",
    "heat:<0", "-heat:>=5", "after:2021-01-05", "before:2021-01-05", "-before:2021-01-06", "on:2021-01-05",
    "-on:2021-01-05", "on:2021-01-06", "is:published", "is:unpublished", "-is:published", "has:image",
    "has:related", "has:body", "has:url", "-has:url", "-has:image", "robot", "-robot", "ROBOT", "kelvin",
    "\u212a", "title:kelvin", "-title:kelvin", "title:robot", "provider:wired", "provider:straße",
    "provider:strasse", "provider:zeitung", "-provider:wired", "provider:σοφία",
    "provider:k.example", "topic:ai", "topic:AI", "-topic:ai", "topic:a", "topic:ail", "topic:straße",
    "topic:strasse", "topic:\u212aelvin", "topic:kelvin", "topic:computer vision", "type:video", "type:VIDEO",
    "-type:video", "type:story", "type:vidéo", "category:news", "-category:news", "category:sport",
    "finance", "café", "ﬁ", "über", "quality:>20 robot", "robot OR kelvin", "-(robot OR kelvin)",
    "is:published -topic:ai quality:<=30",
]


def summary(i: int, row: tuple, folder: str) -> Summary:  # type: ignore[type-arg]
    title, timestamp, provider, domain, topics, kind, category, quality, heat, published, flags, text = row
    return Summary.build(
        path=os.path.join(folder, f"{i}.md"), title=title, timestamp=timestamp, provider_name=provider,
        provider_domain=domain, topics=topics, type=kind, category=category, quality=quality, heat=heat,
        published=published, has_image=bool(flags & 1), has_related=bool(flags & 2), has_body=bool(flags & 4),
        has_url=bool(flags & 8), url=f"https://example.com/{i}", text_cf=text.casefold().encode(),
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, list[Summary]]]:
    """(the records' folder, the index, the records as the index gives them back)."""
    base = tmp_path_factory.mktemp("sql")
    folder = base / "records"
    folder.mkdir()
    made = [summary(i, row, str(folder)) for i, row in enumerate(ROWS)]
    for i, s in enumerate(made):
        Path(s.path).write_text("x" * i, encoding="utf-8")
    location = str(base / "index.sqlite3")
    index = Index(location)
    index.store([Entry(s.path, record_files.examine(s.path), s) for s in made])
    index.run(grouping.regroup)
    loaded = [result for _, _, result in index.entries([str(folder)])]
    index.close()
    yield str(folder), location, loaded  # type: ignore[misc]


def expected(loaded: list[Summary], text: str) -> list[warm_listing.Line]:
    query = parse_query(text)
    return [
        (s.path, s.timestamp, s.provider_name, s.title, s.url, s.story)
        for s in sort_summaries([s for s in loaded if query.matches(s)], "newest")
    ]


@pytest.mark.parametrize("text", QUERIES)
def test_the_warm_listing_lists_exactly_what_the_query_matches(indexed, text: str) -> None:  # type: ignore[no-untyped-def]
    folder, location, loaded = indexed
    answer = warm_listing.warm_listing([folder], parse_query(text), location)
    assert isinstance(answer, Listing) and [line[:6] for line in answer.lines] == expected(loaded, text)


@pytest.mark.parametrize("text", ["robot", "-robot", "title:kelvin", "topic:ai", "-topic:ai", "type:video",
                                  "provider:wired", "-category:news", "café"])
@pytest.mark.parametrize("casefold", [True, False])
def test_without_ascii_lower_text_terms_are_left_to_the_query(
    indexed, text: str, casefold: bool, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """A SQLite whose lower() folds more than ASCII (built with ICU) cannot be trusted with text terms:
    they are casefolded by the function the warm listing gives SQLite, or left to the query."""
    folder, location, loaded = indexed
    monkeypatch.setattr(
        warm_listing, "narrowing",
        lambda terms, ascii_lower, name, sizes=None: query_sql.narrowing(
            terms, False, name if casefold else None, sizes
        ),
    )
    answer = warm_listing.warm_listing([folder], parse_query(text), location)
    assert isinstance(answer, Listing) and [line[:6] for line in answer.lines] == expected(loaded, text)


class Term:
    def __init__(self, kind: str, value: object, negated: bool = False) -> None:
        self.kind, self.value, self.negated = kind, value, negated


@pytest.mark.parametrize("term", [
    Term("quality", (">", 3)), Term("quality", ("~", 3.0)), Term("from", "yesterday"), Term("on", (1.0, "x")),
    Term("on", ("x", 1.0)), Term("is", "read"), Term("has", "sound"), Term("text", ""), Term("text", "a\tb"),
    Term("text", 5), Term("topic", "a\x1fb"), Term("nosuch", "x"), Term("nosuch", True), Term("text", False),
    object(),
])
def test_a_term_sql_cannot_decide_is_left_to_the_query_for_every_row(term: object) -> None:
    sql = query_sql.narrowing([term], True)
    assert sql.where == [] and sql.params == [] and sql.checks == ["1"] and sql.by_story == []


def test_reading_state_terms_are_tested_on_each_story_apart() -> None:
    read, narrow = Term("state", "read"), Term("quality", (">", 3.0))
    sql = query_sql.narrowing([read, narrow], True)
    assert sql.by_story == [read] and sql.checks == [] and sql.params == [3.0]


def test_exact_terms_need_no_check_and_text_terms_check_only_rows_not_ascii() -> None:
    terms = parse_query("quality:>3 heat:<=2 after:2021-01-01 before:2022-01-01 on:2021-06-01 is:published "
                        "has:url").terms
    sql = query_sql.narrowing(terms, True)
    assert sql.checks == [] and len(sql.where) == 7
    sql = query_sql.narrowing(parse_query("title:x").terms, True)
    assert sql.checks == ["(length(title) != length(CAST(title AS BLOB)))"]


# What each text term looks at in a record, as the query sees it.
TEXT_OF = {
    "title": lambda s: s.title,
    "provider": lambda s: f"{s.provider_name}\n{s.provider_domain}",
    "topic": lambda s: "\x1f".join(s.topics),
    "type": lambda s: s.type,
    "category": lambda s: s.category,
}


@pytest.mark.parametrize("text", ["title:robot", "-title:robot", "provider:wired", "-provider:wired", "topic:ai",
                                  "-topic:ai", "topic:kelvin", "type:video", "-type:video",
                                  "category:news", "-category:news"])
def test_sql_decides_a_text_term_for_every_row_whose_text_is_ascii(indexed, text: str) -> None:  # type: ignore[no-untyped-def]
    """Only rows whose text is not ASCII are left to Python: a text term on ASCII rows is decided in SQL,
    and the rows it keeps without a check are exactly those the query matches."""
    folder, location, loaded = indexed
    kind = text.lstrip("-").partition(":")[0]
    query = parse_query(text)
    sql = query_sql.narrowing(query.terms, True)
    where = " AND ".join(sql.where) or "1"
    check = " OR ".join(sql.checks) or "0"
    db = sqlite3.connect(location)
    try:
        kept = dict(db.execute(f"SELECT path, {check} FROM files WHERE {where}", sql.params).fetchall())
    finally:
        db.close()
    not_ascii = {s.path for s in loaded if not TEXT_OF[kind](s).isascii()}
    assert {path for path, unsure in kept.items() if unsure} <= not_ascii
    decided = {path for path, unsure in kept.items() if not unsure}
    assert decided == {s.path for s in loaded if s.path not in not_ascii and query.matches(s)}
    assert decided  # each of these queries matches an ASCII row, which SQL lists itself


def test_a_term_that_does_not_say_it_is_negated_is_not() -> None:
    """Terms are read by their attributes; one without `negated` keeps the rows it matches."""

    class Bare:
        kind, value = "quality", (">", 30.0)

    sql = query_sql.narrowing([Bare()], True)
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE files (quality INTEGER)")
        db.executemany("INSERT INTO files VALUES (?)", [(29,), (31,), (None,)])
        kept = [q for (q,) in db.execute(f"SELECT quality FROM files WHERE {sql.where[0]}", sql.params)]
    finally:
        db.close()
    assert kept == [31] and sql.checks == []
