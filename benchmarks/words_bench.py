"""The word index (reader.core.words) on a warm index: its build time and memory, and each keystroke's
list computed with and without it, typing queries one character at a time as in the filter bar.

    python benchmarks/words_bench.py INDEX.sqlite3 [--limit N] [--query TEXT ...]

Reads the records' rows from the index (as the app's load does), then builds the word index as the
app does once the list is shown (`Lister.prepare`), and types each query with the word index and
without (two `Lister`s, each narrowing from its last list as the app's does). The times are of
`Lister.compute` alone, the whole list (the first page comes sooner when matches are common). Not part
of the test run: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.core.index_schema import STORED_COLUMNS, summary_from_row  # noqa: E402
from reader.core.listing import Lister  # noqa: E402
from reader.core.query import QueryError, parse_query, published_only  # noqa: E402
from reader.core.words import WordIndex  # noqa: E402

QUERIES = ["facial recognition", "topic:ai robot", "quality:>50 city", "zanzibar", "kalmor", "court unveils"]


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def typing(lister: Lister, records: list, typed: str) -> tuple[list[float], list[float]]:  # type: ignore[type-arg]
    """Seconds each keystroke took until its first page (or its whole list, when that came first: what
    the screen draws first) and until its whole list, typing `typed` then deleting it."""
    firsts, wholes = [], []
    for end in [*range(1, len(typed) + 1), *range(len(typed) - 1, -1, -1)]:
        try:
            query = published_only(parse_query(typed[:end]))
        except QueryError:
            continue  # the app keeps the last list
        paged: list[float] = []
        began = time.perf_counter()
        listing = lister.compute(records, 1, "newest", None, query,
                                 first_page=lambda rows: paged.append(time.perf_counter()))
        done = time.perf_counter()
        firsts.append((paged[0] if paged else done) - began)
        wholes.append(done - began)
        assert listing is not None
    return firsts, wholes


def picked(words: WordIndex, size: int) -> list[str]:
    """Words of the corpus: the rarest, one in ~0.1% of the records, one in ~1%."""
    counts = sorted((len(p), w.decode()) for w, p in zip(words._words, words._postings) if p is not None and w.isalpha())
    chosen = [counts[0][1]] if counts else []
    for share in (1000, 100):
        near = min(counts, key=lambda c: abs(c[0] - size / share), default=None)
        if near is not None and near[1] not in chosen:
            chosen.append(near[1])
    return chosen


def index_bytes(words: WordIndex) -> int:
    """What the index's own structures take (the bytes of each word counted once)."""
    parts = [words._vocab, words._words, words._buffer, words._starts, words._postings, words._common,
             words._packed, words._first, words._last, words._slot_pos if words._slot_pos is not None else b""]
    return (sum(map(sys.getsizeof, parts)) + sum(map(sys.getsizeof, words._words))
            + sum(sys.getsizeof(p) for p in (*words._postings, *words._packed) if p is not None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index")
    parser.add_argument("--limit", type=int, default=0, help="read at most N rows")
    parser.add_argument("--query", action="append", help="a query to type (default: a few)")
    parser.add_argument("--no-typing", action="store_true", help="only the queries given at once")
    args = parser.parse_args()
    db = sqlite3.connect(f"file:{args.index}?mode=ro", uri=True)
    limit = f" LIMIT {args.limit}" if args.limit else ""
    columns = STORED_COLUMNS
    if "story" not in {row[1] for row in db.execute("PRAGMA table_info(files)")}:  # an index of before stories
        columns = columns.removesuffix("story") + "'' AS story"
    started = time.perf_counter()
    records = [summary_from_row(row) for row in db.execute(
        f"SELECT {columns} FROM files WHERE problem IS NULL ORDER BY timestamp DESC{limit}")]
    print(f"{len(records):,} records read in {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f}")
    plain, indexed, words = Lister(), Lister(), WordIndex()
    plain.prepare(records, 1, "newest")
    indexed.prepare(records, 1, "newest")  # the sorts and topic lists, as without the index
    gc.collect()
    gc.freeze()
    before = rss_mib()
    indexed.words = words
    started, cpu = time.perf_counter(), time.process_time()
    indexed.prepare(records, 1, "newest")  # now the ranks and the word index
    print(f"word index and ranks built in {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU); "
          f"resident memory +{rss_mib() - before:.1f} MiB; load {os.getloadavg()[0]:.1f}")
    print(f"vocabulary {len(words._words):,} words, {len(words._common):,} common; "
          f"{sum(words._count(n) for n, p in enumerate(words._postings) if p is not None):,} postings kept")
    print(f"the word index holds ~{index_bytes(words) / 2**20:.1f} MiB (its arrays, buffer, dict and words)")
    queries = args.query or [*QUERIES, *picked(words, len(records))]
    every: dict[str, tuple[list[float], list[float]]] = {"without the index": ([], []), "with the index": ([], [])}
    for typed in queries if not args.no_typing else []:
        figures = []
        for name, lister in (("without the index", plain), ("with the index", indexed)):
            firsts, wholes = typing(lister, records, typed)
            every[name][0].extend(firsts)
            every[name][1].extend(wholes)
            figures.append(f"{name}: first page max {max(firsts) * 1000:.0f} ms, whole list max {max(wholes) * 1000:.0f} ms")
        print(f"  typing {typed!r}: {'; '.join(figures)}; load {os.getloadavg()[0]:.1f}")
    for name, (firsts, wholes) in every.items() if not args.no_typing else []:
        print(f"{name}: keystroke to the first page p95 {p95(firsts) * 1000:.1f} ms (max {max(firsts) * 1000:.1f}), "
              f"to the whole list p95 {p95(wholes) * 1000:.1f} ms (max {max(wholes) * 1000:.1f}), n={len(firsts)}")
    print("each query at once (pasted, or after the library changed: no earlier list narrows it):")
    for typed in queries:
        query = published_only(parse_query(typed))
        spent = []
        for lister in (plain, indexed):
            lister._last = None  # nothing to narrow from, nothing kept
            lister._recent.clear()
            began = time.perf_counter()
            listing = lister.compute(records, 1, "newest", None, query)
            spent.append(time.perf_counter() - began)
            assert listing is not None
        a, b = plain._last, indexed._last
        assert a is not None and b is not None and list(a.summaries.positions) == list(b.summaries.positions)
        print(f"  {typed!r}: {len(a.summaries):,} matches (the same both ways): the whole list without the index "
              f"{spent[0] * 1000:.0f} ms, with it {spent[1] * 1000:.0f} ms; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
