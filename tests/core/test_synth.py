"""The synthetic corpus generator writes parseable records shaped like the real corpora."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from reader.core.story_text import excerpt_key
from reader.synth import BLOCK, STORY_RATE, SYLLABLES, WORDS, events, generate, write_corpus

N = 200
NAME = re.compile(r"[a-z0-9-]+/_news/\d{4}-\d{2}-\d{2}-[a-z0-9-]+-\d+\.md")


def front_matter(text: str) -> str:
    """The YAML between the opening and closing `---` lines."""
    assert text.startswith("---\n")
    return text[4 : text.index("\n---\n", 3) + 1]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Two hundred records written with seed 0."""
    root = tmp_path_factory.mktemp("corpus")
    return root, write_corpus(root, N, seed=0)


@pytest.fixture(scope="module")
def texts(corpus: tuple[Path, list[Path]]) -> list[str]:
    """The text of each record."""
    return [path.read_text(encoding="utf-8") for path in corpus[1]]


@pytest.fixture(scope="module")
def records(texts: list[str]) -> list[dict[str, Any]]:
    """Each record's front matter, loaded as the reader loads it."""
    return [yaml.load(front_matter(text), Loader=yaml.CSafeLoader) for text in texts]


def test_writes_n_uniquely_named_files_in_topic_folders(corpus: tuple[Path, list[Path]]) -> None:
    root, paths = corpus
    relative = [p.relative_to(root).as_posix() for p in paths]
    assert len(paths) == N and len(set(relative)) == N
    assert sorted(relative) == sorted(snapshot(root))
    assert all(NAME.fullmatch(r) for r in relative), [r for r in relative if not NAME.fullmatch(r)][:3]
    assert len({r.split("/")[0] for r in relative}) > 5


def test_every_record_parses_with_the_required_fields(records: list[dict[str, Any]]) -> None:
    assert len(records) == N
    for record in records:
        assert isinstance(record, dict)
        assert record["category"] == "news"
        assert isinstance(record["title"], str) and record["title"]
        assert isinstance(record["excerpt"], str)
        assert isinstance(record["publishedDateTime"], datetime)
        assert record["publishedDateTime"].tzinfo is not None
        assert record["type"] in ("article", "video")
        assert set(record["provider"]) >= {"name", "domain"}
        assert 1 <= len([t for t in record["topics"] if t]) <= 3


def test_secured_is_ciphertext_and_iv(records: list[dict[str, Any]]) -> None:
    for record in records:
        cipher, iv = record["secured"].split(";")
        assert len(base64.b64decode(cipher, validate=True)) % 16 == 0
        assert len(base64.b64decode(iv, validate=True)) == 16


def test_about_a_fifth_are_unpublished_with_heat_minus_one(records: list[dict[str, Any]]) -> None:
    unpublished = [r for r in records if r.get("published") is False]
    assert 0.12 <= len(unpublished) / N <= 0.28
    assert all(r["heat"] == -1 for r in unpublished)
    assert all(r.get("published") is False for r in records if r.get("heat") == -1)


def test_heat_follows_quality_and_related_count(records: list[dict[str, Any]]) -> None:
    published = [r for r in records if r.get("published") is True]
    assert published
    for record in published:
        assert 0 <= record["quality"] <= 189
        assert record["heat"] == record["quality"] + 20 * min(len(record.get("related") or []), 4)


def test_some_older_records_lack_quality_heat_and_published(records: list[dict[str, Any]]) -> None:
    missing = [r for r in records if "quality" not in r]
    assert 0 < len(missing) < N * 0.2
    assert all("heat" not in r and "published" not in r for r in missing)


def test_videos_exist_and_carry_an_iframe(records: list[dict[str, Any]], texts: list[str]) -> None:
    videos = [r for r in records if r["type"] == "video"]
    assert 0 < len(videos) < N * 0.25
    assert all(r["featuredContent"].startswith("<iframe") and ' src="' in r["featuredContent"] for r in videos)
    assert all("featuredContent" not in r for r in records if r["type"] == "article")
    assert any('featuredContent: "<iframe width=\\"560\\"' in text for text in texts)


def test_related_lists_range_from_absent_to_long(records: list[dict[str, Any]]) -> None:
    lengths = [len(r.get("related") or []) for r in records]
    assert lengths.count(0) >= N * 0.2
    assert any(length >= 40 for length in lengths)
    assert max(lengths) <= 150
    for record in records:
        for item in record.get("related") or []:
            assert {"title", "excerpt", "publishedDateTime", "webUrl", "type", "provider", "quality"} <= set(item)
            assert "topics" not in item and "secured" not in item


def test_unpublished_duplicates_are_listed_as_related_by_visible_records(
    records: list[dict[str, Any]],
) -> None:
    duplicates = [r for r in records if r.get("published") is False]
    assert duplicates
    for duplicate in duplicates:
        listed_by = [
            r for r in records
            if r is not duplicate and r.get("published") is not False
            and any(item["webUrl"] == duplicate["webUrl"] for item in r.get("related") or [])
        ]
        assert listed_by, duplicate["webUrl"]


def test_null_topic_entries_occur(records: list[dict[str, Any]], texts: list[str]) -> None:
    assert any(None in r["topics"] for r in records)
    assert any("\ntopics:\n" in t and "\n  - \n" in t for t in texts)


@pytest.mark.parametrize(
    ("feature", "check"),
    [
        ("empty excerpt", lambda r, t: r["excerpt"] == ""),
        ("excerpt ending ...", lambda r, t: r["excerpt"].endswith("...")),
        ("excerpt ending […]", lambda r, t: r["excerpt"].endswith("[…]")),
        ("&nbsp; in excerpt", lambda r, t: "&nbsp;" in r["excerpt"]),
        ("escaped quote in title", lambda r, t: re.search(r'^title: ".*\\"', t, re.M) and '"' in r["title"]),
        ("curly quote in title", lambda r, t: "“" in r["title"] or "’" in r["title"]),
        ("emoji in title", lambda r, t: any(ord(c) > 0xFFFF for c in r["title"])),
        ("no originalUrl", lambda r, t: "originalUrl" not in r),
        ("video without webUrl", lambda r, t: r["type"] == "video" and "webUrl" not in r),
        ("AMP pair", lambda r, t: "ampWebUrl" in r and "cdnAmpWebUrl" in r),
        ("no images", lambda r, t: "images" not in r),
        ("images with isCached", lambda r, t: "images" in r and all(i.get("isCached") for i in r["images"])),
        ("older images with title", lambda r, t: any("title" in i for i in r.get("images", []))),
        ("related item without images", lambda r, t: any("images" not in i for i in r.get("related", []))),
        ("key order moved", lambda r, t: list(r)[:4] != ["category", "title", "excerpt", "publishedDateTime"]),
    ],
)
def test_odd_values_from_the_wild_occur(
    records: list[dict[str, Any]], texts: list[str], feature: str, check: Any
) -> None:
    assert any(check(r, t) for r, t in zip(records, texts)), feature


def test_amp_urls_come_in_pairs(records: list[dict[str, Any]]) -> None:
    for record in records:
        assert ("ampWebUrl" in record) == ("cdnAmpWebUrl" in record)
        for item in record.get("related") or []:
            assert ("ampWebUrl" in item) == ("cdnAmpWebUrl" in item)


def test_file_sizes_are_near_the_real_corpora(corpus: tuple[Path, list[Path]]) -> None:
    sizes = [p.stat().st_size for p in corpus[1]]
    assert 8_000 <= sum(sizes) / len(sizes) <= 32_000
    assert max(sizes) <= 160_000


def test_same_seed_writes_the_same_corpus(tmp_path: Path, corpus: tuple[Path, list[Path]]) -> None:
    write_corpus(tmp_path / "again", N, seed=0)
    assert snapshot(tmp_path / "again") == snapshot(corpus[0])


def test_process_count_does_not_change_the_corpus(tmp_path: Path, corpus: tuple[Path, list[Path]]) -> None:
    write_corpus(tmp_path / "parallel", N, seed=0, workers=2)
    assert snapshot(tmp_path / "parallel") == snapshot(corpus[0])


def test_another_seed_writes_another_corpus(tmp_path: Path, corpus: tuple[Path, list[Path]]) -> None:
    write_corpus(tmp_path / "other", N, seed=1)
    assert snapshot(tmp_path / "other") != snapshot(corpus[0])


def test_topic_pool_size_bounds_the_topics(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path, 50, seed=3, topics=2)
    assert len({p.relative_to(tmp_path).parts[0] for p in paths}) <= 2


def test_some_events_are_reported_several_times_under_reworded_headlines(
    corpus: tuple[Path, list[Path]], records: list[dict[str, Any]]
) -> None:
    """A made-up name (syllables, not a WORDS word) marks one event; its records are close in time,
    from several outlets, under headlines that differ."""
    made_up = re.compile(f"(?:{'|'.join(SYLLABLES)})+")
    by_event: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for path, record in zip(corpus[1], records):
        index = int(path.stem.rsplit("-", 1)[1])
        words = re.findall(r"[a-z]+", record["title"].lower())
        names = [w for w in words if w not in WORDS and made_up.fullmatch(w)]
        if names:
            by_event.setdefault((index // BLOCK, names[0]), []).append(record)
    several = [group for group in by_event.values() if len(group) >= 2]
    assert len(several) >= N // BLOCK * STORY_RATE * 0.5
    assert any(len(group) >= 4 for group in several)
    for group in several:
        times = [r["publishedDateTime"] for r in group]
        assert (max(times) - min(times)).days <= 3
        assert len({r.get("originalUrl") or r.get("webUrl") for r in group}) == len(group)
    assert sum(len({r["title"] for r in group}) == len(group) for group in several) >= len(several) * 0.8


def test_only_records_of_one_event_share_an_excerpt() -> None:
    """Unrelated records sharing an excerpt would be grouped as copies of one text (false joins in
    the benchmark); an event's outlets do now and then run one text under their own headlines."""
    truth = events(3000, seed=5)
    holders: dict[str, list[str]] = {}
    key_holders: dict[str, list[str]] = {}
    for relative, text in generate(3000, seed=5):
        excerpt = json.loads(re.search(r'^excerpt: (".*")$', text, re.M).group(1))  # type: ignore[union-attr]
        holders.setdefault(excerpt, []).append(relative)
        if key := excerpt_key(excerpt):
            key_holders.setdefault(key, []).append(relative)
    assert set(truth) == {path for paths in holders.values() for path in paths}
    shared = [paths for excerpt, paths in holders.items() if len(paths) > 1 and excerpt]
    assert len(shared) >= 10  # syndicated copies within events
    for paths in [*shared, *(paths for paths in key_holders.values() if len(paths) > 1)]:
        assert len({truth[path] for path in paths}) == 1, paths
    assert all(truth[path].startswith("event") for paths in shared for path in paths)


def test_events_name_the_records_that_report_one_event() -> None:
    truth = events(400, seed=2)
    made_up = re.compile(f"(?:{'|'.join(SYLLABLES)})+")
    by_event: dict[str, set[str]] = {}
    for relative, text in generate(400, seed=2):
        title = json.loads(re.search(r'^title: (".*")$', text, re.M).group(1))  # type: ignore[union-attr]
        names = [w for w in re.findall(r"[a-z]+", title.lower()) if w not in WORDS and made_up.fullmatch(w)]
        block = int(relative.rsplit("-", 1)[1].removesuffix(".md")) // BLOCK
        by_event.setdefault(f"{block} {names[0]}" if names else relative, set()).add(relative)
    several = sorted(sorted(paths) for paths in by_event.values() if len(paths) > 1)
    told: dict[str, set[str]] = {}
    for relative, event in truth.items():
        told.setdefault(event, set()).add(relative)
    assert several and several == sorted(sorted(paths) for paths in told.values() if len(paths) > 1)
