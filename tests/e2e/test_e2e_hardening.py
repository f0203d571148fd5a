"""End to end in a real terminal (tmux), issue 12: the app stopped by an unexpected error; hostile
saved-filter names; a URL that would break out of a shell wrapper. Skipped without tmux or `reader`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import write_library
from tests.tmux import TmuxSession, isolated_env, reader_in_a_terminal, wait_until

START_WAIT = 20.0  # the first paint also imports Textual
WAIT = 15.0

CRASHING_APP = """\
import json
import sqlite3
import subprocess
import sys

from reader.widgets import article_list


def render_line(self, y):
    raise ValueError("year 10000 is out of range")


article_list.ArticleList.render_line = render_line  # stands in for any bug met while drawing a row
from reader.cli import main

sys.exit(main(sys.argv[1:]))
"""


def environment(tmp_path: Path) -> dict[str, str]:
    """isolated_env with a state folder of its own (for the crash log) and no browser."""
    env = isolated_env(tmp_path, tmp_path / "no-browser")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


@pytest.mark.e2e
def test_the_app_stopped_by_an_error_says_so_in_one_line(tmp_path: Path) -> None:
    reader_in_a_terminal()
    library = write_library(tmp_path / "library")
    driver = tmp_path / "crashing_app.py"
    driver.write_text(CRASHING_APP)
    env = environment(tmp_path)
    with TmuxSession([sys.executable, str(driver), str(library)], env=env, cwd=tmp_path) as term:
        status = term.wait_exit(START_WAIT)
        screen = term.history()
    log = tmp_path / "state" / "reader" / "crash.log"
    assert status == 70, screen
    assert "reader: stopped by an unexpected error (ValueError: year 10000 is out of range); the details " \
        f"are in {log}" in screen.splitlines(), screen
    assert "Traceback" not in screen and "locals" not in screen
    text = log.read_text()
    assert "Traceback" in text and "render_line" in text and "ValueError: year 10000 is out of range" in text


STUCK_COUNTS = """\
import json
import sqlite3
import subprocess
import sys
import threading

from reader.core import counts


def count(self, *args, **kwargs):
    threading.Event().wait()  # a count that never ends, as thousands of saved filters once took minutes


counts.TopicCounter.count = count
from reader.cli import main

sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.e2e
def test_q_quits_while_a_worker_is_still_busy(tmp_path: Path) -> None:
    reader_in_a_terminal()
    library = write_library(tmp_path / "library")
    driver = tmp_path / "stuck_counts.py"
    driver.write_text(STUCK_COUNTS)
    command = [sys.executable, str(driver), str(library)]
    with TmuxSession(command, env=environment(tmp_path), cwd=tmp_path) as term:
        term.wait_for("4 of 4", timeout=START_WAIT)  # "showing 3 stories · 4 of 4": two are one story
        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0


# Ended by ST (ESC \\), not BEL, which Rich drops; the clipboard payload ("id") is short enough to
# survive the row being cut to the pane's width. Both took effect on the code before the fix.
HOSTILE_NAMES = [
    "\x1b]0;pwned-title\x1b\\Evil",
    "\x1b]52;c;aWQ=\x1b\\Clip",
    "\x9d2;c1-title\x9cC1",
    "\u202eReversed",
    "split\nrow",
]


@pytest.mark.e2e
def test_hostile_saved_filter_names_never_reach_the_terminal(tmp_path: Path) -> None:
    reader = reader_in_a_terminal()
    library = write_library(tmp_path / "library")
    env = environment(tmp_path)
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps({
        "format": "reader-state", "version": 1, "stories": [],
        "saved_filters": [{"name": name, "query": f"robot {name}"} for name in HOSTILE_NAMES],
    }))
    done = subprocess.run([reader, "--import-state", str(source)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    # And the same names as a state written before names were cleaned on import holds them.
    state = Path(env["XDG_DATA_HOME"]) / "reader" / "state.sqlite3"
    db = sqlite3.connect(state)
    db.executemany("INSERT INTO filters VALUES (?, 'robot', ?)",
                   [(f"old {name}", 100 + n) for n, name in enumerate(HOSTILE_NAMES)] + [("All", 200)])
    db.commit()
    db.close()
    # 140 columns: the topic pane stands beside the list (below, it is a drawer behind t).
    with TmuxSession([reader, str(library)], env=env, cwd=tmp_path, width=140, height=50,
                     server_options={"set-clipboard": "on"}) as term:
        title = term.pane_title()
        screen = term.wait_for("Saved filters", "“All” (saved)", timeout=START_WAIT)
        # Shown cleaned in the topic pane (escape as a visible symbol, C1 as U+FFFD, the
        # right-to-left override dropped, the line break a space), the legacy look-alike marked.
        for shown in ("␛]0;pwned-tit", "␛]52;c;aWQ=", "�2;c1-title�C1", "Reversed", "split row"):
            assert screen.count(shown) == 2, shown
        term.send_keys("BTab", "End")  # the topic pane's last row, then up: each name in the status line
        term.wait_for("saved: All", timeout=WAIT)
        legacy = ("old split row", "old Reversed", "old �2;c1-title�C1", "old ␛]52;c;aWQ=", "old ␛]0;pwned")
        for shown in legacy:
            term.send_keys("Up")
            term.wait_for(f"saved: {shown}", timeout=WAIT)
        assert term.pane_title() == title and "pwned" not in title
        assert term.paste_buffers() == []
        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0


BREAKOUT_RECORD = """---
title: "A link that breaks out of quotes"
excerpt: "x"
publishedDateTime: 2021-01-30T09:00:00Z
originalUrl: "https://evil.example/'$(touch${{IFS}}{target})'"
provider:
  name: Evil
  domain: evil.example
---
"""


@pytest.mark.e2e
def test_a_link_cannot_break_out_of_a_shell_wrapper(tmp_path: Path) -> None:
    reader = reader_in_a_terminal()
    library = write_library(tmp_path / "library")
    target, opened = tmp_path / "pwned", tmp_path / "opened.txt"
    (library / "breakout.md").write_text(BREAKOUT_RECORD.format(target=target))
    env = environment(tmp_path)
    config = Path(env["XDG_CONFIG_HOME"]) / "reader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"browser = [\"sh\", \"-c\", \"echo '{{url}}' >> {opened}\"]\nread_after = 0\n")
    with TmuxSession([reader, str(library)], env=env, cwd=tmp_path) as term:
        term.wait_for("5 of 5", "A link that breaks out", timeout=START_WAIT)
        term.send_keys("o")  # the newest record, first in the list
        written = wait_until(lambda: opened.exists() and opened.read_text(), WAIT, "the browser command")
        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0
    assert written == f"https://evil.example/%27%24(touch%24%7BIFS%7D{target})%27\n"
    assert not target.exists()
