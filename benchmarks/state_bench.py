"""Costs of the reading state at scale: marking, counting, filtering on it, undoing; importing many
saved filters.

    python benchmarks/state_bench.py FOLDER [--cache DIR]
    python benchmarks/state_bench.py --filters 10000,30000,100000
    python benchmarks/state_bench.py --import-contention 300000

Loads FOLDER (through the index in DIR, built if needed), marks half of it read in a fresh state
database, and prints how long each operation the app does with the state takes. With --filters,
imports exports holding that many saved filters instead: as the store does (at most
MAX_SAVED_FILTERS kept), and with that limit lifted, to show the saving itself is linear. With
--import-contention N, imports an export of N stories in another process while this one stars a
story every 50 ms as the app would (waiting at most the app's 0.5 s for the lock), and prints how
long those changes took and how many had to be kept for later. Not part of the test run; the figures
go in the README and the issue notes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable

from reader.core.counts import TopicCounter
from reader.core.index import Index
from reader.core.library import load_library
from reader.core.listing import RECENTLY_READ, Lister
from reader.core.query import parse_query
from reader.core.identity import summary_id
from reader.core import state as state_module
from reader.core.state import StateStore


def timed(what: str, work: Callable[[], object], runs: int = 3) -> None:
    """Run `work` a few times and print the median."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    shown = f"{median * 1000:.2f} ms" if median < 1 else f"{median:.2f} s"
    print(f"| {what:<58} | {shown:>10} |")


def import_filters(sizes: list[int]) -> None:
    """Time --import-state of exports holding `sizes` saved filters, into a fresh state file."""
    limit = state_module.MAX_SAVED_FILTERS
    print(f"| {'saved filters in the file':<26} | {'kept':>7} | {'import':>9} | {'per 1,000':>9} |")
    print(f"|{'-' * 28}|{'-' * 9}|{'-' * 11}|{'-' * 11}|")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = os.path.join(folder, f"filters-{size}.json")
            filters = [{"name": f"saved filter {n}", "query": f"topic:t{n % 50} robot"} for n in range(size)]
            with open(path, "w", encoding="utf-8") as file:
                json.dump({"format": "reader-state", "version": 1, "stories": [], "saved_filters": filters}, file)
            for kept in (limit, size):
                state_module.MAX_SAVED_FILTERS = kept
                store = StateStore(os.path.join(folder, f"state-{size}-{kept}.sqlite3"))
                started = time.perf_counter()
                store.import_state(path)
                seconds = time.perf_counter() - started
                store.close()
                print(f"| {size:<26,} | {kept:>7,} | {seconds:>7.2f} s | {seconds * 1000 / size * 1000:>6.1f} ms |")
    state_module.MAX_SAVED_FILTERS = limit


IMPORTER = """
import sys, time
from reader.core.state import StateStore
started = time.perf_counter()
imported = StateStore(sys.argv[1]).import_state(sys.argv[2])
print(f"{imported.stories} {time.perf_counter() - started:.2f}")
"""


def import_contention(size: int) -> None:
    """Star a story every 50 ms, as the app would, while another process imports `size` stories."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as folder:
        path, export = os.path.join(folder, "state.sqlite3"), os.path.join(folder, "export.json")
        source = StateStore()
        source.set_read([f"https://news.example.com/{n:07d}/a-story-with-a-typical-slug-for-its-title" for n in range(size)])
        source.export_state(export)
        app = StateStore(path, wait=0.5)
        importer = subprocess.Popen([sys.executable, "-c", IMPORTER, path, export], stdout=subprocess.PIPE, text=True)
        seconds, kept, n = [], 0, 0
        while importer.poll() is None:
            started = time.perf_counter()
            app.set_starred(f"star {n}", True)
            seconds.append(time.perf_counter() - started)
            kept += app.unsaved > 0
            if n % 20 == 0:
                app.refresh()  # as the app does every 3 s
            n += 1
            time.sleep(0.05)
        out = importer.communicate()[0].split()
        app.refresh()
        fresh = StateStore(path)
        seconds.sort()
        print(f"import of {int(out[0]):,} stories: {float(out[1]):.2f} s; meanwhile {n} stars:")
        print(f"  each took p50 {seconds[len(seconds) // 2] * 1000:.1f} ms, p95 "
              f"{seconds[int(len(seconds) * 0.95)] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms; "
              f"{kept} were kept for later")
        print(f"  saved in the end: {sum(1 for s in fresh.starred if s.startswith('star '))} of {n}; "
              f"still unsaved: {app.unsaved}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "reader-state-bench"))
    parser.add_argument("--filters", help="import exports of this many saved filters (comma-separated)")
    parser.add_argument("--import-contention", type=int, metavar="N", help="star while N stories are imported")
    args = parser.parse_args()
    if args.import_contention:
        import_contention(args.import_contention)
        return
    if args.filters:
        import_filters([int(size) for size in args.filters.split(",")])
        return
    if args.folder is None:
        parser.error("give a FOLDER, or --filters")
    os.makedirs(args.cache, exist_ok=True)
    library = load_library([args.folder], Index(os.path.join(args.cache, "index.sqlite3")))
    summaries = library.summaries
    ids = [summary_id(s) for s in summaries]
    half = ids[::2]
    with tempfile.TemporaryDirectory() as folder:
        state = StateStore(os.path.join(folder, "state.sqlite3"))
        print(f"{len(summaries):,} records; half of them marked read\n")
        print(f"| {'what':<58} | {'median':>10} |")
        print(f"|{'-' * 60}|{'-' * 12}|")
        timed("M: mark half the records read (one transaction)", lambda: state.set_read(half), 1)
        timed("m or s: one mark", lambda: state.set_starred(ids[1], not state.is_starred(ids[1])))
        timed("the filter, topic and selection remembered (set_ui)", lambda: state.set_ui("filter", str(time.time())))
        counter = TopicCounter()
        saved = [("robots", "robot"), ("unread ai", "is:unread topic:ai")]
        timed("topic pane counts, first time (after a library change)", lambda: TopicCounter().count(
            summaries, 1, state, saved))
        counter.count(summaries, 1, state, saved)
        timed("topic pane counts after a mark (kept per library version)", lambda: counter.count(
            summaries, 1, state, saved))
        for text in ("is:unread", "is:starred", "-is:read robot"):
            query = parse_query(text, state=state)
            timed(f"filter {text!r} over every record", lambda: [s for s in summaries if query.matches(s)])
        timed("Recently read view", lambda: Lister().compute(
            summaries, 1, "newest", RECENTLY_READ, parse_query(""), state=state, state_version=1))
        other = StateStore(os.path.join(folder, "state.sqlite3"))
        timed("open the state database with half the records read", lambda: StateStore(
            os.path.join(folder, "state.sqlite3")).close())
        state.set_starred(ids[3], True)
        timed("pick up another copy's change (refresh)", lambda: other.refresh() or state.set_starred(
            ids[3], not state.is_starred(ids[3])))
        export = os.path.join(folder, "export.json")
        timed("--export-state", lambda: state.export_state(export), 1)
        fresh = StateStore(os.path.join(folder, "fresh.sqlite3"))
        timed("--import-state into an empty state", lambda: fresh.import_state(export), 1)


if __name__ == "__main__":
    main()
