"""The loaded records folded by story: members, sizes, leads and one row per story."""

from __future__ import annotations

from reader.core.library import Library
from reader.core.loader import Batch
from reader.core.story_groups import StoryGroups, story_key
from reader.core.record import Summary
from tests.fakes import summary


def _record(path: str, story: str, timestamp: float | None) -> Summary:
    return summary(path, timestamp=timestamp, story=story)


def test_members_earliest_first_and_lead_is_earliest() -> None:
    late, early, undated = _record("b", "s1", 200.0), _record("a", "s1", 100.0), _record("c", "s1", None)
    groups = StoryGroups([late, undated, early])
    assert [m.path for m in groups.members(late)] == ["a", "b", "c"]
    assert groups.lead(undated) is early
    assert groups.size(late) == 3
    assert len(groups) == 1 and groups.several


def test_a_record_without_a_story_stands_alone() -> None:
    alone, other = _record("x", "", 1.0), _record("y", "", 2.0)
    groups = StoryGroups([alone, other])
    assert groups.members(alone) == [alone]
    assert groups.size(alone) == 1
    assert groups.lead(alone) is alone
    assert story_key(alone) == "file:x" != story_key(other)
    assert not groups.several and not StoryGroups([_record("s", "S", 1.0)]).several


def test_fold_keeps_each_story_where_its_first_record_is() -> None:
    a1, b1, a2, c, b2 = (_record("a1", "A", 1.0), _record("b1", "B", 2.0), _record("a2", "A", 3.0),
                         _record("c", "", 4.0), _record("b2", "B", 5.0))
    groups = StoryGroups([a1, b1, a2, c, b2])
    assert [s.path for s in groups.fold([b2, a2, c, b1, a1])] == ["b2", "a2", "c"]


def test_library_groups_follow_set_stories() -> None:
    library = Library()
    one, two = _record("one", "", 1.0), _record("two", "", 2.0)
    library.apply(Batch(summaries=[one, two]))
    assert library.groups.size(one) == 1
    before = library.version
    library.set_stories({"one": "S", "two": "S", "gone": "S"})
    assert library.version == before + 1
    assert library.groups.size(one) == 2
    assert library.groups.lead(two) is one
    library.set_stories({"one": "S"})
    assert library.version == before + 1  # nothing changed, so no new version


def test_a_story_of_one_loaded_record_is_that_record_alone_and_counted() -> None:
    single, a1, a2 = _record("s", "S", 1.0), _record("a1", "A", 3.0), _record("a2", "A", 2.0)
    groups = StoryGroups([single, a1, a2])
    assert groups.members(single) == [single] and groups.size(single) == 1 and groups.lead(single) is single
    assert groups.members(a1) == [a2, a1] and groups.lead(a1) is a2
    assert len(groups) == 2 and groups.several
