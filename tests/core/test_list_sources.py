"""`reader --list --filter` with `sources:` terms lists what the app lists: the size of each record's
story (every record under the folders, matching or not), from a warm index, while building it, and
without one; plain and with --stories, in tsv and JSON; negated and inside OR groups too."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reader import cli
from reader.cli_stories import story_lines
from reader.core import library
from reader.core.index_schema import index_location
from reader.core.library import load_library, open_index
from reader.core.query import filter_summaries, parse_query, with_sizes
from reader.core.record import Summary
from reader.core.sorting import sort_summaries
from reader.core.story_groups import StoryGroups
from reader.core.warm_listing import Listing, warm_listing
from reader.synth import write_corpus

from tests.corpus import HEADLINE, three_records, write_story
from tests.fakes import summary

QUERIES = [
    "sources:>=3", "sources:2", "sources:1", "-sources:1", "sources:<2", "sources:>=3 OR sources:1",
    "-(sources:1 OR sources:2)", "sources:2 OR provider:gamma", "-sources:1 -provider:beta",
    "(sources:>=2 beta) OR (sources:1 rainfall)",
]


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stories of one record, of two (Alpha and Beta's), of three (with Delta's), and a synthetic
    corpus with stories of several records, and a record of no date."""
    folder = tmp_path_factory.mktemp("list-sources") / "news"
    three_records(folder)
    write_story(folder, "third.md", f"{HEADLINE} - Delta", "Delta", "2024-03-02T08:00:00Z")
    bridge = "Harbour bridge reopens after a year of repairs"
    write_story(folder, "pair1.md", bridge, "Epsilon", "2024-02-01T08:00:00Z")
    write_story(folder, "pair2.md", f"{bridge} - Zeta", "Zeta", "2024-02-01T09:00:00Z")
    write_corpus(folder / "synthetic", 60, seed=4, workers=1)
    write_story(folder, "undated.md", "A record of no date at all, alone in its story", "Delta", "")
    return folder


def apps_matches(folder: Path, query: str) -> tuple[list[Summary], StoryGroups]:
    """The records the app lists for `query`, newest first: its sources: terms ask the story groups of
    every loaded record (as `control.filtering` gives them), and the groups."""
    loaded = load_library([str(folder)], open_index(False))
    groups = StoryGroups(loaded.summaries)
    matched = filter_summaries(parse_query(query, sizes=groups.size), loaded.summaries)
    return sort_summaries(matched, "newest"), groups


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def listed_paths(out: str, fmt: str) -> list[str]:
    if fmt == "json":
        return [json.loads(line)["path"] for line in out.splitlines()]
    return [line.split("\t")[4] for line in out.splitlines()]


def loading_fails(*_: object, **__: object) -> None:
    raise AssertionError("loaded the library: the warm index was not used")


def each_way(
    folder: Path, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, tuple[int, str, str]]:
    """`reader --list ARGS folder` without an index, building it, and from the warm index."""
    answers = {"no cache": run(capsys, "--list", "--no-cache", *args, str(folder))}
    if os.path.exists(index_location()):
        os.remove(index_location())
    answers["building"] = run(capsys, "--list", *args, str(folder))
    with monkeypatch.context() as patched:
        patched.setattr(library, "load_library", loading_fails)
        answers["warm"] = run(capsys, "--list", *args, str(folder))
    return answers


def test_the_corpus_has_stories_of_every_size(news: Path) -> None:
    loaded = load_library([str(news)], open_index(False))
    groups = StoryGroups(loaded.summaries)
    sizes = {groups.size(summary) for summary in loaded.summaries}
    assert {1, 2, 3} <= sizes


@pytest.mark.parametrize("fmt", ["tsv", "json"])
@pytest.mark.parametrize("query", QUERIES)
def test_list_filters_sources_as_the_app_does(
    news: Path, query: str, fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    matched, _ = apps_matches(news, query)
    assert matched, query  # every query matches something in the corpus
    expected = [summary.path for summary in matched]
    args = ["--format", fmt, "--filter", query]
    for way, (code, out, err) in each_way(news, args, capsys, monkeypatch).items():
        assert (code, err) == (0, ""), (way, query)
        assert listed_paths(out, fmt) == expected, (way, query)


@pytest.mark.parametrize("fmt", ["tsv", "json"])
@pytest.mark.parametrize("query", ["sources:>=3", "-sources:1", "sources:2 OR provider:gamma"])
def test_list_stories_filters_sources_as_the_app_does(
    news: Path, query: str, fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    matched, groups = apps_matches(news, query)
    expected = "".join(line + "\n" for line in story_lines(matched, groups, fmt))
    assert expected
    args = ["--stories", "--format", fmt, "--filter", query]
    for way, (code, out, err) in each_way(news, args, capsys, monkeypatch).items():
        assert (code, out, err) == (0, expected, ""), (way, query)


def test_sources_terms_agree_with_the_listed_sources_column(
    news: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--list", str(news))
    assert code == 0
    sizes = {fields[4]: int(fields[6]) for fields in (line.split("\t") for line in out.splitlines())}
    for query, wanted in (("sources:>=3", {3, 4, 5, 6}), ("sources:2", {2}), ("-sources:1", {2, 3, 4, 5, 6}),
                          ("sources:3 OR sources:1", {1, 3})):
        code, out, _ = run(capsys, "--list", "--filter", query, str(news))
        assert code == 0
        expected = sorted(path for path, n in sizes.items() if n in wanted)
        assert expected and sorted(listed_paths(out, "tsv")) == expected, query


def test_warm_listing_answers_sources_in_sql_and_in_python(
    news: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--list", str(news))[0] == 0  # the index is built
    for query in ("sources:>=2", "sources:>=2 OR zzzz-nowhere"):  # SQL decides; Python checks every row
        answer = warm_listing([str(news)], parse_query(query))
        assert isinstance(answer, Listing)
        with answer:
            lines = list(answer.lines)
        assert lines and all(size >= 2 for *_, size in lines), query
        assert len(lines) == len(apps_matches(news, query)[0]), query


def test_with_sizes_gives_every_sources_term_the_sizes() -> None:
    big, alone = summary("a.md", "Big", story="big"), summary("b.md", "Alone")
    sizes = {"big": 4}.get
    for text, wanted in (("sources:4", [big]), ("-sources:1", [big]), ("-(sources:1 OR x)", [big]),
                         ("(sources:<2 alone) OR (sources:>3 big)", [big, alone]), ("sources:1", [alone])):
        query = parse_query(text)
        assert query.uses_sources
        sized = with_sizes(query, lambda s: sizes(s.story, 1))
        assert [s for s in (big, alone) if sized.matches(s)] == wanted, text
        assert sized.text == query.text
    plain = parse_query("quality:>3 OR big")
    assert not plain.uses_sources and with_sizes(plain, lambda s: 9) is plain
