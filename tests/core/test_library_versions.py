"""What a Library keeps per version (reader.core.library): its list of summaries and its story groups are
made again only when a batch or a grouping changed something, and `version` says when that was."""

from __future__ import annotations

from pathlib import Path

from reader.core.index import Index
from reader.core.index_schema import index_location
from reader.core.library import Library, open_index
from reader.core.loader import Batch
from reader.core.record import Problem, Record, RelatedStory, Urls
from tests.fakes import summary


def stamp(n: int) -> tuple[int, int, int, int]:
    return (n, n, n, n)


def test_a_batch_that_changes_something_makes_a_new_version() -> None:
    library = Library()
    assert library.version == 0 and library.summaries == [] and len(library) == 0
    a, b = summary("a"), summary("b")
    library.apply(Batch(summaries=[a, b], stats={"a": stamp(1), "b": stamp(1)}))
    assert library.version == 1 and library.summaries == [a, b] and len(library) == 2
    library.apply(Batch())  # nothing in it: the same version
    library.apply(Batch(done=5, total=9, notice="a notice"))
    assert library.version == 1
    library.apply(Batch(problems=[Problem("c", "bad")], stats={"c": stamp(1)}))
    assert library.version == 2 and library.problems == [Problem("c", "bad")]
    library.apply(Batch(removed=["a"]))
    assert library.version == 3 and library.summaries == [b] and library.summary("a") is None
    library.apply(Batch(stats={"b": stamp(2)}))  # b changed on disk and is being read again
    assert library.version == 4 and library.summaries == []
    assert library.stats == {"b": stamp(2), "c": stamp(1)}
    library.apply(Batch(scan_problems=[Problem("/gone", "no such folder")]))  # a problem of the scan only
    assert library.version == 4 and library.problem_count == 2


def test_the_list_of_summaries_is_made_once_a_version() -> None:
    library = Library()
    library.apply(Batch(summaries=[summary("a")], stats={"a": stamp(1)}))
    first = library.summaries
    assert library.summaries is first  # asked on every keystroke: not copied each time
    library.apply(Batch(summaries=[summary("b")], stats={"b": stamp(1)}))
    second = library.summaries
    assert second is not first and [s.path for s in second] == ["a", "b"]
    assert [s.path for s in first] == ["a"]  # a list handed out before stays as it was


def test_story_groups_are_made_once_a_version() -> None:
    library = Library()
    a1, a2, b = summary("a1", story="A", timestamp=2.0), summary("a2", story="A", timestamp=1.0), summary("b")
    library.apply(Batch(summaries=[a1, a2, b], stats={s.path: stamp(1) for s in (a1, a2, b)}))
    groups = library.groups
    assert library.groups is groups
    assert groups.several and [s.path for s in groups.members(a1)] == ["a2", "a1"]
    assert groups.members(b) == [b]
    library.set_stories({"b": "A"})
    assert library.groups is not groups and library.groups.size(a1) == 3


def test_set_stories_gives_records_their_story_and_counts_as_a_change() -> None:
    library = Library()
    a, b = summary("a"), summary("b", story="B")
    library.apply(Batch(summaries=[a, b], stats={"a": stamp(1), "b": stamp(1)}))
    version = library.version
    library.set_stories({"a": "B", "b": "B", "not loaded": "C"})
    assert library.version == version + 1
    assert (a.story, b.story) == ("B", "B")
    library.set_stories({"a": "B", "not loaded": "D"})  # nothing new for what is loaded
    assert library.version == version + 1
    library.set_stories({"b": ""})  # taken out of its story
    assert library.version == version + 2 and b.story == "" and a.story == "B"


def test_a_batch_brings_story_ids_for_records_loaded_before() -> None:
    library = Library()
    a = summary("a")
    library.apply(Batch(summaries=[a], stats={"a": stamp(1)}))
    library.apply(Batch(stories={"a": "S"}))
    assert a.story == "S" and library.version == 2
    library.apply(Batch(stories={"a": "S"}))
    assert library.version == 2


def test_problems_of_the_scan_and_of_files() -> None:
    library = Library()
    scan = [Problem("/missing", "no such file or folder")]
    library.apply(Batch(problems=[Problem("x.md", "bad")], stats={"x.md": stamp(1)}, scan_problems=scan))
    assert library.problems == [*scan, Problem("x.md", "bad")] and library.problem_count == 2
    library.apply(Batch(removed=["x.md"]))
    assert library.problems == scan and library.problem_count == 1
    library.apply(Batch(problems=[Problem("y.md", "bad")], stats={"y.md": stamp(1)}))  # the scan's stay
    assert library.problem_count == 2
    library.apply(Batch(stats={"y.md": stamp(2)}, summaries=[summary("y.md")]))  # read again, now good
    assert library.problems == scan and library.summary("y.md") is not None


def test_open_index(tmp_path: Path) -> None:
    throwaway = open_index(use_cache=False)
    assert throwaway.location == ":memory:"
    on_disk = open_index()
    assert on_disk.location == index_location() and Path(on_disk.location).exists()
    assert str(Path(on_disk.location)).startswith(str(Path.home()))  # (the tests' home, not the real one)
    on_disk.close()
    throwaway.close()


def test_a_library_without_an_index_has_one_in_memory() -> None:
    library = Library()
    assert library.index.location == ":memory:"
    index = Index(":memory:")
    assert Library(index).index is index


def test_a_damaged_index_loses_links_not_the_reader(tmp_path: Path) -> None:
    library = Library(Index(":memory:"))
    library.apply(Batch(summaries=[summary("a", url="https://a.example/a")], stats={"a": stamp(1)}))
    library.index._db.close()  # white box: every query on it fails from now on (sqlite3.DatabaseError)
    story = RelatedStory(title="A", urls=Urls(web="https://a.example/a"))
    assert library.resolve(story) is None
    record = Record(path="b", title="B", urls=Urls(web="https://b.example/b"))
    assert library.mentioned_by(record) == []
