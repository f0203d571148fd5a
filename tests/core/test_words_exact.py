"""The word index (reader.core.words) narrows exactly as it says: a text term's candidates are the
records that have a word holding each run of word bytes of the term (the whole word, its start, its end
or anywhere, as the term puts it), the fewest any one run allows; several terms give the fewest of any
term, OR the union; common words, limits and records not indexed yet give no narrowing as documented.
The model here follows the module's own description, word by word over each record's text, and the
index must give exactly what it gives (test_words.py checks that the index never loses a match)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core import words as words_module
from reader.core.library import load_library
from reader.core.query import QueryError, parse_query
from reader.core.record import Provider, Record, Summary
from reader.core.words import WORD, WordIndex
from reader.synth import write_corpus
from tests.fakes import changing_list

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
NEVER_COMMON = 10**9


def summary(title: str, excerpt: str = "", number: int = 0) -> Summary:
    return Summary.of(Record(
        path=f"/r/{number}-{title}.md", title=title, excerpt=excerpt, provider=Provider("P", "p.test"),
        published_at=NOW - timedelta(hours=number),
    ))


def words_of(record: Summary) -> set[bytes]:
    """A record's words, as the module's docstring defines them."""
    rest = record.text_cf if isinstance(record.text_cf, bytes) else str(record.text_cf).encode("utf-8", "replace")
    return set(WORD.findall(record.title_cf.encode("utf-8", "replace") + b"\n" + rest))


class Model:
    """What the index should answer for `records[:covered]` indexed, no word common, no word limit."""

    def __init__(self, records: list[Summary], covered: int | None = None) -> None:
        self.records = records
        self.covered = len(records) if covered is None else covered
        self.words = [words_of(record) for record in records[: self.covered]]

    def run(self, run: bytes, starts: bool, ends: bool) -> set[int]:
        def fits(word: bytes) -> bool:
            if starts and ends:
                return word == run
            if starts:
                return word.startswith(run)
            if ends:
                return word.endswith(run)
            return run in word

        return {i for i, words in enumerate(self.words) if any(map(fits, words))}

    def text(self, text: str, limit: int) -> set[int] | None:
        data = text.encode("utf-8", "replace")
        runs = [(m.group(), m.start() > 0, m.end() < len(data)) for m in WORD.finditer(data)]
        # Ties go to whole words, then to longer runs, then to the first in the term.
        runs.sort(key=lambda run: (not (run[1] and run[2]), -len(run[0])))
        best: set[int] | None = None
        for run in runs:
            found = self.run(*run)
            if len(found) <= limit:
                best, limit = found, len(found) - 1
                if not found:
                    break
        return best

    def term(self, term: object, limit: int) -> set[int] | None:
        kind, value = getattr(term, "kind", None), getattr(term, "value", None)
        if kind in ("text", "title") and isinstance(value, str):
            return self.text(value, limit)
        if kind == "all":
            return self.all(value, limit)  # type: ignore[arg-type]
        if kind == "any":
            union: set[int] = set()
            for alternative in value:  # type: ignore[union-attr]
                found = None if alternative.negated else self.term(alternative, limit - len(union))
                if found is None:
                    return None
                union |= found
                if len(union) > limit:
                    return None
            return union
        return None

    def all(self, terms: tuple[object, ...], limit: int) -> set[int] | None:
        best: set[int] | None = None
        for term in terms:
            if getattr(term, "negated", True):
                continue
            found = self.term(term, limit if best is None else min(limit, len(best) - 1))
            if found is not None:
                best = found
        return best

    def candidates(self, terms: tuple[object, ...], limit: int) -> set[int] | None:
        tail = set(range(self.covered, len(self.records)))
        if len(tail) > limit:
            return None
        found = self.all(terms, limit - len(tail))
        return None if found is None else found | tail


def exact_index(chunk: int = 64, pack_at: int = 2) -> WordIndex:
    return WordIndex(common_min=NEVER_COMMON, max_words=NEVER_COMMON, chunk=chunk, pack_at=pack_at)


def answer(index: WordIndex, records: list[Summary], version: int, text: str, limit: int | None = None
           ) -> set[int] | None:
    terms = parse_query(text, now=NOW).terms
    found = index.candidates(records, version, terms, len(records) if limit is None else limit)
    return None if found is None else set(found)


def model_answer(model: Model, text: str, limit: int | None = None) -> set[int] | None:
    terms = parse_query(text, now=NOW).terms
    return model.candidates(terms, len(model.records) if limit is None else limit)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list[Summary]:
    root = tmp_path_factory.mktemp("exact")
    write_corpus(root / "news", 300, seed=9, topics=4, workers=1)
    return load_library([str(root / "news")]).summaries


def pieces(records: list[Summary]) -> list[str]:
    """Bits of the records' text: words, their starts and ends, pieces across word ends."""
    rng = random.Random(8)
    found: list[str] = []
    for record in records[:80]:
        text = rng.choice([record.title_cf, record.text_cf.decode("utf-8", "replace")]) or record.title_cf
        start = rng.randrange(len(text))
        found.append(text[start : start + rng.randint(1, 12)])
        for word in rng.sample(WORD.findall(text.encode()), 2):
            word_text = word.decode("utf-8", "replace")
            found += [word_text, word_text[:3], word_text[-3:], f" {word_text[:4]}", f"{word_text[-4:]} "]
    return [piece for piece in dict.fromkeys(found) if piece.strip() and '"' not in piece and "\\" not in piece]


@pytest.fixture(scope="module")
def indexed(synthetic: list[Summary]) -> tuple[WordIndex, Model, list[str]]:
    """The synthetic records indexed (a query never changes the index), their model, and bits of them."""
    index = exact_index()
    assert index.catch_up(synthetic, 1)
    return index, Model(synthetic), pieces(synthetic)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_candidates_are_exactly_what_the_words_allow(
    synthetic: list[Summary], indexed: tuple[WordIndex, Model, list[str]], data: st.DataObject
) -> None:
    index, model, pool = indexed

    def term() -> str:
        prefix = data.draw(st.sampled_from(["", "", "title:", "-"]))
        return f'{prefix}"{data.draw(st.sampled_from(pool))}"'

    parts = [f"({term()} OR {term()})" if data.draw(st.booleans()) else term()
             for _ in range(data.draw(st.integers(1, 3)))]
    text = " ".join(parts)
    limit = data.draw(st.sampled_from([len(synthetic), 40, 5, 1, 0]))
    try:
        wanted = model_answer(model, text, limit)
    except QueryError:
        return
    assert answer(index, synthetic, 1, text, limit) == wanted, text


BYTES = [chr(code) for code in range(0x21, 0x7F) if chr(code) not in '"\\'] + ["\u00e9", "\u2014", "\u00a0"]


def test_word_bytes_are_letters_digits_and_every_byte_past_ascii() -> None:
    """Records "ab?cd" for every printable ASCII character and a few others in place of "?": where the
    character is a word byte the record has the one word "ab?cd", else the words "ab" and "cd"."""
    records = [summary(f"ab{char}cd", number=i) for i, char in enumerate(BYTES)]
    index = exact_index()
    index.catch_up(records, 1)
    model = Model(records)
    split = {i for i, char in enumerate(BYTES) if char.isascii() and not char.isalnum()}
    for i, char in enumerate(BYTES):
        text = f'"ab{char}cd"'
        found = answer(index, records, 1, text)
        assert found == model_answer(model, text), char
        if i in split:
            assert found == split, char
        else:  # one word, also found by its middle
            assert found == {j for j, other in enumerate(BYTES) if other.casefold() == char.casefold()}, char
            assert answer(index, records, 1, f'"b{char}c"') == found, char


def test_a_word_in_more_than_the_common_share_keeps_no_postings() -> None:
    """A word in more records than `common_min` and than `common_share` of those indexed is common:
    a term that needs it is not narrowed; one record fewer and it is."""
    def index_with(count: int) -> tuple[WordIndex, list[Summary]]:
        records = [summary(f"w{i} {'usual' if i < count else 'other'}", number=i) for i in range(100)]
        index = WordIndex(common_min=6, common_share=0.1, chunk=16, pack_at=2)
        index.catch_up(records, 1)
        return index, records

    index, records = index_with(10)  # 10 = 0.1 of 100: not more
    assert answer(index, records, 1, "usual") == set(range(10))
    index, records = index_with(11)
    assert answer(index, records, 1, "usual") is None
    assert answer(index, records, 1, "w5x") == set()  # no record holds it
    assert answer(index, records, 1, "w5") == {5, *range(50, 60)}


def test_common_min_holds_in_a_small_list() -> None:
    def narrowed(count: int) -> set[int] | None:
        records = [summary(f"w{i} {'usual' if i < count else 'other'}", number=i) for i in range(20)]
        index = WordIndex(common_min=6, common_share=0.1, pack_at=2)
        index.catch_up(records, 1)
        return answer(index, records, 1, "usual")

    assert narrowed(6) == set(range(6))
    assert narrowed(7) is None


def test_a_word_growing_common_across_catch_ups_counts_its_packed_slots() -> None:
    """Slots packed at an earlier sweep count as much as slots added since."""
    first = [summary(f"w{i} {'usual' if i < 5 else 'other'}", number=i) for i in range(40)]
    index = WordIndex(common_min=6, common_share=0.01, chunk=8, pack_at=2)
    index.catch_up(first, 1)
    assert answer(index, first, 1, "usual") == set(range(5))
    grown = first + [summary("usual", number=40)]
    index.catch_up(grown, 2)
    assert answer(index, grown, 2, "usual") == {*range(5), 40}  # 6: not more than common_min
    grown2 = grown + [summary("usual", number=41)]
    index.catch_up(grown2, 3)
    assert answer(index, grown2, 3, "usual") is None  # 7


def test_the_default_thresholds() -> None:
    """The defaults: common past 64 records and past 1/16 of those indexed; the first sweep at 1024."""
    def narrowed(total: int, count: int) -> set[int] | None:
        # the word in the last records: not there yet at the first sweep
        records = [summary(f"w{i} {'usual' if i >= total - count else 'other'}", number=i) for i in range(total)]
        index = WordIndex()
        assert index.catch_up(records, 1)
        return answer(index, records, 1, "usual")

    assert narrowed(200, 64) == set(range(136, 200))
    assert narrowed(200, 65) is None
    assert narrowed(1600, 100) == set(range(1500, 1600))  # 1600 / 16
    assert narrowed(1600, 101) is None


def test_a_word_common_at_the_first_sweep_stays_common() -> None:
    """The first sweep comes after FIRST_SWEEP records, before the rest are indexed: a word common
    among those records keeps no postings, though the whole list would have had room for it."""
    first = words_module.FIRST_SWEEP
    total = first + 2048
    records = [summary(f"w{i} {'usual' if i < 65 else 'other'}", number=i) for i in range(total)]
    index = WordIndex(chunk=first)
    stops = iter([False, False, True])
    assert not index.catch_up(records, 1, stop=lambda: next(stops))
    assert index.covered == 2 * first
    assert answer(index, records, 1, "usual", limit=total) is None


def test_max_words_limits_what_a_run_may_stand_for() -> None:
    records = [summary(f"ab{i}x", number=i) for i in range(12)]
    for most, narrowed in ((12, True), (11, False)):
        index = WordIndex(common_min=NEVER_COMMON, max_words=most)
        index.catch_up(records, 1)
        found = answer(index, records, 1, "ab")
        assert found == (set(range(12)) if narrowed else None)
        assert answer(index, records, 1, "ab1x") == {1}  # a whole word is one word


def test_the_limit_and_the_records_not_indexed_yet() -> None:
    """Candidates are None past `limit`; records not indexed yet are all candidates and count toward it."""
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(100)]
    index = exact_index(chunk=30)
    stops = iter([False, True])
    assert not index.catch_up(records, 1, stop=lambda: next(stops))
    assert index.covered == 30
    tail = set(range(30, 100))
    assert answer(index, records, 1, "w3", limit=73) == {3, 13, 23} | tail
    assert answer(index, records, 1, "w3", limit=72) is None
    assert answer(index, records, 1, "v5", limit=71) == {5} | tail
    assert answer(index, records, 1, "v5", limit=70) is None  # the tail alone is 70
    assert answer(index, records, 1, "v55", limit=70) == tail  # no record indexed holds it
    assert answer(index, records, 1, "v55", limit=69) is None
    index.catch_up(records, 1)
    assert answer(index, records, 1, "w3", limit=10) == {3, 13, 23, 33, 43, 53, 63, 73, 83, 93}
    assert answer(index, records, 1, "w3", limit=9) is None
    assert answer(index, records, 1, "w3 v13", limit=9) == {13}


def test_a_long_catch_up_sweeps_on_the_way_and_packs() -> None:
    """Indexing by chunks: the result equals the model at every stop, packed slots and added ones."""
    rng = random.Random(4)
    records = [summary(f"w{rng.randrange(60)} v{i % 7} u{i}", number=i) for i in range(3000)]
    index = WordIndex(common_min=NEVER_COMMON, max_words=NEVER_COMMON, chunk=700, pack_at=3)
    count = 0

    def stop() -> bool:
        nonlocal count
        count += 1
        return count % 2 == 0

    while not index.catch_up(records, 1, stop):
        model = Model(records, index.covered)
        for text in ("w7", "w1", "v3", "u2999", "u10", "u1", '"w2 v"', "u"):
            limit = len(records)
            assert answer(index, records, 1, text, limit) == model_answer(model, text, limit), (index.covered, text)
    model = Model(records)
    for text in ("w7", "w1", "v3", "u2999", "u10", "u1", '"w2 v"', "u", "w"):
        assert answer(index, records, 1, text) == model_answer(model, text), text


def test_slots_far_apart_are_kept_unpacked() -> None:
    """A word whose records are more than 65,535 apart cannot be packed as 16-bit gaps: it is found
    all the same."""
    records = [summary("far" if i in (0, 70_000, 70_001) else "near", number=i) for i in range(70_002)]
    index = WordIndex(common_min=NEVER_COMMON, pack_at=1)
    index.catch_up(records, 1)
    assert answer(index, records, 1, "far") == {0, 70_000, 70_001}
    more = records + [summary("far", number=70_002)]
    index.catch_up(more, 2)
    assert answer(index, more, 2, "far") == {0, 70_000, 70_001, 70_002}


@settings(max_examples=120, deadline=None)
@given(
    script=st.lists(
        st.tuples(st.sampled_from(["add", "remove", "replace", "index", "some", "same"]), st.integers(0, 10**6)),
        max_size=20,
    )
)
def test_after_any_changes_the_candidates_are_exact(script: list[tuple[str, int]]) -> None:
    """As the list changes (records added, removed, replaced) and is partly indexed, the candidates are
    exactly the indexed records that have the words, and every record not indexed yet."""
    serial = 0

    def new() -> Summary:
        nonlocal serial
        serial += 1
        return summary(f"w{serial}x t{serial % 7}", f"body{serial}", number=serial)

    index = exact_index(chunk=8, pack_at=2)
    for records, version, number in changing_list(script, new, index, removed=lambda number: 1 + number % 3):
        found = answer(index, records, version, "t3")
        model = Model(records, index.covered)
        assert found == model_answer(model, "t3")
        for probe in records[number % max(1, len(records)) :][:3]:
            word = probe.title_cf.split()[0]
            assert answer(index, records, version, word) == model_answer(model, word)


def test_a_list_with_many_removed_records_is_indexed_again() -> None:
    """Matched up while at most half the records indexed are gone and the dead slots are not more
    than the live ones (or a chunk); past that the index starts again."""
    records = [summary(f"w{i}", number=i) for i in range(40)]
    index = exact_index(chunk=4)
    index.catch_up(records, 1)
    kept = records[:20]
    assert answer(index, kept, 2, "w7") == {7}
    assert index.covered == 20  # 20 dead slots, 20 live: matched up
    index.catch_up(kept, 2)
    fewer = kept[:9] + kept[10:]
    assert answer(index, fewer, 3, "w12") == set(range(19))  # nothing indexed: every record
    assert index.covered == 0  # 21 dead slots, 19 live: started again
    index.catch_up(fewer, 3)
    assert answer(index, fewer, 3, "w12") == {11}


def test_half_the_records_gone_is_the_most_matched_up() -> None:
    records = [summary(f"w{i}", number=i) for i in range(20)]
    for gone, matched in ((10, True), (11, False)):
        index = exact_index(chunk=100)
        index.catch_up(records, 1)
        fewer = records[gone:]
        found = answer(index, fewer, 2, "w15")
        assert index.covered == (len(fewer) if matched else 0)
        assert found == ({15 - gone} if matched else set(range(len(fewer))))


@pytest.mark.parametrize("chunk, matched", [(8, True), (7, True), (6, False), (1, False)])
def test_dead_slots_up_to_a_chunk_are_kept(chunk: int, matched: bool) -> None:
    """Dead slots more than the live records but not more than a chunk: matched up all the same."""
    records = [summary(f"w{i}", number=i) for i in range(10)]
    index = exact_index(chunk=chunk)
    index.catch_up(records, 1)
    first = records[5:]  # 5 dead, 5 live
    assert answer(index, first, 2, "w9") == {4}
    assert index.covered == 5
    second = first[:1] + first[3:]  # 7 dead slots, 3 live
    found = answer(index, second, 3, "w9")
    assert index.covered == (3 if matched else 0)
    assert found == ({2} if matched else {0, 1, 2})


def test_a_record_removed_twice_over_maps_through_both_removals() -> None:
    records = [summary(f"w{i}", number=i) for i in range(30)]
    index = exact_index(chunk=100)
    index.catch_up(records, 1)
    step1 = records[:5] + records[6:]
    assert answer(index, step1, 2, "w20") == {19}
    step2 = step1[:1] + step1[2:] + [summary("w20", number=99)]
    assert answer(index, step2, 3, "w20") == {18, 28}  # the new record is not indexed yet
    assert index.covered == 28
    model = Model(step2, 28)
    for text in ("w0", "w1", "w2", "w5", "w6", "w29"):
        assert answer(index, step2, 3, text) == model_answer(model, text), text


def test_a_copy_of_the_list_is_the_same_list() -> None:
    records = [summary(f"w{i}", number=i) for i in range(30)]
    index = exact_index()
    index.catch_up(records, 1)
    assert answer(index, list(records), 2, "w4") == {4}
    assert index.covered == 30
    assert not index.catch_up(records, 1)  # an older version than the one seen
    assert index.catch_up(list(records), 2)


def test_a_term_without_negated_is_not_used() -> None:
    """Terms are read by their attributes; one that does not say it is positive is not narrowed on."""

    class Bare:
        kind, value = "text", "w4"

    records = [summary(f"w{i}", number=i) for i in range(30)]
    index = exact_index()
    index.catch_up(records, 1)
    assert index.candidates(records, 1, [Bare()], 30) is None


@pytest.mark.parametrize("text", ['"w1 w2"', '"w1 w2 w3"', '"x w12"', '"w12 x"', '"ab w1 cd"', '"1 w"'])
def test_a_phrase_narrows_by_its_fewest(text: str) -> None:
    records = [summary(f"w{i} w{i + 1} x ab cd", number=i) for i in range(30)]
    index = exact_index()
    index.catch_up(records, 1)
    assert answer(index, records, 1, text) == model_answer(Model(records), text)


def test_corpus_files(tmp_path: Path) -> None:
    """The same on records read from files (titles and excerpts with punctuation, accents, emoji)."""
    write_corpus(tmp_path / "news", 120, seed=21, topics=3, workers=1)
    records = load_library([str(tmp_path / "news")]).summaries
    index = exact_index(chunk=16, pack_at=1)
    index.catch_up(records, 1)
    model = Model(records)
    for text in pieces(records):
        try:
            wanted = model_answer(model, f'"{text}"')
        except QueryError:
            continue
        assert answer(index, records, 1, f'"{text}"') == wanted, text


@pytest.mark.parametrize("text, wanted", [
    ('" ab"', {0, 1, 2, 3}), ('"bc "', {0, 4}), ('" abc "', {0}), ('"ab"', {0, 1, 2, 3, 5}), ('"c "', {0, 4}),
])
def test_words_next_to_each_other_in_the_vocabulary_are_all_found(text: str, wanted: set[int]) -> None:
    """Each word found is followed by a search from the next word on, which must not skip that word."""
    records = [summary(title, number=i) for i, title in enumerate(["abc", "abd", "ab", "abe", "xbc", "xab"])]
    index = exact_index()
    index.catch_up(records, 1)
    assert answer(index, records, 1, text) == wanted == model_answer(Model(records), text)


def test_a_whole_word_at_the_limit_counts_its_packed_and_added_slots() -> None:
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(100)]
    index = exact_index(chunk=30, pack_at=2)
    index.catch_up(records, 1)  # w3's 10 slots packed at the sweep
    assert answer(index, records, 1, '" w3 "', limit=10) == {3, 13, 23, 33, 43, 53, 63, 73, 83, 93}
    assert answer(index, records, 1, '" w3 "', limit=9) is None
    more = records + [summary("w3", number=100)]
    index.catch_up(more, 2, stop=iter([False, True]).__next__)  # one added, not packed yet
    assert answer(index, more, 2, '" w3 "', limit=11) == {3, 13, 23, 33, 43, 53, 63, 73, 83, 93, 100}
    assert answer(index, more, 2, '" w3 "', limit=10) is None


@pytest.mark.parametrize("chunk", [1, None])
def test_the_first_sweep_comes_after_1024_records(chunk: int | None) -> None:
    """The first sweep (FIRST_SWEEP, 1024 by default) finds common the words in more than 64 of the
    first 1024 records, though a later sweep would not (128 of 2048): a 65th record at position 1023
    makes the word common, one at position 1024 is counted after the first sweep and does not. So
    with a sweep possible after any record (chunk 1), and with the default chunk."""
    def narrowed(last: int) -> set[int] | None:
        holders = {*range(64), last}
        records = [summary(f"w{i} {'usual' if i in holders else 'other'}", number=i) for i in range(2048)]
        index = WordIndex() if chunk is None else WordIndex(chunk=chunk)
        assert index.catch_up(records, 1)
        return answer(index, records, 1, "usual", limit=2048)

    assert narrowed(1023) is None
    assert narrowed(1024) == {*range(64), 1024}


def test_by_default_a_run_may_stand_for_512_words() -> None:
    def narrowed(count: int) -> set[int] | None:
        records = [summary(f"ab{i}x", number=i) for i in range(count)]
        index = WordIndex()
        assert index.catch_up(records, 1)
        return answer(index, records, 1, "ab")

    assert narrowed(512) == set(range(512))
    assert narrowed(513) is None


def test_a_fresh_index_takes_the_librarys_first_version() -> None:
    """A library's versions start at 0: a new index indexes that version's list and narrows on it."""
    records = [summary(f"w{i}", number=i) for i in range(10)]
    index = exact_index()
    assert index.catch_up(records, 0)
    assert index.covered == 10
    assert answer(index, records, 0, "w3") == {3}


@pytest.mark.parametrize("char", [chr(code) for code in range(0x20)] + ["\x7f"])
def test_control_characters_in_a_record_part_its_words(char: str) -> None:
    """Control characters (DEL among them) are not word bytes: "ab<char>cd" holds the words "ab" and
    "cd", each found as a whole word, by its start and by its end."""
    records = [summary(f"ab{char}cd", number=0), summary("abcd", number=1), summary("other", number=2)]
    index = exact_index()
    index.catch_up(records, 1)
    model = Model(records)
    for text in ('" cd"', '"ab "', '" cd "', '" ab "'):
        assert answer(index, records, 1, text) == model_answer(model, text) == {0}, (char, text)


@pytest.mark.parametrize("count", [1, 2, 5])
def test_a_short_list_is_swept_once_indexed(count: int) -> None:
    """Words are found common whenever every record is indexed, however few: with no word allowed in
    more than 0 records, every word of a list of one record or more is common (no narrowing) at once."""
    records = [summary(f"w{i} usual", number=i) for i in range(count)]
    index = WordIndex(common_min=0, common_share=0)
    assert index.catch_up(records, 1)
    assert answer(index, records, 1, "usual") is None
    assert answer(index, records, 1, "w0") is None
    assert answer(index, records, 1, "absent") == set()


@pytest.mark.parametrize("later, common", [(64, False), (65, True)])
def test_each_sweep_comes_at_twice_as_many_records(later: int, common: bool) -> None:
    """Sweeps come at 1024 records, 2048, 4096... and once every record is indexed, each finding common
    the words in more than 1/16 of the records indexed: a word in 64 of the first 1024 records and in
    64 more of the next 64 is never common at a sweep (64 of 1024, 128 of 2048, 128 of 3072), though
    it is in more than 1/16 of the first 1088; with one more it is common at the sweep at 2048."""
    holders = {*range(64), *range(1024, 1024 + later)}
    records = [summary(f"w{i} {'usual' if i in holders else 'other'}", number=i) for i in range(3072)]
    index = WordIndex(chunk=1)  # a sweep may come after any record
    assert index.catch_up(records, 1)
    found = answer(index, records, 1, "usual", limit=3072)
    assert found == (None if common else holders)


def test_an_older_version_is_refused_after_a_newer_one_of_the_same_list() -> None:
    """The version seen is kept even when the list is the same object: an older version after it is
    left alone (catch_up False, candidates None)."""
    records = [summary(f"w{i}", number=i) for i in range(10)]
    index = exact_index()
    assert index.catch_up(records, 1)
    assert answer(index, records, 5, "w3") == {3}
    assert not index.catch_up(records, 3)
    assert answer(index, records, 3, "w3") is None
    assert answer(index, records, 5, "w3") == {3}


def test_the_one_record_indexed_replaced_is_not_taken_for_the_old() -> None:
    """With one record indexed, a list whose first record is another is not the same list grown: the
    new first record is a candidate for its own words."""
    first = [summary("alpha", number=0), summary("beta", number=1)]
    index = exact_index(chunk=1)
    stops = iter([False, True])
    assert not index.catch_up(first, 1, stop=lambda: next(stops))
    assert index.covered == 1
    replaced = [summary("gamma", number=2), first[1]]
    found = answer(index, replaced, 2, "gamma")
    assert found is not None and 0 in found
    assert found == model_answer(Model(replaced, index.covered), "gamma")


def test_an_alternative_without_negated_gives_no_narrowing() -> None:
    """An OR is narrowed only when every alternative is: one that does not say it is positive is not."""

    class Bare:
        kind, value = "text", "w4"

    class Plain:
        kind, value, negated = "text", "w5", False

    class Either:
        kind, negated = "any", False
        value = (Plain(), Bare())

    records = [summary(f"w{i}", number=i) for i in range(30)]
    index = exact_index()
    index.catch_up(records, 1)
    assert index.candidates(records, 1, [Either()], 30) is None
    Either.value = (Plain(), Plain())
    assert index.candidates(records, 1, [Either()], 30) == [5]


@pytest.mark.parametrize("text", ["v13 w3", "w3 v13", '"v13" w3', "w3 (v13 OR v113)"])
def test_terms_narrow_to_the_fewest_any_one_allows(text: str) -> None:
    """Of several terms, the one allowing the fewest records decides, in whichever order they come:
    w3 allows two records, v13 one."""
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(20)]
    index = exact_index()
    index.catch_up(records, 1)
    assert answer(index, records, 1, "w3") == {3, 13}
    assert answer(index, records, 1, text) == model_answer(Model(records), text) == {13}


@pytest.mark.parametrize("pack_at", [2, 10**6])
def test_a_whole_word_at_the_limit_packed_or_not(pack_at: int) -> None:
    """A whole word's records are counted against the limit the same, packed or not."""
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(100)]
    index = WordIndex(common_min=NEVER_COMMON, pack_at=pack_at)
    index.catch_up(records, 1)
    assert answer(index, records, 1, '" w3 "', limit=10) == {3, 13, 23, 33, 43, 53, 63, 73, 83, 93}
    assert answer(index, records, 1, '" w3 "', limit=9) is None


@pytest.mark.parametrize("text", ["provider:zz", "topic:w3", "type:w3", "category:w3", "has:image"])
def test_terms_of_other_fields_are_not_narrowed(text: str) -> None:
    """Only text terms (and title:) are looked up in the words: a term on another field gives no
    narrowing, whatever its value."""
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(20)]
    index = exact_index()
    index.catch_up(records, 1)
    assert answer(index, records, 1, text) is None


def test_a_group_inside_an_or_is_narrowed_by_its_fewest() -> None:
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(20)]
    index = exact_index()
    index.catch_up(records, 1)
    text = "(w3 v13) OR v14"
    assert answer(index, records, 1, text) == model_answer(Model(records), text) == {13, 14}


def test_of_terms_allowing_as_few_the_first_decides() -> None:
    """Terms allowing as many records each: the first one's records are the candidates (a later term
    replaces them only with fewer), as the model says."""
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(20)]
    index = exact_index()
    index.catch_up(records, 1)
    for text in ("v13 v14", "v14 v13", "w3 w4"):
        assert answer(index, records, 1, text) == model_answer(Model(records), text), text
    assert answer(index, records, 1, "v14 v13") == {14}


def test_an_or_at_exactly_the_limit_is_narrowed() -> None:
    records = [summary(f"w{i % 10} v{i}", number=i) for i in range(20)]
    index = exact_index()
    index.catch_up(records, 1)
    assert answer(index, records, 1, "w3 OR w4", limit=4) == {3, 13, 4, 14}
    assert answer(index, records, 1, "w3 OR w4", limit=3) is None


def test_of_runs_allowing_as_few_the_longest_decides() -> None:
    """Runs of a phrase allowing as many records each: the longer run's records are the candidates
    (whole words first, then longer runs, as the model says)."""
    records = [summary("zabcd", number=0), summary("xyq", number=1), summary("other", number=2)]
    index = exact_index()
    index.catch_up(records, 1)
    for text in ('"abcd xy"', '"xy abcd"'):
        assert answer(index, records, 1, text) == model_answer(Model(records), text), text
    assert answer(index, records, 1, '"abcd xy"') == {0}  # "zabcd" ends with abcd, "xyq" starts with xy
