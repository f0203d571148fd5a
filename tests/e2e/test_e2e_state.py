"""End to end: reading state survives a restart of the installed `reader` in a real terminal (tmux).

Stars and reads records, quits, starts again, and finds the same marks, the same selection, and the
same state in `reader --list --filter is:starred`. Skipped without tmux or the `reader` command.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.corpus import write_library
from tests.tmux import TmuxSession, isolated_env, reader_in_a_terminal

WAIT = 15.0  # seconds any one step may take
START_WAIT = 20.0  # the first paint also imports Textual

# The titles of rows in the article list (the columns between the marks and the title, date and
# provider, come and go with the list's width).
ROUNDUP_ROW = "Weekly roundup: cities"
SEED_ROW = "Ban on facial recognition technology advances"
FOX_ROW = "Proposed ban on facial"


def mark(screen: str, row: str) -> str:
    """The marks drawn at the start of a row of the article list (the second of the three panes):
    ● when unread, then ★ when starred."""
    for line in screen.splitlines():
        panes = line.split("││")
        if len(panes) == 3 and row in panes[1]:
            return panes[1][:2]
    raise AssertionError(f"no row {row!r} on screen:\n{screen}")


@pytest.mark.e2e
def test_stars_and_reads_survive_a_restart(tmp_path: Path) -> None:
    reader = reader_in_a_terminal()
    library = write_library(tmp_path / "library")
    env = isolated_env(tmp_path, tmp_path / "no-browser")  # nothing is opened here
    config = Path(env["XDG_CONFIG_HOME"]) / "reader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("read_after = 0.3\n")

    with TmuxSession([reader, str(library)], width=140, height=36, env=env, cwd=tmp_path) as term:
        term.wait_for("showing 3 stories · 4 of 4", timeout=START_WAIT)  # the seed and Fox 9's: one story
        term.send_keys("v")  # one row per record, kept for the next start
        term.wait_for("showing 4 of 4", timeout=WAIT)
        # The first story is shown at start; nothing is read before a key, then it is read once it has
        # been on screen 0.3 s.
        term.send_keys("s")
        term.wait_screen(lambda s: mark(s, ROUNDUP_ROW) == " ★", "the star, and the story read", WAIT)
        term.send_keys("j")  # the seed: read after a moment
        term.wait_screen(lambda s: mark(s, SEED_ROW) == "  " and "2 unread" in s, "the seed to be read", WAIT)
        assert mark(term.screen(), FOX_ROW) == "● "
        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0

    with TmuxSession([reader, str(library)], width=140, height=36, env=env, cwd=tmp_path) as term:
        screen = term.wait_for("showing 4 of 4", "2 unread", timeout=START_WAIT)
        assert mark(screen, ROUNDUP_ROW) == " ★"
        assert mark(screen, SEED_ROW) == "  "
        assert mark(screen, FOX_ROW) == "● "
        term.wait_for("MINNEAPOLIS (AP)", timeout=WAIT)  # the seed is selected again, its story shown
        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0

    listed = subprocess.run(
        [reader, "--list", "--filter", "is:starred", str(library)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )
    assert [line.split("\t")[2] for line in listed.stdout.splitlines()] == [
        "Weekly roundup: cities and [bold]surveillance[/bold]"
    ]
