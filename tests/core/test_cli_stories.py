"""`reader --list` with stories: the `story` and `sources` of each record, `--list --stories` and
`--explain-story PATH` (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader import cli
from reader.core import stories

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


def test_explain_story_of_a_bad_path_is_an_error_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for path, says in ((tmp_path / "missing.md", "no such file"), (bad, "is not a record"), (tmp_path, "no such file")):
        done = subprocess.run([sys.executable, "-m", "reader", "--explain-story", str(path)], capture_output=True,
                              text=True, cwd=REPO, timeout=120)
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
        assert done.stdout == ""


def test_stories_go_with_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--stories"])
    assert "--stories" in capsys.readouterr().err
