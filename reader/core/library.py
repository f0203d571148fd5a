"""Folders in, summaries out: discovery, parsing on all cores, topics, and links between stories."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from .frontmatter import RECORD_SUFFIXES, read_record
from .record import Problem, Record, RelatedStory, Summary
from .urls import normalise_title, story_keys

# Below this many files a process pool costs more to start than it saves.
POOL_THRESHOLD = 400


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed record as the library keeps it: its summary and the keys that link it to others."""

    summary: Summary
    keys: tuple[str, ...]
    """Normalised URLs of the record itself and its normalised title (prefixed `t:`)."""
    mentions: tuple[str, ...]
    """The same kind of keys for every story in its related list."""


def link_keys(urls_keys: Iterable[str], title: str) -> tuple[str, ...]:
    """The keys under which a story is found: its URL keys, then its title key."""
    keys = [key for key in urls_keys if key]
    title_key = normalise_title(title)
    if title_key:
        keys.append("t:" + title_key)
    return tuple(dict.fromkeys(keys))


def parse_file(path: str) -> Parsed | Problem:
    """Parse one file into what the library keeps (runs in worker processes)."""
    result = read_record(path)
    if isinstance(result, Problem):
        return result
    mentions: dict[str, None] = {}
    for story in result.related:
        mentions.update(dict.fromkeys(link_keys(story_keys(story.urls), story.title)))
    return Parsed(Summary.of(result), link_keys(story_keys(result.urls), result.title), tuple(mentions))


def discover(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Every record file under the given files and folders, each once, and the paths that failed."""
    files: dict[str, None] = {}
    problems: list[Problem] = []
    seen_dirs: set[tuple[int, int]] = set()
    for given in paths:
        path = os.path.abspath(given)
        if os.path.isdir(path):
            _walk(path, files, problems, seen_dirs)
        elif os.path.lexists(path):
            files[path] = None
        else:
            problems.append(Problem(path, "no such file or folder"))
    return list(files), problems


def _walk(
    top: str, files: dict[str, None], problems: list[Problem], seen_dirs: set[tuple[int, int]]
) -> None:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen_dirs:
                continue  # a symbolic link back into a folder already read
            seen_dirs.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            problems.append(Problem(folder, error.strerror or "cannot read folder"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(entry.path)
            elif entry.name.lower().endswith(RECORD_SUFFIXES):
                files[entry.path] = None
    return None


def parse_files(files: list[str], *, batch_size: int = 500, workers: int | None = None) -> Iterator[list[Parsed | Problem]]:
    """Parse files in batches, on every core when there are many; batches arrive as they are ready."""
    if len(files) < POOL_THRESHOLD or workers == 1:
        for start in range(0, len(files), batch_size):
            yield [parse_file(path) for path in files[start : start + batch_size]]
        return
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        batch: list[Parsed | Problem] = []
        for result in pool.map(parse_file, files, chunksize=64):
            batch.append(result)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch


class Library:
    """The loaded records: their summaries, the problems met, and the links between stories."""

    def __init__(self) -> None:
        self.summaries: list[Summary] = []
        self.problems: list[Problem] = []
        self._by_path: dict[str, Summary] = {}
        self._by_key: dict[str, Summary] = {}
        self._mentioned_by: dict[str, list[str]] = {}

    def add(self, results: Iterable[Parsed | Problem]) -> None:
        """Take in a batch of parsed records and problems."""
        for result in results:
            if isinstance(result, Problem):
                self.problems.append(result)
                continue
            summary = result.summary
            if summary.path in self._by_path:
                continue
            self.summaries.append(summary)
            self._by_path[summary.path] = summary
            for key in result.keys:
                # Prefer a published record over its unpublished duplicate for the same key.
                known = self._by_key.get(key)
                if known is None or (summary.published and not known.published):
                    self._by_key[key] = summary
            for key in result.mentions:
                self._mentioned_by.setdefault(key, []).append(summary.path)

    def topic_counts(self) -> list[tuple[str, int]]:
        """Each topic with its record count, most common first, then by name."""
        counts = Counter(topic for summary in self.summaries for topic in summary.topics)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))

    def summary(self, path: str) -> Summary | None:
        """The summary of a loaded record."""
        return self._by_path.get(path)

    def load_record(self, path: str) -> Record | Problem:
        """Read the full record again, for display."""
        return read_record(path)

    def resolve(self, story: RelatedStory) -> Summary | None:
        """The loaded record for a related story: same URL first, else the same title."""
        keys = link_keys(story_keys(story.urls), story.title)
        for key in keys:
            if not key.startswith("t:") and key in self._by_key:
                return self._by_key[key]
        title_keys = [key for key in keys if key.startswith("t:")]
        return self._by_key.get(title_keys[0]) if title_keys else None

    def mentioned_by(self, record: Record) -> list[Summary]:
        """Loaded records whose related lists point at this record, newest first."""
        paths: dict[str, None] = {}
        for key in link_keys(story_keys(record.urls), record.title):
            paths.update(dict.fromkeys(self._mentioned_by.get(key, ())))
        paths.pop(record.path, None)
        found = [self._by_path[path] for path in paths if path in self._by_path]
        return sorted(found, key=lambda summary: -(summary.timestamp or float("-inf")))


def load_library(paths: Iterable[str]) -> Library:
    """Discover and parse everything under `paths` at once (for the command line and tests)."""
    library = Library()
    files, problems = discover(paths)
    library.problems.extend(problems)
    for batch in parse_files(files):
        library.add(batch)
    return library
