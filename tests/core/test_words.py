"""The word index (reader.core.words) only narrows: its candidates hold every record the plain scan
matches, and lists computed with it equal lists computed without it, on the synthetic, library and
hostile corpora, for random queries, and after files are added, changed and removed."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.control.filtering import FilterRuns, Page
from reader.core.library import load_library
from reader.core.listing import Lister
from reader.core.loader import Batch, stream
from reader.core.query import QueryError, parse_query
from reader.core.record import Provider, Record, Summary
from reader.core.state import StateStore
from reader.core.words import WORD, WordIndex
from reader.synth import write_corpus
from tests.corpus import write_library
from tests.fakes import changing_list, library_of
from tests.fakes import summary as fake_summary
from tests.hostile import write_hostile_folder

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)


def small_index(chunk: int = 64) -> WordIndex:
    """An index whose thresholds suit a few hundred records: some words common, most not, slots packed
    at every sweep."""
    return WordIndex(common_min=4, common_share=0.1, max_words=200, chunk=chunk, pack_at=1)


def matching(records: list[Summary], text: str) -> set[int]:
    query = parse_query(text, now=NOW)
    return {i for i, summary in enumerate(records) if query.matches(summary)}


def candidates(index: WordIndex, records: list[Summary], version: int, text: str) -> set[int] | None:
    found = index.candidates(records, version, parse_query(text, now=NOW).terms, len(records))
    return None if found is None else set(found)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Summary]]:
    """The records of each corpus, as the library lists them."""
    root = tmp_path_factory.mktemp("words")
    write_corpus(root / "synthetic", 400, seed=7, topics=5, workers=1)
    write_library(root / "library")
    write_hostile_folder(root / "hostile")
    return {name: load_library([str(root / name)]).summaries for name in ("synthetic", "library", "hostile")}


def fragments(records: list[Summary]) -> list[str]:
    """Pieces of the records' text to search for: words, parts of words, runs across word ends."""
    rng = random.Random(5)
    pieces: list[str] = []
    for summary in records:
        texts = [summary.title_cf, summary.text_cf.decode("utf-8", "replace")]
        for text in texts:
            if not text:
                continue
            for _ in range(3):
                start = rng.randrange(len(text))
                pieces.append(text[start : start + rng.randint(1, 14)])
            words = WORD.findall(text.encode("utf-8", "replace"))
            pieces += [word.decode("utf-8", "replace") for word in rng.sample(words, min(3, len(words)))]
    return [piece for piece in dict.fromkeys(pieces) if piece.strip() and '"' not in piece]


def query_text(draw: st.DrawFn, pool: list[str]) -> str:
    """A query of one to three terms: quoted pieces, maybe title:, negated, or in an OR."""

    def term() -> str:
        piece = f'"{draw(st.sampled_from(pool))}"'
        prefix = draw(st.sampled_from(["", "", "", "-", "title:"]))
        return prefix + piece

    terms = []
    for _ in range(draw(st.integers(1, 3))):
        terms.append(f"({term()} OR {term()})" if draw(st.booleans()) and draw(st.booleans()) else term())
    return " ".join(terms)


@pytest.mark.parametrize("corpus", ["synthetic", "library", "hostile"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_candidates_hold_every_match(
    corpora: dict[str, list[Summary]], corpus: str, data: st.DataObject
) -> None:
    records = corpora[corpus]
    index = small_index()
    assert index.catch_up(records, 1)
    text = query_text(data.draw, fragments(records))
    try:
        wanted = matching(records, text)
    except QueryError:
        return
    found = candidates(index, records, 1, text)
    assert found is None or wanted <= found, text


@pytest.mark.parametrize("corpus", ["synthetic", "library", "hostile"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_lists_with_the_index_equal_lists_without(
    corpora: dict[str, list[Summary]], corpus: str, data: st.DataObject
) -> None:
    records = corpora[corpus]
    with_index, plain = Lister(small_index()), Lister()
    with_index.prepare(records, 1, "newest")
    topics = sorted({topic for summary in records for topic in summary.topics})
    topic = data.draw(st.sampled_from([None, *topics]))
    order = data.draw(st.sampled_from(["newest", "oldest", "title"]))
    typed = query_text(data.draw, fragments(records))
    for end in sorted({len(typed), *data.draw(st.lists(st.integers(1, len(typed)), max_size=4))}):
        try:
            query = parse_query(typed[:end], now=NOW)
        except QueryError:
            continue
        ours = with_index.compute(records, 1, order, topic, query)
        theirs = plain.compute(records, 1, order, topic, query)
        assert ours is not None and theirs is not None
        assert list(ours.summaries.positions) == list(theirs.summaries.positions), typed[:end]


def test_a_rare_word_narrows_to_the_records_that_have_it(corpora: dict[str, list[Summary]]) -> None:
    records = corpora["synthetic"]
    index = small_index()
    index.catch_up(records, 1)
    counts: dict[bytes, int] = {}
    for summary in records:
        for word in set(WORD.findall(summary.title_cf.encode() + b"\n" + summary.text_cf)):
            counts[word] = counts.get(word, 0) + 1
    once = (word.decode() for word, n in counts.items() if n == 1 and word.isalpha() and len(word) >= 6)
    rare = sorted(once)[:20]
    assert rare
    for word in rare:
        wanted = matching(records, word)
        found = candidates(index, records, 1, f'"{word}"')
        assert found is not None and wanted <= found and len(found) < len(records) // 10, word
        # a piece of the word; its start after a space, its end before one; the word in a phrase
        for text in (f'"{word[1:-1]}"', f'" {word[:-1]}"', f'"{word[1:]} "', f'"x {word} y"'):
            found = candidates(index, records, 1, text)
            assert found is not None and matching(records, text) <= found, text
            assert wanted <= found or text.startswith('"x'), text
    assert candidates(index, records, 1, '"qqqzzzx"') == set() == matching(records, "qqqzzzx")


def test_terms_the_index_cannot_narrow_are_left_to_the_scan(corpora: dict[str, list[Summary]]) -> None:
    records = corpora["synthetic"]
    index = small_index()
    index.catch_up(records, 1)
    for text in ("-robot", "quality:>5", '"..."', "a", "robot OR -robot", "is:published"):
        assert candidates(index, records, 1, text) is None, text


def summary(title: str, excerpt: str = "", hours: int = 0) -> Summary:
    return Summary.of(Record(
        path=f"/r/{title}.md", title=title, excerpt=excerpt, provider=Provider("P", "p.test"),
        published_at=NOW - timedelta(hours=hours),
    ))


@settings(max_examples=80, deadline=None)
@given(
    script=st.lists(
        st.tuples(
            st.sampled_from(["add", "remove", "replace", "index", "some", "same"]), st.integers(0, 10**6)
        ),
        max_size=25,
    )
)
def test_the_index_follows_a_list_that_changes(script: list[tuple[str, int]]) -> None:
    """Records added at the end, removed or replaced anywhere (as the library's list changes), the
    index partly or wholly caught up: every record is still found by its own words."""
    serial = 0

    def new() -> Summary:
        nonlocal serial
        serial += 1
        return summary(f"w{serial}x t{serial % 7}", f"body{serial} common")

    index = WordIndex(common_min=4, common_share=0.2, max_words=200, chunk=8, pack_at=2)
    for records, version, number in changing_list(script, new, index, removed=lambda number: 1):
        for probe in records[number % max(1, len(records)) :][:5]:
            word = probe.title_cf.split()[0]
            found = candidates(index, records, version, word)
            assert found is not None and matching(records, word) <= found
            assert records.index(probe) in found
        common = candidates(index, records, version, "t3")
        assert common is None or matching(records, "t3") <= common


def test_an_older_list_is_not_narrowed() -> None:
    records = [summary(f"w{i}") for i in range(20)]
    index = small_index()
    index.catch_up(records, 5)
    assert candidates(index, records, 5, "w3") == {3}
    assert candidates(index, records[:10], 4, "w3") is None


def test_removing_a_record_keeps_the_rest_indexed() -> None:
    records = [summary(f"w{i}") for i in range(100)]
    index = small_index()
    index.catch_up(records, 1)
    fewer = records[:40] + records[41:]
    assert candidates(index, fewer, 2, "w50") == {49}
    assert index.covered == 99  # matched up with the old list, not indexed again
    assert candidates(index, fewer, 2, "w40") == set()


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_files_added_changed_and_removed(tmp_path: Path) -> None:
    """The library's list after the watcher's batches: the index follows it, before and after it
    catches up, and its candidates and lists agree with the plain scan."""
    folder = tmp_path / "news"
    paths = write_corpus(folder, 200, seed=11, topics=3, workers=1)
    library = load_library([str(folder)])
    index = small_index(chunk=32)
    with_index, plain = Lister(index), Lister()
    with_index.prepare(library.summaries, library.version, "newest")
    assert index.covered == len(library)

    rng = random.Random(3)
    for path in rng.sample(paths, 20):
        path.unlink()
    for path in rng.sample([p for p in paths if p.exists()], 20):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: ", "title: zanzibarian ", 1), encoding="utf-8")
    write_corpus(tmp_path / "more", 30, seed=12, topics=3, workers=1)
    for path in (tmp_path / "more").rglob("*.md"):
        shutil.move(path, folder / f"more-{path.name}")
    for batch in stream([str(folder)], library.index, known=dict(library.stats)):
        library.apply(batch)
    records = library.summaries
    assert matching(records, "zanzibarian")

    pool = fragments(records)[:300] + ["zanzibarian", "zanzib", "arian"]
    for caught_up in (False, True):
        if caught_up:
            with_index.prepare(records, library.version, "newest")
            assert index.covered == len(records)
        else:
            assert index.candidates(records, library.version, (), 0) is None
            assert 0 < index.covered < len(records)  # the records that stayed are still indexed
        for text in pool:
            try:
                query = parse_query(f'"{text}"', now=NOW)
            except QueryError:
                continue
            found = index.candidates(records, library.version, query.terms, len(records))
            wanted = {i for i, s in enumerate(records) if query.matches(s)}
            assert found is None or wanted <= set(found), text
            ours = with_index.compute(records, library.version, "newest", None, query)
            theirs = plain.compute(records, library.version, "newest", None, query)
            assert ours is not None and theirs is not None
            assert list(ours.summaries.positions) == list(theirs.summaries.positions), text


def test_a_library_of_changed_records_is_indexed_again() -> None:
    """Most of the list new (another library): the index starts again rather than keep dead slots."""
    first = [summary(f"a{i}") for i in range(50)]
    second = [summary(f"b{i}") for i in range(50)]
    index = small_index()
    index.catch_up(first, 1)
    found = candidates(index, second, 2, "b7")
    assert found is None or 7 in found
    assert index.covered == 0
    index.catch_up(second, 2)
    assert candidates(index, second, 2, "b7") == {7}
    assert candidates(index, second, 2, "a7") == set()


def test_a_title_term_and_a_changed_record() -> None:
    """A record replaced by one with other words: found by the new words, not by the old."""
    records = [summary(f"w{i} v{i}") for i in range(40)]
    index = small_index()
    index.catch_up(records, 1)
    changed = records[:10] + records[11:] + [replace(records[10], title="fresh", title_cf="fresh")]
    index.catch_up(changed, 2)
    assert candidates(index, changed, 2, "title:fresh") == {39}
    assert candidates(index, changed, 2, "w10") == set()
    assert candidates(index, changed, 2, "w11") == {10}


def test_the_filter_runs_build_the_index_and_follow_the_library() -> None:
    """The app's filter runs index the library once it is loaded, after each list, and keep the index
    in step with the batches the watcher brings."""
    stories = [fake_summary(f"{i}.md", f"story {i} w{i}x", timestamp=float(i)) for i in range(300)]
    library = library_of(stories)
    filtering = FilterRuns(library, StateStore(), show_unpublished=True, load_finished=lambda: True)
    words = filtering.lister.words
    assert words is not None

    def listed(typed: str) -> list[str]:
        assert filtering.take_typed(typed) == ("", True)
        pages: list[Page] = []
        filtering.run(filtering.request(None), pages.append, lambda: False)
        return [s.path for s in pages[-1].summaries]

    assert listed("w7x") == ["7.md"]
    assert words.covered == 300  # indexed after the list was made
    again = fake_summary("new.md", "w7x again", timestamp=1.0)
    library.apply(Batch(removed=["7.md", "8.md"], summaries=[again], stats={"new.md": (1, 1)}))
    assert listed("w8x") == []
    assert listed("w7x") == ["new.md"]
    assert words.covered == 299
    assert words.candidates(library.summaries, library.version, parse_query("w9x").terms, 10) == [
        library.summaries.index(library.summary("9.md"))  # type: ignore[arg-type]
    ]


def test_a_damaged_row_is_indexed_without_a_crash() -> None:
    """A summary whose text is not bytes (an index row of the wrong type) is indexed as its text."""
    records = [summary("w1"), replace(summary("w2"), text_cf="odd text"), summary("w3")]  # type: ignore[arg-type]
    index = small_index()
    assert index.catch_up(records, 1)
    assert candidates(index, records, 1, "w3") == {2}
