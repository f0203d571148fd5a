"""An unexpected error ends the command line with a non-zero status and one line naming a log file that
holds the traceback (issue 12, point 1, the process's side)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader import cli, crashlog

from tests.corpus import write_library


def boom(*args: object, **kwargs: object) -> int:
    raise ValueError("year 10000 is out of range \x1b]0;pwned\x07")


def test_an_error_in_list_gives_one_line_and_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    library = write_library(tmp_path / "library")
    monkeypatch.setattr(cli, "list_records", boom)
    assert cli.main(["--list", str(library)]) == crashlog.EXIT_CRASH != 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("reader: stopped by an unexpected error (ValueError: year")
    assert "\x1b" not in err  # the message is cleaned like record text
    log = Path(os.environ["XDG_STATE_HOME"]) / "reader" / "crash.log"
    assert f"the details are in {log}" in err
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "in boom" in text and "year 10000" in text


def test_the_log_falls_back_when_the_state_folder_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the state folder would be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    monkeypatch.setattr(cli, "list_records", boom)
    assert cli.main(["--list", str(write_library(tmp_path / "library"))]) == crashlog.EXIT_CRASH
    log = Path(os.environ["XDG_CACHE_HOME"]) / "reader" / "crash.log"
    assert f"the details are in {log}" in capsys.readouterr().err
    assert "year 10000" in log.read_text()


def test_a_big_log_is_moved_aside_before_the_next_crash(capsys: pytest.CaptureFixture[str]) -> None:
    log = Path(crashlog.write_log("first") or "")
    assert log.name == "crash.log"
    with open(log, "a") as file:
        file.write("x" * (crashlog.MAX_LOG_BYTES + 1))
    assert crashlog.write_log("second") == str(log)
    assert "second" in log.read_text() and "first" not in log.read_text()
    assert "first" in Path(f"{log}.old").read_text()
