"""Every input is hostile: record text never acts on the terminal, markup is shown literally, only
http(s) links are opened (never through a shell), and odd files become problems, never crashes.

The hostile records come from `tests/hostile.py`. Screens are checked at two levels: the text of every
segment the compositor renders (what `ArticleList.render_line`, the topic list, the detail pane, the
status line, toasts and modal screens produce), and the bytes Textual would write to the terminal
with its own escape sequences (colours, cursor moves, hyperlinks) taken out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Markdown, OptionList, Static

from reader.app import ReaderApp
from reader.core import loader, parsing, record_files
from reader.core.fields import MAX_TITLE
from reader.core.frontmatter import MAX_FILE_BYTES, parse_text, read_record
from reader.core.library import Library, load_library
from reader.core.record import Problem, Record
from reader.core.urls import refusal
from reader.screens.help import HelpScreen
from reader.screens.main import MainScreen
from reader.screens.problems import ProblemsScreen
from reader.widgets.article_list import ArticleList
from reader.widgets.detail import DetailPane
from reader.widgets.filter_bar import FilterInput
from reader.widgets.topics import TopicList

from tests.helpers import screen_strips, screen_text, settle
from tests.hostile import (
    FRAGMENTS,
    PAYLOADS,
    RELATED_QUERY,
    HostileFolder,
    forbidden,
    url_cases,
    write_hostile_folder,
    yaml_quote,
)
from tests.fakes import shown_fields

SIZE = (160, 100)  # tall, so that most of a story's detail is on screen at once


@pytest.fixture
def hostile(tmp_path: Path) -> HostileFolder:
    return write_hostile_folder(tmp_path / "hostile", marker=str(tmp_path / "pwned"))


@pytest.fixture
def hostile_without_char_refs(tmp_path: Path) -> HostileFolder:
    """The hostile folder minus the Markdown character-reference record (see the xfail test below)."""
    return write_hostile_folder(tmp_path / "hostile", char_refs=False, marker=str(tmp_path / "pwned"))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs given to App.open_url, instead of starting a browser."""
    urls: list[str] = []
    monkeypatch.setattr(ReaderApp, "open_url", lambda self, url, **kwargs: urls.append(url))
    return urls




def assert_record_or_problem(result: object) -> None:
    assert isinstance(result, (Record, Problem)), result
    if isinstance(result, Problem):
        assert result.reason.strip() and not forbidden(result.reason), result
    else:
        for text in shown_fields(result):
            assert not forbidden(text), (text, forbidden(text))
        assert not forbidden(result.body, allow="\n"), forbidden(result.body, allow="\n")


# ---------------------------------------------------------------------------------------------------------
# Parsing: what tests/core/test_frontmatter.py does not cover yet


def test_sparse_60_mb_file_is_a_problem(tmp_path: Path) -> None:
    """(How long it takes: benchmarks/hostile_bench.py.)"""
    path = tmp_path / "huge.md"
    with open(path, "wb") as handle:
        handle.write(b"---\ntitle: huge\n---\n")
        handle.truncate(60 * 1024 * 1024)
    (tmp_path / "ok.md").write_text("---\ntitle: ok\n---\n")
    problem = read_record(str(path))
    library = load_library([str(tmp_path)])
    assert isinstance(problem, Problem) and "too large" in problem.reason
    assert [s.title for s in library.summaries] == ["ok"]
    assert [(p.path, "too large" in p.reason) for p in library.problems] == [(str(path), True)]


def test_file_that_grows_past_the_limit_after_the_scan_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "grows.md"
    path.write_text("---\ntitle: small at scan time\n---\n")
    found, _ = record_files.scan_record_files([str(tmp_path)])
    with open(path, "r+b") as handle:
        handle.truncate(60 * 1024 * 1024)
    entry = parsing.parse_entry((str(path), found[str(path)]))
    assert isinstance(entry.result, Problem) and "too large" in entry.result.reason


@pytest.mark.parametrize("change", ["deleted", "directory", "fifo", "emptied", "garbage", "dangling link"])
def test_file_changed_between_scan_and_parse_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The loader scans a folder, then parses what it found: the file may be gone or different by then."""
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "stays.md").write_text("---\ntitle: stays\n---\n")
    victim = folder / "victim.md"
    victim.write_text("---\ntitle: victim\n---\n")
    real_walk = loader.walk_record_files

    def walk_then_change(paths: list[str], problems: list[Problem]):  # type: ignore[no-untyped-def]
        found = list(real_walk(paths, problems))  # the whole scan, then the change, then the parse
        victim.unlink()
        if change == "directory":
            victim.mkdir()
        elif change == "fifo":
            if not hasattr(os, "mkfifo"):
                pytest.skip("no FIFOs on this platform")
            os.mkfifo(victim)
        elif change == "emptied":
            victim.write_bytes(b"")
        elif change == "garbage":
            victim.write_bytes(b"\xff\xfe\x00garbage")
        elif change == "dangling link":
            victim.symlink_to(folder / "missing.md")
        yield from found

    monkeypatch.setattr(loader, "walk_record_files", walk_then_change)
    finished: list[object] = []
    worker = threading.Thread(target=lambda: finished.append(load_library([str(folder)])), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "loading blocked on a file that changed after the scan"
    library = finished[0]
    assert [s.title for s in library.summaries] == ["stays"]  # type: ignore[attr-defined]
    problems = library.problems  # type: ignore[attr-defined]
    assert [p.path for p in problems] == [str(victim)]
    assert problems[0].reason.strip() and not forbidden(problems[0].reason)


def test_file_rewritten_while_being_read_never_raises(tmp_path: Path) -> None:
    """A writer keeps replacing, truncating and growing a file while it is read again and again."""
    path = tmp_path / "busy.md"
    contents = [
        b"---\ntitle: valid\n---\nbody\n",
        b"---\ntitle: \"unclosed\n",
        b"",
        b"\xff\xfe\xfd",
        b"---\ntitle: " + b"x" * 100_000 + b"\n---\n",
        ("---\ntitle: " + yaml_quote("\x1b]2;PWNED\x07\u202e") + "\n---\nbody \x1b[2J\n").encode(),
    ]
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            data = contents[i % len(contents)]
            i += 1
            if i % 7 == 0:
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
                continue
            with open(path, "wb") as handle:  # truncate, then write in two parts
                handle.write(data[: len(data) // 2])
                handle.flush()
                handle.write(data[len(data) // 2 :])
            if i % 11 == 0:
                with open(path, "r+b") as handle:
                    handle.truncate(MAX_FILE_BYTES + 10)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    kinds: set[str] = set()
    try:
        for reads in range(100_000):  # until both were seen, and a while after
            result = read_record(str(path))
            assert_record_or_problem(result)
            kinds.add(type(result).__name__)
            if reads >= 2_000 and len(kinds) == 2:
                break
    finally:
        stop.set()
        thread.join(timeout=5)
    assert kinds == {"Record", "Problem"}



fragment_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=80).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=2000), suffix=st.sampled_from([".md", ".yaml"]))
def test_parse_text_on_any_text_gives_a_record_or_a_problem(text: str, suffix: str) -> None:
    assert_record_or_problem(parse_text("x" + suffix, text))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    front=fragment_text,
    body=fragment_text,
    opening=st.sampled_from(["---\n", "--- \r\n", "", " ---\n"]),
    closing=st.sampled_from(["\n---\n", "\n...\n", "\n---", ""]),
    suffix=st.sampled_from([".md", ".yml"]),
)
def test_parse_text_on_front_matter_fragments_gives_a_record_or_a_problem(
    front: str, body: str, opening: str, closing: str, suffix: str
) -> None:
    assert_record_or_problem(parse_text("x" + suffix, opening + front + closing + body))


# ---------------------------------------------------------------------------------------------------------
# The hostile folder itself


def test_hostile_folder_gives_the_expected_records_and_problems(hostile: HostileFolder) -> None:
    for name in hostile.records + hostile.problems:
        result = read_record(hostile.file(name))
        assert_record_or_problem(result)
        expected = Record if name in hostile.records else Problem
        assert isinstance(result, expected), (name, result)
    library = load_library([str(hostile.path)])
    assert sorted(os.path.basename(s.path) for s in library.summaries) == sorted(hostile.records)
    assert sorted(os.path.basename(p.path) for p in library.problems) == sorted(hostile.problems)


def test_hostile_front_matter_is_valid_yaml_written_with_escapes(hostile: HostileFolder) -> None:
    """The escaped payloads reach the parser as escapes; it is the parser that makes the characters."""
    data = Path(hostile.file("payload-all.md")).read_bytes()
    front = data.split(b"\n---\n", 1)[0]
    for escape in (rb"\e]0;PWNED\a", rb"\e]52;c;UFdORUQ=\a", rb"\eP+q544e\e\\", rb"\x9b31m", rb"\u202e"):
        assert escape in front
    assert b"\x1b" not in front and "\u202e".encode() not in front
    record = read_record(hostile.file("payload-all.md"))
    assert isinstance(record, Record)
    assert record.title.startswith("all \u241b[31mRED\u241b[2J")
    assert "\u241b]52;c;UFdORUQ=\u2407" in record.title
    assert "[@click=app.quit]click me[/]" in record.title
    assert "\x1b]2;PWNED" in record.urls.original  # URLs are kept as written, and refused when used


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("raw-esc-block-scalar.md", "\x1b"),
        ("raw-esc-plain.md", "\x1b"),
        ("raw-c1-quoted.md", "\x9b"),
        ("raw-bel-topic.md", "\x07"),
    ],
)
def test_raw_control_characters_in_yaml_are_problems(hostile: HostileFolder, name: str, raw: str) -> None:
    assert raw.encode() in Path(hostile.file(name)).read_bytes()  # the character itself, not an escape
    result = read_record(hostile.file(name))
    assert isinstance(result, Problem) and result.reason.startswith("invalid YAML"), result


def test_raw_escape_in_a_markdown_body_is_neutralised(hostile: HostileFolder) -> None:
    record = read_record(hostile.file("raw-esc-body.md"))
    assert isinstance(record, Record)
    assert record.body.startswith("body \u241b]2;PWNED\u2407 \u241b[2J \ufffd31m end\nline\u2408\u2408two")


def test_long_title_is_cut_when_parsed(hostile: HostileFolder) -> None:
    record = read_record(hostile.file(hostile.long_title))
    assert isinstance(record, Record)
    assert len(record.title) == MAX_TITLE and record.title.endswith("\u2026")


# ---------------------------------------------------------------------------------------------------------
# What reaches the screen

# Textual's own escape sequences: colours and attributes, cursor moves, hyperlinks (OSC 8).
TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;]*[mH]|\x1b\]8;[^\x07\x1b]*(?:\x1b\\|\x07)")


def terminal_output(app: ReaderApp) -> str:
    """What Textual would write to the terminal for a full repaint."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)  # type: ignore[union-attr]


def assert_screen_safe(app: ReaderApp, where: str) -> None:
    """No segment text or link holds a control, C1, bidi or zero-width character; the terminal output
    has no escape sequence but Textual's own; every row is exactly the screen's width."""
    width = app.size.width
    for y, strip in enumerate(screen_strips(app)):
        for segment in strip:
            assert not forbidden(segment.text), f"{where}: row {y}: {segment.text!r}"
            link = segment.style.link if segment.style is not None else None
            assert not link or not forbidden(link), f"{where}: row {y}: link {link!r}"
        assert strip.cell_length == width, f"{where}: row {y} is {strip.cell_length} cells, not {width}"
    leftover = TEXTUAL_SEQUENCES.sub("", terminal_output(app))
    bad = sorted(set(forbidden(leftover, allow="\n")))
    assert not bad, f"{where}: the terminal output holds {bad!r}"


def articles(app: ReaderApp) -> ArticleList:
    return app.screen.query_one(ArticleList)


def assert_rows_fit(app: ReaderApp, where: str) -> None:
    """Every visible article row is exactly the list's content width, whatever the characters."""
    article_list = articles(app)
    width = article_list.scrollable_content_region.width
    visible = min(article_list.scrollable_content_region.height, len(article_list.summaries))
    for y in range(visible):
        text = "".join(segment.text for segment in article_list.render_line(y))
        assert cell_len(text) == width, f"{where}: row {y} is {cell_len(text)} cells, not {width}: {text!r}"


async def walk_every_record(pilot: Pilot[None], check: object) -> list[str]:
    """Press down through the whole article list, calling `check(where)` on each record; the paths seen."""
    app = pilot.app
    seen = []
    for index in range(len(articles(app).summaries)):
        if index:
            await pilot.press("down")
        await settle(pilot)
        summary = articles(app).highlighted
        assert summary is not None and articles(app).cursor == index
        seen.append(summary.path)
        check(os.path.basename(summary.path))  # type: ignore[operator]
    return seen


async def _show(pilot: Pilot[None], name: str) -> None:
    """Move the article list's cursor to the record in file `name`, with the arrow keys."""
    article_list = articles(pilot.app)  # type: ignore[arg-type]
    article_list.focus()
    index = [os.path.basename(s.path) for s in article_list.summaries].index(name)
    delta = index - article_list.cursor
    await pilot.press(*(["down"] * delta if delta > 0 else ["up"] * -delta))
    await settle(pilot)
    assert os.path.basename(article_list.highlighted.path) == name  # type: ignore[union-attr]


async def test_every_record_renders_safely(hostile_without_char_refs: HostileFolder) -> None:
    hostile = hostile_without_char_refs
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(articles(app).summaries) == len(hostile.records)
        detail = app.screen.query_one(DetailPane)

        def check(where: str) -> None:
            assert isinstance(detail.shown, Record) and os.path.basename(detail.shown.path) == where
            assert_screen_safe(app, where)
            assert_rows_fit(app, where)
            # The Markdown body may be below the fold: scroll the story to its end and look again.
            detail.scroll_end(animate=False, immediate=True)
            assert_screen_safe(app, f"{where} (story scrolled to the end)")
            detail.scroll_home(animate=False, immediate=True)

        seen = await walk_every_record(pilot, check)
        assert sorted(os.path.basename(path) for path in seen) == sorted(hostile.records)
        assert app.is_running and app.return_code is None


async def test_markup_in_record_text_is_shown_literally_and_never_acts(
    hostile: HostileFolder, opened: list[str]
) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paths = [os.path.basename(s.path) for s in articles(app).summaries]
        await pilot.press(*["down"] * paths.index("payload-markup.md"))
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]click me[/]" in text  # the title and excerpt in the detail pane
        assert "[bold red]x[/]" in text and "[link=https://evil]x[/link]" in text
        # Click every place the markup shows: nothing may quit the app or follow a link.
        rows = text.split("\n")
        clicks = [(row.index("click me"), y) for y, row in enumerate(rows) if "click me" in row]
        assert len(clicks) >= 3  # the list row, the story's title and excerpt, the body …
        for x, y in clicks:
            await pilot.click(offset=(x + 2, y))
            await settle(pilot)
            assert app.is_running and app.return_code is None, f"a click at ({x}, {y}) acted"
        # The body's Markdown links (javascript:, an escape in the URL, an autolink) open nothing.
        links = [(row.index(label), y) for y, row in enumerate(rows)
                 for label in ("a link", "another", "auto.example") if label in row]
        assert len(links) == 3
        for x, y in links:
            await pilot.click(offset=(x + 1, y))
            await settle(pilot)
        assert opened == []
        assert app.is_running and isinstance(app.screen, MainScreen)


async def test_wide_and_long_titles_keep_rows_aligned(hostile: HostileFolder) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        article_list = articles(app)
        long_row = [s.path for s in article_list.summaries].index(hostile.file(hostile.long_title))
        for width in (80, 97, 120, 151, 203):  # odd widths cut wide characters at every parity
            await pilot.resize_terminal(width, 40)
            await settle(pilot)
            assert_rows_fit(app, f"width {width}")
            row = "".join(s.text for s in article_list.render_line(long_row - article_list.scroll_offset.y))
            assert " long " in row and row[:-1].endswith("\u2026 "), row  # the cut title, a space, the bar
            assert_screen_safe(app, f"width {width}")


async def test_topics_and_status_line_render_safely(hostile: HostileFolder) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        topics = app.screen.query_one(TopicList)
        topics.focus()
        await settle(pilot)
        count = topics.option_count
        assert count > len(PAYLOADS)
        await pilot.press("down", "down")  # past the Starred and Recently read views
        for index in range(3, count):
            await pilot.press("down")
            await settle(pilot)
            assert topics.highlighted == index
            status = str(app.screen.query_one("#status").render())
            assert "topic: " in status and not forbidden(status)
            assert_screen_safe(app, f"topic {index}: {topics.choice!r}")
        assert app.is_running


async def test_related_stories_render_safely_when_followed(hostile: HostileFolder) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paths = [os.path.basename(s.path) for s in articles(app).summaries]
        await pilot.press(*["down"] * paths.index("payload-all.md"))
        await settle(pilot)
        await pilot.press("enter")  # focus the related list
        await settle(pilot)
        assert isinstance(app.focused, OptionList) and app.focused.id == "related"
        assert_screen_safe(app, "related list focused")
        await pilot.press("enter")  # follow the related story (not in the library)
        await settle(pilot)
        assert "not in the library" in screen_text(app)
        assert_screen_safe(app, "related story shown")
        await pilot.press("backspace")
        await settle(pilot)
        assert_screen_safe(app, "back")


async def test_problems_and_help_screens_render_safely(hostile: HostileFolder) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "problems (press ! to see)" in str(app.screen.query_one("#status").render())
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        problems = app.screen.query_one(OptionList)
        assert problems.option_count == len(hostile.problems)
        prompts = [str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)]
        assert any("bad-\u241b]0;PWNED\u2407-\u241b[2J--[bold]b.md" in prompt for prompt in prompts), prompts
        for index in range(problems.option_count):
            problems.highlighted = index
            await pilot.pause()
            assert_screen_safe(app, f"problems screen, row {index}")
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert_screen_safe(app, "help screen")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_screen_check_catches_raw_text() -> None:
    """Not vacuous: text that Textual would pass to the terminal as it is fails `assert_screen_safe`."""
    app = ReaderApp([])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert_screen_safe(app, "empty")
        for text in ("a\x1b]2;PWNED\x07b", "c1 \x9b31m", "rtl \u202eabc", "zero\u200bwidth"):
            planted = Static(text, markup=False)
            await app.screen.mount(planted)
            await pilot.pause()
            with pytest.raises(AssertionError):
                assert_screen_safe(app, "planted")
            leftover = TEXTUAL_SEQUENCES.sub("", terminal_output(app))
            assert forbidden(leftover, allow="\n"), text  # the terminal-output check sees it on its own too
            await planted.remove()
            await pilot.pause()
        assert_screen_safe(app, "after removing")


async def test_records_that_change_or_vanish_before_they_are_shown(
    hostile: HostileFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The story is read from disk again when it is shown: by then its file may be gone, a FIFO (which
    must not block) or rewritten with hostile text. Each file is changed just before that read and put
    back (same bytes, same mtime) right after it, so a watcher never sees the change."""
    rewritten = "---\ntitle: " + yaml_quote("rewritten \x1b]2;PWNED\x07 \u202e") + "\n---\nbody \x1b[2J\n"
    changes = {
        "url-file.md": (lambda path: None, "This file cannot be read now"),
        "url-data.md": (os.mkfifo, "This file cannot be read now: not a regular file"),
        "url-javascript.md": (
            lambda path: Path(path).write_text(rewritten), "rewritten \u241b]2;PWNED\u2407"
        ),
    }
    real_load_record = Library.load_record

    def load_record(self: Library, path: str) -> Record | Problem:
        change = changes.get(os.path.basename(path))
        if change is None:
            return real_load_record(self, path)
        original, info = Path(path).read_bytes(), os.stat(path)
        os.remove(path)
        change[0](path)
        try:
            return real_load_record(self, path)
        finally:
            if os.path.lexists(path):
                os.remove(path)
            Path(path).write_bytes(original)
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))

    monkeypatch.setattr(Library, "load_record", load_record)
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name, (_, shown) in changes.items():
            await _show(pilot, name)
            assert shown in screen_text(app), name
            assert_screen_safe(app, name)
        assert app.is_running


async def test_markdown_character_references_render_safely(hostile: HostileFolder) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paths = [os.path.basename(s.path) for s in articles(app).summaries]
        await pilot.press(*["down"] * paths.index("body-char-refs.md"))
        await settle(pilot)
        assert app.screen.query_one(Markdown).display
        assert "references:" in screen_text(app)
        assert_screen_safe(app, "body-char-refs.md")


# ---------------------------------------------------------------------------------------------------------
# Links: o and y

# file name -> the URL `o` must hand to the browser (None: refused with a warning).
EXPECTED_OPEN = {
    "url-javascript.md": None,
    "url-file.md": None,
    "url-data.md": None,
    # The parser strips surrounding white space from URLs ("kept as written, minus surrounding space"),
    # so the record's URL is "https://leading-space"; the unstripped form is refused (see below).
    "url-leading-space.md": "https://leading-space",
    "url-shell.md": "SHELL",  # the exact URL with $(touch …), as one argument
    "url-newline.md": None,
    "url-escape.md": None,
    "url-c1.md": None,
    "url-bidi.md": None,  # a right-to-left override in a link is a spoofing trick: refused
}


@pytest.mark.parametrize("target", ["record", "related story"])
async def test_open_and_copy_only_http_links(
    hostile: HostileFolder, opened: list[str], tmp_path: Path, target: str
) -> None:
    """o and y on each URL record (or on its related story, which has the same URL and a query)."""
    app = ReaderApp([str(hostile.path)])
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name, expected in EXPECTED_OPEN.items():
            if expected == "SHELL":
                expected = url_cases(str(tmp_path / "pwned"))[name]
            await _show(pilot, name)
            if target == "related story":
                expected = expected and expected + RELATED_QUERY
                await pilot.press("enter")
                assert isinstance(app.focused, OptionList) and app.focused.id == "related", name
            app._notifications.clear()
            opened.clear()
            copied.clear()
            await pilot.press("o", "y")
            await pilot.pause()
            notes = list(app._notifications)
            assert len(notes) == 2, name
            for note in notes:
                assert note.markup is False, name
                assert not forbidden(note.message), (name, note.message)
            if expected is None:
                assert opened == [] and copied == [], name
                assert [n.severity for n in notes] == ["warning", "warning"], name
                assert notes[0].message.startswith('refusing to open "'), name
                assert notes[1].message.startswith('refusing to copy "'), name
            else:
                assert opened == [expected] and copied == [expected], name
                assert [n.severity for n in notes] == ["information", "information"], name
            assert_screen_safe(app, f"{name}: toasts")
        assert not (tmp_path / "pwned").exists()
        assert app.is_running


@pytest.mark.parametrize("url", [" https://leading-space", "\thttps://x.example", "https://x.example/\u0085"])
async def test_open_link_refuses_unstripped_urls(opened: list[str], url: str, tmp_path: Path) -> None:
    assert refusal(url) is not None
    app = ReaderApp([str(tmp_path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_link(url)
        await pilot.pause()
        assert opened == []
        note = list(app._notifications)[-1]
        assert note.markup is False and note.severity == "warning" and not forbidden(note.message)


def _fake_browser(folder: Path) -> tuple[Path, Path]:
    opened = folder / "opened.txt"
    script = folder / "browser.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$#\" \"$1\" >> '{opened}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script, opened


async def test_browser_gets_the_url_as_one_argument_without_a_shell(
    hostile: HostileFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, record_file = _fake_browser(tmp_path)
    monkeypatch.setenv("BROWSER", str(browser))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # make webbrowser read $BROWSER again
    monkeypatch.setattr(webbrowser, "_browsers", {})
    marker = tmp_path / "pwned"
    url = url_cases(str(marker))["url-shell.md"]
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _show(pilot, "url-shell.md")
        await pilot.press("o")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not record_file.exists():
            await pilot.pause(0.05)
        await pilot.pause(0.2)  # the script writes both lines in one printf
    assert record_file.read_text() == f"1\n{url}\n"  # one argument, exactly the URL
    time.sleep(0.2)
    assert not marker.exists(), "the URL reached a shell"


# ---------------------------------------------------------------------------------------------------------
# reader --list


def reader_command() -> list[str]:
    found = shutil.which("reader")
    return [found] if found else [sys.executable, "-m", "reader"]


@pytest.mark.parametrize("fmt", ["tsv", "json"])
@pytest.mark.parametrize("cache", ["--no-cache", "cached"])
def test_list_output_is_safe(hostile: HostileFolder, fmt: str, cache: str) -> None:
    command = [*reader_command(), "--list", "--format", fmt, str(hostile.path)]
    if cache == "--no-cache":
        command.insert(-1, "--no-cache")
    runs = 2 if cache == "cached" else 1  # the second run reads the summaries back from the index
    for _ in range(runs):
        done = subprocess.run(command, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        assert not forbidden(out, allow="\t\n"), sorted(set(forbidden(out, allow="\t\n")))
        assert not forbidden(err, allow="\n"), sorted(set(forbidden(err, allow="\n")))
        lines = out.splitlines()
        assert len(lines) == len(hostile.records)
        assert len(err.splitlines()) == len(hostile.problems)
        if fmt == "tsv":
            assert all(line.count("\t") == 6 for line in lines)  # ... path, story id, sources
            assert all(re.fullmatch(r"[0-9a-f]{12}\t[1-9][0-9]*", line.split("\t", 5)[5]) for line in lines)
        else:
            records = [json.loads(line) for line in lines]
            by_name = {os.path.basename(r["path"]): r for r in records}
            for name, url in url_cases(str(hostile.path.parent / "pwned")).items():
                assert by_name[name]["url"] == (url.strip() if refusal(url.strip()) is None else None), name
            for record in records:
                for key in ("title", "excerpt", "type", "category"):
                    assert not forbidden(record[key] or ""), (key, record[key])


# ---------------------------------------------------------------------------------------------------------
# File names that are not UTF-8 (os.scandir gives them as lone surrogates, which SQLite cannot store)


def test_list_survives_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = write_hostile_folder(tmp_path / "hostile", undecodable_name=True)
    for fmt in ("tsv", "json"):
        done = subprocess.run([*reader_command(), "--list", "--format", fmt, str(folder.path)],
                              capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        out = done.stdout.decode("utf-8")
        assert len(out.splitlines()) == len(folder.records)
        assert "undecodable file name" in out
        assert not forbidden(out, allow="\t\n")


async def test_app_survives_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = write_hostile_folder(tmp_path / "hostile", char_refs=False, undecodable_name=True)
    app = ReaderApp([str(folder.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(articles(app).summaries) == len(folder.records)
        names = [s.title for s in articles(app).summaries]
        await pilot.press(*["down"] * names.index("undecodable file name"))
        await settle(pilot)
        assert_screen_safe(app, "undecodable file name")
        assert "undecodable file name" in screen_text(app)


# ---------------------------------------------------------------------------------------------------------
# Filter text echoed back (a pasted query, a --filter argument)

HOSTILE_QUERY = "topc\x1b]2;PWNED\x07:x \u202eabc"  # an unknown field, so the error repeats it


def test_invalid_filter_error_on_the_command_line_is_safe(tmp_path: Path) -> None:
    done = subprocess.run([*reader_command(), "--list", "--filter", HOSTILE_QUERY, str(tmp_path)],
                          capture_output=True, timeout=60)
    assert done.returncode == 2
    err = done.stderr.decode("utf-8")
    assert err.startswith("reader: invalid filter: unknown field")
    assert not forbidden(err, allow="\n"), err


async def test_pasted_filter_text_is_shown_safely(hostile: HostileFolder) -> None:
    app = ReaderApp([str(hostile.path)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        bar_input = app.screen.query_one(Input)
        bar_input.post_message(events.Paste(HOSTILE_QUERY))  # what a terminal's bracketed paste sends
        await settle(pilot)
        error = app.screen.query_one(FilterInput).error
        assert error.startswith('unknown field "topc')
        assert not forbidden(error), error
        assert_screen_safe(app, "pasted filter")


# ---------------------------------------------------------------------------------------------------------
# Bodies that are expensive to show

async def test_a_date_past_the_calendar_in_utc_does_not_stop_the_app(tmp_path: Path) -> None:
    """Issue 12, point 1: a publishedDateTime that is year 10000 in UTC made drawing its row raise, at
    every start (the date was in the index). It is no date, and a note under `!`."""
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "edge.md").write_text("---\ntitle: edge\npublishedDateTime: 9999-12-31T23:59:59-14:00\n---\n")
    (folder / "ok.md").write_text("---\ntitle: ok\npublishedDateTime: 2021-01-01T00:00:00Z\n---\n")
    for _ in range(2):  # parsed, then from the index
        app = ReaderApp([str(folder)])
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            article_list = articles(app)
            assert sorted(s.title for s in article_list.summaries) == ["edge", "ok"]
            rows = ["".join(s.text for s in article_list.render_line(y)) for y in range(2)]
            assert any(" edge " in row for row in rows) and any(" ok " in row for row in rows)
            assert [p.path for p in app.screen.library.problems] == [str(folder / "edge.md")]
        assert app.return_code in (0, None)


async def test_a_long_markdown_list_does_not_freeze_the_ui(tmp_path: Path) -> None:
    """A key pressed while a long body is being put on screen moves on (how soon: benchmarks/hostile_bench.py)."""
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "list.md").write_text("---\ntitle: list\npublishedDateTime: 2021-01-02\n---\n" + "- a\n" * 1000)
    (folder / "next.md").write_text("---\ntitle: next\npublishedDateTime: 2021-01-01\n---\nsmall\n")
    app = ReaderApp([str(folder)])
    async with app.run_test(size=(120, 40)) as pilot:
        detail = app.screen.query_one(DetailPane)

        async def wait_for_story(title: str) -> None:
            for _ in range(2000):  # a guard against a hang, not a time limit
                if isinstance(detail.shown, Record) and detail.shown.title == title:
                    return
                await pilot.pause(0.01)

        await wait_for_story("list")
        assert isinstance(detail.shown, Record) and detail.shown.title == "list"
        await pilot.press("down")  # at once, while the list's body is being put on screen
        await wait_for_story("next")
        assert isinstance(detail.shown, Record) and detail.shown.title == "next"
