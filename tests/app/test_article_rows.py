"""The article list's rows as drawn at the widths people use: most of the row for the title, the provider
when it fits, the value a list is sorted by, an ellipsis on anything cut, and only visible rows drawn."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult

from reader.core.record import Summary
from reader.widgets.article_list import ArticleList

TITLE = (
    "Microsoft gets approval for a new datacenter region in Sweden, its first with renewable power only, "
    "and plans two more"
)
WHEN = datetime(2021, 12, 29, 10, 30, tzinfo=UTC).timestamp()


def summary(
    index: int,
    *,
    title: str = TITLE,
    provider: str = "GeekWire",
    quality: int | None = 48,
    heat: int | None = 1234,
) -> Summary:
    return Summary.build(
        path=f"/library/{index:06d}.md",
        title=f"{title} {index}",
        timestamp=WHEN - index * 3600,
        provider_name=provider,
        provider_domain="geekwire.com",
        topics=("Azure",),
        type="article",
        category="",
        quality=quality,
        heat=heat,
        published=True,
        has_image=False,
        has_related=False,
        has_body=False,
        has_url=True,
        url="https://example.org/",
        text_cf=b"",
    )


class ListApp(App[None]):
    """The article list alone, as wide as the terminal (the screen's layout is not under test here)."""

    def __init__(self, summaries: list[Summary]) -> None:
        super().__init__()
        self.summaries = summaries

    def compose(self) -> ComposeResult:
        yield ArticleList(id="articles")

    def on_mount(self) -> None:
        articles = self.query_one(ArticleList)
        articles.styles.border = ("round", "white")  # as on the main screen: 2 columns of border
        articles.show(self.summaries)


def rows(articles: ArticleList) -> list[str]:
    visible = min(articles.scrollable_content_region.height, len(articles.summaries))
    return ["".join(segment.text for segment in articles.render_line(y)) for y in range(visible)]


def title_cells(row: str, title: str) -> int:
    """How many cells of `title` the row shows, counting a cut one's ellipsis as no letter."""
    for size in range(len(title), 0, -1):
        if title[:size] in row:
            return size
    return 0


@pytest.mark.parametrize(
    ("columns", "least_title", "provider", "date"),
    [
        (60, 40, False, "21-12-29"),
        (80, 55, False, "2021-12-29"),
        (120, 60, True, "2021-12-29"),
        (200, 60, True, "2021-12-29"),
    ],
)
async def test_rows_give_the_title_most_of_the_width(
    columns: int, least_title: int, provider: bool, date: str
) -> None:
    app = ListApp([summary(0)])
    async with app.run_test(size=(columns, 10)) as pilot:
        await pilot.pause()
        articles = app.query_one(ArticleList)
        (row,) = rows(articles)
        assert cell_len(row) == articles.scrollable_content_region.width == columns - 2
        assert title_cells(row, TITLE) >= least_title, row
        assert ("GeekWire" in row) is provider, row
        assert date in row, row
        assert row.rstrip(" █").endswith("…") or f"{TITLE} 0" in row, row  # cut with an ellipsis, or whole


async def test_a_cut_provider_ends_with_an_ellipsis() -> None:
    app = ListApp([summary(0, provider="Microsoft Tech Community Blog")])
    async with app.run_test(size=(120, 10)) as pilot:
        await pilot.pause()
        (row,) = rows(app.query_one(ArticleList))
        assert "Microsoft Tech …" in row, row


@pytest.mark.parametrize(
    ("order", "shown", "hidden"),
    [("quality", "  48 ", "1234"), ("heat", "1234 ", " 48 "), ("newest", "2021-12-29", "1234")],
)
async def test_a_row_shows_the_value_it_is_sorted_by(order: str, shown: str, hidden: str) -> None:
    app = ListApp([summary(0)])
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        articles = app.query_one(ArticleList)
        before = rows(articles)[0]
        articles.order = order
        await pilot.pause()
        after = rows(articles)[0]
        assert shown in after and hidden not in after, after
        assert (after == before) is (order == "newest")  # the rows drawn before were not kept


async def test_sorted_by_provider_a_narrow_row_keeps_the_provider() -> None:
    app = ListApp([summary(0)])
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        articles = app.query_one(ArticleList)
        assert "GeekWire" not in rows(articles)[0]
        articles.order = "provider"
        await pilot.pause()
        assert "GeekWire" in rows(articles)[0]


async def test_only_the_visible_rows_are_drawn() -> None:
    """Each row asks for its reading state as it is drawn: 20,000 records ask only for those on screen."""
    app = ListApp([summary(index) for index in range(20_000)])
    async with app.run_test(size=(80, 12)) as pilot:
        asked: list[str] = []
        articles = app.query_one(ArticleList)

        def marks(item: Summary) -> tuple[bool, bool]:
            asked.append(item.path)
            return False, False

        articles.marks = marks
        articles.order = "quality"  # every row is drawn again
        await pilot.pause()
        height = articles.scrollable_content_region.height
        assert 0 < len(set(asked)) <= height
        asked.clear()
        await pilot.press("pagedown")
        await pilot.pause()
        assert 0 < len(set(asked)) <= height
