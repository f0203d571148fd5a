"""A calm first start: on a cold index the cursor is on the newest story however the rows stream in, and
nothing becomes read before the user's first key."""

from __future__ import annotations

import re
from pathlib import Path

from reader.app import ReaderApp
from reader.core.identity import summary_id
from reader.core.settings import Settings
from reader.synth import write_corpus
from reader.widgets.article_list import ArticleList

from tests.helpers import settle

SIZE = (80, 24)


async def test_a_cold_start_rests_on_the_newest_story_and_reads_nothing_before_a_key(tmp_path: Path) -> None:
    # 600 files: the first 100 found are shown before the rest is parsed, in batches, so rows newer
    # than the first page's arrive above it while the app starts.
    first = write_corpus(tmp_path / "library", 600)[0]
    # The newest story in a second folder, walked after the first: it arrives after the first page.
    text = re.sub(r"publishedDateTime: .*", "publishedDateTime: 2031-01-01T00:00:00Z", first.read_text())
    later = tmp_path / "later"
    later.mkdir()
    (later / "newest.md").write_text(text.replace("https://www.", "https://newest."))
    app = ReaderApp([str(tmp_path / "library"), str(later)], settings=Settings(read_after=0))  # read at once
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        summaries = list(app.screen.library.summaries)  # type: ignore[attr-defined]
        assert len(articles.summaries) == len(summaries) == 601
        newest = max(s.published_at for s in summaries if s.published_at is not None)
        assert articles.cursor == 0 and articles.scroll_offset.y == 0
        assert articles.highlighted is not None and articles.highlighted.published_at == newest
        assert articles.highlighted.path.endswith("newest.md")
        assert not app.state.read  # the story on screen is not read: no key yet
        await pilot.press("j")
        await settle(pilot)
        assert articles.highlighted is not None  # after a key, the story shown is read (read_after = 0)
        assert summary_id(articles.highlighted) in app.state.read

