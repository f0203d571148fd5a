"""`reader --list` with stories: the `story` and `sources` of each record, `--list --stories` and
`--explain-story PATH` (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader import cli
from reader.cli_stories import warm_story_lines
from reader.core import library, stories
from reader.core.query import parse_query
from reader.core.warm_listing import Listing, warm_listing
from reader.synth import write_corpus

from tests.corpus import HEADLINE, three_records, write_story

REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_json_line_has_its_story_shared_by_its_records_and_stable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, other = three_records(tmp_path / "news")
    runs = []
    for _ in range(2):  # built, then from the warm index
        code, out, _ = run(capsys, "--list", "--format", "json", str(tmp_path / "news"))
        assert code == 0
        runs.append({line["path"]: (line["story"], line["sources"]) for line in map(json.loads, out.splitlines())})
    assert runs[0] == runs[1]
    story = stories.story_id(str(first))
    assert runs[0] == {str(first): (story, 2), str(second): (story, 2),
                       str(other): (stories.story_id(str(other)), 1)}


def test_sources_count_the_listed_folder_s_records_whatever_the_filter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, _ = three_records(tmp_path / "news")
    for cache in ([], ["--no-cache"], []):  # the plain way, and the warm index's way
        code, out, _ = run(capsys, "--list", *cache, "--filter", "provider:beta", str(tmp_path / "news"))
        assert code == 0
        fields = out.rstrip("\n").split("\t")
        assert fields[4:] == [str(second), stories.story_id(str(first)), "2"]


def test_list_stories_prints_a_line_per_story_with_a_matching_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, other = three_records(tmp_path / "news")
    code, out, _ = run(capsys, "--list", "--stories", str(tmp_path / "news"))
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert sorted(line[2] for line in lines) == ["1", "2"]
    two = next(line for line in lines if line[2] == "2")
    assert two == ["2024-03-01T08:00:00+00:00", "2024-03-01T20:00:00+00:00", "2", "Alpha, Beta", HEADLINE,
                   stories.story_id(str(first)), str(first)]
    # A filter matching only the second record lists its story, led by the first.
    code, out, _ = run(capsys, "--list", "--stories", "--format", "json", "--filter", "provider:beta",
                       str(tmp_path / "news"))
    (document,) = map(json.loads, out.splitlines())
    assert document == {
        "story": stories.story_id(str(first)), "title": HEADLINE, "path": str(first), "sources": 2,
        "first": "2024-03-01T08:00:00+00:00", "last": "2024-03-01T20:00:00+00:00", "providers": ["Alpha", "Beta"],
        "paths": [str(first), str(second)],
    }


def test_explain_story_prints_each_member_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second, _ = three_records(tmp_path / "news")
    third = write_story(tmp_path / "news", "third.md", "Quantum chip from Acme beats its rivals on speed, tests show",
                        "Delta", "2024-03-01T22:00:00Z", url="https://alpha.example/first.md?utm_source=x")
    code, out, err = run(capsys, "--explain-story", str(second))
    assert code == 0 and err == ""
    header, *members = [line.split("\t") for line in out.splitlines()]
    assert header[0] == f"story {stories.story_id(str(first))}: 3 records"
    assert [(m[0], m[2], m[3]) for m in members] == [
        (" ", "Alpha", HEADLINE), ("*", "Beta", f"{HEADLINE} - Beta"),
        (" ", "Delta", "Quantum chip from Acme beats its rivals on speed, tests show"),
    ]
    assert [m[4] for m in members] == [
        "began the story", f"same headline as {first}", f"same URL as {first} (alpha.example/first.md)",
    ]
    code, out, _ = run(capsys, "--explain-story", str(third), "--format", "json", str(tmp_path / "news"))
    documents = [json.loads(line) for line in out.splitlines()]
    assert [(d["how"], d["this"]) for d in documents] == [("first", False), ("title", False), ("url", True)]


def test_explain_story_of_a_story_of_one_says_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, other = three_records(tmp_path / "news")
    for cache in ([], [], ["--no-cache"]):  # built, warm, loaded
        code, out, _ = run(capsys, "--explain-story", str(other), *cache)
        assert code == 0
        assert out.split("\t")[0] == f"story {stories.story_id(str(other))}: 1 record"


def test_explain_story_of_a_bad_path_is_an_error_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for path, says in ((tmp_path / "missing.md", "no such file"), (bad, "is not a record"),
                       (tmp_path, "is a folder, not a record file")):
        done = subprocess.run([sys.executable, "-m", "reader", "--explain-story", str(path)], capture_output=True,
                              text=True, cwd=REPO, timeout=120)
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
        assert done.stdout == ""


def test_stories_go_with_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--stories"])
    assert "--stories" in capsys.readouterr().err


def news_with_stories(folder: Path) -> Path:
    """Three records (two of one event) and a small synthetic corpus of several-record stories, with
    a record of no date and a record sharing the synthetic records' folder."""
    three_records(folder)
    write_corpus(folder / "synthetic", 60, seed=4, workers=1)
    write_story(folder, "undated.md", "A record of no date at all, alone in its story", "Delta", "")
    return folder


def loading_fails(*_: object, **__: object) -> None:
    raise AssertionError("loaded the library: the warm index was not used")


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_list_stories_prints_the_same_from_a_warm_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    news = news_with_stories(tmp_path / "news")
    for query in ([], ["--filter", "provider:beta"], ["--filter", "-provider:alpha"]):
        cold = run(capsys, "--list", "--stories", "--format", fmt, *query, "--no-cache", str(news))
        built = run(capsys, "--list", "--stories", "--format", fmt, *query, str(news))
        with monkeypatch.context() as patched:  # the warm index answers: nothing is loaded
            patched.setattr(library, "load_library", loading_fails)
            warm = run(capsys, "--list", "--stories", "--format", fmt, *query, str(news))
        assert cold == built == warm and warm[0] == 0 and warm[1]
    several = [line for line in warm[1].splitlines() if (json.loads(line)["sources"] if fmt == "json"
                                                          else int(line.split("\t")[2])) > 1]
    assert len(several) >= 3


def test_list_stories_from_a_warm_index_counts_the_listed_folders_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    news = news_with_stories(tmp_path / "news")
    run(capsys, "--list", "--stories", str(news))  # the index holds every record, the story's both
    first, second, _ = three_records(tmp_path / "apart")
    second.rename(news / "second-apart.md")  # one story (with news' first and second) in two folders
    run(capsys, "--list", str(tmp_path / "apart"), str(news))
    both = run(capsys, "--list", "--stories", str(tmp_path / "apart"), str(news))
    with monkeypatch.context() as patched:
        patched.setattr(library, "load_library", loading_fails)
        apart = run(capsys, "--list", "--stories", str(tmp_path / "apart"))
        assert run(capsys, "--list", "--stories", str(tmp_path / "apart"), str(news)) == both
    assert run(capsys, "--list", "--stories", "--no-cache", str(tmp_path / "apart")) == apart
    # One story of four: two records under each folder; under "apart" alone, its record there only.
    assert any(line.split("\t")[2] == "4" and line.endswith(str(first)) for line in both[1].splitlines())
    assert sorted(line.split("\t")[2] for line in apart[1].splitlines()) == ["1", "1"]


def test_a_warm_listing_whose_index_changed_since_gives_no_story_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    news = news_with_stories(tmp_path / "news")
    run(capsys, "--list", str(news))
    listing = warm_listing([str(news)], parse_query(""))
    assert isinstance(listing, Listing)
    with listing:
        lines = list(listing.lines)
    listing.lines = iter(lines)
    assert warm_story_lines(listing, [str(news)], "tsv") is not None
    story = next(line[5] for line in lines if line[5] and line[6] > 1)
    # A record of the story stored after the listing read the index: its size no longer agrees.
    listing.lines = iter([(*line[:6], line[6] + 1) if line[5] == story else line for line in lines])
    assert warm_story_lines(listing, [str(news)], "tsv") is None


def test_explain_story_prints_the_same_from_a_warm_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    news = news_with_stories(tmp_path / "news")
    grouped = next(line.split("\t")[6] for line in run(capsys, "--list", "--stories", str(news))[1].splitlines()
                   if line.split("\t")[2] != "1" and "synthetic" in line)
    # The third: a story is the index's, whatever folders are loaded (without the index, second.md
    # loaded with the synthetic folder is a story of one).
    for target, folders, whole in ((news / "second.md", [], True), (Path(grouped), [str(news)], True),
                                   (news / "second.md", [str(news / "synthetic")], False)):
        for fmt in ("tsv", "json"):
            cold = run(capsys, "--explain-story", str(target), "--format", fmt, "--no-cache", *folders)
            built = run(capsys, "--explain-story", str(target), "--format", fmt, *folders)
            with monkeypatch.context() as patched:
                patched.setattr(library, "load_library", loading_fails)
                warm = run(capsys, "--explain-story", str(target), "--format", fmt, *folders)
            assert built == warm and warm[0] == 0 and (cold == warm) == whole
    (news / "second.md").write_text((news / "second.md").read_text().replace("Beta", "Zeta"), encoding="utf-8")
    code, out, _ = run(capsys, "--explain-story", str(news / "second.md"))  # the index is behind: loaded
    assert code == 0 and "Zeta" in out
