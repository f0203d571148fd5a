"""New files the watcher finds join their stories in the list and the topic counts by the change alone
(the lists and counts of the last version brought up to date), and what is shown equals the list,
story groups and counts made from scratch; changed and removed files too (made again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core import listing as listing_module
from reader.core.counts import TopicCounter
from reader.core.listing import Lister
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.core.story_groups import StoryGroups
from reader.core.story_rows import StoryRows

from tests.corpus import write_story
from tests.helpers import SIZE, screen, settle
from tests.story_corpus import FLAW, ROCKET, write_stories

pytestmark = pytest.mark.stories


def made_again(app: ReaderApp) -> tuple[list[str], object]:
    """The list's paths and the topic counts, made from scratch for the library as it is now."""
    main = screen(app)
    library, listing = main.library, main.listing
    query = listing.effective_query()
    state_version = main.state.version if query.uses_state else 0
    computed = Lister().compute(library.summaries, library.version, listing.sort_order, listing.topic, query,
                                state=main.state, state_version=state_version)
    assert computed is not None
    rows = StoryRows(computed.folded(), StoryGroups(library.summaries))
    counts = TopicCounter().count(library.summaries, object(), main.state, main.state.saved_filters(),
                                  listed=lambda s: s.published, stories=True)
    return [s.path for s in rows], counts


async def test_new_files_join_their_stories_by_the_change_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    placed: list[int] = []  # lists brought up to date by a change rather than made again
    real = listing_module.placed_in
    monkeypatch.setattr(listing_module, "placed_in", lambda *a, **k: placed.append(1) or real(*a, **k))
    followed: list[bool] = []  # counts that followed a change
    follow = TopicCounter._follow
    monkeypatch.setattr(TopicCounter, "_follow",
                        lambda self, *a: followed.append(follow(self, *a)) or followed[-1])
    folder = write_stories(tmp_path / "stories")
    state = StateStore()
    state.save_filter("space", "topic:space")
    app = ReaderApp([str(folder)], settings=Settings(read_after=3600), state=state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = screen(app)
        assert isinstance(main.listing.matching, StoryRows)
        stories_before = len({s.story for s in main.library.summaries})
        new = [(ROCKET, "2021-03-01T11:00:00Z"), (FLAW, "2021-02-20T10:00:00Z"),
               ("A lone new event", "2021-03-04T09:00:00Z")]
        for number, (title, when) in enumerate(new):
            write_story(folder, f"new-{number}.md", title, f"Outlet{number}", when)
            main.folders.check_for_changes()
            await settle(pilot)
            paths, counts = made_again(app)
            assert [s.path for s in main.listing.matching] == paths
            assert main.topic_counts.counts == counts
        assert len(main.library) == 9
        assert str(folder / "new-2.md") in paths  # the lone one has a row of its own
        assert len({s.story for s in main.library.summaries}) == stories_before + 1  # two joined, one alone
        assert placed and any(followed), "nothing was brought up to date by a change"
        (folder / "new-0.md").unlink()  # a removed file and a changed one: made again, as equal
        write_story(folder, "new-1.md", "Something else entirely", "Outlet1", "2021-03-05T09:00:00Z")
        main.folders.check_for_changes()
        await settle(pilot)
        paths, counts = made_again(app)
        assert [s.path for s in main.listing.matching] == paths
        assert main.topic_counts.counts == counts
        assert len(main.library) == 8
