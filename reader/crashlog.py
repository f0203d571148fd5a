"""What happens to an error nobody expected: its traceback goes to a log file, and the user gets one
line naming that file and a non-zero exit status (never a screenful of traceback, never status 0).

The log is `crash.log` in platformdirs' user state folder for "reader" (`$XDG_STATE_HOME/reader/`,
by default `~/.local/state/reader/` on Linux), else in the cache folder, else in the temporary folder.
Each crash is appended under a header; a log past `MAX_LOG_BYTES` is moved to `crash.log.old` first.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback

import platformdirs

from . import __version__
from .core.text import safe_text

EXIT_CRASH = 70
"""The exit status after an unexpected error (EX_SOFTWARE in sysexits.h)."""
MAX_LOG_BYTES = 1024 * 1024
LOG_NAME = "crash.log"


def log_folders() -> list[str]:
    """Where a crash log may go, best first."""
    return [
        platformdirs.user_state_dir("reader", appauthor=False),
        platformdirs.user_cache_dir("reader", appauthor=False),
        tempfile.gettempdir(),
    ]


def write_log(details: str) -> str | None:
    """Append `details` (a traceback) under a header to the first crash log that can be written; its
    path, or None when none can."""
    header = (
        f"--- {time.strftime('%Y-%m-%d %H:%M:%S %z')} reader {__version__}, Python {sys.version.split()[0]}, "
        f"pid {os.getpid()}, argv {sys.argv!r}\n"
    )
    data = (header + details.rstrip("\n") + "\n\n").encode("utf-8", "backslashreplace")
    for folder in log_folders():
        path = os.path.join(folder, LOG_NAME)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if os.path.isfile(path) and os.path.getsize(path) > MAX_LOG_BYTES:
                os.replace(path, path + ".old")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError:
            continue
        return path
    return None


def crash_message(summary: str, log: str | None) -> str:
    """The one line the user sees after an unexpected error summed up by `summary`."""
    where = f"the details are in {safe_text(log)}" if log else "no log file could be written"
    return f"reader: stopped by an unexpected error ({safe_text(summary, limit=200)}); {where}"


def report_exception(error: BaseException) -> str:
    """Log an exception raised outside the app (its traceback) and return the line to show."""
    details = "".join(traceback.format_exception(error))
    return crash_message(f"{type(error).__name__}: {error}", write_log(details))


def report_app_crash(details: str) -> str:
    """Log the traceback the app rendered when it stopped on an error and return the line to show;
    the summary is the traceback's last line ("ValueError: year 10000 is out of range")."""
    lines = [line.strip() for line in details.splitlines() if line.strip()]
    return crash_message(lines[-1] if lines else "the app stopped", write_log(details))
