"""The warm start headless, traced: how long until the whole list is shown and counted, and every list
refresh, topic count and full collection on the way (when, over how many records, how long).

    python benchmarks/load_trace.py FOLDER[,FOLDER...] CACHE [--all] [--shown]

CACHE is used as XDG_CACHE_HOME (its index is what is loaded: build it first, e.g. with
`XDG_CACHE_HOME=CACHE reader --list --filter zzzq FOLDER`); a fresh reading state is made beside it.
Run under a profiler for the profile of the same path, e.g.
`py-spy record -t --gil -f raw -o out.txt -- python benchmarks/load_trace.py ...` (benchmarks/PROFILE-1M.md).
`--shown` stops once the whole list is shown and counted (a profile of only that part).
Where PYTHONDONTWRITEBYTECODE is set (as on the shared machine), run `python -m compileall -q reader`
first (and after each change): otherwise every start compiles reader's sources (~0.1 s of CPU).
Prints figures, asserts nothing. The CPU seconds of the process are the steadier figure on a busy machine.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable

STARTED = time.perf_counter()
LOG: list[tuple[str, float, int, float]] = []  # what, when (s from start), how many, how long (s)


def traced(cls: type, name: str) -> None:
    original: Callable[..., object] = getattr(cls, name)

    def wrapper(self: object, summaries: list[object], *args: object, **kwargs: object) -> object:
        began = time.perf_counter()
        try:
            return original(self, summaries, *args, **kwargs)
        finally:
            LOG.append((name, began - STARTED, len(summaries), time.perf_counter() - began))

    setattr(cls, name, wrapper)


def trace_collections() -> None:
    began = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            seconds = time.perf_counter() - began[0]
            LOG.append((f"gc{info['generation']}", began[0] - STARTED, info["collected"], seconds))

    gc.callbacks.append(callback)


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


async def warm_start(folders: list[str]) -> None:
    from reader.app import ReaderApp
    from reader.screens.main import MainScreen

    app = ReaderApp(folders)
    first = None
    async with app.run_test(size=(160, 45)):
        while True:
            await asyncio.sleep(0.02)
            screen = app.screen
            if not isinstance(screen, MainScreen):
                continue
            listing, counts = screen.listing, screen.topic_counts
            if first is None and listing.matching:
                first = time.perf_counter() - STARTED
                print(f"first rows {first:.2f} s", flush=True)
            if (
                screen.folders.finished and screen.folders.all_listed
                and listing.complete and not listing.in_flight and listing.matching
                and counts.counts.total == len(listing.matching) and not counts.pending
            ):
                break
        print(
            f"whole list shown and counted {time.perf_counter() - STARTED:.2f} s: {len(listing.matching):,} of "
            f"{len(screen.library):,}; RSS {rss_mib():.0f} MiB; CPU {time.process_time():.1f} s; "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if "--shown" in sys.argv:  # stop here (for a profile of the warm start up to the whole list)
            report()
            sys.stdout.flush()
            os._exit(0)  # not waiting for the walk's thread
        # The list the index holds is shown before the walk checks it against the files (issue 15):
        # the walk's end, and the list and counts again if it changed anything.
        while screen.folders.loading or not screen.folders.all_listed or listing.in_flight or counts.pending:
            await asyncio.sleep(0.02)
        print(
            f"checked against the files {time.perf_counter() - STARTED:.2f} s: {len(listing.matching):,} of "
            f"{len(screen.library):,}; RSS {rss_mib():.0f} MiB; CPU {time.process_time():.1f} s",
            flush=True,
        )


def main() -> None:
    folders, cache = sys.argv[1].split(","), sys.argv[2]
    os.environ["XDG_CACHE_HOME"] = cache
    for kind in ("CONFIG", "DATA"):
        place = os.environ[f"XDG_{kind}_HOME"] = f"{cache.rstrip('/')}-trace-{kind.lower()}"
        shutil.rmtree(place, ignore_errors=True)  # a fresh reading state: nothing read, nothing selected
    from reader.core import counts, listing

    traced(listing.Lister, "compute")
    traced(counts.TopicCounter, "count")
    trace_collections()
    asyncio.run(warm_start(folders))
    report()


def report() -> None:
    totals: defaultdict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for what, _, _, seconds in LOG:
        totals[what][0] += 1
        totals[what][1] += seconds
    for what, (calls, seconds) in sorted(totals.items()):
        print(f"{what}: {calls:.0f} calls, {seconds:.1f} s in all")
    for what, at, size, seconds in LOG:
        if "--all" in sys.argv or what not in ("gc0", "gc1"):
            print(f"  {what:<8} at {at:6.1f} s  n={size:>9,}  took {seconds:.2f} s")


if __name__ == "__main__":
    main()
