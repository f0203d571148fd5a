"""Tests for folders in, summaries out: discovery, parsing, topics and links between stories."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from reader.core.frontmatter import read_record
from reader.core.library import (
    POOL_THRESHOLD,
    Library,
    Parsed,
    discover,
    load_library,
    parse_file,
    parse_files,
)
from reader.core.record import Problem, Record, RelatedStory, Summary, Urls

REPO = Path(__file__).resolve().parent.parent
SEED = sorted((REPO / "seeds").glob("*.txt"))[0]


def write_record(folder: Path, name: str, **fields: Any) -> Path:
    """A record file with the given front matter fields."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n", encoding="utf-8")
    return path


def touch(path: Path, text: str = "---\ntitle: x\n---\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def parsed(path: Path) -> Parsed:
    result = parse_file(str(path))
    assert isinstance(result, Parsed), result
    return result


def full(path: Path) -> Record:
    record = read_record(str(path))
    assert isinstance(record, Record), record
    return record


# ---------------------------------------------------------------------------------------------------------
# discover


def test_discover_tree(tmp_path: Path) -> None:
    root = tmp_path / "news"
    wanted = [
        touch(root / "a.md"),
        touch(root / "b.txt"),
        touch(root / "c.yaml"),
        touch(root / "d.yml"),
        touch(root / "UPPER.MD"),
        touch(root / "ai" / "2021-01-24-story.md"),
        touch(root / "ai" / "deeper" / "still" / "e.md"),
        touch(root / "folder.md" / "inner.md"),  # a folder named like a record is walked
    ]
    skipped = [
        touch(root / "notes.json"),
        touch(root / "page.markdown"),
        touch(root / "README"),
        touch(root / "image.md.png"),
        touch(root / ".hidden" / "secret.md"),
        touch(root / ".git" / "objects" / "x.md"),
        touch(root / "ai" / ".draft.md"),
    ]
    files, problems = discover([str(root)])
    assert problems == []
    assert sorted(files) == sorted(str(p) for p in wanted)
    assert not set(files) & {str(p) for p in skipped}
    assert len(files) == len(set(files))
    # within one folder, files come in name order
    top = [f for f in files if os.path.dirname(f) == str(root)]
    assert top == sorted(top)


def test_discover_symlinked_folder_loop_ends(tmp_path: Path) -> None:
    root = tmp_path / "news"
    one = touch(root / "a" / "one.md")
    two = touch(root / "a" / "b" / "two.md")
    os.symlink(root, root / "a" / "b" / "back-to-root")
    os.symlink(root / "a", root / "a" / "self")
    start = time.perf_counter()
    files, problems = discover([str(root)])
    assert time.perf_counter() - start < 5
    assert problems == []
    assert sorted(files) == sorted([str(one), str(two)])


def test_discover_follows_a_symlinked_folder_elsewhere(tmp_path: Path) -> None:
    outside = touch(tmp_path / "elsewhere" / "far.md")
    root = tmp_path / "news"
    near = touch(root / "near.md")
    os.symlink(outside.parent, root / "linked")
    files, problems = discover([str(root)])
    assert problems == []
    assert sorted(files) == sorted([str(near), str(root / "linked" / "far.md")])


def test_discover_missing_path_is_a_problem(tmp_path: Path) -> None:
    good = touch(tmp_path / "here" / "a.md")
    missing = tmp_path / "not-here"
    files, problems = discover([str(good.parent), str(missing)])
    assert files == [str(good)]
    assert len(problems) == 1
    assert problems[0].path == str(missing)
    assert problems[0].reason and "\n" not in problems[0].reason


def test_discover_given_files_any_suffix_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = touch(tmp_path / "a.md")
    odd = touch(tmp_path / "odd.json")
    monkeypatch.chdir(tmp_path)
    files, problems = discover(["a.md", str(a), "./odd.json", str(tmp_path), "sub/../a.md"])
    assert problems == []
    # relative paths become absolute, and each file is listed once
    assert files == [str(a), str(odd)]


def test_discover_broken_symlink_is_listed_then_a_problem(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.md", tmp_path / "dangling.md")
    files, problems = discover([str(tmp_path / "dangling.md")])
    assert files == [str(tmp_path / "dangling.md")] and problems == []
    result = parse_file(files[0])
    assert isinstance(result, Problem)


# ---------------------------------------------------------------------------------------------------------
# load_library


def test_load_library_counts_good_and_bad(tmp_path: Path) -> None:
    root = tmp_path / "news"
    good = [
        write_record(root, "one.md", title="One", topics=["AI"]),
        write_record(root / "sub", "two.txt", title="Two", published=False),
        touch(root / "three.yaml", "title: Three\n"),
    ]
    (root / "seed.txt").write_bytes(SEED.read_bytes())
    good.append(root / "seed.txt")
    bad = [
        touch(root / "broken.md", "---\ntitle: [x\n---\n"),
        touch(root / "nofm.md", "# no front matter\n"),
        touch(root / "empty.md", ""),
        touch(root / "list.yml", "- a\n- b\n"),
    ]
    (root / "latin1.md").write_bytes("---\ntitle: caf\u00e9\n---\n".encode("latin-1"))
    bad.append(root / "latin1.md")
    touch(root / "ignored.json", "{}")
    missing = tmp_path / "missing"

    library = load_library([str(root), str(missing)])

    assert sorted(s.path for s in library.summaries) == sorted(str(p) for p in good)
    assert sorted(p.path for p in library.problems) == sorted([*(str(p) for p in bad), str(missing)])
    assert all(p.reason and "\n" not in p.reason for p in library.problems)
    titles = {s.title for s in library.summaries}
    assert titles == {"One", "Two", "Three", "Ban on facial recognition technology advances in Minneapolis"}
    seed = library.summary(str(root / "seed.txt"))
    assert seed is not None and seed.published is False and seed.has_related and seed.has_image
    assert isinstance(library.load_record(str(root / "seed.txt")), Record)
    assert library.summary(str(root / "nope.md")) is None


def test_load_library_empty_folder(tmp_path: Path) -> None:
    library = load_library([str(tmp_path)])
    assert library.summaries == [] and library.problems == [] and library.topic_counts() == []


def test_add_ignores_a_path_already_loaded(tmp_path: Path) -> None:
    item = parsed(write_record(tmp_path, "a.md", title="A", topics=["x"]))
    library = Library()
    library.add([item])
    library.add([item])
    assert len(library.summaries) == 1
    assert library.topic_counts() == [("x", 1)]


# ---------------------------------------------------------------------------------------------------------
# topic_counts


def test_topic_counts_most_common_then_name(tmp_path: Path) -> None:
    write_record(tmp_path, "1.md", title="1", topics=["AI", "Robots", "cars"])
    write_record(tmp_path, "2.md", title="2", topics=["Robots", "AI"])
    write_record(tmp_path, "3.md", title="3", topics=["AI", "Bots"])
    write_record(tmp_path, "4.md", title="4", topics=["art", "zebra", "Zulu"])
    write_record(tmp_path, "5.md", title="5", topics=["zebra"])
    write_record(tmp_path, "6.md", title="6")
    library = load_library([str(tmp_path)])
    assert library.topic_counts() == [
        ("AI", 3),
        ("Robots", 2),
        ("zebra", 2),
        ("art", 1),  # names ignore case: art, Bots, cars, Zulu
        ("Bots", 1),
        ("cars", 1),
        ("Zulu", 1),
    ]


# ---------------------------------------------------------------------------------------------------------
# resolve


STORY = "https://www.example.com/news/story-1/"


@pytest.fixture
def linked(tmp_path: Path) -> dict[str, Path]:
    return {
        "target": write_record(
            tmp_path, "target.md", title="Mayor’s plan — approved", originalUrl=STORY, published=True,
            publishedDateTime="2021-01-24T10:00:00Z",
        ),
        "other": write_record(
            tmp_path, "other.md", title="Something else", webUrl="https://other.example/a", published=True,
        ),
    }


@pytest.mark.parametrize(
    "urls",
    [
        Urls(web=STORY),
        Urls(web="http://example.com/news/story-1"),  # http, no www, no trailing slash
        Urls(web="HTTPS://WWW.EXAMPLE.COM/news/story-1"),
        Urls(amp="https://example.com/news/amp/story-1"),
        Urls(amp="https://amp.example.com/news/story-1?amp=1"),
        Urls(amp="https://www.example.com/news/story-1.amp"),
        Urls(cdn_amp="https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story-1/amp/"),
        Urls(original="https://nowhere.example/else", web="https://m.example.com/news/story-1/"),
    ],
)
def test_resolve_by_url(linked: dict[str, Path], urls: Urls) -> None:
    library = load_library([str(linked["target"].parent)])
    found = library.resolve(RelatedStory(title="A title matching nothing", urls=urls))
    assert found is not None and found.path == str(linked["target"])


@pytest.mark.parametrize(
    "title", ["Mayor’s plan — approved", "mayor's plan - approved", "MAYORS PLAN: APPROVED!", "  Mayor's   plan — approved "]
)
def test_resolve_by_title_when_no_url_matches(linked: dict[str, Path], title: str) -> None:
    library = load_library([str(linked["target"].parent)])
    for urls in (Urls(), Urls(web="https://unknown.example/x")):
        found = library.resolve(RelatedStory(title=title, urls=urls))
        assert found is not None and found.path == str(linked["target"])


def test_resolve_url_wins_over_title(linked: dict[str, Path]) -> None:
    library = load_library([str(linked["target"].parent)])
    found = library.resolve(RelatedStory(title="Something else", urls=Urls(web=STORY)))
    assert found is not None and found.path == str(linked["target"])


def test_resolve_nothing(linked: dict[str, Path]) -> None:
    library = load_library([str(linked["target"].parent)])
    assert library.resolve(RelatedStory(title="Unknown", urls=Urls(web="https://unknown.example/x"))) is None
    assert library.resolve(RelatedStory(title="")) is None
    assert library.resolve(RelatedStory(title="!!!", urls=Urls(web="javascript:alert(1)"))) is None


@pytest.mark.parametrize("duplicate_first", [True, False])
def test_unpublished_duplicate_not_preferred(tmp_path: Path, duplicate_first: bool) -> None:
    published = parsed(write_record(tmp_path, "z-published.md", title="Same story", webUrl=STORY, published=True, heat=90))
    duplicate = parsed(
        write_record(tmp_path, "a-duplicate.md", title="Same story", webUrl="http://example.com/news/story-1",
                     published=False, heat=-1)
    )
    library = Library()
    library.add([duplicate, published] if duplicate_first else [published, duplicate])
    assert len(library.summaries) == 2
    by_url = library.resolve(RelatedStory(title="x", urls=Urls(amp="https://example.com/news/amp/story-1")))
    by_title = library.resolve(RelatedStory(title="same story"))
    assert by_url is not None and by_url.path == published.summary.path
    assert by_title is not None and by_title.path == published.summary.path


def test_first_of_two_unpublished_kept(tmp_path: Path) -> None:
    first = parsed(write_record(tmp_path, "b.md", title="T", webUrl=STORY, published=False))
    second = parsed(write_record(tmp_path, "a.md", title="T", webUrl=STORY, published=False))
    library = Library()
    library.add([first, second])
    found = library.resolve(RelatedStory(title="T", urls=Urls(web=STORY)))
    assert found is not None and found.path == first.summary.path


def test_resolve_a_related_item_of_the_seed(tmp_path: Path) -> None:
    seed = full(SEED)
    story = seed.related[0]
    target = write_record(tmp_path, "target.md", title="A different title", webUrl=story.urls.web)
    library = load_library([str(tmp_path)])
    found = library.resolve(story)
    assert found is not None and found.path == str(target)


# ---------------------------------------------------------------------------------------------------------
# mentioned_by


def test_mentioned_by(tmp_path: Path) -> None:
    b_url = "https://www.b.example/news/b-story"
    a = write_record(
        tmp_path, "a.md", title="Story A", webUrl="https://a.example/a", publishedDateTime="2021-01-20T00:00:00Z",
        related=[
            {"title": "B as A saw it", "ampWebUrl": "https://b.example/news/amp/b-story"},
            {"title": "Story A", "webUrl": "https://a.example/a"},  # lists itself
        ],
    )
    b = write_record(tmp_path, "b.md", title="Story B", webUrl=b_url, publishedDateTime="2021-01-21T00:00:00Z")
    c = write_record(
        tmp_path, "c.md", title="Story C", webUrl="https://c.example/c", publishedDateTime="2021-01-22T00:00:00Z",
        related=[{"title": "story b"}, {"title": "Story B", "webUrl": b_url}],  # twice: listed once
    )
    undated = write_record(tmp_path, "d.md", title="Story D", related=[{"title": "x", "webUrl": "http://b.example/news/b-story/"}])
    lonely = write_record(tmp_path, "e.md", title="Story E", webUrl="https://e.example/e")
    library = load_library([str(tmp_path)])

    by = library.mentioned_by(full(b))
    assert [s.path for s in by] == [str(c), str(a), str(undated)]  # newest first, undated last
    assert library.mentioned_by(full(a)) == []  # a is not mentioned by itself
    assert library.mentioned_by(full(c)) == []
    assert library.mentioned_by(full(lonely)) == []


def test_mentioned_by_the_seed(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    seed = full(tmp_path / "seed.txt")
    story = seed.related[2]
    other = write_record(tmp_path, "other.md", title=story.title, webUrl=story.urls.amp)
    library = load_library([str(tmp_path)])
    assert [s.path for s in library.mentioned_by(full(other))] == [str(tmp_path / "seed.txt")]
    assert library.mentioned_by(seed) == []


# ---------------------------------------------------------------------------------------------------------
# parse_file / parse_files


def test_parse_file_keys(tmp_path: Path) -> None:
    path = write_record(
        tmp_path, "a.md", title="Hello, World!", originalUrl="https://www.a.example/x/",
        webUrl="http://a.example/x", related=[{"title": "Other", "webUrl": "https://b.example/y"}, "junk"],
    )
    result = parsed(path)
    assert result.keys == ("a.example/x", "t:hello world")
    assert result.mentions == ("b.example/y", "t:other")
    assert result.summary == Summary.of(full(path))


def test_parse_file_problem(tmp_path: Path) -> None:
    result = parse_file(str(touch(tmp_path / "bad.md", "no front matter")))
    assert isinstance(result, Problem)


def _corpus(folder: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        if i % 50 == 7:
            paths.append(touch(folder / f"{i:04d}-bad.md", "---\ntitle: [broken\n---\n"))
        else:
            paths.append(
                write_record(
                    folder, f"{i:04d}.md", title=f"Story {i}", topics=[f"t{i % 7}"], quality=i % 100,
                    publishedDateTime=datetime(2021, 1, 1 + i % 28, tzinfo=timezone.utc).isoformat(),
                    webUrl=f"https://example.com/{i}", related=[{"title": f"Story {i + 1}"}],
                )
            )
    return [str(p) for p in paths]


def test_parse_files_sequential_batches(tmp_path: Path) -> None:
    files = _corpus(tmp_path, 23)
    batches = list(parse_files(files, batch_size=10))
    assert [len(b) for b in batches] == [10, 10, 3]
    flat = [r for batch in batches for r in batch]
    assert [r.path if isinstance(r, Problem) else r.summary.path for r in flat] == files
    assert list(parse_files([])) == []


def test_parse_files_pool_matches_sequential(tmp_path: Path) -> None:
    files = _corpus(tmp_path, POOL_THRESHOLD + 13)
    sequential = [r for batch in parse_files(files, workers=1) for r in batch]
    pooled_batches = list(parse_files(files, workers=2, batch_size=100))
    pooled = [r for batch in pooled_batches for r in batch]
    assert all(len(b) == 100 for b in pooled_batches[:-1])
    assert len(pooled) == len(files)
    assert pooled == sequential
    assert sum(isinstance(r, Problem) for r in pooled) == sum(1 for f in files if f.endswith("-bad.md"))
    library = Library()
    library.add(pooled)
    assert len(library.summaries) + len(library.problems) == len(files)


def test_discover_walks_a_hidden_folder_given_explicitly(tmp_path: Path) -> None:
    inside = touch(tmp_path / ".news" / "a.md")
    touch(tmp_path / ".news" / ".skip" / "b.md")
    files, problems = discover([str(tmp_path / ".news")])
    assert (files, problems) == ([str(inside)], [])


def test_untitled_related_item_does_not_link_by_its_placeholder(tmp_path: Path) -> None:
    untitled = write_record(tmp_path, "untitled.md", webUrl="https://u.example/u")
    other = write_record(tmp_path, "other.md", title="Other", related=[{"webUrl": "https://elsewhere.example/zzz"}])
    library = load_library([str(tmp_path)])
    story = full(other).related[0]
    assert full(untitled).title == "untitled"
    assert library.resolve(story) is None
    assert library.mentioned_by(full(untitled)) == []
