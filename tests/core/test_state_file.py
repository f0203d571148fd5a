"""Exports written compactly and read a piece at a time (issue 12, point 9): any export the app writes
imports again, in bounded memory."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core import json_stream
from reader.core.json_stream import JSONStream, JSONStreamError
from reader.core.state import StateStore

REPO = Path(__file__).resolve().parents[2]


def test_an_export_is_compact_one_story_a_line(tmp_path: Path) -> None:
    store = StateStore(clock=lambda: 1_700_000_000.0)
    store.set_read(["https://example.org/a", "b"])
    store.save_filter("Robots", "robot")
    path = tmp_path / "e.json"
    assert store.export_state(str(path)) == 2
    assert path.read_text(encoding="utf-8").splitlines() == [
        '{"format":"reader-state","version":1,"exported":"2023-11-14T22:13:20Z","stories":[',
        '{"id":"https://example.org/a","read_at":1700000000.0,"starred":false,"updated":1700000000.0},',
        '{"id":"b","read_at":1700000000.0,"starred":false,"updated":1700000000.0}',
        '],"saved_filters":[{"name":"Robots","query":"robot"}]}',
    ]


def test_the_stream_holds_one_chunk_and_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 64)
    entries = [{"id": f"é{n}✓" * (n % 7), "n": n * 1.5, "t": n % 2 == 0, "z": None} for n in range(5000)]
    text = json.dumps({"head": 1, "list": entries, "tail": [1, 12345678901234567890]}, ensure_ascii=False)
    stream = JSONStream(io.BytesIO(b"\xef\xbb\xbf" + text.encode("utf-8")))
    got: dict[str, object] = {}
    for key in stream.members(1000):
        got[key] = list(stream.entries(1000)) if key == "list" else stream.value(1000)
    assert got == {"head": 1, "list": entries, "tail": [1, 12345678901234567890]}
    longest = max(len(json.dumps(entry, ensure_ascii=False)) for entry in entries)
    assert stream.largest <= 64 + longest + 2  # characters, though the text is over 300,000


@pytest.mark.parametrize("text, message", [
    ('{"a": 1', 'expected "," or "}"'),
    ('{"a": [1, 2', 'expected "," or "]"'),
    ('{"a": tru}', "not JSON"),
    ('{"a": "' + "x" * 3000, "an entry is longer than 1,000 characters"),
    ('{"a": "unterminated', "not JSON (Unterminated string"),
    ('{"a": 1} x', "more after the end"),
])
def test_the_stream_refuses_what_is_not_json(
    monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 16)
    stream = JSONStream(io.BytesIO(text.encode("utf-8")))
    with pytest.raises(JSONStreamError, match=message.replace("(", r"\(").replace("[", r"\[")):
        for key in stream.members(1000):
            if stream.peek() == "[":
                list(stream.entries(1000))
            else:
                stream.value(1000)


IMPORT_AND_MEASURE = """
import sys
from reader.core.state import StateStore
store = StateStore(sys.argv[1])
imported = store.import_state(sys.argv[2])
# The process's peak resident memory since it started (ru_maxrss would count the parent's, from before exec).
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(imported.stories, peak)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures memory through /proc")
def test_an_export_past_the_old_64_mib_limit_imports_in_bounded_memory(tmp_path: Path) -> None:
    """17,000 stories of 4 KB ids make a 68 MiB export (the old limit was 64 MiB); importing it in a
    fresh process peaks far below the file's size (the old reader held the bytes, the text and the
    parsed document at once)."""
    source = tmp_path / "source.sqlite3"
    StateStore(str(source)).close()
    db = sqlite3.connect(source)
    rows = [(f"https://example.com/{n:06d}/" + "x" * 4000, None, 0, 1.5) for n in range(17_000)]
    db.executemany("INSERT INTO stories VALUES (?, ?, ?, ?)", rows)  # neither read nor starred
    db.commit()
    db.close()
    export = tmp_path / "big.json"
    with StateStore(str(source)) as store:
        assert store.export_state(str(export)) == 17_000
    assert export.stat().st_size > 64 * 1024 * 1024
    command = [sys.executable, "-c", IMPORT_AND_MEASURE, str(tmp_path / "state.sqlite3"), str(export)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO, timeout=300)
    stories, peak_kib = map(int, done.stdout.split())
    assert stories == 17_000
    assert peak_kib < 80 * 1024, f"peak {peak_kib / 1024:.0f} MiB"  # ~47 MiB measured; the file is 66 MiB
