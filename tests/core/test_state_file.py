"""Exports written compactly and read a piece at a time (issue 12, point 9): any export the app writes
imports again, in bounded memory."""

from __future__ import annotations

import gc
import io
import json
import os
import warnings
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core import json_stream
from reader.core.json_stream import JSONStream, JSONStreamError
from reader.core.identity import MAX_ID_CHARS
from reader.core.state import Imported, StateFileError, StateStore
from reader.core.state_file import StateFile, exportable

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


# ---------------------------------------------------------------------------------------------------------
# what an export leaves out, and what an import refuses at the top


def hand_edited_state(path: Path, rows: list[tuple[object, object, object, object]]) -> None:
    """A reading state whose stories table was written by hand (any value SQLite holds)."""
    StateStore(str(path)).close()
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO stories VALUES (?, ?, ?, ?)", rows)
    db.commit()
    db.close()


def test_an_export_leaves_out_rows_an_import_would_refuse(tmp_path: Path) -> None:
    longest = "x" * MAX_ID_CHARS
    good = [("good", 1.5, 0, 2.0), ("whole numbers", 3, 1, 4), (longest, None, 1, 5.0)]
    bad = [
        ("", 1.0, 0, 1.0), (" ", 1.0, 0, 1.0), (b"bytes", 1.0, 0, 1.0), (longest + "x", 1.0, 0, 1.0),
        ("text read_at", "yesterday", 0, 1.0), ("infinite read_at", float("inf"), 0, 1.0),
        ("text updated", 1.0, 0, "today"), ("infinite updated", 1.0, 0, float("-inf")),
    ]
    path = tmp_path / "state.sqlite3"
    hand_edited_state(path, bad[:4] + good + bad[4:])
    export = tmp_path / "e.json"
    with StateStore(str(path)) as store:
        assert store.export_state(str(export)) == 3
    stories = json.loads(export.read_text(encoding="utf-8"))["stories"]
    assert [(s["id"], s["read_at"], s["starred"], s["updated"]) for s in stories] == [
        ("good", 1.5, False, 2.0), ("whole numbers", 3, True, 4), (longest, None, True, 5.0)
    ]
    with StateStore() as other:  # and what was written imports again
        assert other.import_state(str(export)).stories == 3


def imports(tmp_path: Path, id: object, read_at: object, updated: object) -> bool:
    document = {"format": "reader-state", "version": 1,
                "stories": [{"id": id, "read_at": read_at, "starred": False, "updated": updated}]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        StateStore().import_state(str(path))
    except StateFileError:
        return False
    return True


@pytest.mark.parametrize("id, read_at, updated", [
    ("a", 1.0, 2.0), ("a", None, 2), ("a", 0, 0), ("", 1.0, 1.0), (" ", 1.0, 1.0), (None, 1.0, 1.0),
    ("x" * MAX_ID_CHARS, 1.0, 1.0), ("x" * (MAX_ID_CHARS + 1), 1.0, 1.0), ("a", True, 1.0),
    ("a", 1.0, False), ("a", "1", 1.0), ("a", 1.0, None), ("a", [1], 1.0), ("a", 1.0, 1e308),
])
def test_what_an_export_writes_is_what_an_import_takes(
    tmp_path: Path, id: object, read_at: object, updated: object
) -> None:
    assert exportable(id, read_at, updated) == imports(tmp_path, id, read_at, updated)


@pytest.mark.parametrize("content, message", [
    ({"version": 1, "stories": []}, 'not a reading state (format is not "reader-state")'),
    ({"format": "reader-state", "stories": []}, "version: not a whole number"),
    ({"format": "reader-state", "version": 1.0}, "version: not a whole number"),
    ({"format": "reader-state", "version": 0}, "version: 0 is not supported (expected 1)"),
    ({"format": "reader-state", "version": 1,
      "saved_filters": [{"name": "\u200b\u202e", "query": "q"}]}, "saved_filters[0].name: empty"),
    (True, "not a reading state (not a JSON object)"),
    (-1, "not a reading state (not a JSON object)"),
    (None, "not a reading state (not a JSON object)"),
])
def test_an_import_refuses_a_file_that_does_not_say_what_it_is(
    tmp_path: Path, content: object, message: str
) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    store = StateStore()
    with pytest.raises(StateFileError) as caught:
        store.import_state(str(path))
    assert str(caught.value).endswith(message)
    assert not store.read and not store.saved_filters()


def test_an_import_reads_an_export_with_members_in_any_order(tmp_path: Path) -> None:
    document = {"saved_filters": [{"name": "f", "query": "q"}], "exported": "whenever", "extra": {"a": [1]},
                "stories": [{"updated": 2.0, "starred": True, "read_at": 1.0, "id": "a"}],
                "version": 1, "format": "reader-state"}
    path = tmp_path / "e.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with StateFile(str(path), now=10.0) as file:
        assert file.check() == (1, 1)
    document["stories"].append({"id": "b", "read_at": None, "starred": False, "updated": 1})
    path.write_text(json.dumps(document), encoding="utf-8")
    with StateFile(str(path), now=10.0) as file:
        assert file.check() == (2, 1)  # (stories, saved filters)
        assert list(file.stories()) == [("a", (1.0, True, 2.0)), ("b", (None, False, 1.0))]
        assert list(file.saved_filters()) == [("f", "q")]
    store = StateStore()
    assert store.import_state(str(path)) == Imported(2, 1, 0)
    assert dict(store.read) == {"a": 1.0} and set(store.starred) == {"a"}


@pytest.mark.parametrize("content, message", [
    (b"", "not JSON (expected an object, found the end of the file)"),
    (b"xyz", "not JSON (expected an object, found 'x')"),
    (b"}", "not JSON (expected an object, found '}')"),
    (b"[1]", "not a reading state (not a JSON object)"),
    (b"tru", "not JSON (Expecting value)"),
])
def test_what_an_import_says_of_a_file_that_is_no_object(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "e.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as caught:
        StateStore().import_state(str(path))
    assert str(caught.value) == f"{path}: {message}"


def test_a_key_given_twice_is_named_cut_for_the_terminal(tmp_path: Path) -> None:
    key = "k\x1b" + "x" * 60
    path = tmp_path / "e.json"
    text = '{"format": "reader-state", %s: 1, %s: 2}' % (json.dumps(key), json.dumps(key))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StateFileError) as caught:
        StateStore().import_state(str(path))
    assert str(caught.value) == f"{path}: k␛{'x' * 37}…: given twice"


def test_a_file_that_cannot_be_opened_says_why(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(StateFileError) as caught:
        StateStore().import_state(str(path))
    assert str(caught.value) == f"{path}: cannot be read (No such file or directory)"


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts open files through /proc")
def test_an_import_leaves_no_file_open(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"format": "reader-state", "version": 1, "stories": []}), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("[1]", encoding="utf-8")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    store = StateStore()
    gc.collect()  # (what earlier tests left for the collector is not this test's)
    before = open_files()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(5):
            store.import_state(str(good))
            for refused in (bad, fifo, tmp_path):
                with pytest.raises(StateFileError):
                    store.import_state(str(refused))
        gc.collect()
    assert open_files() == before
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []  # closed, not left for the collector


def test_an_export_writes_text_as_it_is(tmp_path: Path) -> None:
    store = StateStore(clock=lambda: 1_700_000_000.0)
    store.set_read(["https://example.org/café", "🦜"])
    store.save_filter("Nouvelles", "topic:économie")
    path = tmp_path / "e.json"
    store.export_state(str(path))
    text = path.read_text(encoding="utf-8")
    assert "café" in text and "🦜" in text and "économie" in text and "\\u" not in text


@pytest.mark.parametrize("stories, message", [
    ("5", "stories: not a list"),
    ('{"id": "a"}', "stories: not a list"),
    ('{"id": tru}', "{path}: not JSON (Expecting value)"),  # what is not JSON is said first
    ('"' + "x" * 70_000 + '"', "{path}: an entry is longer than 65,536 characters"),
])
def test_stories_that_are_not_a_list(tmp_path: Path, stories: str, message: str) -> None:
    path = tmp_path / "e.json"
    path.write_text('{"format": "reader-state", "version": 1, "stories": %s}' % stories, encoding="utf-8")
    with pytest.raises(StateFileError) as caught:
        StateStore().import_state(str(path))
    assert str(caught.value) == message.format(path=path)


def test_a_saved_filter_may_have_an_empty_query_and_a_blank_name_is_said_empty(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    document = {"format": "reader-state", "version": 1, "saved_filters": [{"name": "Everything", "query": ""}]}
    path.write_text(json.dumps(document), encoding="utf-8")
    store = StateStore()
    assert store.import_state(str(path)) == Imported(0, 1, 0)
    assert store.saved_filters() == [("Everything", "")]
    document["saved_filters"] = [{"name": " " * 1001, "query": "q"}]  # blank first, then too long
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(StateFileError) as caught:
        store.import_state(str(path))
    assert str(caught.value) == "saved_filters[0].name: empty"
