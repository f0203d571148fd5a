"""End to end in a real terminal (tmux): hostile records must not retitle the terminal, write the
clipboard, rename the window or reach a shell, whatever the reader shows.

tmux is the witness. It keeps the pane title that a program sets with OSC 0/2 (`#{pane_title}`), makes
a paste buffer of an OSC 52 clipboard write (with `set-clipboard on`), and renames the window on
`ESC k … ESC \\` (with `allow-rename on`). The program waits for a gate file until those options are
set, so nothing it writes escapes the watch. `test_the_witness_sees_a_leak` shows the checks catch a
program that does leak. Needs tmux (and, for the reader's test, the `reader` command on PATH);
skipped otherwise.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path

import pytest
from rich.cells import cell_len

from reader.core.library import load_library
from reader.core.sorting import sort_summaries

from tests.hostile import write_hostile_folder

from tests.tmux import TmuxSession, isolated_env, reader_in_a_terminal, tmux_available, wait_until

WAIT = 15.0
START_WAIT = 20.0
WIDTH, HEIGHT = 140, 45
KNOWN_TITLE = "KNOWN-TITLE"
GATE_SCRIPT = 'while [ ! -e "$0" ]; do sleep 0.02; done; exec "$@"'

pytestmark = pytest.mark.e2e


def need_tmux() -> None:
    if not tmux_available():
        pytest.skip("tmux is not installed (the end-to-end test drives a real terminal through tmux)")


class Witness:
    """Watches one tmux session for what a program may change behind the screen's back."""

    def __init__(self, term: TmuxSession, gate: Path) -> None:
        self.term = term
        self.gate = gate
        self.buffers_before: list[str] = []

    def tmux(self, *args: str) -> str:
        return self.term._tmux(*args).stdout  # the driver's own runner: its private server and socket

    def arm(self) -> None:
        """Turn on the capture of titles, clipboard writes and renames, then let the program start."""
        self.tmux("set-option", "-s", "set-clipboard", "on")
        self.tmux("set-option", "-g", "allow-rename", "on")
        self.tmux("select-pane", "-t", self.term.name, "-T", KNOWN_TITLE)
        assert self.title() == KNOWN_TITLE
        self.buffers_before = self.buffers()
        self.gate.touch()

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.term.name, "#{pane_title}").rstrip("\n")

    def window_name(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.term.name, "#{window_name}").rstrip("\n")

    def buffers(self) -> list[str]:
        return self.tmux("list-buffers", "-F", "#{buffer_name}: #{buffer_sample}").splitlines()

    def leaks(self) -> list[str]:
        """What changed: an empty list while nothing leaked."""
        found = []
        if (title := self.title()) != KNOWN_TITLE:
            found.append(f"pane title is now {title!r}")
        if (buffers := self.buffers()) != self.buffers_before:
            found.append(f"new paste buffers (OSC 52): {buffers!r}")
        if "PWNED" in (name := self.window_name()):
            found.append(f"window renamed to {name!r}")
        return found

    def assert_no_leak(self, when: str) -> None:
        leaks = self.leaks()
        assert not leaks, f"{when}: {'; '.join(leaks)}\n{self.term.report()}"


def watch(term: TmuxSession, gate: Path) -> Witness:
    """Arm a witness on a started session whose program waits for `gate`, and open the gate."""
    witness = Witness(term, gate)
    witness.arm()
    return witness


def gated(gate: Path, command: Sequence[str]) -> list[str]:
    return ["sh", "-c", GATE_SCRIPT, str(gate), *command]


def test_the_witness_sees_a_leak(tmp_path: Path) -> None:
    """Not vacuous: a program that does write OSC 2, OSC 52 and ESC k is caught on each count."""
    need_tmux()
    gate = tmp_path / "go"
    leak = r"printf '\033]2;PWNED\007'; printf '\033]52;c;UFdORUQ=\007'; printf '\033kPWNED\033\\'; sleep 30"
    with TmuxSession(gated(gate, ["sh", "-c", leak]), width=80, height=24) as term:
        witness = watch(term, gate)
        def all_three() -> list[str] | None:
            found = witness.leaks()
            return found if len(found) == 3 else None

        leaks = wait_until(all_three, WAIT, "all three leaks", term.report)
        assert leaks[0] == "pane title is now 'PWNED'"
        assert leaks[1].startswith("new paste buffers (OSC 52)") and "PWNED" in leaks[1]  # base64 decoded
        assert leaks[2] == "window renamed to 'PWNED'"


def detail_title(screen: str) -> str:
    """The first line of the story pane (the right-hand pane, third row of the screen)."""
    rows = screen.splitlines()
    return rows[2].rsplit("││", 1)[-1].strip(" │") if len(rows) > 2 else ""


def footer(screen: str) -> str:
    """The bottom line (key hints), which tells which widget has focus."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def focus_article_list(term: TmuxSession) -> None:
    """Shift+tab until the article list has focus (its footer hint is "Related")."""
    for _ in range(6):
        term.send_keys("BTab")
        try:
            # Long enough for a busy machine: a footer redrawn late made one more shift+tab land
            # on the topic pane, where the next Down changed the view.
            wait_until(lambda: "Related" in footer(term.screen()), 3.0)
            return
        except AssertionError:
            continue  # the footer of the detail pane and of its lists look alike: one more shift+tab
    raise AssertionError(f"the article list never took focus\n{term.report()}")


def fake_browser(folder: Path) -> tuple[Path, Path]:
    """A $BROWSER that records how many arguments it got and the first one."""
    opened = folder / "opened.txt"
    script = folder / "browser.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$#\" \"$1\" >> '{opened}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script, opened


def test_hostile_records_in_a_real_terminal(tmp_path: Path) -> None:
    reader = reader_in_a_terminal()

    marker = tmp_path / "pwned"
    hostile = write_hostile_folder(tmp_path / "hostile", marker=str(marker))
    order = sort_summaries(load_library([str(hostile.path)]).summaries, "newest")
    assert len(order) == len(hostile.records)
    browser, opened = fake_browser(tmp_path)
    env = isolated_env(tmp_path, browser)
    gate = tmp_path / "go"
    names = [Path(summary.path).name for summary in order]

    def opened_text() -> str:
        return opened.read_text() if opened.exists() else ""

    with TmuxSession(gated(gate, [reader, str(hostile.path)]), width=WIDTH, height=HEIGHT, env=env,
                     cwd=tmp_path) as term:
        witness = watch(term, gate)
        term.wait_for(f"{len(order)} of {len(order)}", "problems (press !", timeout=START_WAIT)
        term.send_keys("v")  # one row per record (some records are one story), to visit each in turn
        term.wait_for(f"showing {len(order)} of {len(order)}", timeout=WAIT)
        witness.assert_no_leak("after start")

        for index, summary in enumerate(order):
            if index:
                term.send_keys("Down")
            want = summary.title[:12]
            screen = term.wait_screen(
                lambda s: detail_title(s).startswith(want), f"{want!r} in the story pane", WAIT
            )
            witness.assert_no_leak(f"record {index} ({names[index]})")
            # tmux and the reader agree on every row's width (wide, emoji, combining, RTL text).
            for row, line in enumerate(screen.splitlines()[1:-1], start=1):
                if line.endswith("│"):
                    assert cell_len(line) == WIDTH, f"row {row} is {cell_len(line)} cells\n{term.report()}"

            if names[index] in ("payload-all.md", "payload-osc2.md", "payload-osc52.md", "payload-markup.md"):
                term.send_keys("Enter")  # focus the related story
                term.wait_screen(lambda s: "Related" not in footer(s), "the related list to take focus", WAIT)
                term.send_keys("Enter")  # follow it: it is not in the library
                term.wait_for("not in the library", timeout=WAIT)
                witness.assert_no_leak(f"related story of {names[index]}")
                term.send_keys("BSpace")  # back to the record, then back to the list
                term.wait_gone("not in the library", timeout=WAIT)
                focus_article_list(term)

            if names[index] == "url-shell.md":
                term.send_keys("o")
                wait_until(lambda: opened_text().count("\n") >= 2, WAIT, "the fake browser", term.report)
                url = hostile.urls["url-shell.md"]
                assert opened_text() == f"1\n{url}\n", f"recorded {opened_text()!r}\n{term.report()}"
                assert not marker.exists(), "the URL reached a shell"

        term.send_keys("!")
        term.wait_for("could not be read", timeout=WAIT)
        witness.assert_no_leak("problems screen")
        term.send_keys("Escape")  # alone: tmux would read Escape and the next key as alt+key
        term.wait_gone("could not be read", timeout=WAIT)
        term.send_keys("?")
        term.wait_for("Keys", "(escape closes)", timeout=WAIT)
        witness.assert_no_leak("help screen")
        term.send_keys("Escape")
        term.wait_gone("(escape closes)", timeout=WAIT)
        term.send_keys("q")
        status = term.wait_exit(timeout=WAIT)
        assert status == 0, f"reader exited with status {status}\n{term.report()}"
        witness.assert_no_leak("after quitting")
    assert not marker.exists()
