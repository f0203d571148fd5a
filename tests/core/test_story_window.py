"""The grouping's sliding state (`story_window`): the word postings by day and the key indexes that
keep only what is recent enough to be compared, tested on their own."""

from __future__ import annotations

import dataclasses

import pytest

from reader.core.frontmatter import parse_text
from reader.core.record import Record
from reader.core.stories import Grouper, item_of
from reader.core import story_window
from reader.core.story_window import DAY, NO_TIME, Item, Rec, Settings, Window, _Days, _Keys, signals_of
from reader.synth import generate


def rec(record_id: str, day: float, title: str = "", urls: tuple[str, ...] = ()) -> Rec:
    """A record published `day` days after the epoch (an hour into it), or without a time."""
    return Rec(Item(record_id, title or f"A headline of {record_id} with words", "",
                    None if day == NO_TIME else day * DAY + 3600, urls=urls))


def test_days_count_the_records_of_the_kept_days_only() -> None:
    days = _Days(5.0)  # a day and the five before it
    made = iter(range(100))
    for day, count in ((0, 3), (1, 1), (4, 2)):
        for _ in range(count):
            days.add(day, [f"w{day}", "shared"], rec(f"r{next(made)}", day))
    assert days.count(4) == 6
    assert days.count(6) == 3  # day 0 is six days before: let go
    for _ in range(4):
        days.add(6, ["w6", "shared"], rec(f"r{next(made)}", 6))
    assert days.count(6) == 7
    assert days.count(7) == 6  # day 1 let go
    assert days.count(12) == 0 and days.index == {}


def test_days_let_go_of_old_keys_when_a_later_day_comes() -> None:
    days = _Days(5.0)
    days.add(0, ["old", "shared"], rec("a", 0))
    days.add(1, ["shared"], rec("b", 1))
    days.add(6, ["shared", "new"], rec("c", 6))  # day 0 let go, day 1 kept: five days before
    assert set(days.index) == {"shared", "new"}
    assert [r.item.id for r in days.index["shared"]] == ["b", "c"]
    days.add(6, ["new"], rec("d", 6))  # a day already met lets nothing go
    assert [r.item.id for r in days.index["new"]] == ["c", "d"]
    days.clear()
    assert days.count(6) == 0 and days.index == {}
    days.add(6, ["again"], rec("e", 6))
    assert days.count(6) == 1


def test_days_keep_part_of_a_day_as_a_whole_day() -> None:
    days = _Days(2.5)  # three days and the day itself
    days.add(0, ["w"], rec("a", 0))
    assert days.count(3) == 1
    assert days.count(4) == 0


def test_keys_hold_the_records_of_their_span_only() -> None:
    keys = _Keys(2.0, lambda r: r.ukeys)
    keys.add(rec("a", 0, urls=("https://a.example/one", "https://a.example/two")))
    keys.add(rec("b", 1, urls=("https://a.example/one",)))
    keys.add(rec("c", 1))  # no key: not held
    keys.expire(2 * DAY + 3600)  # exactly two days after a: kept
    assert keys.get("a.example/one") == ["a", "b"] and keys.get("a.example/two") == ["a"]
    keys.expire(2 * DAY + 3601)
    assert keys.get("a.example/one") == ["b"] and keys.get("a.example/two") == []
    assert "a.example/two" not in keys.index
    keys.expire(10 * DAY)
    assert keys.index == {} and not keys.order
    keys.add(rec("d", 20, urls=("https://a.example/one",)))
    keys.clear()
    assert keys.index == {} and not keys.order


def test_a_window_holds_keys_a_day_past_their_spans() -> None:
    settings = Settings()
    first = rec("a", 0, "Acme unveils a quantum chip that beats its rivals", urls=("https://a.example/story",))
    window = Window(settings, {"a": first})
    window.post(first)
    for days, held in ((settings.url_days + 1, True), (settings.url_days + 1.01, False)):
        window.advance(first.time + days * DAY)
        assert window.by_url.get("a.example/story") == (["a"] if held else [])
    window = Window(settings, {"a": first})
    window.post(first)
    window.advance(first.time + (settings.title_days + 1) * DAY)
    assert window.by_title.get(first.tkey) == ["a"]
    window.advance(first.time + (settings.title_days + 1.01) * DAY)
    assert window.by_title.get(first.tkey) == []


def test_a_record_without_a_time_is_not_posted() -> None:
    window = Window(Settings(), {})
    undated = rec("u", NO_TIME, "Acme unveils a quantum chip that beats its rivals", urls=("https://a.example/x",))
    window.post(undated)
    assert window.by_url.get("a.example/x") == [] and window.by_title.get(undated.tkey) == []
    assert not window.held and not window.keyed and window.postings.index == {}
    window.advance(NO_TIME)  # lets nothing go
    window.count(undated, 1)
    assert window.n == 1 and window.df == dict.fromkeys(undated.feats, 1)
    window.count(undated, -1)
    assert window.n == 0 and window.df == {}


def dense(size: int, seed: int, days: float) -> list[Item]:
    """Synthetic records with their times folded into `days` days: windows of a few hundred records."""
    items = []
    for relative, text in generate(size, seed):
        record = parse_text(relative, text, related_in_full=False)
        if isinstance(record, Record):
            item = item_of(record)
            items.append(dataclasses.replace(item, timestamp=1.6e9 + (item.timestamp or 0.0) % (days * DAY)))
    return items


@pytest.fixture(scope="module")
def crowded() -> list[list[Item]]:
    return [dense(800, 3, 14), dense(600, 1, 7)]


def assignments(items: list[Item], settings: Settings | None = None) -> dict[str, str]:
    grouper = Grouper(settings)
    grouper.add(items)
    return grouper.assignments()


@pytest.mark.parametrize(
    ("knob", "value"),
    [("support", 2), ("support", 4), ("candidates", 2), ("candidates", 4), ("rare_words", 7), ("rare_words", 9),
     ("scan", 19), ("scan", 21), ("common_postings", 29), ("common_postings", 31), ("common_share", 1.1)],
)
def test_no_knob_of_the_candidate_search_or_the_linkage_is_idle(
    crowded: list[list[Item]], knob: str, value: float
) -> None:
    """Where windows hold a few hundred records, a step either side of each knob's default groups some
    records otherwise (in one of two corpora): the default is the value in use. (Should a change to the
    grouping leave a knob without effect on both, another seed or size will show it.)"""
    assert any(assignments(items) != assignments(items, Settings(**{knob: value})) for items in crowded)


def spread(size: int, seed: int, days: float) -> list[Item]:
    """`dense` records with their signals made, as a parsing worker gives them."""
    return [dataclasses.replace(item, signals=signals_of(item.title, item.excerpt, item.provider, item.domain,
                                                         item.urls)) for item in dense(size, seed, days)]


def test_a_replay_makes_no_words_or_excerpt_keys_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record earlier than some grouped replays them, and the windows are filled again with the
    records before it (`Window.rebuild`): the words of records older than the word postings hold
    are not made again (only those of the days the postings hold, let go since), nor the excerpt keys
    the excerpt index still holds (their records keep them while it does); the groups are those of
    one batch."""
    items = sorted(spread(600, 4, 60), key=lambda item: item.timestamp or 0.0)
    late = items[-40:]  # the last days, some of them given first
    grouper = Grouper()
    grouper.add(items[:-40])
    grouper.add(late[20:])
    words: list[str] = []
    keys: list[str] = []
    real_signals, real_key = story_window.text_signals, story_window.excerpt_key
    monkeypatch.setattr(story_window, "text_signals",
                        lambda *args: (words.append(args[0]), real_signals(*args))[1])
    monkeypatch.setattr(story_window, "excerpt_key",
                        lambda excerpt: (keys.append(excerpt), real_key(excerpt))[1])
    grouper.add(late[:20])  # earlier than the last 20: they are replayed
    held_from = (int((items[-41].timestamp or 0.0) // DAY) - grouper._window.postings.keep + 1) * DAY
    made = [item for item in items if item.title in words]
    assert keys == [] and len(made) == len(words)
    assert all(held_from <= (item.timestamp or 0.0) < (late[0].timestamp or 0.0) for item in made)
    assert grouper.assignments() == assignments(items)
