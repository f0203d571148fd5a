"""Tests for folders in, summaries out: scanning, parsing, topics and links between stories."""

from __future__ import annotations

import dataclasses

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from reader.core.counts import count
from reader.core.frontmatter import read_record
from reader.core.index import Index
from reader.core.index_rows import Entry, key_hash
from reader.core.library import Library, load_library
from reader.core.loader import Batch
from reader.core.parsing import POOL_THRESHOLD, parse_entries, parse_entry
from reader.core.record import Problem, Record, RelatedStory, Summary, Urls
from reader.core.record_files import FileStamp
from reader.core.record_files import scan_record_files as scan
from tests.fakes import topic_counts

REPO = Path(__file__).resolve().parents[2]
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


def item(path: Path) -> tuple[str, FileStamp]:
    """What `scan` reports for a regular file: (path, stamp)."""
    info = os.stat(path)
    return (str(path), (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))


def entry(path: Path) -> Entry:
    """A parsed record's index entry."""
    result = parse_entry(item(path))
    assert isinstance(result.result, Summary), result
    return result


def full(path: Path) -> Record:
    record = read_record(str(path))
    assert isinstance(record, Record), record
    return record


def library_of(entries: Iterable[Entry]) -> Library:
    """A library holding `entries` in the given load order, their links stored in its index."""
    entries = list(entries)
    index = Index(":memory:")
    index.store(entries)
    library = Library(index)
    batch = Batch()
    for one in entries:
        batch.stats[one.path] = one.stamp
        if isinstance(one.result, Problem):
            batch.problems.append(one.result)
        else:
            batch.summaries.append(one.result)
    library.apply(batch)
    return library


def scanned(paths: list[str]) -> tuple[list[str], list[Problem]]:
    stats, problems = scan(paths)
    return list(stats), problems


# ---------------------------------------------------------------------------------------------------------
# scan


def test_scan_tree(tmp_path: Path) -> None:
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
    stats, problems = scan([str(root)])
    files = list(stats)
    assert problems == []
    assert sorted(files) == sorted(str(p) for p in wanted)
    assert not set(files) & {str(p) for p in skipped}
    # each file comes with its size and modification time
    assert all(stats[str(p)] == item(p)[1] for p in wanted)
    # within one folder, files come in name order
    top = [f for f in files if os.path.dirname(f) == str(root)]
    assert top == sorted(top)


def test_scan_symlinked_folder_loop_ends(tmp_path: Path) -> None:
    root = tmp_path / "news"
    one = touch(root / "a" / "one.md")
    two = touch(root / "a" / "b" / "two.md")
    os.symlink(root, root / "a" / "b" / "back-to-root")
    os.symlink(root / "a", root / "a" / "self")
    files, problems = scanned([str(root)])
    assert problems == []
    assert sorted(files) == sorted([str(one), str(two)])


def test_scan_does_not_follow_a_symlinked_folder_elsewhere(tmp_path: Path) -> None:
    """Issue 12, point 4 turned this around: a link to a folder outside the given folders is reported,
    not followed (a link to / walked the whole disk)."""
    outside = touch(tmp_path / "elsewhere" / "far.md")
    root = tmp_path / "news"
    near = touch(root / "near.md")
    os.symlink(outside.parent, root / "linked")
    files, problems = scanned([str(root)])
    assert [(p.path, "outside the given folders" in p.reason) for p in problems] == [(str(root / "linked"), True)]
    assert sorted(files) == sorted([str(near)])


def test_scan_missing_path_is_a_problem(tmp_path: Path) -> None:
    good = touch(tmp_path / "here" / "a.md")
    missing = tmp_path / "not-here"
    files, problems = scanned([str(good.parent), str(missing)])
    assert files == [str(good)]
    assert len(problems) == 1
    assert problems[0].path == str(missing)
    assert problems[0].reason and "\n" not in problems[0].reason


def test_scan_given_files_any_suffix_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = touch(tmp_path / "a.md")
    odd = touch(tmp_path / "odd.json")
    monkeypatch.chdir(tmp_path)
    files, problems = scanned(["a.md", str(a), "./odd.json", str(tmp_path), "sub/../a.md"])
    assert problems == []
    # relative paths become absolute, and each file is listed once
    assert files == [str(a), str(odd)]


def test_scan_broken_symlink_is_listed_then_a_problem(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.md", tmp_path / "dangling.md")
    stats, problems = scan([str(tmp_path / "dangling.md")])
    assert list(stats) == [str(tmp_path / "dangling.md")] and problems == []
    result = parse_entry((str(tmp_path / "dangling.md"), stats[str(tmp_path / "dangling.md")]))
    assert isinstance(result.result, Problem)
    assert result.own_keys == () and result.mention_keys == ()


def test_scan_walks_a_hidden_folder_given_explicitly(tmp_path: Path) -> None:
    inside = touch(tmp_path / ".news" / "a.md")
    touch(tmp_path / ".news" / ".skip" / "b.md")
    assert scanned([str(tmp_path / ".news")]) == ([str(inside)], [])


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
    assert len(library) == len(good)
    assert sorted(p.path for p in library.problems) == sorted([*(str(p) for p in bad), str(missing)])
    assert all(p.reason and "\n" not in p.reason for p in library.problems)
    titles = {s.title for s in library.summaries}
    assert titles == {"One", "Two", "Three", "Ban on facial recognition technology advances in Minneapolis"}
    seed = library.summary(str(root / "seed.txt"))
    assert seed is not None and seed.published is False and seed.has_related and seed.has_image
    assert seed.story  # grouped: a story of its own at least
    assert seed == dataclasses.replace(Summary.of(full(root / "seed.txt")), story=seed.story)
    assert isinstance(library.load_record(str(root / "seed.txt")), Record)
    assert library.summary(str(root / "nope.md")) is None
    # every file found, good or bad, is in the stats with its size and mtime; the missing path is not
    assert library.stats == {str(p): item(p)[1] for p in [*good, *bad]}


def test_load_library_empty_folder(tmp_path: Path) -> None:
    library = load_library([str(tmp_path)])
    assert library.summaries == [] and library.problems == [] and topic_counts(library) == []


def test_apply_the_same_batch_twice_keeps_one(tmp_path: Path) -> None:
    one = entry(write_record(tmp_path, "a.md", title="A", topics=["x"]))
    library = library_of([one])
    again = Batch(summaries=[one.result], stats={one.path: one.stamp})  # type: ignore[list-item]
    library.apply(again)
    assert len(library.summaries) == 1
    assert topic_counts(library) == [("x", 1)]


def test_apply_replaces_and_removes(tmp_path: Path) -> None:
    a = entry(write_record(tmp_path, "a.md", title="A", topics=["x"]))
    b = entry(write_record(tmp_path, "b.md", title="B", topics=["x"]))
    library = library_of([a, b])
    newer = entry(write_record(tmp_path, "a.md", title="A again", topics=["y"]))
    problem = Problem(b.path, "invalid YAML")
    later = (newer.stamp[0], newer.stamp[1] + 1, *newer.stamp[2:])
    library.apply(
        Batch(summaries=[newer.result], problems=[problem],  # type: ignore[list-item]
              stats={a.path: later, b.path: (1, 1, 1, 1)})
    )
    assert [s.title for s in library.summaries] == ["A again"]
    assert library.problems == [problem]
    assert topic_counts(library) == [("y", 1)]
    assert library.stats[a.path] == later
    missing = Problem("/nowhere", "no such file or folder")
    library.apply(Batch(removed=[a.path, b.path], scan_problems=[missing]))
    assert library.summaries == [] and library.stats == {}
    assert library.problems == [missing]
    library.apply(Batch(scan_problems=[]))  # a later scan replaces the scan problems
    assert library.problems == []


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
    assert topic_counts(library) == [
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


def test_resolve_only_loaded_records(linked: dict[str, Path]) -> None:
    """The index may hold links of files that are not loaded (another folder): they never resolve."""
    index = Index(":memory:")
    load_library([str(linked["target"].parent)], index)
    elsewhere = load_library([str(linked["other"])], index)  # same index, only the other file loaded
    assert elsewhere.resolve(RelatedStory(title="x", urls=Urls(web=STORY))) is None
    found = elsewhere.resolve(RelatedStory(title="something else"))
    assert found is not None and found.path == str(linked["other"])


@pytest.mark.parametrize("duplicate_first", [True, False])
def test_unpublished_duplicate_not_preferred(tmp_path: Path, duplicate_first: bool) -> None:
    published = entry(write_record(tmp_path, "z-published.md", title="Same story", webUrl=STORY, published=True, heat=90))
    duplicate = entry(
        write_record(tmp_path, "a-duplicate.md", title="Same story", webUrl="http://example.com/news/story-1",
                     published=False, heat=-1)
    )
    library = library_of([duplicate, published] if duplicate_first else [published, duplicate])
    assert len(library.summaries) == 2
    by_url = library.resolve(RelatedStory(title="x", urls=Urls(amp="https://example.com/news/amp/story-1")))
    by_title = library.resolve(RelatedStory(title="same story"))
    assert by_url is not None and by_url.path == published.path
    assert by_title is not None and by_title.path == published.path


def test_two_unpublished_duplicates_resolve_the_same_whatever_the_load_order(tmp_path: Path) -> None:
    """The old library kept the first one loaded; load order now depends on the index (newest first on
    a second start), so the choice must not depend on it."""
    first = entry(write_record(tmp_path, "b.md", title="T", webUrl=STORY, published=False))
    second = entry(write_record(tmp_path, "a.md", title="T", webUrl=STORY, published=False))
    story = RelatedStory(title="T", urls=Urls(web=STORY))
    found = {
        getattr(library_of(order).resolve(story), "path", None)
        for order in ([first, second], [second, first])
    }
    assert len(found) == 1 and found <= {first.path, second.path}
    by_title = {getattr(library_of(order).resolve(RelatedStory(title="t")), "path", None)
                for order in ([first, second], [second, first])}
    assert by_title == found


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


def test_untitled_related_item_does_not_link_by_its_placeholder(tmp_path: Path) -> None:
    untitled = write_record(tmp_path, "untitled.md", webUrl="https://u.example/u")
    other = write_record(tmp_path, "other.md", title="Other", related=[{"webUrl": "https://elsewhere.example/zzz"}])
    library = load_library([str(tmp_path)])
    story = full(other).related[0]
    assert full(untitled).title == "untitled"
    assert library.resolve(story) is None
    assert library.mentioned_by(full(untitled)) == []


# ---------------------------------------------------------------------------------------------------------
# parse_entry / parse_entries


def test_parse_entry_keys(tmp_path: Path) -> None:
    path = write_record(
        tmp_path, "a.md", title="Hello, World!", originalUrl="https://www.a.example/x/",
        webUrl="http://a.example/x", related=[{"title": "Other", "webUrl": "https://b.example/y"}, "junk"],
    )
    result = parse_entry(item(path))
    assert (result.path, result.stamp) == item(path)
    assert result.own_keys == tuple(key_hash(k) for k in ("a.example/x", "t:hello world"))
    assert result.mention_keys == tuple(key_hash(k) for k in ("b.example/y", "t:other"))
    assert result.result == Summary.of(full(path))


def test_key_hash_is_stable() -> None:
    """Keys are stored on disk and computed in worker processes: the hash must never vary."""
    assert key_hash("t:hello world") == key_hash("t:hello world")
    assert key_hash("a") != key_hash("b")
    assert -(2**63) <= key_hash("example.com/x") < 2**63
    # blake2b with an 8-byte digest, read as a signed big-endian integer
    digest = hashlib.blake2b(b"t:hello world", digest_size=8).digest()
    assert key_hash("t:hello world") == int.from_bytes(digest, "big", signed=True)
    assert isinstance(key_hash("\ud800"), int)  # a lone surrogate from a YAML escape does not raise


def test_parse_entry_problem(tmp_path: Path) -> None:
    path = touch(tmp_path / "bad.md", "no front matter")
    result = parse_entry(item(path))
    assert isinstance(result.result, Problem) and result.result.path == str(path)
    assert result.own_keys == () and result.mention_keys == ()


def _corpus(folder: Path, count: int) -> list[tuple[str, int, int]]:
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
    return [item(p) for p in paths]


def test_parse_entries_sequential_batches(tmp_path: Path) -> None:
    files = _corpus(tmp_path, 23)
    batches = list(parse_entries(files, workers=1))
    assert all(batches)
    flat = [e for batch in batches for e in batch]
    assert [(e.path, e.stamp) for e in flat] == files
    assert list(parse_entries([])) == []


def test_parse_entries_pool_matches_sequential(tmp_path: Path) -> None:
    files = _corpus(tmp_path, POOL_THRESHOLD + 13)
    sequential = [e for batch in parse_entries(files, workers=1) for e in batch]
    pooled_batches = list(parse_entries(files, workers=2))
    pooled = [e for batch in pooled_batches for e in batch]
    assert all(pooled_batches)
    assert len(pooled) == len(files)
    assert pooled == sequential  # same order, same summaries, same link hashes across processes
    bad = sum(1 for f in files if f[0].endswith("-bad.md"))
    assert sum(isinstance(e.result, Problem) for e in pooled) == bad
    library = library_of(pooled)
    assert len(library.summaries) + len(library.problems) == len(files)
    found = library.resolve(RelatedStory(title="x", urls=Urls(web="https://example.com/12")))
    assert found is not None and found.path == str(tmp_path / "0012.md")


def test_closing_a_pooled_parse_early_does_not_wait_for_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quitting during a first load must not wait for the pool to parse the whole folder: the files not
    started are cancelled (how long closing takes: benchmarks/hostile_bench.py)."""
    from reader.core import parsing
    from reader.core.parsing import POOL_THRESHOLD, parse_entries

    pools: list[parsing.ParsePool] = []
    shutdowns: list[dict[str, bool]] = []
    real_init = parsing.ParsePool.__init__

    def recording(self: parsing.ParsePool, workers: int | None) -> None:
        real_init(self, workers)
        pools.append(self)
        real_shutdown = self._pool.shutdown
        self._pool.shutdown = lambda **options: (shutdowns.append(options), real_shutdown(**options))[1]  # type: ignore[method-assign]

    monkeypatch.setattr(parsing.ParsePool, "__init__", recording)
    body = "".join(f"k{i}: value {i}\n" for i in range(20_000))  # ~60 ms of parsing a file
    files = []
    for i in range(POOL_THRESHOLD + 200):
        path = tmp_path / f"{i:04}.md"
        path.write_text(f"---\ntitle: slow {i}\n{body}---\n", encoding="utf-8")
        files.append(item(path))
    batches = parse_entries(files)
    first = next(batches)
    assert len(first) > 0
    batches.close()  # what happens when the loading worker returns early
    (pool,) = pools
    assert shutdowns == [{"wait": False, "cancel_futures": True}] and pool._pool._shutdown_thread


def reference_entry(item: tuple[str, FileStamp]) -> Entry:
    """parse_entry as first written, through RelatedStory objects: the reference for its shortcut."""
    from reader.core.story_links import link_keys, mention_keys
    from reader.core.urls import story_keys

    path, stamp = item
    result = read_record(path, related_in_full=False)
    if isinstance(result, Problem):
        return Entry(path, stamp, result)
    mentions: dict[int, None] = {}
    for story in result.related:
        mentions.update(dict.fromkeys(key_hash(key) for key in link_keys(mention_keys(story.urls), story.title)))
    own = tuple(key_hash(key) for key in link_keys(story_keys(result.urls), result.title))
    return Entry(path, stamp, Summary.of(result), own, tuple(mentions))


def test_parse_entry_equals_the_record_based_reference(tmp_path: Path) -> None:
    from reader.synth import write_corpus

    from tests.hostile import write_hostile_folder

    write_corpus(tmp_path / "synth", 200, seed=5)
    write_hostile_folder(tmp_path / "hostile")
    odd = tmp_path / "odd"
    write_record(odd, "video-only.md", title="v", related=[{"featuredContent": "https://v.example/x"}, {}])
    write_record(odd, "flow.md", title="f", related=[{"title": "T", "webUrl": "https://w.example/y"}])
    touch(odd / "flow-yaml.md", '---\ntitle: x\nrelated: [{title: "A & B", ampWebUrl: "https://a.example/amp/z"}]\n---\n')
    touch(odd / "same.md", "---\ntitle: x\nrelated:\n  - originalUrl: https://s.example/a\n    webUrl: https://s.example/a\n---\n")
    touch(odd / "amp-only.md", "---\nrelated:\n  - title: ''\n    cdnAmpWebUrl: https://s-example.cdn.ampproject.org/c/s/s.example/b\n---\n")
    touch(odd / "bad-related.md", "---\ntitle: x\nrelated: 5\n---\n")
    touch(odd / "flow-video.md", '---\ntitle: x\nrelated: [{featuredContent: "https://v.example/x"}]\n---\n')
    touch(odd / "broken.md", "---\ntitle: [x\n---\n")
    stats, _ = scan([str(tmp_path), str(SEED)])
    assert len(stats) > 200
    for path, stamp in stats.items():
        assert parse_entry((path, stamp)) == reference_entry((path, stamp)), path


def test_a_huge_heat_loads_the_record_and_notes_the_field(tmp_path: Path) -> None:
    """Issue 12: a 100,000-digit heat made the whole file a problem; the field is left out instead."""
    path = touch(tmp_path / "news" / "hot.md", "---\ntitle: Hot\nheat: " + "9" * 100_000 + "\nquality: 5\n---\n")
    for _ in range(2):  # parsed, then from the index
        library = load_library([str(path.parent)], Index(str(tmp_path / "index.sqlite3")))
        assert [(s.title, s.heat, s.quality) for s in library.summaries] == [("Hot", None, 5)]
        assert library.problems == [Problem(str(path), "heat: a number out of range, left out")]
        library.index.close()


def test_problem_count_counts_unreadable_files_and_given_paths_without_copying(tmp_path: Path) -> None:
    good = write_record(tmp_path / "news", "good.md", title="Good", publishedDateTime="2021-01-01T00:00:00Z")
    touch(tmp_path / "news" / "bad.md", "---\ntitle: [unclosed\n---\n")
    library = load_library([str(good.parent), str(tmp_path / "not-here")])
    assert len(library) == 1
    assert library.problem_count == len(library.problems) == 2
    library.apply(Batch(removed=[str(tmp_path / "news" / "bad.md")], scan_problems=[]))
    assert library.problem_count == len(library.problems) == 0
