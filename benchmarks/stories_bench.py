"""How fast stories are grouped: records a second for a synthetic corpus, in one batch and incrementally.

    python benchmarks/stories_bench.py [--sizes 10000 100000] [--seed 0] [--cache /tmp]

The records come from `reader.synth` (made in memory, parsed as the index parses them); only the
grouping is timed, twice: with the grouper deriving each record's words and keys itself, and with
them made ahead (`signals_of`, the work `item_of` does where a record is parsed: the parsing worker
processes), so the grouper only links. Target: >= 5,000 records/s at 100,000 records, so that
grouping does not slow the index build (~2,800 records/s) much. Wall-clock figures mean little on a
busy machine: the load average and the process CPU time are printed next to them. Prints figures,
asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import pickle
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.core.frontmatter import parse_text  # noqa: E402
from reader.core.record import Record  # noqa: E402
from reader.core.stories import Grouper, Item, item_of, signals_of  # noqa: E402
from reader.synth import VERSION, events, generate  # noqa: E402


def items(size: int, seed: int) -> list[Item]:
    """The grouping's view of `size` synthetic records (without their signals)."""
    out = []
    for relative, text in generate(size, seed):
        record = parse_text(relative, text, related_in_full=False)
        if isinstance(record, Record):
            out.append(item_of(record, signals=False))
    return out


def cached_items(size: int, seed: int, cache: Path | None) -> list[Item]:
    """`items`, kept in `cache` (a pickle of their fields) between runs when a folder is given."""
    path = cache / f"stories-bench-v2-synth{VERSION}-{size}-{seed}.pickle" if cache else None
    if path and path.exists():
        with path.open("rb") as handle:
            return [Item(*fields) for fields in pickle.load(handle)]  # our own file, written below
    made = time.perf_counter()
    batch = items(size, seed)
    print(f"{size:,} records made and parsed in {time.perf_counter() - made:.1f} s")
    if path:
        with path.open("wb") as handle:
            fields = [(i.id, i.title, i.excerpt, i.timestamp, i.provider, i.domain, i.urls) for i in batch]
            pickle.dump(fields, handle)
    return batch


def with_signals(batch: list[Item]) -> tuple[list[Item], float]:
    """The items with their signals made, and the CPU seconds that took (a parsing worker's share)."""
    cpu = time.process_time()
    out = [Item(i.id, i.title, i.excerpt, i.timestamp, i.provider, i.domain, i.urls,
                signals_of(i.title, i.excerpt, i.provider, i.domain, i.urls)) for i in batch]
    return out, time.process_time() - cpu


def pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    """Every pair of records (in order) that `groups` (record -> group) puts in one group."""
    by_group: dict[str, list[str]] = {}
    for record_id, group in groups.items():
        by_group.setdefault(group, []).append(record_id)
    return {(a, b) for ids in by_group.values() for a, b in itertools.combinations(sorted(ids), 2)}


def scores(grouper: Grouper, size: int, seed: int) -> str:
    """Pairwise precision and recall against the generator's truth (which records report one event),
    and how many pairs the copy signal makes that the truth does not hold."""
    truth = pairs(events(size, seed))
    found = pairs(grouper.assignments())
    right = len(found & truth)
    copies = {(min(i, r.peer), max(i, r.peer)) for i in grouper.assignments()
              if (r := grouper.reason(i)).how == "copy"}
    return (f"pairwise precision {right / len(found) if found else 1.0:.3f}, "
            f"recall {right / len(truth) if truth else 1.0:.3f} against the generator's events "
            f"({len(found):,} pairs grouped, {len(truth):,} true); copy joins {len(copies):,}, "
            f"{len(copies - truth):,} of them of two events")


def run(size: int, seed: int, cache: Path | None) -> None:
    batch = cached_items(size, seed, cache)
    print(f"{size:,} records; load average {os.getloadavg()[0]:.1f} at the start")
    gc.collect()
    grouper = Grouper()
    start, cpu = time.perf_counter(), time.process_time()
    grouper.add(batch)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  batch, signals made by the grouper: {seconds:.2f} s, {size / seconds:,.0f} records/s "
          f"({size / cpu:,.0f} a CPU second)")
    del grouper
    prepared, signals_cpu = with_signals(batch)
    print(f"  signals made ahead (in the parsing workers): {signals_cpu:.2f} CPU s, "
          f"{size / signals_cpu:,.0f} records a CPU second")
    gc.collect()
    grouper = Grouper()
    start, cpu = time.perf_counter(), time.process_time()
    grouper.add(prepared)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    del prepared
    stories = grouper.stories()
    several = sum(len(m) > 1 for m in stories.values())
    hows: dict[str, int] = {}
    for item in batch:
        how = grouper.reason(item.id).how
        hows[how] = hows.get(how, 0) + 1
    print(f"  batch, signals made ahead (the main process only links): {seconds:.2f} s, "
          f"{size / seconds:,.0f} records/s ({size / cpu:,.0f} a CPU second); "
          f"{len(stories):,} stories, "
          f"{several:,} of 2+ records; joined by {hows}")
    print(f"  {scores(grouper, size, seed)}")
    ordered = sorted(batch, key=lambda item: (item.timestamp or 0.0, item.id))
    grouper = Grouper()
    start = time.perf_counter()
    for at in range(0, len(ordered), 100):
        grouper.add(ordered[at : at + 100])
    seconds = time.perf_counter() - start
    print(f"  incremental, 100 newer records at a time: {seconds:.2f} s, {size / seconds:,.0f} records/s")
    late = ordered[len(ordered) // 2]  # a record arriving out of order replays what follows it
    grouper.remove([late.id])
    start = time.perf_counter()
    grouper.add([late])
    print(f"  one record from the middle of the time range added last: {time.perf_counter() - start:.2f} s")
    del grouper
    gc.collect()
    tracemalloc.start()
    grouper = Grouper()
    grouper.add(batch)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  memory held by the grouper (tracemalloc, items excluded): {current / 2**20:.0f} MiB; "
          f"load average {os.getloadavg()[0]:.1f} at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="keep the parsed records in this folder between runs")
    args = parser.parse_args()
    for size in args.sizes:
        run(size, args.seed, args.cache)


if __name__ == "__main__":
    main()
