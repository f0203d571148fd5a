"""`reader --explain-story` says why a copy of one text is in its story (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader import cli
from reader.core import stories
from reader.core.story_text import words

TEXT = ("Zorvex has announced a new payment option for its drone fleet service. The move means that along "
        "with its current per-pilot model, in which operators rent out drones for each individual pilot, "
        "Zorvex now offers a per-flight plan.")


def write(folder: Path, name: str, title: str, excerpt: str, when: str, provider: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f'---\ntitle: "{title}"\nexcerpt: "{excerpt}"\npublishedDateTime: {when}\n'
        f'webUrl: "https://{provider.lower()}.example/{name}"\n'
        f"provider:\n  name: {provider}\n  domain: {provider.lower()}.example\n---\n",
        encoding="utf-8",
    )
    return path


def test_explain_story_says_a_copy_has_the_same_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    news = tmp_path / "news"
    cut = TEXT[:185] + " ..."  # the same text cut short by another edition
    first = write(news, "first.md", "Zorvex drone service could be about to get more expensive", cut,
                  "2024-03-01T08:00:00Z", "Radar")
    copy = write(news, "copy.md", "Zorvex makes some changes to paying for its drones", TEXT,
                 "2024-03-11T08:00:00Z", "Radar")
    write(news, "other.md", "Rainfall in the valley doubles the rice harvest this year",
          "Farmers in the valley report twice the rice of last year after the rains.", "2024-03-05T08:00:00Z",
          "Gamma")
    assert cli.main(["--explain-story", str(copy)]) == 0
    out, err = capsys.readouterr()
    header, *members = [line.split("\t") for line in out.splitlines()]
    assert err == "" and header[0] == f"story {stories.story_id(str(first))}: 2 records"
    assert [m[4] for m in members] == ["began the story", f"same text as {first} ({len(words(cut)) - 1} words of its excerpt)"]
    assert cli.main(["--explain-story", str(copy), "--format", "json"]) == 0
    documents = [json.loads(line) for line in capsys.readouterr()[0].splitlines()]
    assert [(d["how"], d["peer"], d["this"]) for d in documents] == [("first", None, False),
                                                                     ("copy", str(first), True)]
