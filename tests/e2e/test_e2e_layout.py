"""End to end at 80x24, the size of most terminals: the installed `reader` in a real terminal (tmux),
used as a person would: start, filter, the story and its related list, back, the story alone, open, quit.

Skipped without tmux or the `reader` command."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.corpus import SEED_TITLE, SEED_URL, write_library
from tests.tmux import TmuxSession, isolated_env, reader_in_a_terminal, wait_until

WAIT = 15.0  # seconds any one step may take
START_WAIT = 20.0  # the first paint also imports Textual


def footer(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def list_focused(screen: str) -> bool:
    """The article list has the focus: its enter hint is in the footer."""
    return "⏎ Related" in footer(screen)


@pytest.mark.e2e
def test_reading_at_80x24(tmp_path: Path) -> None:
    reader = reader_in_a_terminal()
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened}'\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    env = isolated_env(tmp_path, browser)
    library = write_library(tmp_path / "library")

    with TmuxSession([reader, str(library)], width=80, height=24, env=env, cwd=tmp_path) as term:
        started = lambda s: "showing 3 stories · 4 of 4" in s and "q Quit" in footer(s)  # noqa: E731
        screen = term.wait_screen(started, "the start", START_WAIT)
        # The seed and Fox 9's earlier record report one event: one row, the earlier one's, with its
        # number of sources.
        assert any("×2 Proposed ban on facial recognition" in line for line in screen.splitlines()), screen
        term.send_keys("v")  # one row per record from here on
        screen = term.wait_for("showing 4 of 4", timeout=WAIT)
        # The list takes the width: the seed's title shows at least 55 characters on its row, and the
        # topic pane waits behind t; ? Help and q Quit are in the footer.
        assert any(SEED_TITLE[:55] in line for line in screen.splitlines()), screen
        assert "─ Topics" not in screen and "? Help" in footer(screen) and "q Quit" in footer(screen), screen

        term.send_keys("/")
        term.wait_screen(lambda s: "Clear filter" in footer(s), "the filter bar to take focus", WAIT)
        term.type("weau")
        term.wait_for("showing 1 of 4", timeout=WAIT)
        term.send_keys("Enter")  # keep the filter: back to the list
        term.wait_screen(list_focused, "the list to take focus", WAIT)

        # The story is under the list at the full width: its box spans the 80 columns.
        screen = term.wait_for("MINNEAPOLIS (AP)", timeout=WAIT)
        story_top = next(line for line in screen.splitlines() if "Story" in line)
        assert len(story_top.rstrip()) == 80, screen

        term.send_keys("Enter")  # the related list
        related = lambda s: "Related stories (1/" in s and not list_focused(s)  # noqa: E731
        term.wait_screen(related, "the related list", WAIT)
        term.send_keys("Escape")  # back one level: the list
        term.wait_screen(list_focused, "escape to go back to the list", WAIT)

        term.send_keys("z")  # the story alone
        term.wait_screen(lambda s: "Articles" not in s and "Story" in s, "the story alone", WAIT)
        term.send_keys("Escape")
        term.wait_screen(lambda s: "Articles" in s and list_focused(s), "the panes again", WAIT)

        term.send_keys("t")  # the topic drawer, and back
        term.wait_for("Topics", "Recently read", timeout=WAIT)
        term.send_keys("Escape")
        term.wait_screen(lambda s: "─ Topics" not in s and list_focused(s), "the drawer to close", WAIT)

        term.send_keys("o")  # opens the story under the cursor
        wait_until(lambda: opened.exists() and opened.read_text().endswith("\n"), WAIT, "a URL", term.report)
        assert opened.read_text() == SEED_URL + "\n", term.report()

        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0, term.report()
