"""End to end: the installed `reader` command in a real terminal (tmux), driven by keys like a person.

Needs tmux and the `reader` command on PATH (both are there in CI); skipped otherwise.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.tmux import TmuxSession, isolated_env, reader_in_a_terminal, wait_until

WAIT = 15.0  # seconds any one step may take
START_WAIT = 20.0  # the first paint also imports Textual

# Pieces of the seed record's title that no pane width splits across lines.
TITLE_LINES = ("Ban on facial", "Minneapolis")
# The webUrl of its first related story (which has no originalUrl, so `o` opens this).
RELATED_URL = (
    "https://bringmethenews.com/minnesota-news/minneapolis-a-step-closer-to-banning-facial-recognition-technology"
)


def footer(screen: str) -> str:
    """The bottom line (key hints), which tells which widget has focus."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def fake_browser(folder: Path) -> tuple[Path, Path]:
    """A $BROWSER that records the URL it is given, and the file it records into."""
    opened = folder / "opened.txt"
    script = folder / "browser.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script, opened


@pytest.mark.e2e
def test_filter_follow_open_back_quit(tmp_path: Path) -> None:
    reader = reader_in_a_terminal()

    browser, opened = fake_browser(tmp_path)
    env = isolated_env(tmp_path, browser)

    def read_opened() -> str:
        return opened.read_text() if opened.exists() else ""

    with TmuxSession([reader], width=120, height=36, env=env, cwd=tmp_path) as term:
        term.wait_for("facial", "showing 1 of 1", timeout=START_WAIT)

        # Filter: `/` focuses the filter bar. Wait for its key hint before typing, or the first
        # keystrokes would still reach the article list (where `o` opens the browser).
        term.send_keys("/")
        term.wait_screen(lambda s: "Clear filter" in footer(s), "the filter bar to take focus", WAIT)
        term.type("minneapolis")
        term.wait_for("showing 1 of 1", "Ban on facial reco", timeout=WAIT)
        term.type("zzqx")  # "minneapoliszzqx" matches nothing
        term.wait_for("showing 0 of 1", "No record matches", timeout=WAIT)
        term.send_keys("BSpace", "BSpace", "BSpace", "BSpace")  # back to "minneapolis": it matches
        term.wait_for("showing 1 of 1", "Ban on facial reco", timeout=WAIT)
        term.type("zzqx")
        term.wait_for("showing 0 of 1", timeout=WAIT)
        term.send_keys("Escape")  # clears the filter and gives the list focus again
        term.wait_screen(
            lambda s: "showing 1 of 1" in s and "Related" in footer(s) and "Clear filter" not in footer(s),
            "the filter to be cleared and the article list focused",
            WAIT,
        )
        term.wait_for(*TITLE_LINES, timeout=WAIT)

        # Enter: focus moves to the related stories, scrolled into view, the first one highlighted.
        term.send_keys("Enter")
        term.wait_screen(
            # The heading says where the highlight is; each story is one line, its source cut to fit.
            lambda s: "Related stories (1/6)" in s and "Minneapolis a step clos" in s and "Related" not in footer(s),
            "the related stories to take focus",
            WAIT,
        )

        # Enter again follows the first related story, which no loaded record matches.
        term.send_keys("Enter")
        term.wait_for("not in the library", "Bring Me The News", "Minneapolis a step closer",
                      timeout=WAIT)

        # `o` opens its URL through $BROWSER.
        assert read_opened() == "", f"a browser was opened too early: {read_opened()!r}\n{term.report()}"
        term.send_keys("o")
        wait_until(lambda: read_opened().endswith("\n"), WAIT, f"a URL in {opened}", term.report)
        assert read_opened() == RELATED_URL + "\n", f"recorded {read_opened()!r}\n{term.report()}"

        # Backspace goes back to the record.
        term.send_keys("BSpace")
        term.wait_gone("not in the library", timeout=WAIT)
        term.wait_for(*TITLE_LINES, "weau.com", timeout=WAIT)

        # `q` quits.
        term.send_keys("q")
        status = term.wait_exit(timeout=WAIT)
        assert status == 0, f"reader exited with status {status}\n{term.report()}"
        assert read_opened() == RELATED_URL + "\n", f"recorded {read_opened()!r}\n{term.report()}"
