"""End to end in a real terminal (tmux), issue 12: the app stopped by an unexpected error; hostile
saved-filter names; a URL that would break out of a shell wrapper. Skipped without tmux or `reader`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .corpus import write_library
from .tmux import TmuxSession, isolated_env, reader_in_a_terminal

START_WAIT = 20.0  # the first paint also imports Textual
WAIT = 15.0

CRASHING_APP = """\
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
    with TmuxSession([sys.executable, str(driver), str(library)], env=environment(tmp_path), cwd=tmp_path) as term:
        term.wait_for("showing 4 of 4", timeout=START_WAIT)
        term.send_keys("q")
        assert term.wait_exit(WAIT) == 0
