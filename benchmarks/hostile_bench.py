"""How long hostile files take: the speed half of the hostile-input tests, which keep only the correctness.

    python benchmarks/hostile_bench.py [--runs 5] [--random 300]

Each file below is read the way the loader reads it (and a sparse file also loaded into a library), and
the slowest of the runs is printed with the limit the reader aims for: no single file may cost more
than about a second. Then random front matter is parsed (the hypothesis tests' inputs, at random) and
the slowest case is printed, and a story with a very long Markdown list is put on screen headlessly and
the time a key takes to move past it is measured, and how long closing a first load's parse takes (quitting
during a first load). Not part of the test run: it prints figures, it
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reader.core.frontmatter import MAX_YAML_ITEMS, parse_text, read_record
from reader.core.library import load_library

FILE_LIMIT = 1.0  # seconds a single hostile file may take to become a record or a problem


def alias_bomb(levels: int = 9) -> tuple[list[str], str]:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return lines, f"a{levels}"


def alias_bomb_record() -> str:
    lines, top = alias_bomb()
    fields = [
        "title",
        "excerpt",
        "topics",
        "related",
        "images",
        "provider",
        "quality",
        "heat",
        "publishedDateTime",
        "originalUrl",
        "featuredContent",
        "published",
        "secured",
    ]
    return "---\n" + "\n".join(lines + [f"{name}: *{top}" for name in fields]) + "\n---\n"


CASES: dict[str, str | bytes] = {
    "brackets nested 5,000 deep in a field": "---\ntitle: "
    + "[" * 5000
    + "]" * 5000
    + "\ntopics: [kept]\n---\n",
    "brackets nested 5,000 deep": "---\n" + "[" * 5000 + "]" * 5000 + "\n---\n",
    "mappings nested 5,000 deep": "---\n{title: deep map, a: " + "{a: " * 5000 + "}" * 5001 + "\n---\n",
    "alias bomb in every field": alias_bomb_record(),
    "alias bomb as front matter": "---\n" + "\n".join(alias_bomb()[0]) + "\n- x\n---\n",
    "too many items to parse": "---\na: [" + "1," * MAX_YAML_ITEMS + "1]\n---\n",
    "random bytes": random.Random(1234).randbytes(4096),
    "100,000-digit heat": "---\ntitle: hot\nheat: " + "9" * 100_000 + "\n---\n",
}


def slowest(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return max(times)


def row(what: str, seconds: float, limit: float = FILE_LIMIT) -> None:
    mark = "ok" if seconds <= limit else "OVER"
    print(f"| {what:<48} | {seconds * 1000:>9.1f} ms | {limit * 1000:>7.0f} ms | {mark:>4} |")


def files(runs: int, folder: Path) -> None:
    for name, content in CASES.items():
        path = folder / "case.md"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        row(name, slowest(lambda path=path: read_record(str(path)), runs))
        path.unlink()
    sparse = folder / "sparse" / "huge.md"
    sparse.parent.mkdir()
    with open(sparse, "wb") as handle:
        handle.write(b"---\ntitle: huge\n---\n")
        handle.truncate(60 * 1024 * 1024)
    (sparse.parent / "ok.md").write_text("---\ntitle: ok\n---\n", encoding="utf-8")
    row(
        "sparse 60 MB file, read and its folder loaded",
        slowest(lambda: (read_record(str(sparse)), load_library([str(sparse.parent)])), runs),
    )


def random_front_matter(count: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.hostile import FRAGMENTS  # the hostile-input tests' fragments

    fragment_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=80).map("".join)
    worst = [0.0, ""]

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(front=fragment_text, body=fragment_text, suffix=st.sampled_from([".md", ".yml"]))
    def parse(front: str, body: str, suffix: str) -> None:
        text = "---\n" + front + "\n---\n" + body
        started = time.perf_counter()
        parse_text("x" + suffix, text)
        elapsed = time.perf_counter() - started
        if elapsed > worst[0]:
            worst[:] = [elapsed, text[:40]]

    parse()
    row(f"slowest of {count} random front matters", worst[0])


def closing_a_pooled_parse(folder: Path) -> float:
    """How long closing a first load's parse takes once its first batch is in: quitting must not wait
    for the pool to parse the whole folder."""
    from reader.core.parsing import POOL_THRESHOLD, parse_entries
    from reader.core.record_files import examine

    body = "".join(f"k{i}: value {i}\n" for i in range(20_000))  # ~60 ms of parsing a file
    files = []
    for i in range(POOL_THRESHOLD + 200):
        path = folder / f"{i:04}.md"
        path.write_text(f"---\ntitle: slow {i}\n{body}---\n", encoding="utf-8")
        files.append((str(path), examine(str(path))))
    batches = parse_entries(files)
    next(batches)
    started = time.perf_counter()
    batches.close()
    return time.perf_counter() - started


async def long_list_on_screen(folder: Path) -> float:
    from textual.widgets import Markdown  # noqa: F401 - the story pane's body

    from reader.app import ReaderApp
    from reader.core.record import Record
    from reader.widgets.detail import DetailPane

    (folder / "list.md").write_text("---\ntitle: list\npublishedDateTime: 2021-01-02\n---\n" + "- a\n" * 1000)
    (folder / "next.md").write_text("---\ntitle: next\npublishedDateTime: 2021-01-01\n---\nsmall\n")
    app = ReaderApp([str(folder)])
    async with app.run_test(size=(120, 40)) as pilot:
        detail = app.screen.query_one(DetailPane)

        async def shown(title: str) -> None:
            while not (isinstance(detail.shown, Record) and detail.shown.title == title):
                await pilot.pause(0.01)

        await shown("list")
        pressed = time.perf_counter()
        await pilot.press("down")  # at once, while the list's body is being put on screen
        await shown("next")
        return time.perf_counter() - pressed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--random", type=int, default=300, help="random front matters to parse")
    options = parser.parse_args()
    print(f"| {'hostile input':<48} | {'slowest':>12} | {'limit':>10} |      |")
    print(f"|{'-' * 50}|{'-' * 14}|{'-' * 12}|------|")
    with tempfile.TemporaryDirectory() as work:
        os.environ.setdefault("XDG_CACHE_HOME", os.path.join(work, "cache"))
        os.environ.setdefault("XDG_STATE_HOME", os.path.join(work, "state"))
        os.environ.setdefault("XDG_DATA_HOME", os.path.join(work, "data"))
        os.environ.setdefault("XDG_CONFIG_HOME", os.path.join(work, "config"))
        files(options.runs, Path(work))
        random_front_matter(options.random)
        pooled = Path(work) / "pooled"
        pooled.mkdir()
        row("closing a pooled parse after its first batch", closing_a_pooled_parse(pooled), 5.0)
        screen = Path(work) / "screen"
        screen.mkdir()
        row("key past a 1,000-item Markdown list", asyncio.run(long_list_on_screen(screen)), 3.0)


if __name__ == "__main__":
    main()
